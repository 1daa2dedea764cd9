// log() semantics: forked names, defaults per hook, weighted mean, forbidden hooks, and which keys reach
// callbackMetrics / loggedMetrics / progressBarMetrics (lightning-2.6.md §2.3).
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { selectBackend } from '../../src/runtime/backend.js';
import { tf } from '../../src/runtime/tf.js';
import type { Scalar, Tensor } from '../../src/runtime/tf.js';
import { Trainer } from '../../src/trainer/trainer.js';
import type { TrainerOptions } from '../../src/trainer/trainer-options.js';
import { MisconfigurationError } from '../../src/errors.js';
import { InMemoryLogger } from '../../src/loggers/in-memory-logger.js';
import { BoringModel, RandomData } from '../helpers/boring-model.js';

const quiet: TrainerOptions = {
  maxEpochs: 1, enableProgressBar: false, enableModelSummary: false, enableCheckpointing: false, handleSignals: false, numSanityValSteps: 0,
};

describe('log()', () => {
  before(async () => {
    await selectBackend('cpu');
  });

  it('forks names, routes keys and uses per-hook defaults', async () => {
    class M extends BoringModel {
      override trainingStep(batch: Tensor, batchIdx: number): Scalar {
        const loss = this.loss(this.forward(batch));
        this.log('a', loss, { progBar: true });
        this.log('both', batchIdx, { onStep: true, onEpoch: true, progBar: true });
        this.log('epochOnly', batchIdx, { onEpoch: true, onStep: false });
        this.log('hidden', 1, { logger: false });
        return loss;
      }
      override validationStep(batch: Tensor, batchIdx: number): unknown {
        this.log('v', batchIdx);
        this.log('vboth', batchIdx, { onStep: true, onEpoch: true });
        return undefined;
      }
      override onTrainEpochEnd(): void {
        this.log('fromEpochEnd', 7);
      }
    }
    const logger = new InMemoryLogger();
    const trainer = new Trainer({ ...quiet, logger, limitTrainBatches: 4, limitValBatches: 2, logEveryNSteps: 2 });
    await trainer.fit(new M());
    const cb = trainer.callbackMetrics;
    // training: both plain and forked names reach callbacks; epoch values overwrite step values at the end.
    assert.ok('a' in cb && 'both' in cb && 'both_step' in cb && 'both_epoch' in cb && 'epochOnly' in cb && 'hidden' in cb);
    assert.equal(cb.both_epoch, (0 + 1 + 2 + 3) / 4);
    assert.equal(cb.both_step, 3);
    assert.equal(cb.epochOnly, 1.5);
    assert.equal(cb.fromEpochEnd, 7);
    // validation: epoch values only; _step names never reach callbacks.
    assert.equal(cb.v, 0.5);
    assert.equal(cb.vboth, 0.5);
    assert.equal(cb.vboth_epoch, 0.5);
    assert.ok(!('vboth_step' in cb));
    // progress bar: forked names of progBar keys.
    assert.deepEqual(Object.keys(trainer.progressBarMetrics).sort(), ['a', 'both_epoch', 'both_step']);
    // loggers: forked names of logger=true keys, step rows every 2 steps, epoch key added.
    const logged = trainer.loggedMetrics;
    assert.ok(!('hidden' in logged) && !('both' in logged) && 'both_step' in logged && 'both_epoch' in logged && 'vboth_step' in logged);
    const stepRows = logger.rows.filter((r) => 'a' in r.metrics);
    assert.deepEqual(stepRows.map((r) => r.step), [1, 3]);
    assert.ok(stepRows.every((r) => r.metrics.epoch === 0));
    const epochRow = logger.rows.find((r) => 'both_epoch' in r.metrics);
    assert.equal(epochRow?.step, 3);
    assert.equal(epochRow?.metrics.fromEpochEnd, 7);
  });

  it('weights the epoch mean by batch size (inferred or given)', async () => {
    class M extends BoringModel {
      override trainingStep(batch: Tensor, batchIdx: number): Scalar {
        this.log('inferred', batchIdx === 0 ? 1 : 4, { onEpoch: true, onStep: false });
        this.log('given', batchIdx === 0 ? 1 : 4, { onEpoch: true, onStep: false, batchSize: batchIdx === 0 ? 3 : 1 });
        this.log('summed', 2, { onEpoch: true, onStep: false, reduceFx: 'sum' });
        this.log('maxed', batchIdx, { onEpoch: true, onStep: false, reduceFx: 'max' });
        return this.loss(this.forward(batch));
      }
      override trainDataloader(): Iterable<Tensor> {
        return [tf.randomNormal([1, 32]), tf.randomNormal([3, 32])];
      }
    }
    const trainer = new Trainer({ ...quiet, logger: false });
    await trainer.fit(new M());
    assert.equal(trainer.callbackMetrics.inferred, (1 * 1 + 4 * 3) / 4);
    assert.equal(trainer.callbackMetrics.given, (1 * 3 + 4 * 1) / 4);
    assert.equal(trainer.callbackMetrics.summed, 4);
    assert.equal(trainer.callbackMetrics.maxed, 1);
  });

  it('throws naming the fix for forbidden hooks and options', async () => {
    const cases: Array<[string, (m: BoringModel) => void]> = [
      ['onFitStart', (m) => ((m as unknown as { onFitStart: () => void }).onFitStart = () => m.log('x', 1))],
      ['onTrainEpochEnd onStep', (m) => ((m as unknown as { onTrainEpochEnd: () => void }).onTrainEpochEnd = () => m.log('x', 1, { onStep: true }))],
      ['configureOptimizers', (m) => {
        const original = m.configureOptimizers.bind(m);
        m.configureOptimizers = () => (m.log('x', 1), original());
      }],
      ['suffix', (m) => ((m as unknown as { onTrainEpochEnd: () => void }).onTrainEpochEnd = () => m.log('x/dataloader_idx_0', 1))],
      ['non-scalar', (m) => ((m as unknown as { onTrainEpochEnd: () => void }).onTrainEpochEnd = () => m.log('x', tf.zeros([2])))],
    ];
    for (const [label, install] of cases) {
      const m = new BoringModel();
      install(m);
      await assert.rejects(new Trainer({ ...quiet, logger: false, limitTrainBatches: 1 }).fit(m), (e: unknown) => {
        assert.ok(e instanceof MisconfigurationError, `${label}: ${String(e)}`);
        assert.match(String(e), /hint:/);
        return true;
      });
    }
  });

  it('multiple eval dataloaders get /dataloader_idx_N suffixes and one result object each', async () => {
    class M extends BoringModel {
      override validationStep(_batch: Tensor, _batchIdx: number, dataloaderIdx: number): unknown {
        this.log('val_x', dataloaderIdx + 1);
        return undefined;
      }
    }
    const trainer = new Trainer({ ...quiet, logger: false });
    const results = await trainer.validate(new M(), { dataloaders: [new RandomData(2), new RandomData(3)], verbose: false });
    assert.deepEqual(results, [{ 'val_x/dataloader_idx_0': 1 }, { 'val_x/dataloader_idx_1': 2 }]);
  });
});
