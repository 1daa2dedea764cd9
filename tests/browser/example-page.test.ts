// The browser example page in real headless Chromium (Debian's /usr/bin/chromium driven by playwright-core; skipped
// when absent): LitMNIST trains in the tab with a falling loss while a page timer keeps firing, and checkpoints move
// between the page and Node byte for byte, with bit-identical weights both ways.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { startExampleServer, type ExampleServer } from '../../examples/browser/serve.js';
import type { TrainReport } from '../../examples/browser/main.js';
import { FashionMNISTDataModule } from '../../examples/fashion-mnist/datamodule.js';
import { LitMNIST } from '../../examples/fashion-mnist/lit-mnist.js';
import { deserializeCheckpoint } from '../../src/checkpoint/serialize.js';
import { disposeCheckpoint } from '../../src/checkpoint/document.js';
import { selectBackend } from '../../src/runtime/backend.js';
import { Trainer } from '../../src/trainer/trainer.js';
import { seedEverything } from '../../src/utilities/seed.js';

const CHROMIUM = '/usr/bin/chromium';
const playwright = await import('playwright-core').catch(() => null);
const skip = !existsSync(CHROMIUM) ? `${CHROMIUM} is not installed (apt-get install -y chromium)` : playwright === null ? 'playwright-core is not installed' : false;

interface PageApi {
  train(options: { backend: string; maxEpochs: number; limitTrainBatches?: number }): Promise<TrainReport>;
  weights(): Record<string, number[]>;
  checkpointBase64(): Promise<string>;
  readonly state: string;
  readonly lastError: string;
}

/** The float32 bit patterns of a list of numbers (numbers read from a Float32Array convert back exactly). */
const bits = (values: ArrayLike<number>): number[] => Array.from(new Uint32Array(Float32Array.from(values).buffer));

function assertSameWeights(pageWeights: Record<string, number[]>, model: LitMNIST, what: string): void {
  const node = model.stateDict();
  assert.deepEqual(Object.keys(pageWeights).sort(), Object.keys(node).sort(), what);
  for (const [name, values] of Object.entries(pageWeights)) {
    assert.deepEqual(bits(values), bits(node[name]!.dataSync()), `${what}: ${name}`);
  }
}

describe('examples/browser in headless Chromium', { skip }, () => {
  const work = mkdtempSync(join(tmpdir(), 'lts-browser-example-'));
  let server: ExampleServer;
  let browser: Browser;
  let page: Page;
  let report: TrainReport;
  const problems: string[] = [];

  before(async () => {
    await selectBackend('cpu');
    server = await startExampleServer({ port: 0, outdir: join(work, 'dist') });
    browser = await playwright!.chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'] });
    page = await browser.newPage({ acceptDownloads: true, viewport: { width: 1200, height: 820 } });
    page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
    page.on('console', (m) => {
      if (m.type() === 'error') problems.push(`console: ${m.text()}`);
    });
    await page.goto(server.url);
    await page.waitForFunction(() => 'lightningTs' in window);
  });
  after(async () => {
    await browser?.close();
    await server?.close();
    rmSync(work, { recursive: true, force: true });
  });

  it('trains LitMNIST in the page with a falling loss while a 50 ms page timer keeps firing', async () => {
    report = await page.evaluate(() => (window as unknown as { lightningTs: PageApi }).lightningTs.train({ backend: 'wasm', maxEpochs: 2 }));
    const { losses, ticks, maxTickGapMs, trainMs } = report;
    const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
    const first = mean(losses.slice(0, 10));
    const last = mean(losses.slice(-10));
    console.log(`# ${losses.length} steps in ${trainMs.toFixed(0)} ms on ${report.backend}; loss ${first.toFixed(3)} -> ${last.toFixed(3)}; val_acc ${report.valAcc}; test_acc ${report.testAcc}; ${ticks} timer ticks, longest gap ${maxTickGapMs.toFixed(0)} ms`);
    assert.equal(report.backend, 'wasm');
    assert.equal(losses.length, 114, 'two epochs of 57 batches (3,600 training images of the sample, batch 64)');
    assert.ok(Math.abs(losses[0]! - Math.log(10)) < 0.15, `first loss ${losses[0]} is about ln 10`);
    assert.ok(last < first - 1, `loss fell from ${first} to ${last}`);
    assert.ok(report.valAcc !== undefined && report.valAcc > 0.6, `val_acc ${report.valAcc}`);
    // Responsiveness: the timer fired throughout training, never held up for long.
    assert.ok(ticks >= Math.floor(trainMs / 50 / 3), `${ticks} ticks in ${trainMs} ms`);
    assert.ok(maxTickGapMs < Math.max(500, trainMs / 4), `longest gap between ticks ${maxTickGapMs} ms of ${trainMs} ms`);
    const text = await page.textContent('#result');
    assert.match(text ?? '', /validation accuracy \d+\.\d % · test accuracy \d+\.\d %/);
    if (process.env.LTS_BROWSER_SCREENSHOT !== undefined) await page.screenshot({ path: process.env.LTS_BROWSER_SCREENSHOT });
  });

  it('a checkpoint saved in the page downloads byte for byte and loads in Node with bit-identical weights', async () => {
    const bytes = new Uint8Array(Buffer.from(await page.evaluate(() => (window as unknown as { lightningTs: PageApi }).lightningTs.checkpointBase64()), 'base64'));
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#download')]);
    assert.equal(download.suggestedFilename(), 'lit-mnist-browser.ckpt');
    const file = join(work, 'from-browser.ckpt');
    await download.saveAs(file);
    assert.deepEqual(new Uint8Array(readFileSync(file)), bytes);
    const doc = deserializeCheckpoint(bytes);
    assert.equal(doc.globalStep, 114);
    disposeCheckpoint(doc);
    const model = await LitMNIST.loadFromCheckpoint(file);
    const pageWeights = await page.evaluate(() => (window as unknown as { lightningTs: PageApi }).lightningTs.weights());
    assertSameWeights(pageWeights, model, 'page -> Node');
    assert.deepEqual(model.hparams, { hidden1: 128, hidden2: 256, lr: 1e-3 });
  });

  it('a checkpoint trained in Node uploads into the page with bit-identical weights, and the page tests it', async () => {
    seedEverything(3);
    const model = new LitMNIST();
    const trainer = new Trainer({ accelerator: 'cpu', maxEpochs: 1, limitTrainBatches: 8, limitValBatches: 0, logger: false, enableCheckpointing: false, enableProgressBar: false, enableModelSummary: false });
    await trainer.fit(model, { datamodule: new FashionMNISTDataModule() });
    const file = join(work, 'from-node.ckpt');
    await trainer.saveCheckpoint(file);
    await page.setInputFiles('#upload', file);
    await page.waitForFunction(() => ['loaded', 'error'].includes((window as unknown as { lightningTs: PageApi }).lightningTs.state));
    const state = await page.evaluate(() => { const l = (window as unknown as { lightningTs: PageApi }).lightningTs; return { state: l.state, error: l.lastError }; });
    assert.deepEqual(state, { state: 'loaded', error: '' });
    const pageWeights = await page.evaluate(() => (window as unknown as { lightningTs: PageApi }).lightningTs.weights());
    assertSameWeights(pageWeights, model, 'Node -> page');
    assert.match((await page.textContent('#result')) ?? '', /uploaded from-node\.ckpt: test accuracy \d+\.\d %/);
    assert.deepEqual(problems, []);
  });
});
