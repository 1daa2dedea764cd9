import assert from 'node:assert/strict';
import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { get, type IncomingMessage } from 'node:http';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { runDashboardCli, startTrainerDashboard } from '../../src/dashboard/cli.js';
import type { PointsEvent, RunData, RunSummary } from '../../src/dashboard/run-types.js';
import { startDashboard } from '../../src/dashboard/server.js';
import { MisconfigurationError } from '../../src/errors.js';
import { JsonlLogger } from '../../src/loggers/jsonl-logger.js';
import { rawGet, tempDir, writeFinishedRun } from './helpers.js';

let dir = '';
let cleanup = (): void => {};
beforeEach(() => ({ dir, cleanup } = tempDir()));
afterEach(() => cleanup());

/** Collects server-sent events from /api/events. */
function listen(port: number): Promise<{ events: Array<{ event: string; data: unknown; at: number }>; close: () => void }> {
  return new Promise((ok, fail) => {
    const events: Array<{ event: string; data: unknown; at: number }> = [];
    const req = get({ host: '127.0.0.1', port, path: '/api/events' }, (res: IncomingMessage) => {
      let buffer = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        buffer += chunk;
        let end;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const frame = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const event = /^event: (.*)$/m.exec(frame)?.[1];
          const data = /^data: (.*)$/m.exec(frame)?.[1];
          if (event !== undefined && data !== undefined) events.push({ event, data: JSON.parse(data), at: performance.now() });
        }
      });
      ok({ events, close: () => req.destroy() });
    });
    req.on('error', fail);
  });
}

async function waitFor(check: () => boolean, timeoutMs: number): Promise<void> {
  const start = performance.now();
  while (!check()) {
    if (performance.now() - start > timeoutMs) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('dashboard server', () => {
  it('lists runs and serves one run as JSON', async () => {
    writeFinishedRun(dir, 'exp', 6, 0.1);
    mkdirSync(join(dir, 'exp', 'version_1'));
    writeFileSync(join(dir, 'exp', 'version_1', 'metrics.jsonl'), '{"type":"metrics","step":0,"metrics":{"loss":1},"timestamp":5}\n{"type":"met');
    const server = await startDashboard({ logDir: dir, port: 0 });
    try {
      const list = JSON.parse((await rawGet(server.port, '/api/runs')).body) as { logDir: string; runs: RunSummary[] };
      assert.equal(list.logDir, dir);
      assert.deepEqual(list.runs.map((r) => [r.id, r.status, r.records]), [['exp/version_0', 'success', 8], ['exp/version_1', 'running', 1]]);
      assert.deepEqual(list.runs[1]?.notices, ['metrics.jsonl ends in an incomplete line (12 bytes), not shown until it is completed']);
      const run = JSON.parse((await rawGet(server.port, '/api/run?id=exp%2Fversion_0')).body) as RunData;
      assert.equal(run.series['train/loss']?.step.length, 6);
      assert.equal(run.hparams.lr, 0.1);
    } finally {
      await server.close();
    }
  });

  it('pushes new points and new runs by server-sent events within a second of being logged', async () => {
    writeFinishedRun(dir, 'exp', 3, 0.1);
    const server = await startDashboard({ logDir: dir, port: 0, pollIntervalMs: 100 });
    const stream = await listen(server.port);
    try {
      await waitFor(() => stream.events.some((e) => e.event === 'hello'), 2000);
      const logger = new JsonlLogger({ saveDir: dir, name: 'live' });
      const latencies: number[] = [];
      for (let step = 0; step < 5; step++) {
        const before = stream.events.length;
        const t0 = performance.now();
        logger.logMetrics({ 'train/loss': 1 / (step + 1) }, step);
        await waitFor(() => stream.events.slice(before).some((e) => e.event === 'points' && (e.data as PointsEvent).run === 'live/version_0'), 1000);
        latencies.push(performance.now() - t0);
      }
      const points = stream.events.filter((e) => e.event === 'points').map((e) => e.data as PointsEvent);
      assert.deepEqual(points.map((p) => p.series['train/loss']?.offset), [0, 1, 2, 3, 4]);
      assert.deepEqual(points.flatMap((p) => p.series['train/loss']?.value ?? []), [1, 1 / 2, 1 / 3, 1 / 4, 1 / 5]);
      assert.ok(stream.events.some((e) => e.event === 'runs' && (e.data as RunSummary[]).some((r) => r.id === 'live/version_0')));
      assert.ok(Math.max(...latencies) < 1000, `latencies ${latencies.map((l) => l.toFixed(0)).join(', ')} ms`);
      logger.finalize('success');
      await waitFor(() => stream.events.some((e) => e.event === 'summary' && (e.data as RunSummary).status === 'success'), 1000);
    } finally {
      stream.close();
      await server.close();
    }
  });

  it('starts a training run\'s dashboard on the asked port, or on a free one when it is busy', async () => {
    const printed: string[] = [];
    const first = await startTrainerDashboard(dir, { port: 0, print: (l) => printed.push(l) });
    const second = await startTrainerDashboard(dir, { port: first.port, print: (l) => printed.push(l) });
    try {
      assert.notEqual(second.port, first.port);
      assert.deepEqual(printed, [`Dashboard: ${first.url} (log dir ${dir})`, `Dashboard: ${second.url} (log dir ${dir})`]);
      assert.equal((await rawGet(second.port, '/api/runs')).status, 200);
    } finally {
      await Promise.all([first.close(), second.close()]);
    }
  });

  it('survives garbage appended to a live file and keeps streaming', async () => {
    const logger = new JsonlLogger({ saveDir: dir, name: 'exp' });
    logger.logMetrics({ loss: 1 }, 0);
    const server = await startDashboard({ logDir: dir, port: 0, pollIntervalMs: 50 });
    const stream = await listen(server.port);
    try {
      appendFileSync(logger.filePath, '\u0000\u00ff not json\n[1,2]\n{"type":"metrics"}\n');
      logger.logMetrics({ loss: 0.5 }, 1);
      await waitFor(() => stream.events.some((e) => e.event === 'points'), 1000);
      const run = JSON.parse((await rawGet(server.port, '/api/run?id=exp%2Fversion_0')).body) as RunData;
      assert.deepEqual(run.series.loss?.value, [1, 0.5]);
      assert.equal(run.summary.notices.length, 3);
    } finally {
      stream.close();
      await server.close();
    }
  });

  it('starts from the CLI arguments, prints its URL, and explains bad options and a busy port', async () => {
    const printed: string[] = [];
    const server = await runDashboardCli(['--logdir', join(dir, 'not-yet'), '--port', '0'], { print: (l) => printed.push(l) });
    assert.ok(server !== undefined);
    try {
      assert.match(printed[0] ?? '', new RegExp(`^Dashboard: http://127\\.0\\.0\\.1:${server.port}/ \\(log dir ${join(dir, 'not-yet')}\\)$`));
      assert.match(printed[1] ?? '', /does not exist yet/);
      assert.equal((await rawGet(server.port, '/api/runs')).status, 200);
      await assert.rejects(startDashboard({ logDir: dir, port: server.port }), (e: Error) => e instanceof MisconfigurationError && /already in use/.test(e.message));
    } finally {
      await server.close();
    }
    const help: string[] = [];
    assert.equal(await runDashboardCli(['--help'], { print: (l) => help.push(l) }), undefined);
    assert.match(help.join('\n'), /--logdir <dir>.*\(default: "lightning_logs"\)[\s\S]*--port <port>.*\(default: "6006"\)[\s\S]*--host <host>.*\(default: "127\.0\.0\.1"\)/);
    await assert.rejects(runDashboardCli(['--port', 'abc']), (e: Error) => e instanceof MisconfigurationError && /--port/.test(e.message));
    await assert.rejects(runDashboardCli(['--bogus']), (e: Error) => e instanceof MisconfigurationError && /unknown option/.test(e.message));
  });
});
