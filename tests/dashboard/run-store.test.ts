import assert from 'node:assert/strict';
import { appendFileSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { findRunDirs, RunStore } from '../../src/dashboard/run-store.js';
import { CSVLogger } from '../../src/loggers/csv-logger.js';
import { JsonlLogger } from '../../src/loggers/jsonl-logger.js';
import { tempDir, writeFinishedRun } from './helpers.js';

let dir = '';
let cleanup = (): void => {};
beforeEach(() => ({ dir, cleanup } = tempDir()));
afterEach(() => cleanup());

const line = (o: unknown): string => `${JSON.stringify(o)}\n`;

describe('findRunDirs', () => {
  it('finds name/version folders holding logger files, skipping checkpoints, hidden folders and symbolic links', () => {
    writeFinishedRun(dir, 'exp', 3, 0.1);
    writeFinishedRun(dir, 'exp', 3, 0.1);
    mkdirSync(join(dir, 'exp', 'version_0', 'checkpoints', 'nested'), { recursive: true });
    writeFileSync(join(dir, 'exp', 'version_0', 'checkpoints', 'nested', 'metrics.jsonl'), '');
    mkdirSync(join(dir, '.hidden', 'version_0'), { recursive: true });
    writeFileSync(join(dir, '.hidden', 'version_0', 'metrics.jsonl'), '');
    const outside = tempDir();
    try {
      writeFinishedRun(outside.dir, 'elsewhere', 2, 0.1);
      symlinkSync(join(outside.dir, 'elsewhere'), join(dir, 'linked'));
      mkdirSync(join(dir, 'exp', 'version_10'));
      writeFileSync(join(dir, 'exp', 'version_10', 'hparams.yaml'), 'lr: 1\n');
      assert.deepEqual(findRunDirs(dir), ['exp/version_0', 'exp/version_1', 'exp/version_10']);
      assert.deepEqual(findRunDirs(join(dir, 'exp', 'version_1')), ['.'], 'the log dir itself can be a run');
    } finally {
      outside.cleanup();
    }
  });
});

describe('RunStore', () => {
  it('summarises a finished JSONL run: status, times, best checkpoint, hyperparameters and every series', () => {
    writeFinishedRun(dir, 'exp', 12, 0.05);
    const store = new RunStore(dir);
    const update = store.refresh();
    assert.equal(update.isListChanged, true);
    const data = store.run('exp/version_0');
    assert.ok(data !== undefined);
    const s = data.summary;
    assert.equal(s.status, 'success');
    assert.equal(s.source, 'jsonl');
    assert.equal(s.name, 'exp');
    assert.equal(s.version, 'version_0');
    // 1 hparams + 12 train + 2 val + 1 checkpoint + 1 test + 1 status = 18 records, one second apart.
    assert.equal(s.startTime, 1_700_000_001_000);
    assert.equal(s.durationMs, 17_000);
    assert.equal(s.records, 15);
    assert.equal(s.lastStep, 12);
    assert.deepEqual(s.bestCheckpoint, { path: join(dir, 'exp/version_0/checkpoints/best.ckpt'), score: 0.25, monitor: 'val/loss' });
    assert.deepEqual(data.hparams, { lr: 0.05, hidden: 32, optimizer: { name: 'adam' } });
    assert.deepEqual(Object.keys(data.series).sort(), ['lr-Adam', 'test/acc', 'test/loss', 'train/loss', 'val/loss']);
    assert.equal(data.series['train/loss']?.value.length, 12);
    assert.deepEqual(data.series['val/loss']?.step, [4, 9]);
    assert.deepEqual(data.series['val/loss']?.epoch, [0, 1]);
    assert.equal(data.series['train/loss']?.value[3], 2 * Math.exp(-3 * 0.05 * 10) + 0.05 * Math.sin(3));
    assert.deepEqual(s.notices, []);
  });

  it('reports appended points with their offsets, and NaN/Infinity as gaps', () => {
    const logger = new JsonlLogger({ saveDir: dir, name: 'live' });
    logger.logMetrics({ loss: 1 }, 0);
    const store = new RunStore(dir);
    const first = store.refresh();
    assert.deepEqual(first.points, [{ run: 'live/version_0', series: { loss: { offset: 0, step: [0], epoch: [null], value: [1] } } }]);
    assert.deepEqual(store.refresh().points, [], 'nothing new');
    logger.logMetrics({ loss: NaN, epoch: 1 }, 1);
    logger.logMetrics({ loss: 0.5, acc: Infinity, epoch: 1 }, 2);
    const second = store.refresh();
    assert.deepEqual(second.points, [
      { run: 'live/version_0', series: { loss: { offset: 1, step: [1, 2], epoch: [1, 1], value: [null, 0.5] }, acc: { offset: 0, step: [2], epoch: [1], value: [null] } } },
    ]);
    assert.equal(second.summaries[0]?.status, 'running', 'no status record and written just now');
  });

  it('skips malformed lines with a notice, and holds back a truncated last line until it is completed', () => {
    const run = join(dir, 'exp', 'version_0');
    mkdirSync(run, { recursive: true });
    const path = join(run, 'metrics.jsonl');
    const good = line({ type: 'metrics', step: 0, metrics: { loss: 1 }, timestamp: 10 });
    const partial = line({ type: 'metrics', step: 2, metrics: { loss: 0.25 }, timestamp: 12 });
    writeFileSync(path, good + '{"type": "metrics", "step": \n' + line({ type: 'metrics', step: 'one', metrics: {}, timestamp: 11 }) + partial.slice(0, 20));
    const store = new RunStore(dir);
    store.refresh();
    let data = store.run('exp/version_0');
    assert.deepEqual(data?.series.loss?.value, [1]);
    assert.deepEqual(data?.summary.notices, [
      'metrics.jsonl line 2: not valid JSON; skipped',
      'metrics.jsonl line 3: not a lightning-ts record at "step": Invalid input: expected number, received string; skipped',
      'metrics.jsonl ends in an incomplete line (20 bytes), not shown until it is completed',
    ]);
    appendFileSync(path, partial.slice(20));
    const update = store.refresh();
    assert.deepEqual(update.points[0]?.series.loss, { offset: 1, step: [2], epoch: [null], value: [0.25] });
    data = store.run('exp/version_0');
    assert.equal(data?.summary.notices.length, 2, 'the incomplete-line notice is gone once the line is complete');
  });

  it('shows a run with no metrics yet (hparams only, or an empty metrics.jsonl)', () => {
    mkdirSync(join(dir, 'exp', 'version_0'), { recursive: true });
    writeFileSync(join(dir, 'exp', 'version_0', 'hparams.yaml'), 'lr: 0.1\nlayers: [4, 2]\n');
    mkdirSync(join(dir, 'exp', 'version_1'), { recursive: true });
    writeFileSync(join(dir, 'exp', 'version_1', 'metrics.jsonl'), '');
    const store = new RunStore(dir);
    store.refresh();
    const a = store.run('exp/version_0');
    assert.equal(a?.summary.source, 'none');
    assert.equal(a?.summary.records, 0);
    assert.deepEqual(a?.hparams, { lr: 0.1, layers: [4, 2] });
    assert.deepEqual(a?.series, {});
    const b = store.run('exp/version_1');
    assert.equal(b?.summary.source, 'jsonl');
    assert.equal(b?.summary.status, 'running');
    assert.deepEqual(b?.series, {});
  });

  it('reads CSV runs as a fallback and reloads them when the header widens', () => {
    const csv = new CSVLogger({ saveDir: dir, name: 'csv', flushLogsEveryNSteps: 1 });
    csv.logHyperparams({ lr: 0.3 });
    csv.logMetrics({ 'train/loss': 0.9, epoch: 0 }, 0);
    csv.logMetrics({ 'train/loss': 0.7, epoch: 0 }, 1);
    const store = new RunStore(dir, { idleAfterMs: 1 });
    store.refresh();
    let data = store.run('csv/version_0');
    assert.equal(data?.summary.source, 'csv');
    assert.deepEqual(data?.series['train/loss'], { step: [0, 1], epoch: [0, 0], value: [0.9, 0.7] });
    assert.deepEqual(data?.hparams, { lr: 0.3 });
    csv.logMetrics({ 'train/loss': 0.5, epoch: 1 }, 2);
    const appended = store.refresh();
    assert.deepEqual(appended.points[0]?.series['train/loss'], { offset: 2, step: [2], epoch: [1], value: [0.5] });
    csv.logMetrics({ 'val/acc': 0.8, epoch: 1 }, 2);
    csv.save();
    const widened = store.refresh();
    assert.deepEqual(widened.resets, ['csv/version_0']);
    data = store.run('csv/version_0');
    assert.deepEqual(data?.series['val/acc']?.value, [0.8]);
    assert.equal(data?.series['train/loss']?.value.length, 3);
  });

  it('notices a run folder that is reused from scratch (file truncated) and reloads it', () => {
    const a = new JsonlLogger({ saveDir: dir, name: 'exp', version: 0 });
    for (let i = 0; i < 4; i++) a.logMetrics({ loss: i }, i);
    const store = new RunStore(dir);
    store.refresh();
    const b = new JsonlLogger({ saveDir: dir, name: 'exp', version: 0 });
    b.logMetrics({ loss: 9 }, 0);
    const update = store.refresh();
    assert.deepEqual(update.resets, ['exp/version_0']);
    assert.deepEqual(store.run('exp/version_0')?.series.loss?.value, [9]);
  });
});
