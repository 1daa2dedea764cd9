// The browser data loaders and the Web Worker pool in real headless Chromium (Debian's /usr/bin/chromium through
// playwright-core; skipped when absent): the shipped Fashion-MNIST sample fetched over HTTP and gunzipped by the
// browser, DataLoader epochs on 2-3 module workers equal to the main thread's and to the Node loader's data.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { extname, join, relative, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { Browser } from 'playwright-core';
import { FashionMNIST } from '../../src/data/node/mnist.js';
import { DATA_WORKER_FILE } from '../../src/data/browser/web-worker-pool.js';
import type { WorkerChecks } from './fixtures/browser-workers-page.js';

interface BuildModule {
  buildBrowserBundle(this: void, options: { entryPoints: Record<string, string>; outdir: string; sourcemap?: boolean }): Promise<unknown>;
}

const root = resolve(fileURLToPath(import.meta.url), '../../..');
const SAMPLE = join(root, 'data/fashion-mnist-sample');
const CHROMIUM = '/usr/bin/chromium';
const playwright = await import('playwright-core').catch(() => null);
const BUILD_SCRIPT = join(root, 'scripts/build-browser.mjs');
const noBrowser = !existsSync(CHROMIUM)
  ? `${CHROMIUM} is not installed (apt-get install -y chromium)`
  : playwright === null
    ? 'playwright-core is not installed'
    : !existsSync(BUILD_SCRIPT)
      ? 'scripts/build-browser.mjs (the browser build) is missing'
      : false;
const TYPES: Record<string, string> = { '.js': 'text/javascript', '.html': 'text/html', '.wasm': 'application/wasm', '.map': 'application/json', '.gz': 'application/gzip' };
const FACTORY = 'export function randomRows(n) { return { length: n, get: (i) => ({ data: new Float32Array([i, Math.random()]), shape: [2] }) }; }\n';

describe('browser data loading and the Web Worker pool in headless Chromium', { skip: noBrowser }, () => {
  const site = mkdtempSync(join(tmpdir(), 'lts-workers-site-'));
  let server: Server;
  let browser: Browser;
  let checks: WorkerChecks;
  const problems: string[] = [];

  before(async () => {
    const { buildBrowserBundle } = (await import(BUILD_SCRIPT)) as BuildModule;
    await buildBrowserBundle({
      entryPoints: { page: join(root, 'tests/data/fixtures/browser-workers-page.ts'), [DATA_WORKER_FILE.replace(/\.js$/, '')]: join(root, 'src/data/browser/web-worker-entry.ts') },
      outdir: site,
      sourcemap: false,
    });
    writeFileSync(join(site, 'factory.js'), FACTORY);
    writeFileSync(join(site, 'index.html'), '<!doctype html><meta charset="utf-8"><script type="module">import { runWorkerChecks } from "./page.js"; window.runWorkerChecks = runWorkerChecks;</script>');
    server = createServer((req, res) => {
      const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
      const dir = path.startsWith('/data/') ? SAMPLE : site;
      const file = resolve(dir, `.${path.replace(/^\/data\//, '/')}`.replace(/\/$/, '/index.html'));
      if (relative(dir, file).startsWith('..') || !existsSync(file)) return void res.writeHead(404, 'Not Found').end();
      res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' }).end(readFileSync(file));
    });
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    browser = await playwright!.chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu'] });
    const page = await browser.newPage();
    page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
    const address = server.address();
    await page.goto(`http://127.0.0.1:${typeof address === 'object' && address !== null ? address.port : 0}/`);
    await page.waitForFunction(() => 'runWorkerChecks' in window);
    checks = await page.evaluate(() => (window as unknown as { runWorkerChecks(): Promise<WorkerChecks> }).runWorkerChecks());
  });
  after(async () => {
    await browser?.close();
    await new Promise((done) => server?.close(done));
    rmSync(site, { recursive: true, force: true });
  });

  it('fetches and gunzips the shipped sample in the page: the same labels as the Node loader', async () => {
    const node = await FashionMNIST.load({ root: SAMPLE, systemPaths: [], train: false });
    assert.equal(checks.length, 1000);
    assert.deepEqual(checks.firstLabels, node.targets().slice(0, 5));
    assert.deepEqual(checks.mainThread.labels, node.targets());
    assert.equal(checks.mainThread.batches, 8);
    const firstBatchSum = Array.from({ length: 128 }, (_, i) => Array.from(node.get(i)[0].data as Float32Array).reduce((a, b) => a + b, 0)).reduce((a, b) => a + b, 0);
    assert.ok(Math.abs(checks.mainThread.imageSums[0]! - firstBatchSum) < 1e-3 * firstBatchSum, `${checks.mainThread.imageSums[0]} vs ${firstBatchSum}`);
  });

  it('DataLoader epochs on Web Workers give the main thread\'s batches (fetched and user-picked files)', () => {
    for (const run of [checks.workers, checks.blobWorkers]) {
      assert.equal(run.batches, 8);
      assert.deepEqual(run.labels, checks.mainThread.labels);
      assert.deepEqual(run.imageSums, checks.mainThread.imageSums);
    }
    console.log(`# 1000 images, batch 128: main thread ${checks.mainThread.ms.toFixed(0)} ms, 2 workers ${checks.workers.ms.toFixed(0)} ms, 3 workers ${checks.blobWorkers.ms.toFixed(0)} ms`);
    assert.deepEqual(checks.rawSample, { sameAsMain: true, shape: [1, 28, 28] });
    assert.deepEqual(checks.csv.main, [[-1, 0.25], [1, 2.5]]);
    assert.deepEqual(checks.csv.workers, [[-1, 0.25, 1, 2.5], [1, 0]]);
  });

  it('imports a user factory module by URL and seeds each worker\'s Math.random reproducibly', () => {
    const { run1, run2 } = checks.seeded;
    assert.deepEqual(run1.map((r) => r[0]), [0, 1, 2, 3]);
    assert.deepEqual(run1, run2, 'same seed, same numbers');
    assert.notEqual(run1[0]![1], run1[2]![1], 'workers 0 and 1 have different streams');
    assert.ok(run1.every((r) => r[1]! >= 0 && r[1]! < 1));
  });

  it('reports failures with the cause: missing data (HTTP 404), missing worker script, bad loader, bad index, closed pool', () => {
    const e = checks.errors;
    assert.match(e.missingData!, /^WebWorkerPoolError: A DataLoader worker failed: FetchError: Could not fetch nowhere\/train-(images|labels)-idx\d-ubyte\.gz: HTTP 404 Not Found\./);
    assert.match(e.missingWorker!, /^WebWorkerPoolError: DataLoader worker 0 failed to start from no-such-worker\.js: /);
    assert.match(e.unknownLoader!, /MisconfigurationError: No built-in browser dataset loader is named "nope"/);
    assert.match(e.outOfRange!, /RangeError: MnistDataset: index 5000 is out of range for 1000 samples/);
    assert.match(e.afterClose!, /The DataLoader worker pool is closed/);
    assert.deepEqual(problems, []);
  });
});
