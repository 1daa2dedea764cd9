// SimpleProfiler (statistics with a fake clock, table, report file) and AdvancedProfiler (real V8 CPU profile).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MemoryLogFileSystem, readTextFile } from '../../src/loggers/file-system.js';
import { AdvancedProfiler } from '../../src/profilers/advanced-profiler.js';
import { PassThroughProfiler } from '../../src/profilers/profiler.js';
import { SimpleProfiler } from '../../src/profilers/simple-profiler.js';

describe('SimpleProfiler', () => {
  it('counts, averages and sums each action and its share of the run', async () => {
    let now = 1000;
    const fs = new MemoryLogFileSystem();
    const printed: string[] = [];
    const p = new SimpleProfiler({ now: () => now, writer: fs, print: (t) => printed.push(t) });
    await p.setup('fit', 'logs/version_0');
    for (const ms of [10, 20, 30]) p.record('[LightningModule]M.trainingStep', ms);
    p.record('[Callback]ModelCheckpoint.onTrainBatchEnd', 5);
    assert.equal(p.profile('sync', () => { now += 15; return 7; }), 7);
    const v = await p.profile('async', async () => { now += 25; await Promise.resolve(); return 'x'; });
    assert.equal(v, 'x');
    assert.throws(() => p.profile('throws', () => { now += 1; throw new Error('boom'); }), /boom/);
    now = 1200; // the run took 200 ms
    assert.deepEqual(p.stats(), [
      { action: '[LightningModule]M.trainingStep', calls: 3, totalMs: 60, meanMs: 20, percent: 30 },
      { action: 'async', calls: 1, totalMs: 25, meanMs: 25, percent: 12.5 },
      { action: 'sync', calls: 1, totalMs: 15, meanMs: 15, percent: 7.5 },
      { action: '[Callback]ModelCheckpoint.onTrainBatchEnd', calls: 1, totalMs: 5, meanMs: 5, percent: 2.5 },
      { action: 'throws', calls: 1, totalMs: 1, meanMs: 1, percent: 0.5 },
    ]);
    await p.describe();
    const table = printed[0] ?? '';
    assert.match(table, /\| Total +\| +- \| +7 \| +200\.000 \| +100 % \|/);
    assert.match(table, /\| \[LightningModule\]M\.trainingStep +\| +20\.000 \| +3 \| +60\.000 \| +30\.000 % \|/);
    assert.equal(readTextFile(fs, 'logs/version_0/fit-simple_profiler.txt'), `${table}\n`);
    await p.teardown();
    assert.deepEqual(p.stats(), []);
  });

  it('writes to an explicit directory and file name', async () => {
    const fs = new MemoryLogFileSystem();
    const p = new SimpleProfiler({ dirpath: 'prof', filename: 'run1', writer: fs, print: () => {} });
    await p.setup('validate', 'ignored');
    await p.describe();
    assert.deepEqual(fs.files(), ['prof/validate-run1.txt']);
  });

  it('PassThroughProfiler records nothing', () => {
    const p = new PassThroughProfiler();
    p.record('a', 1);
    assert.equal(p.profile('a', () => 3), 3);
    assert.equal(p.summary(), '');
  });
});

describe('AdvancedProfiler', () => {
  it('writes the action table and a V8 .cpuprofile of the run', async () => {
    const fs = new MemoryLogFileSystem();
    const p = new AdvancedProfiler({ writer: fs, print: () => {} });
    await p.setup('fit', 'logs');
    p.profile('busy', () => {
      let x = 0;
      for (let i = 0; i < 2e6; i++) x += Math.sqrt(i);
      return x;
    });
    await p.describe();
    await p.teardown();
    assert.deepEqual(fs.files(), ['logs/fit-advanced_profiler.cpuprofile', 'logs/fit-advanced_profiler.txt']);
    const profile = JSON.parse(readTextFile(fs, 'logs/fit-advanced_profiler.cpuprofile')) as { nodes: unknown[]; startTime: number; endTime: number; samples: number[] };
    assert.ok(profile.nodes.length > 1 && profile.samples.length > 0);
    assert.ok(profile.endTime > profile.startTime);
    assert.match(readTextFile(fs, 'logs/fit-advanced_profiler.txt'), /\| busy /);
  });
});
