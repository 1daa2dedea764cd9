import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { JsonlLogger, decodeJsonlNumber, readJsonl } from '../../src/loggers/jsonl-logger.js';
import { nodeLogFileSystem } from '../../src/loggers/node-fs.js';
import { tempDir } from './helpers.js';

let dir = '';
let cleanup = (): void => {};
beforeEach(() => ({ dir, cleanup } = tempDir()));
afterEach(() => cleanup());

describe('JsonlLogger', () => {
  it('appends one JSON object per event, written immediately', () => {
    let t = 1000;
    const logger = new JsonlLogger({ saveDir: dir, name: 'runs', now: () => (t += 5) });
    logger.logHyperparams({ lr: 0.1, nested: { a: 1 } }, { 'val/acc': 0 });
    logger.logMetrics({ 'train/loss': 0.5, epoch: 0 }, 10);
    const path = join(dir, 'runs', 'version_0', 'metrics.jsonl');
    assert.equal(logger.filePath, path);
    const lines = readFileSync(path, 'utf8').split('\n');
    assert.equal(lines.length, 3, 'two complete lines, no save() needed');
    assert.deepEqual(JSON.parse(lines[1]!), { type: 'metrics', step: 10, epoch: 0, metrics: { 'train/loss': 0.5 }, timestamp: 1010 });
    logger.logMetrics({ loss: NaN, big: Infinity });
    logger.afterSaveCheckpoint({ savedPath: '/ckpt/a.ckpt', bestModelScore: 0.9 });
    logger.finalize('failed');
    const records = readJsonl(nodeLogFileSystem, path);
    assert.deepEqual(
      records.map((r) => r.type),
      ['hparams', 'metrics', 'metrics', 'checkpoint', 'status'],
    );
    assert.deepEqual(records[0], { type: 'hparams', params: { lr: 0.1, nested: { a: 1 } }, metrics: { 'val/acc': 0 }, timestamp: 1005 });
    const third = records[2];
    assert.equal(third?.type, 'metrics');
    if (third?.type === 'metrics') {
      assert.equal(third.step, 1, 'defaults to the number of metric rows logged');
      const decoded = Object.values(third.metrics).map(decodeJsonlNumber);
      assert.deepEqual(third.metrics, { loss: 'NaN', big: 'Infinity' });
      assert.deepEqual(decoded, [NaN, Infinity]);
    }
    assert.deepEqual(records[4], { type: 'status', status: 'failed', timestamp: 1025 });
    assert.equal(readFileSync(join(logger.logDir, 'hparams.yaml'), 'utf8'), 'lr: 0.1\nnested:\n  a: 1\n');
  });

  it('numbers versions and ignores a trailing partial line when tailing', () => {
    const a = new JsonlLogger({ saveDir: dir });
    a.logMetrics({ x: 1 });
    const b = new JsonlLogger({ saveDir: dir });
    b.logMetrics({ x: 2 });
    assert.deepEqual([a.version, b.version], [0, 1]);
    nodeLogFileSystem.appendFile(b.filePath, '{"type":"metr');
    assert.equal(readJsonl(nodeLogFileSystem, b.filePath).length, 1);
  });
});
