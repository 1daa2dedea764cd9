// BasePredictionWriter / JsonlPredictionWriter: per-batch and per-epoch files match what predict() returns.
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { BasePredictionWriter, JsonlPredictionWriter, toPlain } from '../../src/callbacks/prediction-writer.js';
import { MisconfigurationError } from '../../src/errors.js';
import { MemoryLogFileSystem, readTextFile } from '../../src/loggers/file-system.js';
import { selectBackend } from '../../src/runtime/backend.js';
import { tf } from '../../src/runtime/tf.js';
import type { Tensor } from '../../src/runtime/tf.js';
import { Trainer } from '../../src/trainer/trainer.js';
import type { TrainerOptions } from '../../src/trainer/trainer-options.js';
import { BoringModel } from '../helpers/boring-model.js';

const quiet: TrainerOptions = { enableProgressBar: false, enableModelSummary: false, enableCheckpointing: false, handleSignals: false, logger: false };

describe('prediction writers', () => {
  before(async () => {
    await selectBackend('cpu');
  });

  it('writes every batch as it comes and the whole epoch at the end', async () => {
    const fs = new MemoryLogFileSystem();
    const writer = new JsonlPredictionWriter({ outputDir: 'out/preds', writeInterval: 'batch_and_epoch', fileSystem: fs });
    const trainer = new Trainer({ ...quiet, limitPredictBatches: 3, callbacks: [writer] });
    const predictions = (await trainer.predict(new BoringModel())) as Tensor[];
    const expected = predictions.map((t, i) => ({ batchIdx: i, dataloaderIdx: 0, prediction: t.arraySync() }));
    predictions.forEach((t) => t.dispose());
    const batchLines = readTextFile(fs, 'out/preds/predictions.jsonl').trimEnd().split('\n').map((l) => JSON.parse(l) as unknown);
    const epochLines = readTextFile(fs, 'out/preds/predictions_epoch.jsonl').trimEnd().split('\n').map((l) => JSON.parse(l) as unknown);
    assert.deepEqual(batchLines, JSON.parse(JSON.stringify(expected)));
    assert.deepEqual(epochLines, JSON.parse(JSON.stringify(expected)));
    assert.equal((expected[0]?.prediction as number[][]).length, 2);
  });

  it('calls custom writers and checks that the needed method exists', async () => {
    const seen: string[] = [];
    class EpochOnly extends BasePredictionWriter {
      override writeOnEpochEnd(_t: unknown, _m: unknown, predictions: Array<{ batchIdx: number }>): void {
        seen.push(predictions.map((p) => p.batchIdx).join(','));
      }
    }
    await new Trainer({ ...quiet, limitPredictBatches: 2, callbacks: [new EpochOnly('epoch')] }).predict(new BoringModel()).then((ps) => (ps as Tensor[]).forEach((t) => t.dispose()));
    assert.deepEqual(seen, ['0,1']);
    const trainer = new Trainer({ ...quiet, limitPredictBatches: 1, callbacks: [new EpochOnly('batch')] });
    await assert.rejects(trainer.predict(new BoringModel()), /has writeInterval "batch" but no writeOnBatchEnd/);
    assert.throws(() => new EpochOnly('step' as 'batch'), MisconfigurationError);
  });

  it('converts nested tensors to plain arrays', () => {
    const t = tf.tensor2d([[1, 2]]);
    assert.deepEqual(toPlain({ a: [t, 3], b: 'x' }), { a: [[[1, 2]], 3], b: 'x' });
    t.dispose();
  });
});
