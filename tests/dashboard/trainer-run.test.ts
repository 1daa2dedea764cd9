// What a real Trainer fit writes through JsonlLogger is what the dashboard reads (status, best checkpoint, lr, val/test metrics).
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { afterEach, before, beforeEach, describe, it } from 'node:test';
import { LearningRateMonitor } from '../../src/callbacks/lr-monitor.js';
import { ModelCheckpoint } from '../../src/callbacks/model-checkpoint.js';
import { toCurve } from '../../src/dashboard/client/series.js';
import { RunStore } from '../../src/dashboard/run-store.js';
import { JsonlLogger } from '../../src/loggers/jsonl-logger.js';
import { selectBackend } from '../../src/runtime/backend.js';
import { Trainer } from '../../src/trainer/trainer.js';
import { BoringModel } from '../helpers/boring-model.js';
import { tempDir } from './helpers.js';

let dir = '';
let cleanup = (): void => {};
before(async () => {
  await selectBackend('cpu');
});
beforeEach(() => ({ dir, cleanup } = tempDir()));
afterEach(() => cleanup());

describe('dashboard on a Trainer run', () => {
  it('shows a fitted and tested run: success, best checkpoint, lr curve, val and test metrics', async () => {
    const logger = new JsonlLogger({ saveDir: dir, name: 'boring' });
    const trainer = new Trainer({
      maxEpochs: 2,
      limitTrainBatches: 3,
      limitValBatches: 2,
      limitTestBatches: 2,
      logEveryNSteps: 1,
      enableProgressBar: false,
      enableModelSummary: false,
      logger,
      callbacks: [new ModelCheckpoint({ monitor: 'val_loss', dirpath: `${dir}/ckpt` }), new LearningRateMonitor()],
      defaultRootDir: dir,
    });
    const model = new BoringModel();
    await trainer.fit(model);
    await trainer.test(model);
    const store = new RunStore(dir);
    store.refresh();
    assert.deepEqual(store.ids(), ['boring/version_0']);
    const data = store.run('boring/version_0');
    assert.ok(data !== undefined);
    assert.equal(data.summary.status, 'success');
    // ModelCheckpoint reports only the paths to loggers today (score and monitor are shown once it passes them).
    assert.ok(existsSync(data.summary.bestCheckpoint?.path ?? ''), 'the best checkpoint path is a real file');
    assert.deepEqual(data.series.val_loss?.epoch, [0, 1]);
    const lr = data.series['lr-SGD'];
    assert.ok(lr !== undefined);
    assert.deepEqual(toCurve(lr, 'step'), { x: [0, 1, 2, 3, 4, 5], y: [0.1, 0.1, 0.1, 0.1, 0.1, 0.1] }, 'one point per optimizer step');
    assert.equal(data.series.test_loss?.value.length, 1);
    assert.deepEqual(data.summary.notices, []);
  });
});
