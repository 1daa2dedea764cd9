// The dashboard in real headless Chromium (Debian's /usr/bin/chromium driven by playwright-core); skipped when absent.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { BrowserContext, Page } from 'playwright-core';
import { startDashboard, type DashboardServer } from '../../src/dashboard/server.js';
import { JsonlLogger } from '../../src/loggers/jsonl-logger.js';
import { tempDir, writeFinishedRun } from './helpers.js';

const CHROMIUM = '/usr/bin/chromium';
const playwright = await import('playwright-core').catch(() => null);
const skip = !existsSync(CHROMIUM)
  ? `${CHROMIUM} is not installed (apt-get install -y chromium)`
  : playwright === null
    ? 'playwright-core is not installed (npm install)'
    : false;
const SCREENSHOT = process.env.DASHBOARD_SCREENSHOT ?? join(tmpdir(), 'lightning-ts-dashboard.png');

interface PageState {
  ready: boolean;
  runs: string[];
  points: Record<string, Record<string, number>>;
  lines: Record<string, number>;
  errors: string[];
}

const readState = (page: Page): Promise<PageState> => page.evaluate(() => (window as unknown as { __dashboard: PageState }).__dashboard);

describe('dashboard in headless Chromium', { skip }, () => {
  const logs = tempDir();
  const profile = mkdtempSync(join(tmpdir(), 'lts-chromium-'));
  let context: BrowserContext;
  let server: DashboardServer;
  let page: Page;
  const problems: string[] = [];

  before(async () => {
    writeFinishedRun(logs.dir, 'exp', 12, 0.05);
    writeFinishedRun(logs.dir, 'exp', 8, 0.1);
    server = await startDashboard({ logDir: logs.dir, port: 0 });
    context = await playwright!.chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      viewport: { width: 1280, height: 1500 },
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    page = await context.newPage();
    page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
    page.on('console', (m) => {
      if (m.type() === 'error') problems.push(`console: ${m.text()}`);
    });
  });
  after(async () => {
    await context?.close();
    await server?.close();
    logs.cleanup();
    rmSync(profile, { recursive: true, force: true });
  });

  it('lists two runs and draws their curves with the logged number of points', async () => {
    await page.goto(server.url);
    await page.waitForFunction(() => (window as unknown as { __dashboard: PageState }).__dashboard.ready, null, { timeout: 10_000 });
    await page.waitForFunction(() => Object.keys((window as unknown as { __dashboard: PageState }).__dashboard.points).length >= 3);
    const state = await readState(page);
    assert.deepEqual(state.runs, ['exp/version_0', 'exp/version_1']);
    assert.deepEqual(await page.locator('#runs tbody tr').evaluateAll((rows) => rows.map((r) => r.querySelector('td:nth-child(2)')?.textContent)), ['exp/version_0', 'exp/version_1']);
    assert.deepEqual(state.points['train/loss'], { 'exp/version_0': 12, 'exp/version_1': 8 });
    assert.deepEqual(state.points['val/loss'], { 'exp/version_0': 2, 'exp/version_1': 1 });
    assert.deepEqual(state.points['lr-Adam'], { 'exp/version_0': 12, 'exp/version_1': 8 });
    assert.equal(await page.locator('.chart[data-metric="train/loss"] canvas').count(), 1);
    assert.deepEqual(await page.locator('#charts h3').allTextContents(), ['train', 'val', 'learning rate']);
    assert.equal(await page.locator('#test-metrics tbody tr').count(), 2);
    assert.match((await page.locator('#runs tbody tr').first().textContent()) ?? '', /success.*best\.ckpt.*val\/loss = 0\.25/);
    assert.match((await page.locator('#hparams').textContent()) ?? '', /optimizer\/name/);
    assert.deepEqual(state.errors, []);
  });

  it('shows a third run started during the test and grows its curve live, each point within a second', async (t) => {
    const logger = new JsonlLogger({ saveDir: logs.dir, name: 'live' });
    logger.logHyperparams({ lr: 0.02, hidden: 64 });
    const latencies: number[] = [];
    for (let step = 0; step < 5; step++) {
      if (step > 0) await new Promise((r) => setTimeout(r, 400));
      const t0 = performance.now();
      logger.logMetrics({ 'train/loss': 1.8 / (step + 1), epoch: 0 }, step);
      await page.waitForFunction(
        (n) => (window as unknown as { __dashboard: PageState }).__dashboard.points['train/loss']?.['live/version_0'] === n,
        step + 1,
        { timeout: 3000, polling: 10 },
      );
      latencies.push(performance.now() - t0);
    }
    logger.finalize('success');
    t.diagnostic(`log-to-page latency per point (ms): ${latencies.map((l) => l.toFixed(0)).join(', ')}`);
    assert.ok(Math.max(...latencies) < 1000, `latencies ${latencies.join(', ')}`);
    const state = await readState(page);
    assert.deepEqual(state.runs, ['exp/version_0', 'exp/version_1', 'live/version_0']);
    assert.deepEqual(state.points['train/loss'], { 'exp/version_0': 12, 'exp/version_1': 8, 'live/version_0': 5 });
    await page.waitForFunction(() => document.querySelector('#runs tbody tr[data-run="live/version_0"] .status')?.textContent === 'success');
    await page.screenshot({ path: SCREENSHOT, fullPage: true });
    t.diagnostic(`screenshot: ${SCREENSHOT}`);
    assert.deepEqual(problems, []);
  });

  it('switches to the epoch axis, smoothing and log scale, and drops a deselected run from the charts', async () => {
    const state = (): Promise<PageState> => readState(page);
    const settle = (): Promise<unknown> => page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
    await page.selectOption('#x-axis', 'epoch');
    await settle();
    assert.deepEqual((await state()).points['train/loss'], { 'exp/version_0': 3, 'exp/version_1': 2, 'live/version_0': 1 }, 'last value of each epoch');
    await page.selectOption('#x-axis', 'step');
    await page.locator('#smoothing').fill('0.6');
    await settle();
    assert.equal((await state()).lines['train/loss'], 6, 'a faint raw line and a smoothed line per run');
    assert.deepEqual((await state()).points['train/loss'], { 'exp/version_0': 12, 'exp/version_1': 8, 'live/version_0': 5 });
    await page.check('#log-scale');
    await settle();
    const positive = (steps: number, lr: number): number =>
      Array.from({ length: steps }, (_, s) => 2 * Math.exp(-s * lr * 10) + 0.05 * Math.sin(s)).filter((v) => v > 0).length;
    assert.ok(positive(12, 0.05) < 12, 'the fixture has non-positive losses');
    assert.deepEqual((await state()).points['train/loss'], { 'exp/version_0': positive(12, 0.05), 'exp/version_1': positive(8, 0.1), 'live/version_0': 5 });
    await page.uncheck('#log-scale');
    await page.locator('#smoothing').fill('0');
    await page.locator('tr[data-run="exp/version_1"] input[type="checkbox"]').uncheck();
    await settle();
    assert.deepEqual((await state()).points['train/loss'], { 'exp/version_0': 12, 'live/version_0': 5 });
    assert.equal(await page.locator('#test-metrics tbody tr').count(), 1);
    assert.deepEqual(problems, []);
  });

  it('renders a log dir with a truncated last line and a run with no metrics yet, without errors', async () => {
    const broken = join(logs.dir, 'broken');
    const good = new JsonlLogger({ saveDir: broken, name: 'exp' });
    for (let s = 0; s < 4; s++) good.logMetrics({ 'train/loss': 1 - s / 10 }, s);
    writeFileSync(good.filePath, '{"type":"metrics","step":4,"metrics":{"train/l', { flag: 'a' });
    mkdirSync(join(broken, 'exp', 'version_1'), { recursive: true });
    writeFileSync(join(broken, 'exp', 'version_1', 'hparams.yaml'), 'lr: 0.5\n');
    new JsonlLogger({ saveDir: broken, name: 'exp', version: 2 }).logHyperparams({ lr: 0.25 });
    const second = await startDashboard({ logDir: broken, port: 0 });
    try {
      await page.goto(second.url);
      await page.waitForFunction(() => (window as unknown as { __dashboard: PageState }).__dashboard.ready, null, { timeout: 10_000 });
      await page.waitForFunction(() => (window as unknown as { __dashboard: PageState }).__dashboard.points['train/loss'] !== undefined);
      const state = await readState(page);
      assert.deepEqual(state.runs, ['exp/version_0', 'exp/version_1', 'exp/version_2']);
      assert.deepEqual(state.points['train/loss'], { 'exp/version_0': 4 });
      assert.match((await page.locator('#notices').textContent()) ?? '', /exp\/version_0: metrics\.jsonl ends in an incomplete line \(46 bytes\)/);
      assert.match((await page.locator('#hparams').textContent()) ?? '', /lr—0\.50\.25/);
      assert.deepEqual(state.errors, []);
      assert.deepEqual(problems, []);
    } finally {
      await second.close();
    }
  });
});
