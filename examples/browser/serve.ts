// Builds the example page (esbuild, through scripts/build-browser.mjs) and serves it with the shipped data:
// `npm run example:browser`, then open the printed URL.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import { extname, join, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = resolve(fileURLToPath(import.meta.url), '..');
const root = resolve(here, '../..');

interface BuildModule {
  buildBrowserBundle(this: void, options: { entryPoints: Record<string, string>; outdir: string; minify?: boolean }): Promise<unknown>;
}

/** Bundle `main.ts` (and the library, the worker script and the wasm binaries) into `outdir`. */
export async function buildExample(outdir = join(here, 'dist')): Promise<string> {
  const { buildBrowserBundle } = (await import(pathToFileURL(join(root, 'scripts/build-browser.mjs')).href)) as BuildModule;
  await buildBrowserBundle({ entryPoints: { main: join(here, 'main.ts') }, outdir });
  return outdir;
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8',
  '.map': 'application/json', '.wasm': 'application/wasm', '.gz': 'application/gzip', '.md': 'text/plain; charset=utf-8',
};

/** A running example server. */
export interface ExampleServer {
  url: string;
  close(): Promise<void>;
}

/** Serve the page (`/`), its bundle (`/dist/`) and the shipped data (`/data/`). Builds first unless `build: false`. */
export async function startExampleServer(options: { port?: number; host?: string; build?: boolean; outdir?: string } = {}): Promise<ExampleServer> {
  const outdir = options.outdir ?? join(here, 'dist');
  if (options.build ?? true) await buildExample(outdir);
  const mounts: Array<[string, string]> = [['/dist/', outdir], ['/data/', join(root, 'data')]];
  const server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://localhost').pathname);
    const mount = mounts.find(([prefix]) => path.startsWith(prefix));
    const file = path === '/' || path === '/index.html' ? join(here, 'index.html') : mount === undefined ? '' : resolve(mount[1], `.${path.slice(mount[0].length - 1)}`);
    if (file === '' || (mount !== undefined && relative(mount[1], file).startsWith('..')) || !existsSync(file) || !statSync(file).isFile()) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      return;
    }
    res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream', 'cache-control': 'no-store' }).end(readFileSync(file));
  });
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((done) => server.listen(options.port ?? 8080, host, done));
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : options.port ?? 8080;
  return { url: `http://${host}:${port}/`, close: () => new Promise((done) => server.close(() => done())) };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const port = Number(process.env.PORT ?? 8080);
  const server = await startExampleServer({ port });
  console.log(`The example page is at ${server.url} (Ctrl+C to stop).`);
}
