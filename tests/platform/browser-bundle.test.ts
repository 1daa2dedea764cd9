// The browser build: src/browser.ts bundles with no Node built-in, a core module that imports one fails the build
// with the import chain, and the bundle trains in real headless Chromium (Debian's /usr/bin/chromium via
// playwright-core; skipped when absent) with the page's default services: IndexedDB checkpoints, in-memory logs.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { extname, join, relative, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { BrowserContext, Page } from 'playwright-core';
import { deserializeCheckpoint, readStateDict } from '../../src/checkpoint/serialize.js';
import { selectBackend } from '../../src/runtime/backend.js';
import type { SmokeResult } from './fixtures/browser-smoke.js';

interface EsbuildOutput { bytes: number }
interface BuildResult { metafile: { inputs: Record<string, unknown>; outputs: Record<string, EsbuildOutput> } }
interface BuildModule {
  buildBrowserBundle(this: void, options: { entryPoints: string[] | Record<string, string>; outdir: string; minify?: boolean; logLevel?: string }): Promise<BuildResult>;
}

const root = resolve(fileURLToPath(import.meta.url), '../../..');
const { buildBrowserBundle } = (await import(join(root, 'scripts/build-browser.mjs'))) as BuildModule;
const CHROMIUM = '/usr/bin/chromium';
const playwright = await import('playwright-core').catch(() => null);
const noBrowser = !existsSync(CHROMIUM) ? `${CHROMIUM} is not installed (apt-get install -y chromium)` : playwright === null ? 'playwright-core is not installed' : false;

const work = mkdtempSync(join(tmpdir(), 'lts-browser-build-'));
after(() => rmSync(work, { recursive: true, force: true }));

describe('browser build', () => {
  it('bundles src/browser.ts without any Node-only module, with the browser platform swapped in', async () => {
    const result = await buildBrowserBundle({ entryPoints: { 'lightning-ts': join(root, 'src/browser.ts') }, outdir: join(work, 'lib'), minify: true });
    const inputs = Object.keys(result.metafile.inputs);
    assert.ok(inputs.includes('src/platform/platform.browser.ts'), 'the browser platform is bundled');
    const nodeOnly = inputs.filter((f) => /^src\/(platform\/platform\.ts|index\.ts|cli|dashboard\/(?!client\/)|strategies\/(ddp|launcher|mpi)|.*\/node\/|.*node-)/.test(f));
    assert.deepEqual(nodeOnly, []);
    assert.ok(existsSync(join(work, 'lib', 'lightning-ts.js')));
    assert.ok(existsSync(join(work, 'lib', 'tfjs-backend-wasm.wasm')), 'wasm binaries copied next to the bundle');
  });

  it('fails when a module reachable from the entry imports a Node built-in, naming it and the import chain', async () => {
    const leaky = join(root, 'tests/platform/fixtures/.leaky-core.ts');
    const entry = join(root, 'tests/platform/fixtures/.leaky-entry.ts');
    writeFileSync(leaky, "import { readFileSync } from 'node:fs';\nexport const read = (p: string): string => readFileSync(p, 'utf8');\n");
    writeFileSync(entry, "export { Trainer } from '../../../src/browser.js';\nexport { read } from './.leaky-core.js';\n");
    try {
      await assert.rejects(buildBrowserBundle({ entryPoints: [entry], outdir: join(work, 'leaky'), logLevel: 'silent' }), (error: Error) => {
        assert.match(error.message, /tests\/platform\/fixtures\/\.leaky-core\.ts imports the Node built-in "node:fs", which a browser cannot load/);
        assert.match(error.message, /import chain: tests\/platform\/fixtures\/\.leaky-entry\.ts → tests\/platform\/fixtures\/\.leaky-core\.ts/);
        return true;
      });
    } finally {
      rmSync(leaky, { force: true });
      rmSync(entry, { force: true });
    }
  });
});

const TYPES: Record<string, string> = { '.js': 'text/javascript', '.html': 'text/html', '.wasm': 'application/wasm', '.map': 'application/json' };

describe('the bundle in headless Chromium', { skip: noBrowser }, () => {
  const site = join(work, 'site');
  const profile = mkdtempSync(join(tmpdir(), 'lts-chromium-'));
  let server: Server;
  let context: BrowserContext;
  let page: Page;
  const problems: string[] = [];

  before(async () => {
    await selectBackend('cpu');
    await buildBrowserBundle({ entryPoints: { smoke: join(root, 'tests/platform/fixtures/browser-smoke.ts') }, outdir: site });
    writeFileSync(join(site, 'index.html'), '<!doctype html><meta charset="utf-8"><title>smoke</title><script type="module">import { smoke } from "./smoke.js"; window.smoke = smoke;</script>');
    server = createServer((req, res) => {
      const file = resolve(site, `.${decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname)}`.replace(/\/$/, '/index.html'));
      if (relative(site, file).startsWith('..') || !existsSync(file)) return void res.writeHead(404).end();
      res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' }).end(readFileSync(file));
    });
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    mkdirSync(profile, { recursive: true });
    context = await playwright!.chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    page = await context.newPage();
    page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
    const address = server.address();
    const port = typeof address === 'object' && address !== null ? address.port : 0;
    await page.goto(`http://127.0.0.1:${port}/`);
    await page.waitForFunction(() => 'smoke' in window);
  });
  after(async () => {
    await context?.close();
    await new Promise((done) => server?.close(done));
    rmSync(profile, { recursive: true, force: true });
  });

  const run = (backend: string): Promise<SmokeResult> =>
    page.evaluate(async (b) => (window as unknown as { smoke(b: string): Promise<SmokeResult> }).smoke(b), backend);

  it('"auto" prefers webgpu > webgl > wasm > cpu and says why it skipped the ones before its choice', async () => {
    const result = await run('auto');
    const order = ['webgpu', 'webgl', 'wasm', 'cpu'];
    assert.ok(order.includes(result.backend), result.backend);
    const skipped = order.slice(0, order.indexOf(result.backend));
    for (const name of skipped) assert.match(result.reason, new RegExp(name), result.reason);
    if (skipped.length === 0) assert.equal(result.reason, 'first choice');
    console.log(`# auto chose ${result.backend} (${result.reason})`);
  });

  it('fits on wasm with IndexedDB checkpoints and in-memory CSV logs that Node reads back', async () => {
    const result = await run('wasm');
    assert.equal(result.backend, 'wasm');
    assert.equal(result.checkpointIOName, 'IndexedDBCheckpointIO');
    assert.deepEqual(result.checkpoints, ['epoch=1-step=8.ckpt']);
    const [header, ...rows] = result.metricsCsv.trim().split(/\r?\n/);
    assert.deepEqual(header?.split(',').sort(), ['epoch', 'step', 'val_loss']);
    assert.equal(rows.length, 2, result.metricsCsv);
    const bytes = Uint8Array.from(result.checkpointBytes);
    const doc = deserializeCheckpoint(bytes);
    assert.equal(doc.globalStep, 8);
    assert.equal(doc.epoch, 1);
    const stored = readStateDict(bytes);
    for (const [name, values] of Object.entries(result.weights)) {
      const t = stored[name];
      assert.ok(t !== undefined, name);
      assert.deepEqual(Array.from(t.dataSync()), values, name);
    }
    assert.deepEqual(problems, []);
  });
});
