/**
 * The contract between the DataLoader and a pool of worker threads, free of any platform API: Node implements it
 * with `worker_threads` (`node/worker-pool.ts`); a browser build can implement it with Web Workers.
 */
import { platform } from '../platform/platform.js';
import type { ArrayTree } from './collate-arrays.js';
import type { WorkerDatasetSpec } from './worker-spec.js';

/** What a worker sends back for one batch: collated typed arrays, or raw samples for a custom `collateFn`. */
export type WorkerBatch = { kind: 'collated'; tree: ArrayTree } | { kind: 'samples'; samples: unknown[] };

/** A running pool of workers, each holding its own copy of the dataset. */
export interface WorkerPool {
  /** Number of workers. */
  readonly size: number;
  /** Load (and, with the default collate, stack) the samples at `indices` on worker `worker`. */
  load(worker: number, indices: readonly number[]): Promise<WorkerBatch>;
  /** Stop the workers; pending loads reject. */
  close(): Promise<void>;
}

/** Options a pool is created with. */
export interface WorkerPoolOptions {
  /** How each worker builds the dataset. */
  spec: WorkerDatasetSpec;
  /** Number of workers to start. */
  numWorkers: number;
  /** Whether workers stack samples themselves (default collate) or return them as they are. */
  collateInWorker: boolean;
  /** Base seed of the workers' `Math.random` (worker `k` uses `"<seed>:<k>"`), for reproducible random transforms. */
  seed: number;
}

/** Creates worker pools (the DataLoader's `workerPool` option). */
export type WorkerPoolFactory = (options: WorkerPoolOptions) => Promise<WorkerPool>;

/** The pool factory for the current platform: Node's `worker_threads` unless another one was registered. */
let registered: WorkerPoolFactory | undefined;

/** Register the factory DataLoaders use when none is passed (e.g. a Web Worker pool in a browser build). */
export function registerWorkerPoolFactory(factory: WorkerPoolFactory): void {
  registered = factory;
}

/** The registered factory, or the platform's pool (Node's `worker_threads`), loaded on first use. */
export async function defaultWorkerPoolFactory(): Promise<WorkerPoolFactory> {
  if (registered !== undefined) return registered;
  registered = await platform.workerPoolFactory();
  return registered;
}
