import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { parse } from 'yaml';
import { CSVLogger } from '../../src/loggers/csv-logger.js';
import { readCsvMetrics } from '../../src/loggers/csv.js';
import { loadHparamsFromYaml } from '../../src/loggers/hparams-file.js';
import { nodeLogFileSystem } from '../../src/loggers/node-fs.js';
import { nextVersion } from '../../src/loggers/versioning.js';
import { MisconfigurationError } from '../../src/errors.js';
import { tempDir } from './helpers.js';

let dir = '';
let cleanup = (): void => {};
beforeEach(() => ({ dir, cleanup } = tempDir()));
afterEach(() => cleanup());

const csvText = (logger: CSVLogger): string => readFileSync(logger.metricsFilePath, 'utf8');

describe('CSVLogger', () => {
  it('numbers versions version_0, version_1, ... from the largest existing version_<int> directory', () => {
    const root = join(dir, 'lightning_logs');
    assert.equal(nextVersion(nodeLogFileSystem, root), 0, 'missing root → 0');
    const versions = [0, 1, 2].map(() => {
      const logger = new CSVLogger({ saveDir: dir });
      logger.logMetrics({ a: 1 });
      logger.finalize('success');
      return logger.version;
    });
    assert.deepEqual(versions, [0, 1, 2]);
    mkdirSync(join(root, 'version_10'));
    mkdirSync(join(root, 'version_x'));
    writeFileSync(join(root, 'version_50'), 'a file, not a version dir');
    assert.equal(new CSVLogger({ saveDir: dir }).version, 11);
    assert.equal(new CSVLogger({ saveDir: dir, version: 'my_run' }).logDir, join(root, 'my_run'));
    assert.equal(new CSVLogger({ saveDir: dir, version: 7 }).logDir, join(root, 'version_7'));
    assert.equal(new CSVLogger({ saveDir: dir, name: '' }).logDir, join(dir, 'version_0'));
    assert.deepEqual(readdirSync(root).sort(), ['version_0', 'version_1', 'version_10', 'version_2', 'version_50', 'version_x']);
  });

  it('writes sorted columns with step and epoch, one row per call', () => {
    const logger = new CSVLogger({ saveDir: dir, name: 'exp' });
    logger.logMetrics({ train_loss: 0.5, epoch: 0 }, 0);
    logger.logMetrics({ train_loss: 0.25, epoch: 0 }, 1);
    logger.logMetrics({ val_acc: 0.75, epoch: 0 }, 1);
    logger.finalize('success');
    assert.equal(logger.metricsFilePath, join(dir, 'exp', 'version_0', 'metrics.csv'));
    assert.equal(csvText(logger), 'epoch,step,train_loss,val_acc\r\n0,0,0.5,\r\n0,1,0.25,\r\n0,1,,0.75\r\n');
    const back = readCsvMetrics(nodeLogFileSystem, logger.metricsFilePath);
    assert.deepEqual(back.columns, ['epoch', 'step', 'train_loss', 'val_acc']);
    assert.deepEqual(back.rows[2], { epoch: 0, step: 1, val_acc: 0.75 });
  });

  it('rewrites the file with the new header when a key appears after a flush', () => {
    const logger = new CSVLogger({ saveDir: dir, flushLogsEveryNSteps: 2 });
    logger.logMetrics({ loss: 1 }, 0);
    logger.logMetrics({ loss: 0.5 }, 1);
    assert.equal(csvText(logger), 'loss,step\r\n1,0\r\n0.5,1\r\n', 'flushed at step 1 (every 2 steps)');
    logger.logMetrics({ loss: 0.25, 'a,b': 3, Z: NaN }, 2);
    logger.save();
    assert.equal(csvText(logger), 'Z,"a,b",loss,step\r\n,,1,0\r\n,,0.5,1\r\nnan,3,0.25,2\r\n');
    const back = readCsvMetrics(nodeLogFileSystem, logger.metricsFilePath);
    assert.deepEqual(back.columns, ['Z', 'a,b', 'loss', 'step']);
    assert.ok(Number.isNaN(back.rows[2]!.Z));
    assert.deepEqual(back.rows.map((r) => r.loss), [1, 0.5, 0.25]);
  });

  it('buffers rows until the step crosses a multiple of flushLogsEveryNSteps', () => {
    const logger = new CSVLogger({ saveDir: dir, flushLogsEveryNSteps: 10 });
    for (const step of [0, 4, 8]) logger.logMetrics({ x: step }, step);
    assert.throws(() => readFileSync(logger.metricsFilePath), /ENOENT/);
    logger.logMetrics({ x: 12 }, 12);
    assert.equal(readCsvMetrics(nodeLogFileSystem, logger.metricsFilePath).rows.length, 4);
    logger.logMetrics({ x: 13 }, 13);
    assert.equal(readCsvMetrics(nodeLogFileSystem, logger.metricsFilePath).rows.length, 4);
    logger.finalize('success');
    assert.deepEqual(readCsvMetrics(nodeLogFileSystem, logger.metricsFilePath).rows.map((r) => r.step), [0, 4, 8, 12, 13]);
  });

  it('uses the row count as the step when none is given, and the prefix with "-"', () => {
    const logger = new CSVLogger({ saveDir: dir, prefix: 'test' });
    logger.logMetrics({ acc: 0.5 });
    logger.logMetrics({ acc: 0.75 });
    logger.save();
    assert.equal(csvText(logger), 'step,test-acc\r\n0,0.5\r\n1,0.75\r\n');
  });

  it('round-trips hparams.yaml through the yaml package, merging calls', () => {
    const logger = new CSVLogger({ saveDir: dir });
    logger.logHyperparams({ lr: 0.001, layers: [64, 32], model: { name: 'mlp', dropout: 0.1 }, when: new Date(0) });
    logger.logHyperparams({ batchSize: 32, fn: function helper() {} });
    const path = join(logger.logDir, 'hparams.yaml');
    const expected = {
      lr: 0.001,
      layers: [64, 32],
      model: { name: 'mlp', dropout: 0.1 },
      when: '1970-01-01T00:00:00.000Z',
      batchSize: 32,
      fn: '<function helper>',
    };
    assert.deepEqual(parse(readFileSync(path, 'utf8')), expected);
    assert.deepEqual(loadHparamsFromYaml(nodeLogFileSystem, path), expected);
  });

  it('rejects non-number metrics and bad steps with a hint', () => {
    const logger = new CSVLogger({ saveDir: dir });
    assert.throws(() => logger.logMetrics({ loss: 'x' as unknown as number }), MisconfigurationError);
    assert.throws(() => logger.logMetrics({ loss: 1 }, -1), /step -1/);
  });

  it('writes nothing on a non-zero rank', () => {
    const logger = new CSVLogger({ saveDir: dir });
    logger.rank = 3;
    logger.logHyperparams({ a: 1 });
    logger.logMetrics({ a: 1 }, 0);
    logger.finalize('success');
    assert.deepEqual(readdirSync(dir), []);
  });
});
