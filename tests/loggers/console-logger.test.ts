import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { ConsoleLogger, formatMetricValue } from '../../src/loggers/console-logger.js';
import { InMemoryLogger } from '../../src/loggers/in-memory-logger.js';
import { MisconfigurationError } from '../../src/errors.js';
import { selectBackend } from '../../src/runtime/backend.js';
import type { Scalar, Tensor } from '../../src/runtime/tf.js';
import { Trainer } from '../../src/trainer/trainer.js';
import { BoringModel } from '../helpers/boring-model.js';

describe('ConsoleLogger', () => {
  before(async () => {
    await selectBackend('cpu');
  });

  it('prints one compact line per logMetrics call, hyperparameters once, checkpoints and the end status', () => {
    const lines: string[] = [];
    const logger = new ConsoleLogger({ name: 'mnist', version: 3, print: (l) => lines.push(l) });
    assert.deepEqual([logger.name, logger.version, logger.rank], ['mnist', 3, 0]);
    logger.logHyperparams({ lr: 0.01, hidden: 64, layers: [8, 4], optimizer: 'adam' });
    logger.logHyperparams({ lr: 0.01, hidden: 64, layers: [8, 4], optimizer: 'adam' });
    logger.logHyperparams({ lr: 0.001, hidden: 64 }, { hp_metric: 0.25 });
    logger.logMetrics({ train_loss: 0.482137, epoch: 0 }, 12);
    logger.logMetrics({ val_acc: 0.8125 });
    logger.logMetrics({});
    logger.afterSaveCheckpoint({ savedPath: 'ckpt/epoch=0.ckpt', monitor: 'val_acc', bestModelScore: 0.8125 });
    logger.afterSaveCheckpoint({ lastModelPath: 'last.ckpt' });
    logger.save();
    logger.finalize('success');
    assert.deepEqual(lines, [
      '[mnist v3] hparams | lr=0.01 hidden=64 layers=[8,4] optimizer=adam',
      '[mnist v3] hparams | lr=0.001 hp_metric=0.25',
      '[mnist v3] step 12 | train_loss=0.4821 epoch=0',
      '[mnist v3] step 1 | val_acc=0.8125',
      '[mnist v3] checkpoint | ckpt/epoch=0.ckpt (best val_acc=0.8125)',
      '[mnist v3] success',
    ]);
  });

  it('formats values compactly and checks its input like the other loggers', () => {
    assert.deepEqual([1e-7, 1234.5678, -0.000123456, 7, NaN, Infinity].map((v) => formatMetricValue(v, 4)), ['1e-7', '1235', '-0.0001235', '7', 'NaN', 'Infinity']);
    const lines: string[] = [];
    const logger = new ConsoleLogger({ prefix: 'p', precision: 2, print: (l) => lines.push(l) });
    logger.logMetrics({ loss: 2 / 3 });
    assert.deepEqual(lines, ['[console v0] step 0 | p-loss=0.67']);
    assert.throws(() => logger.logMetrics({ loss: 'x' as unknown as number }), MisconfigurationError);
    assert.throws(() => logger.logMetrics({ loss: 1 }, -1), /step -1/);
    const quiet = new ConsoleLogger({ rank: 1, print: (l) => lines.push(l) });
    quiet.logHyperparams({ a: 1 });
    quiet.logMetrics({ loss: 1 });
    quiet.finalize('failed');
    assert.equal(lines.length, 1, 'nothing printed off rank zero');
  });

  it('prints the same rows the Trainer sends an InMemoryLogger during a fit', async () => {
    class Model extends BoringModel {
      constructor() {
        super();
        this.saveHyperparameters({ lr: 0.1, features: 32 });
      }
      override trainingStep(batch: Tensor): Scalar {
        const loss = this.loss(this.forward(batch));
        this.log('train_loss', loss);
        return loss;
      }
    }
    const lines: string[] = [];
    const memory = new InMemoryLogger();
    const trainer = new Trainer({
      maxEpochs: 2, limitTrainBatches: 4, limitValBatches: 2, numSanityValSteps: 0, logEveryNSteps: 2,
      enableModelSummary: false, enableCheckpointing: false, enableProgressBar: false, handleSignals: false,
      logger: [new ConsoleLogger({ name: 'fit', print: (l) => lines.push(l) }), memory],
    });
    await trainer.fit(new Model());
    const expected = memory.rows.map((r) => `[fit v0] step ${r.step} | ${Object.entries(r.metrics).map(([k, v]) => `${k}=${formatMetricValue(v, 4)}`).join(' ')}`);
    assert.ok(memory.rows.length >= 6, `${memory.rows.length} rows (4 train steps logged + 2 validation epochs)`);
    assert.deepEqual(lines, ['[fit v0] hparams | lr=0.1 features=32', ...expected, '[fit v0] success']);
    assert.ok(lines.some((l) => /^\[fit v0\] step 7 \| val_loss=[\d.]+ epoch=1$/.test(l)), lines.join('\n'));
  });
});
