// EarlyStopping (patience counted in checks, thresholds, min/max, state) and OnExceptionCheckpoint.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { selectBackend } from '../../src/runtime/backend.js';
import type { Tensor } from '../../src/runtime/tf.js';
import { Trainer } from '../../src/trainer/trainer.js';
import { EarlyStopping } from '../../src/callbacks/early-stopping.js';
import type { EarlyStoppingOptions } from '../../src/callbacks/early-stopping.js';
import { OnExceptionCheckpoint } from '../../src/callbacks/on-exception-checkpoint.js';
import { loadCheckpoint } from '../../src/checkpoint/checkpoint.js';
import { disposeCheckpoint } from '../../src/checkpoint/document.js';
import { NodeCheckpointIO } from '../../src/checkpoint/node-checkpoint-io.js';
import { BoringModel } from '../helpers/boring-model.js';

class Scripted extends BoringModel {
  constructor(private readonly values: number[]) {
    super();
  }
  override validationStep(_batch: Tensor, _batchIdx: number): unknown {
    this.log('val_loss', this.values[this.currentEpoch] ?? 0);
    return undefined;
  }
}

async function run(values: number[], options: EarlyStoppingOptions, maxEpochs = 10): Promise<{ trainer: Trainer; es: EarlyStopping }> {
  const es = new EarlyStopping(options);
  const trainer = new Trainer({
    maxEpochs, limitTrainBatches: 1, limitValBatches: 1, numSanityValSteps: 0, logger: false, enableCheckpointing: false,
    enableProgressBar: false, enableModelSummary: false, handleSignals: false, callbacks: [es],
  });
  await trainer.fit(new Scripted(values));
  return { trainer, es };
}

describe('EarlyStopping', () => {
  before(async () => {
    await selectBackend('cpu');
  });

  it('stops after `patience` checks without improvement by more than minDelta', async () => {
    const { trainer, es } = await run([1, 0.5, 0.45, 0.48, 0.46, 0.3], { monitor: 'val_loss', patience: 2, minDelta: 0.1 });
    // 0.5 improves on 1 by 0.5; 0.45 and 0.48 do not improve by > 0.1 → stop after epoch index 3.
    assert.equal(trainer.currentEpoch, 4);
    assert.equal(es.stoppedEpoch, 3);
    assert.equal(es.bestScore, 0.5);
    assert.equal(es.stoppingReason, 'patience_exhausted');
    assert.match(es.stoppingReasonMessage ?? '', /did not improve in the last 2 records/);
  });

  it('mode max, stopping threshold, divergence threshold, non-finite values', async () => {
    assert.equal((await run([0.1, 0.2, 0.9, 0.95], { monitor: 'val_loss', mode: 'max', stoppingThreshold: 0.8 })).es.stoppedEpoch, 2);
    assert.equal((await run([1, 2, 9, 3], { monitor: 'val_loss', divergenceThreshold: 5 })).es.stoppingReason, 'divergence_threshold');
    assert.equal((await run([1, Number.NaN, 0.5], { monitor: 'val_loss' })).es.stoppingReason, 'non_finite_metric');
  });

  it('respects minEpochs and keeps its state across a checkpoint', async () => {
    const es = new EarlyStopping({ monitor: 'val_loss', patience: 1 });
    const trainer = new Trainer({
      maxEpochs: 10, minEpochs: 5, limitTrainBatches: 1, limitValBatches: 1, numSanityValSteps: 0, logger: false,
      enableCheckpointing: false, enableProgressBar: false, enableModelSummary: false, handleSignals: false, callbacks: [es],
    });
    await trainer.fit(new Scripted([1, 1, 1, 1, 1, 1, 1]));
    assert.equal(trainer.currentEpoch, 5);
    const copy = new EarlyStopping({ monitor: 'val_loss', patience: 1 });
    copy.loadStateDict(JSON.parse(JSON.stringify(es.stateDict())) as Record<string, unknown>);
    assert.deepEqual(copy.stateDict(), es.stateDict());
  });
});

describe('OnExceptionCheckpoint', () => {
  it('saves the training state when fit fails', async () => {
    await selectBackend('cpu');
    const dir = mkdtempSync(join(tmpdir(), 'lts-onexc-'));
    class Failing extends BoringModel {
      override onTrainBatchEnd(_o: unknown, _b: unknown, batchIdx: number): void {
        if (batchIdx === 2) throw new Error('boom');
      }
    }
    const trainer = new Trainer({
      maxEpochs: 1, logger: false, enableCheckpointing: false, enableProgressBar: false, enableModelSummary: false,
      handleSignals: false, numSanityValSteps: 0, callbacks: [new OnExceptionCheckpoint({ dirpath: dir })],
    });
    await assert.rejects(trainer.fit(new Failing()), /boom/);
    const path = join(dir, 'on_exception.ckpt');
    assert.ok(existsSync(path));
    const doc = await loadCheckpoint(path, new NodeCheckpointIO());
    assert.equal(doc.globalStep, 3);
    assert.ok(Array.isArray(doc.optimizerStates) && doc.optimizerStates.length === 1);
    disposeCheckpoint(doc);
  });
});
