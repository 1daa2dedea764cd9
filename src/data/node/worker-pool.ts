/** The Node implementation of `WorkerPool` on `worker_threads` (the only place the DataLoader touches threads). */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { LightningError } from '../../errors.js';
import type { WorkerBatch, WorkerPool, WorkerPoolOptions } from '../worker-pool.js';
import type { WorkerInit, WorkerReply } from './worker-entry.js';

/** An error raised inside a DataLoader worker, re-thrown on the main thread. */
export class DataLoaderWorkerError extends LightningError {}

/** The compiled `.js` entry next to this file, or the `.ts` source when running from sources (tsx). */
function entryUrl(): URL {
  const js = new URL('./worker-entry.js', import.meta.url);
  return existsSync(fileURLToPath(js)) ? js : new URL('./worker-entry.ts', import.meta.url);
}

const TS_FILE = /\.[mc]?tsx?$/;

/**
 * Start a worker on `entry`. TypeScript (our sources under tsx, or a user's `.ts` dataset module) needs tsx's loader,
 * which worker threads do not inherit: such workers start from a tiny bootstrap that registers tsx first.
 */
function startWorker(entry: URL, modulePath: string, init: WorkerInit): Worker {
  if (!TS_FILE.test(entry.pathname) && !TS_FILE.test(modulePath)) return new Worker(entry, { workerData: init });
  let tsx: string;
  try {
    tsx = import.meta.resolve('tsx/esm/api');
  } catch (cause) {
    throw new DataLoaderWorkerError(`Worker threads need tsx to load the TypeScript module ${modulePath}, and tsx was not found.`, 'Install tsx (npm install -D tsx) or point modulePath at compiled JavaScript.', { cause });
  }
  const bootstrap = `import(${JSON.stringify(tsx)}).then((m) => { m.register(); return import(${JSON.stringify(entry.href)}); })`;
  return new Worker(bootstrap, { eval: true, workerData: init });
}

interface Pending {
  resolve: (batch: WorkerBatch) => void;
  reject: (error: Error) => void;
}

class NodeWorkerPool implements WorkerPool {
  private nextId = 0;
  private readonly pending = new Map<number, Pending>();
  private readonly busy: number[];
  private closed = false;

  constructor(private readonly workers: Worker[]) {
    this.busy = workers.map(() => 0);
    workers.forEach((w, k) => {
      w.unref();
      w.on('message', (m: WorkerReply) => this.onMessage(k, m));
      w.on('error', (e) => this.failAll(new DataLoaderWorkerError(`DataLoader worker ${k} crashed: ${e.message}`, undefined, { cause: e })));
      w.on('exit', (code) => {
        if (!this.closed) this.failAll(new DataLoaderWorkerError(`DataLoader worker ${k} exited unexpectedly (code ${code}).`));
      });
    });
  }

  get size(): number {
    return this.workers.length;
  }

  load(worker: number, indices: readonly number[]): Promise<WorkerBatch> {
    const w = this.workers[worker];
    if (this.closed || w === undefined) return Promise.reject(new DataLoaderWorkerError('The DataLoader worker pool is closed.'));
    const id = this.nextId++;
    // Keep the process alive only while a worker owes us a batch.
    if (this.busy[worker]!++ === 0) w.ref();
    return new Promise<WorkerBatch>((resolve, reject) => {
      this.pending.set(id, {
        resolve: (b) => {
          if (--this.busy[worker]! === 0) w.unref();
          resolve(b);
        },
        reject: (e) => {
          if (--this.busy[worker]! === 0) w.unref();
          reject(e);
        },
      });
      w.postMessage({ id, indices: [...indices] });
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    this.failAll(new DataLoaderWorkerError('The DataLoader worker pool was closed while a batch was loading.'));
    await Promise.all(this.workers.map((w) => w.terminate()));
  }

  private onMessage(_worker: number, m: WorkerReply): void {
    if (m.type === 'ready') return;
    const p = m.id === undefined ? undefined : this.pending.get(m.id);
    if (m.id !== undefined) this.pending.delete(m.id);
    if (m.type === 'batch') p?.resolve(m.batch);
    else p?.reject(workerError(m));
  }

  private failAll(error: Error): void {
    const all = [...this.pending.values()];
    this.pending.clear();
    for (const p of all) p.reject(error);
  }
}

function workerError(m: Extract<WorkerReply, { type: 'error' }>): DataLoaderWorkerError {
  const error = new DataLoaderWorkerError(`A DataLoader worker failed: ${m.name}: ${m.message}`, 'The stack below is from the worker thread; run with numWorkers: 0 to debug on the main thread.');
  if (m.stack !== undefined) error.stack = `${error.name}: ${error.message}\n--- worker stack ---\n${m.stack}`;
  return error;
}

/** Start `numWorkers` threads, each building the dataset from `spec`; resolves when all are ready. */
export async function createNodeWorkerPool(options: WorkerPoolOptions): Promise<WorkerPool> {
  const url = entryUrl();
  const workers = Array.from({ length: options.numWorkers }, (_, workerId) => {
    const init: WorkerInit = { spec: options.spec, collateInWorker: options.collateInWorker, seed: options.seed, workerId };
    return startWorker(url, options.spec.modulePath, init);
  });
  try {
    await Promise.all(workers.map((w, k) => waitReady(w, k)));
  } catch (error) {
    await Promise.all(workers.map((w) => w.terminate()));
    throw error;
  }
  return new NodeWorkerPool(workers);
}

function waitReady(w: Worker, k: number): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const onMessage = (m: WorkerReply): void => {
      w.off('message', onMessage);
      w.off('error', onError);
      if (m.type === 'ready') resolve();
      else if (m.type === 'error') reject(workerError(m));
    };
    const onError = (e: Error): void => {
      w.off('message', onMessage);
      reject(new DataLoaderWorkerError(`DataLoader worker ${k} failed to start: ${e.message}`, 'Check the modulePath and exportName of the dataset spec.', { cause: e }));
    };
    w.on('message', onMessage);
    w.on('error', onError);
  });
}
