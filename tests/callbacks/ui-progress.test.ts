// UIProgressCallback: the event sequence of a real fit/test/predict on the cpu backend, metrics equal to the
// trainer's, time throttling with a fake clock, and data without a length.
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { UIProgressCallback } from '../../src/callbacks/ui-progress.js';
import type { UIProgressEvent } from '../../src/callbacks/ui-progress.js';
import type { DataSource } from '../../src/core/hooks.js';
import { MisconfigurationError } from '../../src/errors.js';
import { selectBackend } from '../../src/runtime/backend.js';
import { tf } from '../../src/runtime/tf.js';
import type { Scalar, Tensor } from '../../src/runtime/tf.js';
import { Trainer } from '../../src/trainer/trainer.js';
import { BoringModel } from '../helpers/boring-model.js';

class LoggingModel extends BoringModel {
  readonly trainLosses: number[] = [];
  override trainingStep(batch: Tensor): Scalar {
    const loss = this.loss(this.forward(batch));
    this.trainLosses.push(loss.dataSync()[0]!);
    this.log('train_loss', loss, { progBar: true, onEpoch: true });
    return loss;
  }
}

const brief = (e: UIProgressEvent): string => `${e.stage} e${e.epoch} ${e.batchIdx + 1}/${e.totalBatches ?? '?'} s${e.globalStep}${e.done ? ' done' : ''}`;

describe('UIProgressCallback', () => {
  before(async () => {
    await selectBackend('cpu');
  });

  it('reports every stage of fit, test and predict with the trainer\'s metrics', async () => {
    const events: UIProgressEvent[] = [];
    const snapshots: Array<Record<string, number>> = [];
    const callback = new UIProgressCallback({
      intervalMs: 0,
      onProgress: (e) => {
        events.push(e);
        snapshots.push({ ...trainer.callbackMetrics });
      },
    });
    const trainer = new Trainer({
      maxEpochs: 2, limitTrainBatches: 3, limitValBatches: 2, limitTestBatches: 2, limitPredictBatches: 1, numSanityValSteps: 1,
      enableModelSummary: false, enableCheckpointing: false, enableProgressBar: false, handleSignals: false, logger: false, callbacks: [callback],
    });
    const model = new LoggingModel();
    await trainer.fit(model);
    const fitEvents = events.length;
    await trainer.test(model);
    await trainer.predict(model);
    assert.deepEqual(events.map(brief), [
      'sanity_check e0 1/1 s0',
      'sanity_check e0 1/1 s0 done',
      'train e0 1/3 s1',
      'train e0 2/3 s2',
      'train e0 3/3 s3',
      'validate e0 1/2 s3',
      'validate e0 2/2 s3',
      'validate e0 2/2 s3 done',
      'train e0 3/3 s3 done',
      'train e1 1/3 s4',
      'train e1 2/3 s5',
      'train e1 3/3 s6',
      'validate e1 1/2 s6',
      'validate e1 2/2 s6',
      'validate e1 2/2 s6 done',
      'train e1 3/3 s6 done',
      'test e2 1/2 s6',
      'test e2 2/2 s6',
      'test e2 2/2 s6 done',
      'predict e2 1/1 s6',
      'predict e2 1/1 s6 done',
    ]);
    events.forEach((e, k) => assert.deepEqual(e.metrics, snapshots[k], `event ${k} carries trainer.callbackMetrics`));
    // Real numbers: each train batch event carries that batch's loss; the train done event the epoch mean and val_loss.
    const trainBatches = events.filter((e) => e.stage === 'train' && !e.done);
    assert.deepEqual(trainBatches.map((e) => e.metrics.train_loss_step), model.trainLosses.map((l) => Math.fround(l)));
    const lastTrainDone = events[fitEvents - 1]!;
    const epoch1 = model.trainLosses.slice(3);
    assert.ok(Math.abs(lastTrainDone.metrics.train_loss_epoch! - epoch1.reduce((a, b) => a + b, 0) / 3) < 1e-6);
    assert.equal(lastTrainDone.metrics.val_loss, events[fitEvents - 2]!.metrics.val_loss);
    assert.ok(Number.isFinite(lastTrainDone.metrics.val_loss));
    const testDone = events.find((e) => e.stage === 'test' && e.done)!;
    assert.equal(testDone.metrics.test_loss, trainer.callbackMetrics.test_loss);
    assert.equal(events.filter((e) => e.done).length, 7, 'one done event per stage run');
  });

  it('throttles batch events by time but always reports the first and last batch, also without a length', async () => {
    let clockMs = 0;
    const events: UIProgressEvent[] = [];
    const callback = new UIProgressCallback({ intervalMs: 100, now: () => (clockMs += 30), metrics: 'progressBar', onProgress: (e) => events.push(e) });
    class Unsized extends LoggingModel {
      override trainDataloader(): DataSource<Tensor> {
        return (function* () {
          for (let i = 0; i < 10; i++) yield tf.randomNormal([2, 32]);
        })();
      }
    }
    const trainer = new Trainer({
      maxEpochs: 1, limitValBatches: 0, numSanityValSteps: 0, enableModelSummary: false, enableCheckpointing: false,
      enableProgressBar: false, handleSignals: false, logger: false, callbacks: [callback],
    });
    await trainer.fit(new Unsized());
    // Batches end at 30, 60, ..., 300 ms: reported at 30 (first), 150, 270 (>= 100 ms apart), 300 (last), then done.
    assert.deepEqual(events.map(brief), ['train e0 1/? s1', 'train e0 5/? s5', 'train e0 9/? s9', 'train e0 10/? s10', 'train e0 10/? s10 done']);
    assert.deepEqual(Object.keys(events[0]!.metrics), ['train_loss_step']);
    assert.deepEqual(events.at(-1)!.metrics, { ...trainer.progressBarMetrics });
  });

  it('rejects a negative or non-finite interval', () => {
    assert.throws(() => new UIProgressCallback({ intervalMs: -1, onProgress: () => undefined }), MisconfigurationError);
    assert.throws(() => new UIProgressCallback({ intervalMs: NaN, onProgress: () => undefined }), /intervalMs must be a non-negative number/);
  });
});
