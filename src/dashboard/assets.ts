/** The page's own files, built once at server start: HTML, CSS, the client modules (compiled from TypeScript when run from source) and uPlot. */
import { createHash } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BackendError } from '../errors.js';
import { DASHBOARD_CSS, dashboardHtml } from './page.js';

/** One file the server answers with. */
export interface Asset {
  /** The bytes (or text) sent. */
  body: string | Uint8Array;
  /** Its `Content-Type`. */
  contentType: string;
}

/** The served files by URL path, and the page's Content-Security-Policy. */
export interface DashboardAssets {
  /** URL path → file. */
  files: ReadonlyMap<string, Asset>;
  /** Content-Security-Policy header for every response. */
  contentSecurityPolicy: string;
}

const JS = 'text/javascript; charset=utf-8';
const CSS = 'text/css; charset=utf-8';

type Transpile = (source: string, fileName: string) => Promise<string>;

interface EsbuildApi {
  transform(source: string, options: { loader: 'ts'; format: 'esm'; target: string; sourcefile: string }): Promise<{ code: string }>;
}

interface TypeScriptApi {
  transpileModule(source: string, options: { compilerOptions: Record<string, unknown>; fileName: string }): { outputText: string };
  ScriptTarget: { ES2022: number };
  ModuleKind: { ESNext: number };
}

/** A TypeScript-to-JavaScript transpiler for running from source: esbuild (through tsx, fast) or else the `typescript` package. */
async function sourceTranspiler(): Promise<Transpile> {
  try {
    const esbuildModule = 'esbuild';
    const esbuild = (await import(esbuildModule)) as EsbuildApi;
    return async (source, fileName) => (await esbuild.transform(source, { loader: 'ts', format: 'esm', target: 'es2022', sourcefile: fileName })).code;
  } catch {
    // No esbuild: fall back to the TypeScript compiler below.
  }
  try {
    const ts = ((await import('typescript')) as { default: TypeScriptApi }).default;
    const compilerOptions = { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext, verbatimModuleSyntax: true, sourceMap: false };
    return (source, fileName) => Promise.resolve(ts.transpileModule(source, { compilerOptions, fileName }).outputText);
  } catch (e) {
    throw new BackendError(
      'The dashboard runs from TypeScript sources and needs `tsx` (esbuild) or `typescript` to compile its page.',
      'Install the dev dependencies (npm install), or run the built package (npm run build).',
      { cause: e },
    );
  }
}

/** The client modules: the compiled `.js` next to this file (a build), else each `.ts` transpiled now (running from source). */
async function clientModules(): Promise<Map<string, string>> {
  const dir = fileURLToPath(new URL('./client/', import.meta.url));
  const names = readdirSync(dir);
  const out = new Map<string, string>();
  const built = names.filter((n) => n.endsWith('.js'));
  if (built.length > 0) {
    for (const n of built) out.set(n, readFileSync(join(dir, n), 'utf8'));
    return out;
  }
  const transpile = await sourceTranspiler();
  for (const n of names.filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'))) {
    out.set(n.replace(/\.ts$/, '.js'), await transpile(readFileSync(join(dir, n), 'utf8'), n));
  }
  return out;
}

/** uPlot's ES module and CSS from node_modules. */
function uplotFiles(): { js: Uint8Array; css: Uint8Array } {
  let dist: string;
  try {
    dist = dirname(createRequire(import.meta.url).resolve('uplot/dist/uPlot.esm.js'));
  } catch (e) {
    throw new BackendError('The dashboard draws its charts with uPlot, which is not installed.', 'Install it: npm install uplot', { cause: e });
  }
  return { js: readFileSync(join(dist, 'uPlot.esm.js')), css: readFileSync(join(dist, 'uPlot.min.css')) };
}

let cached: Promise<DashboardAssets> | undefined;

/** Every file the dashboard serves, built once per process. */
export function loadDashboardAssets(): Promise<DashboardAssets> {
  cached ??= buildAssets();
  cached.catch(() => (cached = undefined));
  return cached;
}

async function buildAssets(): Promise<DashboardAssets> {
  const importMap = JSON.stringify({ imports: { uplot: '/vendor/uplot.esm.js' } });
  const importMapHash = createHash('sha256').update(importMap).digest('base64');
  const files = new Map<string, Asset>();
  files.set('/', { body: dashboardHtml(importMap), contentType: 'text/html; charset=utf-8' });
  files.set('/style.css', { body: DASHBOARD_CSS, contentType: CSS });
  for (const [name, code] of await clientModules()) files.set(`/app/${name}`, { body: code, contentType: JS });
  const uplot = uplotFiles();
  files.set('/vendor/uplot.esm.js', { body: uplot.js, contentType: JS });
  files.set('/vendor/uplot.min.css', { body: uplot.css, contentType: CSS });
  const contentSecurityPolicy = [
    "default-src 'self'",
    `script-src 'self' 'sha256-${importMapHash}'`,
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
  return { files, contentSecurityPolicy };
}

