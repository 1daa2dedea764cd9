// ThroughputMonitor (rates over a window with a fake clock, validation time excluded) and DeviceStatsMonitor.
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { DeviceStatsMonitor } from '../../src/callbacks/device-stats-monitor.js';
import { ThroughputMonitor } from '../../src/callbacks/throughput-monitor.js';
import { MisconfigurationError } from '../../src/errors.js';
import { InMemoryLogger } from '../../src/loggers/in-memory-logger.js';
import { selectBackend } from '../../src/runtime/backend.js';
import type { Scalar, Tensor } from '../../src/runtime/tf.js';
import { Trainer } from '../../src/trainer/trainer.js';
import type { TrainerOptions } from '../../src/trainer/trainer-options.js';
import { BoringModel } from '../helpers/boring-model.js';

const quiet: TrainerOptions = { enableProgressBar: false, enableModelSummary: false, enableCheckpointing: false, handleSignals: false, numSanityValSteps: 0 };

describe('ThroughputMonitor', () => {
  before(async () => {
    await selectBackend('cpu');
  });

  it('logs batches and samples per second over a sliding window, excluding validation time', async () => {
    let now = 0;
    class M extends BoringModel {
      override trainingStep(batch: Tensor): Scalar {
        now += 100; // each training batch takes 100 ms
        return super.trainingStep(batch, 0);
      }
      override validationStep(batch: Tensor): unknown {
        now += 1000; // validation is slow, but must not count
        return super.validationStep(batch, 0);
      }
    }
    const logger = new InMemoryLogger();
    const monitor = new ThroughputMonitor<Tensor>({ batchSizeFn: (b) => b.shape[0] ?? 0, lengthFn: () => 10, windowSize: 3, now: () => now });
    await new Trainer({ ...quiet, maxEpochs: 1, limitTrainBatches: 6, limitValBatches: 1, valCheckInterval: 3, logEveryNSteps: 2, logger, callbacks: [monitor] }).fit(new M());
    const rows = logger.rows.filter((r) => 'train/batches' in r.metrics);
    assert.deepEqual(rows.map((r) => r.step), [2, 4, 6]);
    const last = rows.at(-1)?.metrics ?? {};
    assert.equal(last['train/batches'], 6);
    assert.equal(last['train/samples'], 12);
    assert.equal(last['train/time'], 0.6);
    assert.equal(last['train/batches_per_sec'], 10);
    assert.equal(last['train/samples_per_sec'], 20);
    assert.equal(last['train/items_per_sec'], 100);
    const val = logger.rows.filter((r) => 'validate/batches' in r.metrics);
    assert.equal(val.length, 2);
    assert.equal(val[0]?.metrics['validate/samples'], 2);
  });

  it('rejects a window smaller than 2', () => {
    assert.throws(() => new ThroughputMonitor({ batchSizeFn: () => 1, windowSize: 1 }), MisconfigurationError);
  });
});

describe('DeviceStatsMonitor', () => {
  it('logs host memory and tensor counts around training batches', async () => {
    const logger = new InMemoryLogger();
    const monitor = new DeviceStatsMonitor({ memoryProvider: () => ({ rss: 123, heapUsed: 45 }) });
    await new Trainer({ ...quiet, maxEpochs: 1, limitTrainBatches: 4, limitValBatches: 0, logEveryNSteps: 2, logger, callbacks: [monitor] }).fit(new BoringModel());
    const start = logger.rows.filter((r) => 'DeviceStatsMonitor.on_train_batch_start/rss' in r.metrics);
    const end = logger.rows.filter((r) => 'DeviceStatsMonitor.on_train_batch_end/numTensors' in r.metrics);
    assert.deepEqual(start.map((r) => r.step), [1, 3]);
    assert.deepEqual(end.map((r) => r.step), [2, 4]);
    assert.equal(start[0]?.metrics['DeviceStatsMonitor.on_train_batch_start/rss'], 123);
    assert.ok((end[0]?.metrics['DeviceStatsMonitor.on_train_batch_end/numTensors'] ?? 0) > 0);
    assert.ok((end[0]?.metrics['DeviceStatsMonitor.on_train_batch_end/numBytes'] ?? 0) > 0);
    assert.deepEqual(Object.keys(new DeviceStatsMonitor({ filterKeys: ['Tensors'] }).stats()), ['numTensors']);
    assert.ok((new DeviceStatsMonitor().stats().rss ?? 0) > 0, 'Node default reads process.memoryUsage()');
  });

  it('needs a logger', async () => {
    const trainer = new Trainer({ ...quiet, maxEpochs: 1, limitTrainBatches: 1, logger: false, callbacks: [new DeviceStatsMonitor()] });
    await assert.rejects(trainer.fit(new BoringModel()), /DeviceStatsMonitor needs a logger/);
  });
});
