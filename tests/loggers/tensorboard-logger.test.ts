import assert from 'node:assert/strict';
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { crc32 as zlibCrc32, inflateSync } from 'node:zlib';
import { parse } from 'yaml';
import { TensorBoardLogger } from '../../src/loggers/tensorboard/tensorboard-logger.js';
import { DEFAULT_BUCKET_LIMITS } from '../../src/loggers/tensorboard/histogram.js';
import { Status } from '../../src/loggers/proto/tensorboard/hparams/api_pb.js';
import { decodeRun, plainValue } from './tfevents-reader.js';
import { tempDir } from './helpers.js';

let dir = '';
let cleanup = (): void => {};
beforeEach(() => ({ dir, cleanup } = tempDir()));
afterEach(() => cleanup());

function eventFile(logDir: string): string {
  const names = readdirSync(logDir).filter((n) => n.startsWith('events.out.tfevents.'));
  assert.equal(names.length, 1, `one event file in ${logDir}: ${names.join(', ')}`);
  return join(logDir, names[0]!);
}

function writeRun(opts: { name?: string; subDir?: string } = {}): TensorBoardLogger {
  let clock = 1_700_000_000_000;
  const logger = new TensorBoardLogger({ saveDir: dir, hostname: 'host', pid: 4242, now: () => (clock += 1000), ...opts });
  logger.logHyperparams({ lr: 0.01, optimizer: { name: 'adam', betas: [0.9, 0.999] }, shuffle: true }, { 'val/acc': 0 });
  for (let step = 0; step < 30; step++) logger.logMetrics({ 'train/loss': 1 / (step + 1), epoch: Math.floor(step / 10) }, step);
  logger.logMetrics({ 'val/acc': 0.875 }, 29);
  logger.logText('notes', '**hello** tensorboard', 3);
  logger.logHistogram('weights', [-1, -0.5, 0, 0, 0.25, 2, NaN], 5);
  const pixels = Uint8Array.from({ length: 2 * 3 * 3 }, (_, i) => i * 10);
  logger.logImage('sample', { width: 3, height: 2, channels: 3, data: pixels }, 7);
  logger.finalize('success');
  return logger;
}

describe('TensorBoardLogger', () => {
  it('writes version_N dirs with a TensorBoard-named event file and hparams.yaml', () => {
    const a = writeRun();
    const b = writeRun();
    assert.equal(a.version, 0);
    assert.equal(b.version, 1);
    assert.equal(a.logDir, join(dir, 'lightning_logs', 'version_0'));
    const file = eventFile(b.logDir);
    assert.match(file.split('/').pop()!, /^events\.out\.tfevents\.\d{10}\.host\.4242\.\d+$/);
    const yaml = parse(readFileSync(join(a.logDir, 'hparams.yaml'), 'utf8')) as unknown;
    assert.deepEqual(yaml, { lr: 0.01, optimizer: { name: 'adam', betas: [0.9, 0.999] }, shuffle: true });
  });

  it('reads back every scalar (tag, step, value) through an independent reader', () => {
    const logger = writeRun();
    const run = decodeRun(new Uint8Array(readFileSync(eventFile(logger.logDir))));
    assert.equal(run.fileVersion, 'brain.Event:2');
    const loss = run.scalars.filter((s) => s.tag === 'train/loss');
    assert.deepEqual(loss.map((s) => s.step), Array.from({ length: 30 }, (_, i) => i));
    for (const s of loss) assert.equal(s.value, Math.fround(1 / (s.step + 1)));
    assert.deepEqual(run.scalars.filter((s) => s.tag === 'epoch').map((s) => s.value).slice(8, 12), [0, 0, 1, 1]);
    assert.deepEqual(run.scalars.filter((s) => s.tag === 'val/acc').map((s) => [s.step, s.value]), [[0, 0], [29, 0.875]]);
    assert.equal(run.scalars.some((s) => s.tag === 'hp_metric'), false, 'no hp_metric placeholder');
  });

  it('writes the hparams plugin summaries tied to the final metric values', () => {
    const logger = writeRun();
    const run = decodeRun(new Uint8Array(readFileSync(eventFile(logger.logDir))));
    assert.deepEqual(run.hparams.map((h) => h.tag), ['_hparams_/session_start_info', '_hparams_/experiment', '_hparams_/session_end_info']);
    const [start, experiment, end] = run.hparams.map((h) => h.data);
    assert.equal(start?.data.case, 'sessionStartInfo');
    if (start?.data.case !== 'sessionStartInfo') return;
    const values = Object.fromEntries(Object.entries(start.data.value.hparams).map(([k, v]) => [k, plainValue(v)]));
    assert.deepEqual(values, { lr: 0.01, 'optimizer/name': 'adam', 'optimizer/betas': '[0.9,0.999]', shuffle: true });
    assert.equal(experiment?.data.case, 'experiment');
    if (experiment?.data.case !== 'experiment') return;
    assert.deepEqual(experiment.data.value.hparamInfos.map((h) => [h.name, h.type]), [
      ['lr', 3],
      ['optimizer/name', 1],
      ['optimizer/betas', 1],
      ['shuffle', 2],
    ]);
    const metricTags = experiment.data.value.metricInfos.map((m) => m.name?.tag);
    assert.deepEqual(metricTags, ['val/acc']);
    // TensorBoard shows the last scalar of each metric tag of the session run: 0.875, not the 0 given at the start.
    const lastOf = (tag: string): number | undefined => run.scalars.filter((s) => s.tag === tag).at(-1)?.value;
    assert.equal(lastOf('val/acc'), 0.875);
    assert.deepEqual(logger.hparamMetricValues(), { 'val/acc': 0.875 });
    assert.equal(end?.data.case, 'sessionEndInfo');
    if (end?.data.case === 'sessionEndInfo') assert.equal(end.data.value.status, Status.SUCCESS);
  });

  it('reads back text, histogram and PNG image summaries', () => {
    const logger = writeRun();
    const run = decodeRun(new Uint8Array(readFileSync(eventFile(logger.logDir))));
    assert.deepEqual(run.texts, [{ tag: 'notes', step: 3, text: '**hello** tensorboard', plugin: 'text' }]);

    const [h] = run.histograms;
    assert.equal(h?.tag, 'weights');
    assert.equal(h.step, 5);
    const histo = h.histo;
    assert.deepEqual([histo.min, histo.max, histo.num, histo.sum, histo.sumSquares], [-1, 2, 6, 0.75, 1 + 0.25 + 0.0625 + 4]);
    // Independent bucketing: the first limit greater than the value (TensorFlow's upper_bound rule).
    const expected = new Map<number, number>();
    for (const v of [-1, -0.5, 0, 0, 0.25, 2]) {
      const limit = DEFAULT_BUCKET_LIMITS.find((l) => l > v)!;
      expected.set(limit, (expected.get(limit) ?? 0) + 1);
    }
    const nonEmpty = histo.bucketLimit.map((l, i) => [l, histo.bucket[i]] as const).filter(([, c]) => c! > 0);
    assert.deepEqual(nonEmpty, [...expected.entries()].sort((x, y) => x[0] - y[0]));
    assert.equal(histo.bucket.reduce((s, c) => s + c, 0), 6);
    assert.equal(histo.bucketLimit.at(-1), Number.MAX_VALUE);

    const [img] = run.images;
    assert.deepEqual([img?.tag, img?.step, img?.width, img?.height, img?.colorspace], ['sample', 7, 3, 2, 3]);
    const png = img!.png;
    assert.deepEqual([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    // Walk the chunks, check each CRC with node's zlib.crc32 and inflate IDAT back to the pixels.
    const view = new DataView(png.buffer, png.byteOffset, png.byteLength);
    const chunks: string[] = [];
    let idat = new Uint8Array(0);
    for (let o = 8; o < png.length; ) {
      const len = view.getUint32(o);
      const type = new TextDecoder().decode(png.subarray(o + 4, o + 8));
      assert.equal(view.getUint32(o + 8 + len), zlibCrc32(png.subarray(o + 4, o + 8 + len)), `${type} CRC`);
      if (type === 'IDAT') idat = png.slice(o + 8, o + 8 + len);
      chunks.push(type);
      o += 12 + len;
    }
    assert.deepEqual(chunks, ['IHDR', 'IDAT', 'IEND']);
    const raw = inflateSync(idat);
    const rows = [raw.subarray(0, 10), raw.subarray(10, 20)];
    assert.deepEqual(rows.map((r) => r[0]), [0, 0]);
    assert.deepEqual([...rows[0]!.subarray(1), ...rows[1]!.subarray(1)], Array.from({ length: 18 }, (_, i) => i * 10));
  });

  it('makes the reader fail when any single byte is flipped (length, CRCs, payload)', () => {
    const logger = writeRun();
    const bytes = new Uint8Array(readFileSync(eventFile(logger.logDir)));
    const firstLen = Number(new DataView(bytes.buffer).getBigUint64(0, true));
    const second = 16 + firstLen;
    const positions = {
      'first length': 0,
      'first length high byte': 7,
      'first length CRC': 9,
      'first payload': 14,
      'first data CRC': 12 + firstLen + 2,
      'second length': second,
      'second payload (middle)': second + 12 + 10,
      'last byte': bytes.length - 1,
      'middle of file': Math.floor(bytes.length / 2),
    };
    assert.doesNotThrow(() => decodeRun(bytes));
    for (const [label, pos] of Object.entries(positions)) {
      for (const mask of [0x01, 0x80]) {
        const copy = bytes.slice();
        copy[pos] = copy[pos]! ^ mask;
        assert.throws(() => decodeRun(copy), /CRC|past the end|truncated/, `flip 0x${mask.toString(16)} at ${label} (${pos})`);
      }
    }
    assert.throws(() => decodeRun(bytes.subarray(0, bytes.length - 3)), /past the end|truncated/);
  });

  it('honours name="", subDir and prefix', () => {
    let t = 0;
    const logger = new TensorBoardLogger({ saveDir: dir, name: '', subDir: 'train', prefix: 'fold1', hostname: 'h', pid: 1, now: () => (t += 1) });
    logger.logMetrics({ loss: 0.5 });
    logger.logMetrics({ loss: 0.25 });
    logger.save();
    assert.equal(logger.logDir, join(dir, 'version_0', 'train'));
    const run = decodeRun(new Uint8Array(readFileSync(eventFile(logger.logDir))));
    assert.deepEqual(run.scalars, [
      { tag: 'fold1-loss', step: 0, value: 0.5 },
      { tag: 'fold1-loss', step: 1, value: 0.25 },
    ]);
    assert.ok(existsSync(join(logger.logDir, 'hparams.yaml')), 'hparams.yaml written on save even when empty');
  });

  it('does nothing on a non-zero rank', () => {
    const logger = new TensorBoardLogger({ saveDir: dir, rank: 1 });
    logger.logHyperparams({ a: 1 });
    logger.logMetrics({ loss: 1 }, 0);
    logger.finalize('success');
    assert.deepEqual(readdirSync(dir), []);
    assert.equal(logger.eventFilePath, undefined);
  });

  it('buffers events and flushes them on save', () => {
    const logger = new TensorBoardLogger({ saveDir: dir, hostname: 'h', pid: 1, maxQueueSize: 100 });
    for (let i = 0; i < 5; i++) logger.logMetrics({ x: i }, i);
    assert.equal(decodeRun(new Uint8Array(readFileSync(logger.eventFilePath!))).scalars.length, 0);
    logger.save();
    assert.equal(decodeRun(new Uint8Array(readFileSync(logger.eventFilePath!))).scalars.length, 5);
  });
});
