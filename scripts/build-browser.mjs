#!/usr/bin/env node
/**
 * The browser build: bundles lightning-ts (or a page that uses it) into ES modules for browsers with esbuild.
 *
 * - `src/platform/platform.ts` (Node services) is swapped for `platform.browser.ts`, as package.json's `browser`
 *   field does for bundlers that consume the published package;
 * - imports of `src/index.ts` (the Node entry, which examples use) and of `lightning-ts` go to `src/browser.ts`, so a
 *   LightningModule written for Node bundles unchanged;
 * - any import of a Node built-in from the project's own files fails the build with the importing file and a fix —
 *   this is the check that keeps the core browser-safe;
 * - the wasm backend's `.wasm` binaries and the DataLoader's worker script (`lightning-ts-data-worker.js`) are
 *   written next to the output (the runtime fetches them from there).
 *
 * Run directly (`npm run build:browser`) it writes `dist-browser/lightning-ts.js` from `src/browser.ts`.
 */
import { build } from 'esbuild';
import { copyFileSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { builtinModules, createRequire } from 'node:module';
import { basename, dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const src = join(root, 'src');
const nodeBuiltins = new Set(builtinModules.flatMap((m) => [m, `node:${m}`]));
const require = createRequire(import.meta.url);

function toTsPath(resolveDir, specifier) {
  return resolve(resolveDir, specifier).replace(/\.js$/, '.ts');
}

/** The esbuild plugin that makes the browser build (platform swap, entry redirect, Node built-in guard). */
export function browserPlugin() {
  return {
    name: 'lightning-ts-browser',
    setup(b) {
      // Who imported each project file first, to show the chain that leads to a Node built-in.
      const parentOf = new Map();
      const chainTo = (file) => {
        const chain = [relative(root, file)];
        for (let f = parentOf.get(file); f !== undefined && chain.length < 20; f = parentOf.get(f)) chain.unshift(relative(root, f));
        return chain.join(' → ');
      };
      b.onResolve({ filter: /^\./ }, (args) => {
        if (args.importer !== '' && !args.importer.includes(`${sep}node_modules${sep}`)) {
          const child = toTsPath(args.resolveDir, args.path);
          if (!parentOf.has(child)) parentOf.set(child, args.importer);
        }
        return undefined;
      });
      b.onResolve({ filter: /^lightning-ts$/ }, () => ({ path: join(src, 'browser.ts') }));
      b.onResolve({ filter: /(^|\/)(platform|index)\.js$/ }, (args) => {
        if (args.resolveDir === '' || args.importer.includes(`${sep}node_modules${sep}`)) return undefined;
        const target = toTsPath(args.resolveDir, args.path);
        if (target === join(src, 'platform', 'platform.ts')) return { path: join(src, 'platform', 'platform.browser.ts') };
        if (target === join(src, 'index.ts')) return { path: join(src, 'browser.ts') };
        return undefined;
      });
      b.onResolve({ filter: /^[a-z_:/]+$/ }, (args) => {
        if (!nodeBuiltins.has(args.path) || args.importer.includes(`${sep}node_modules${sep}`)) return undefined;
        const file = relative(root, args.importer);
        return {
          errors: [
            {
              text: `${file} imports the Node built-in "${args.path}", which a browser cannot load (import chain: ${chainTo(args.importer)}).`,
              detail: 'Put Node APIs behind src/platform (platform.ts for Node, platform.browser.ts for browsers), or keep the module out of src/browser.ts.',
            },
          ],
        };
      });
    },
  };
}

/** Copy the wasm backend's binaries into `outdir` (returns their names). */
export function copyWasmBinaries(outdir) {
  const dist = dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json'));
  const dir = join(dist, 'dist');
  const names = readdirSync(dir).filter((n) => n.endsWith('.wasm'));
  mkdirSync(outdir, { recursive: true });
  for (const name of names) copyFileSync(join(dir, name), join(outdir, name));
  return names;
}

/**
 * Bundle `entryPoints` for browsers into `outdir` (ES modules, code-split so optional backends load on demand).
 * Returns esbuild's result (with `metafile`); throws when the build fails, e.g. on a Node built-in import.
 */
export async function buildBrowserBundle({ entryPoints, outdir, minify = false, sourcemap = true, logLevel = 'warning', dataWorker = true }) {
  // The DataLoader's Web Workers load `lightning-ts-data-worker.js` from the bundle's folder.
  const entries = Array.isArray(entryPoints) ? Object.fromEntries(entryPoints.map((e) => [basename(e).replace(/\.[cm]?[jt]s$/, ''), e])) : { ...entryPoints };
  if (dataWorker) entries['lightning-ts-data-worker'] ??= join(src, 'data', 'browser', 'web-worker-entry.ts');
  const result = await build({
    entryPoints: entries,
    outdir,
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    splitting: true,
    minify,
    sourcemap,
    metafile: true,
    logLevel,
    absWorkingDir: root,
    plugins: [browserPlugin()],
    // TF.js probes `process` guardedly; nothing in the bundle needs Node globals.
    define: { 'process.env.NODE_ENV': '"production"' },
  });
  copyWasmBinaries(outdir);
  return result;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const outdir = join(root, 'dist-browser');
  rmSync(outdir, { recursive: true, force: true });
  const result = await buildBrowserBundle({ entryPoints: { 'lightning-ts': join(src, 'browser.ts') }, outdir, minify: true });
  const outputs = Object.entries(result.metafile.outputs).filter(([name]) => name.endsWith('.js'));
  const total = outputs.reduce((sum, [, o]) => sum + o.bytes, 0);
  console.log(`dist-browser/: ${outputs.length} modules, ${(total / 1e6).toFixed(2)} MB (entry lightning-ts.js)`);
}
