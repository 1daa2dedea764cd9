/** The dashboard's HTTP server: the page, a JSON API over the runs of one log dir, server-sent events and the run files. */
import { createReadStream } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import { MisconfigurationError } from '../errors.js';
import { loadDashboardAssets, type DashboardAssets } from './assets.js';
import { RunStore } from './run-store.js';
import { resolveLogFile } from './safe-path.js';

/** Options of `startDashboard`. */
export interface DashboardOptions {
  /** The log dir whose runs are shown (it may not exist yet). Required. */
  logDir: string;
  /** Port to listen on; 0 picks a free one. Default: 6006. */
  port?: number;
  /** Interface to bind. Default: `'127.0.0.1'` (loopback only). */
  host?: string;
  /** How often the run files are checked for new lines, in ms. Default: 250. */
  pollIntervalMs?: number;
  /** A run with no final status and no write for this long is shown as idle. Default: 60000. */
  idleAfterMs?: number;
  /** Keep the Node process alive while the server runs (false for a dashboard started by a training script). Default: true. */
  keepProcessAlive?: boolean;
}

/** A running dashboard. */
export interface DashboardServer {
  /** The page's address (`http://127.0.0.1:6006/`). */
  readonly url: string;
  /** The port actually bound. */
  readonly port: number;
  /** The absolute log dir shown. */
  readonly logDir: string;
  /** Stop the server, its event streams and its polling. */
  close(): Promise<void>;
}

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '::1', '[::1]']);
const HEARTBEAT_MS = 15_000;

function isLoopback(host: string): boolean {
  return LOOPBACK_HOSTS.has(host) || host.startsWith('127.');
}

/** Host name of a `Host` header without its port (`[::1]:80` → `[::1]`). */
function hostName(header: string | undefined): string {
  if (header === undefined) return '';
  return header.startsWith('[') ? header.slice(0, header.indexOf(']') + 1) : (header.split(':')[0] ?? '');
}

/** Start the dashboard for `logDir`; resolves once it listens. */
export async function startDashboard(options: DashboardOptions): Promise<DashboardServer> {
  const host = options.host ?? '127.0.0.1';
  const port = options.port ?? 6006;
  const pollIntervalMs = options.pollIntervalMs ?? 250;
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new MisconfigurationError(`Dashboard port ${String(port)} is not a port number.`, 'Use an integer from 0 (any free port) to 65535.');
  }
  const logDir = resolve(options.logDir);
  const assets = await loadDashboardAssets();
  const store = new RunStore(logDir, options.idleAfterMs === undefined ? {} : { idleAfterMs: options.idleAfterMs });
  store.refresh();
  const streams = new Set<ServerResponse>();
  const send = (event: string, data: unknown): void => {
    const frame = `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
    for (const res of streams) res.write(frame);
  };
  const poll = setInterval(() => {
    const update = store.refresh();
    if (update.isListChanged) send('runs', store.list());
    for (const summary of update.summaries) send('summary', summary);
    for (const run of update.resets) send('reset', { run });
    for (const points of update.points) send('points', points);
  }, pollIntervalMs);
  const heartbeat = setInterval(() => {
    for (const res of streams) res.write(': ping\n\n');
  }, HEARTBEAT_MS);
  poll.unref();
  heartbeat.unref();

  const server = createServer((req, res) => {
    try {
      handle(req, res, { logDir, host, assets, store, streams });
    } catch (e) {
      if (!res.headersSent) res.writeHead(500, { 'Content-Type': 'text/plain; charset=utf-8' });
      res.end(`internal error: ${(e as Error).message}`);
    }
  });
  if (options.keepProcessAlive === false) {
    server.unref();
    server.on('connection', (socket) => socket.unref());
  }
  const bound = await listen(server, port, host);
  const urlHost = host.includes(':') ? `[${host}]` : host;
  return {
    url: `http://${urlHost}:${bound}/`,
    port: bound,
    logDir,
    close: () =>
      new Promise<void>((done) => {
        clearInterval(poll);
        clearInterval(heartbeat);
        for (const res of streams) res.end();
        streams.clear();
        server.close(() => done());
        server.closeAllConnections();
      }),
  };
}

function listen(server: Server, port: number, host: string): Promise<number> {
  return new Promise((ok, fail) => {
    server.once('error', (e: NodeJS.ErrnoException) => {
      if (e.code === 'EADDRINUSE') {
        fail(new MisconfigurationError(`Port ${port} on ${host} is already in use.`, 'Pass another port (--port 6007), or 0 to pick a free one.', { cause: e }));
      } else fail(e);
    });
    server.listen(port, host, () => ok((server.address() as AddressInfo).port));
  });
}

interface Context {
  logDir: string;
  host: string;
  assets: DashboardAssets;
  store: RunStore;
  streams: Set<ServerResponse>;
}

function reply(res: ServerResponse, status: number, body: string, type = 'text/plain; charset=utf-8'): void {
  res.writeHead(status, { 'Content-Type': type, 'Cache-Control': 'no-store' });
  res.end(body);
}

function handle(req: IncomingMessage, res: ServerResponse, ctx: Context): void {
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('Content-Security-Policy', ctx.assets.contentSecurityPolicy);
  res.setHeader('Referrer-Policy', 'no-referrer');
  const target = req.url ?? '';
  if (!target.startsWith('/') || target.startsWith('//')) return reply(res, 400, 'request target must be a path');
  if (isLoopback(ctx.host) && !isLoopback(hostName(req.headers.host))) {
    return reply(res, 403, 'this dashboard only answers requests addressed to localhost');
  }
  if (req.method !== 'GET' && req.method !== 'HEAD') return reply(res, 405, 'only GET and HEAD');
  const url = new URL(target, 'http://localhost');
  const path = target.split('?')[0] ?? '';
  if (path.startsWith('/files/')) return serveFile(res, ctx.logDir, path.slice('/files/'.length), req.method === 'HEAD');
  if (path === '/api/runs') return reply(res, 200, JSON.stringify({ logDir: ctx.logDir, runs: ctx.store.list() }), 'application/json');
  if (path === '/api/run') {
    const data = ctx.store.run(url.searchParams.get('id') ?? '');
    return data === undefined ? reply(res, 404, 'no such run') : reply(res, 200, JSON.stringify(data), 'application/json');
  }
  if (path === '/api/events') return openStream(req, res, ctx);
  if (path === '/favicon.ico') return void res.writeHead(204).end();
  const asset = ctx.assets.files.get(path === '/index.html' ? '/' : path);
  if (asset === undefined) return reply(res, 404, 'not found');
  res.writeHead(200, { 'Content-Type': asset.contentType, 'Cache-Control': 'no-cache' });
  res.end(req.method === 'HEAD' ? undefined : asset.body);
}

function serveFile(res: ServerResponse, logDir: string, requested: string, isHead: boolean): void {
  const file = resolveLogFile(logDir, requested);
  if (!file.ok) return reply(res, file.status, `refused: ${file.reason}`);
  const type = /\.(jsonl|csv|ya?ml|json|txt|log)$/.test(file.path) ? 'text/plain; charset=utf-8' : 'application/octet-stream';
  res.writeHead(200, { 'Content-Type': type, 'Content-Length': file.size, 'Cache-Control': 'no-store' });
  if (isHead) return void res.end();
  createReadStream(file.path)
    .on('error', () => res.destroy())
    .pipe(res);
}

function openStream(req: IncomingMessage, res: ServerResponse, ctx: Context): void {
  res.writeHead(200, { 'Content-Type': 'text/event-stream; charset=utf-8', 'Cache-Control': 'no-store', Connection: 'keep-alive' });
  res.write(`retry: 1000\nevent: hello\ndata: ${JSON.stringify({ logDir: ctx.logDir, runs: ctx.store.list() })}\n\n`);
  ctx.streams.add(res);
  req.on('close', () => ctx.streams.delete(res));
}
