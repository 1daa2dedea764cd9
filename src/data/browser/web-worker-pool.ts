/**
 * The browser implementation of the DataLoader's `WorkerPool` on module Web Workers. Each worker runs the bundled
 * `web-worker-entry.ts`, builds its own copy of the dataset from the dataset's `workerSpec()` and sends collated
 * batches back as transferred typed arrays.
 */
import { LightningError } from '../../errors.js';
import type { WorkerBatch, WorkerPool, WorkerPoolFactory, WorkerPoolOptions } from '../worker-pool.js';
import { BROWSER_DATASETS_MODULE, absoluteUrl } from './browser-spec.js';
import type { WebWorkerInit, WebWorkerReply, WebWorkerRequest } from './web-worker-entry.js';

/** A DataLoader Web Worker failed to start, crashed, or reported an error while loading a batch. */
export class WebWorkerPoolError extends LightningError {}

/** The file name the browser build gives the bundled worker entry, next to the other modules. */
export const DATA_WORKER_FILE = 'lightning-ts-data-worker.js';

/** Options of `webWorkerPoolFactory` / `createWebWorkerPool`. */
export interface WebWorkerPoolOptions {
  /**
   * URL of the bundled worker entry (`src/data/browser/web-worker-entry.ts` built as an ES module).
   * Default: `lightning-ts-data-worker.js` next to the module holding this code (where the browser build writes it).
   */
  workerUrl?: string | URL;
  /** The `Worker` constructor. Default: `globalThis.Worker`. */
  Worker?: typeof Worker;
}

interface Pending {
  resolve: (batch: WorkerBatch) => void;
  reject: (error: Error) => void;
}

function describeEvent(event: Event): string {
  const message = (event as Partial<ErrorEvent>).message;
  return typeof message === 'string' && message !== '' ? message : `${event.type} event`;
}

function replyError(m: Extract<WebWorkerReply, { type: 'error' }>): WebWorkerPoolError {
  const error = new WebWorkerPoolError(`A DataLoader worker failed: ${m.name}: ${m.message}`, 'The stack below is from the worker; run with numWorkers: 0 to debug on the main thread.');
  if (m.stack !== undefined) error.stack = `${error.name}: ${error.message}\n--- worker stack ---\n${m.stack}`;
  return error;
}

class WebWorkerPool implements WorkerPool {
  private nextId = 0;
  private readonly pending = new Map<number, Pending>();
  private closed = false;

  constructor(private readonly workers: Worker[]) {
    workers.forEach((w, k) => {
      w.onmessage = (event: MessageEvent<WebWorkerReply>) => this.onMessage(event.data);
      w.onerror = (event) => {
        event.preventDefault();
        this.failAll(new WebWorkerPoolError(`DataLoader worker ${k} crashed: ${describeEvent(event)}.`, 'Run with numWorkers: 0 to see the error on the main thread.'));
      };
      w.onmessageerror = () => this.failAll(new WebWorkerPoolError(`DataLoader worker ${k} sent a batch that could not be deserialised.`, 'Samples must be structured-clonable (typed arrays, numbers, plain objects).'));
    });
  }

  get size(): number {
    return this.workers.length;
  }

  load(worker: number, indices: readonly number[]): Promise<WorkerBatch> {
    const w = this.workers[worker];
    if (this.closed || w === undefined) return Promise.reject(new WebWorkerPoolError('The DataLoader worker pool is closed.'));
    const id = this.nextId++;
    return new Promise<WorkerBatch>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      w.postMessage({ type: 'load', id, indices: [...indices] } satisfies WebWorkerRequest);
    });
  }

  close(): Promise<void> {
    this.closed = true;
    this.failAll(new WebWorkerPoolError('The DataLoader worker pool was closed while a batch was loading.'));
    for (const w of this.workers) w.terminate();
    return Promise.resolve();
  }

  private onMessage(m: WebWorkerReply): void {
    if (m.type === 'ready') return;
    const p = m.id === undefined ? undefined : this.pending.get(m.id);
    if (m.id !== undefined) this.pending.delete(m.id);
    if (m.type === 'batch') p?.resolve(m.batch);
    else if (p !== undefined) p.reject(replyError(m));
    else this.failAll(replyError(m));
  }

  private failAll(error: Error): void {
    const all = [...this.pending.values()];
    this.pending.clear();
    for (const p of all) p.reject(error);
  }
}

/** Resolves when worker `k` reports ready; rejects with its error (e.g. a failed fetch of the data) or a load failure. */
function waitReady(w: Worker, k: number, url: string): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    w.onmessage = (event: MessageEvent<WebWorkerReply>) => {
      const m = event.data;
      if (m.type === 'ready') resolve();
      else if (m.type === 'error') reject(replyError(m));
    };
    w.onerror = (event) => {
      event.preventDefault();
      reject(
        new WebWorkerPoolError(
          `DataLoader worker ${k} failed to start from ${url}: ${describeEvent(event)}.`,
          `Check that the browser build wrote ${DATA_WORKER_FILE} there (or pass workerUrl), and that the page is served over http(s).`,
        ),
      );
    };
  });
}

/** Start `numWorkers` module workers, each building the dataset from `spec`; resolves when all are ready. */
export async function createWebWorkerPool(options: WorkerPoolOptions, webOptions: WebWorkerPoolOptions = {}): Promise<WorkerPool> {
  const WorkerCtor = webOptions.Worker ?? (globalThis as { Worker?: typeof Worker }).Worker;
  if (WorkerCtor === undefined) {
    throw new WebWorkerPoolError('This environment has no Web Workers (globalThis.Worker is undefined).', 'Use numWorkers: 0 here, or the Node worker_threads pool in Node.');
  }
  const url = String(webOptions.workerUrl ?? new URL(`./${DATA_WORKER_FILE}`, import.meta.url));
  const { spec } = options;
  const resolved = spec.modulePath === BROWSER_DATASETS_MODULE ? spec : { ...spec, modulePath: absoluteUrl(spec.modulePath) };
  const workers = Array.from({ length: options.numWorkers }, (_, workerId) => {
    const w = new WorkerCtor(url, { type: 'module', name: `lightning-ts DataLoader worker ${workerId}` });
    const ready = waitReady(w, workerId, url);
    const init: WebWorkerInit = { type: 'init', spec: resolved, collateInWorker: options.collateInWorker, seed: options.seed, workerId };
    w.postMessage(init);
    return { w, ready };
  });
  try {
    await Promise.all(workers.map((x) => x.ready));
  } catch (error) {
    for (const { w } of workers) w.terminate();
    throw error;
  }
  return new WebWorkerPool(workers.map((x) => x.w));
}

/** A `WorkerPoolFactory` for `DataLoader({ workerPool })` or `registerWorkerPoolFactory`, with a custom worker URL. */
export function webWorkerPoolFactory(webOptions: WebWorkerPoolOptions = {}): WorkerPoolFactory {
  return (options) => createWebWorkerPool(options, webOptions);
}
