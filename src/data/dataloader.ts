/**
 * `DataLoader`: turns a dataset into batches. Owns batching, shuffling, collation, worker prefetching and the
 * position in the epoch; the Trainer only iterates it (`for await`) and disposes each batch after the step.
 */
import { MisconfigurationError } from '../errors.js';
import type { Generator } from '../utilities/random.js';
import { defaultGenerator } from '../utilities/random.js';
import { arraysToTensors, defaultCollate, disposeBatch } from './collate.js';
import { isMapDataset } from './dataset.js';
import type { Dataset, MapDataset, MaybePromise } from './dataset.js';
import { BatchSampler, RandomSampler, SequentialSampler } from './sampler.js';
import type { BatchSamplerLike, Sampler } from './sampler.js';
import { defaultWorkerPoolFactory } from './worker-pool.js';
import type { WorkerPool, WorkerPoolFactory } from './worker-pool.js';

/** Options of `DataLoader`; every field is optional and documented with its default. */
export interface DataLoaderOptions<T = unknown, B = unknown> {
  /** Samples per batch. Default: 1. */
  batchSize?: number;
  /** Reshuffle every epoch with a `RandomSampler` (seeded from `seed` / `generator`). Default: false. */
  shuffle?: boolean;
  /** Custom index sampler (excludes `shuffle`). Default: sequential or random per `shuffle`. */
  sampler?: Sampler;
  /** Custom sampler of whole index batches (excludes `batchSize`, `shuffle`, `sampler`, `dropLast`). */
  batchSampler?: BatchSamplerLike;
  /** Drop the last incomplete batch. Default: false. */
  dropLast?: boolean;
  /** Turns a list of samples into a batch. Default: `defaultCollate` (stacked tensors). */
  collateFn?: (samples: T[]) => B;
  /**
   * Worker threads that load, transform and stack samples off the main thread. Default: 0 (load on the main
   * thread). Needs a map-style dataset with a `workerSpec()` (see `datasetFromModule`).
   */
  numWorkers?: number;
  /** Batches each worker loads ahead. Default: 2. */
  prefetchFactor?: number;
  /** Keep the workers alive between epochs instead of restarting them. Default: false. */
  persistentWorkers?: boolean;
  /** Base seed of the shuffle. Default: drawn from `generator`. */
  seed?: number;
  /**
   * Generator the shuffle seed and the workers' base seed are drawn from when the loader is built. Default: the global
   * one (`seedEverything`). Worker `k` seeds its `Math.random` with `"<base + epoch>:<k>"`.
   */
  generator?: Generator;
  /** Creates the worker pool. Default: Node `worker_threads` (or the factory given to `registerWorkerPoolFactory`). */
  workerPool?: WorkerPoolFactory;
}

/** The serialisable position of a DataLoader: batches handed out this epoch and the batch sampler's state. */
export interface DataLoaderState {
  /** The epoch last passed to `setEpoch`, if any. */
  epoch?: number;
  /** Batches already yielded in the current epoch. */
  batchesYielded: number;
  /** The batch sampler's `stateDict()` after the last yielded batch (absent when it has none). */
  sampler?: unknown;
}

interface PendingBatch<B> {
  batch: Promise<B>;
  samplerState: unknown;
}

/**
 * Iterates a dataset in batches, like `torch.utils.data.DataLoader`.
 *
 * Resume: `stateDict()` records how many batches were handed out and the sampler's `{ epoch, seed, position }` just
 * after the last of them (prefetched batches do not count). A loader given that state with `loadStateDict()` yields
 * exactly the remaining batches of that epoch, then continues with the following epochs as the original would have.
 * Samplers without state (and iterable datasets) are resumed by skipping the batches already seen.
 *
 * @example
 * seedEverything(42);
 * const loader = new DataLoader(train, { batchSize: 64, shuffle: true });
 * for await (const [x, y] of loader) { ...; disposeBatch([x, y]); }
 */
export class DataLoader<T = unknown, B = unknown> implements AsyncIterable<B> {
  readonly batchSize: number | undefined;
  readonly dropLast: boolean;
  readonly numWorkers: number;
  readonly prefetchFactor: number;
  readonly persistentWorkers: boolean;
  readonly sampler: Sampler | undefined;
  readonly batchSampler: BatchSamplerLike | undefined;
  private readonly collateFn: ((samples: unknown[]) => B) | undefined;
  private readonly workerSeed: number;
  private readonly workerPoolFactory: WorkerPoolFactory | undefined;
  private epoch: number | undefined;
  private batchesYielded = 0;
  private skipOnNextPass = 0;
  private resumePending = false;
  private pausedState: DataLoaderState | undefined;
  private activeSamplerState: { value: unknown } | undefined;
  private pool: WorkerPool | undefined;
  readonly #resample: (sampler: Sampler) => DataLoader<T, B>;

  constructor(
    readonly dataset: Dataset<T>,
    options: DataLoaderOptions<T, B> = {},
  ) {
    this.#resample = (sampler) => {
      const { shuffle: _shuffle, ...rest } = options;
      return new DataLoader<T, B>(dataset, { ...rest, sampler });
    };
    const custom = options.batchSampler !== undefined;
    if (custom && (options.batchSize !== undefined || options.shuffle === true || options.sampler !== undefined || options.dropLast === true)) {
      throw new MisconfigurationError('DataLoader: batchSampler is mutually exclusive with batchSize, shuffle, sampler and dropLast.', 'Configure batching in your batch sampler.');
    }
    if (options.sampler !== undefined && options.shuffle === true) {
      throw new MisconfigurationError('DataLoader: sampler is mutually exclusive with shuffle.', 'Shuffle in the sampler (e.g. new RandomSampler(dataset)) and drop shuffle: true.');
    }
    this.batchSize = custom ? undefined : (options.batchSize ?? 1);
    this.dropLast = options.dropLast ?? false;
    this.numWorkers = options.numWorkers ?? 0;
    this.prefetchFactor = options.prefetchFactor ?? 2;
    this.persistentWorkers = options.persistentWorkers ?? false;
    this.collateFn = options.collateFn as ((samples: unknown[]) => B) | undefined;
    this.workerPoolFactory = options.workerPool;
    if (!Number.isInteger(this.numWorkers) || this.numWorkers < 0) {
      throw new MisconfigurationError(`DataLoader: numWorkers must be a non-negative integer, received ${this.numWorkers}.`);
    }
    if (isMapDataset(dataset)) {
      this.sampler = custom ? undefined : (options.sampler ?? (options.shuffle === true ? new RandomSampler(dataset, seedOptions(options)) : new SequentialSampler(dataset)));
      this.batchSampler = options.batchSampler ?? new BatchSampler(this.sampler as Sampler, this.batchSize ?? 1, this.dropLast);
      if (this.numWorkers > 0 && dataset.workerSpec === undefined) {
        throw new MisconfigurationError(
          `DataLoader: numWorkers ${this.numWorkers} needs a dataset that can be rebuilt in a worker thread, but this one has no workerSpec().`,
          'Build it with datasetFromModule({ modulePath, exportName, args }), use a built-in dataset (loadFashionMNIST, CsvDataset.load), or set numWorkers: 0.',
        );
      }
    } else {
      if (custom || options.sampler !== undefined || options.shuffle === true) {
        throw new MisconfigurationError('DataLoader: an iterable dataset cannot be used with shuffle, sampler or batchSampler.', 'Shuffle inside the iterable, or use a map-style dataset (length + get(i)).');
      }
      if (this.numWorkers > 0) {
        throw new MisconfigurationError('DataLoader: numWorkers > 0 needs a map-style dataset; iterable datasets are read on the main thread.', 'Set numWorkers: 0, or expose the data as a map-style dataset built with datasetFromModule.');
      }
      this.sampler = undefined;
      this.batchSampler = undefined;
    }
    this.workerSeed = this.numWorkers === 0 ? 0 : (options.seed ?? (options.generator ?? defaultGenerator).nextUint32());
    if (this.batchSize !== undefined && (!Number.isInteger(this.batchSize) || this.batchSize <= 0)) {
      throw new MisconfigurationError(`DataLoader: batchSize must be a positive integer, received ${this.batchSize}.`);
    }
  }

  /** Number of batches per epoch; undefined for an iterable dataset without a length. */
  get length(): number | undefined {
    if (this.batchSampler !== undefined) return this.batchSampler.length;
    const n = this.dataset.length;
    const bs = this.batchSize ?? 1;
    return n === undefined ? undefined : this.dropLast ? Math.floor(n / bs) : Math.ceil(n / bs);
  }

  /**
   * The same loader over `sampler` instead (shuffle off): how the Trainer gives each data-parallel rank its shard.
   * A loader built with a custom `batchSampler` cannot be re-sampled and is returned unchanged.
   */
  withSampler(sampler: Sampler): DataLoader<T, B> {
    return this.batchSampler !== undefined && this.sampler === undefined ? this : this.#resample(sampler);
  }

  /** Select the epoch: random samplers reshuffle deterministically for it (the Trainer calls this every epoch). */
  setEpoch(epoch: number): void {
    if (epoch !== this.epoch) {
      this.batchesYielded = 0;
      this.skipOnNextPass = 0;
      this.resumePending = false;
      this.pausedState = undefined;
    }
    this.epoch = epoch;
    this.batchSampler?.setEpoch?.(epoch);
  }

  /** Where the loader stands, for exact mid-epoch resume. */
  stateDict(): DataLoaderState {
    if (this.activeSamplerState === undefined && this.pausedState !== undefined) return { ...this.pausedState };
    const sampler = this.activeSamplerState !== undefined ? this.activeSamplerState.value : this.batchSampler?.stateDict?.();
    const state: DataLoaderState = { batchesYielded: this.batchesYielded };
    if (this.epoch !== undefined) state.epoch = this.epoch;
    if (sampler !== undefined) state.sampler = sampler;
    return state;
  }

  /** Continue from a `stateDict()`: the next pass yields the remaining batches of the saved epoch. */
  loadStateDict(state: DataLoaderState): void {
    if (state.epoch !== undefined) this.epoch = state.epoch;
    this.pausedState = undefined;
    this.batchesYielded = state.batchesYielded;
    this.resumePending = true;
    if (state.sampler !== undefined && this.batchSampler?.loadStateDict !== undefined) {
      this.batchSampler.loadStateDict(state.sampler);
      this.skipOnNextPass = 0;
    } else {
      this.skipOnNextPass = state.batchesYielded;
    }
  }

  /** Stop persistent workers (a no-op without workers). */
  async close(): Promise<void> {
    const pool = this.pool;
    this.pool = undefined;
    await pool?.close();
  }

  /**
   * One pass over the data. After a pass left early (break, error), `stateDict()` still reports the position after
   * the last batch handed out (what a mid-epoch checkpoint needs), but a new pass starts the epoch from its beginning,
   * like a fresh PyTorch iterator; only `loadStateDict` resumes mid-epoch.
   */
  async *[Symbol.asyncIterator](): AsyncIterator<B> {
    if (!this.resumePending) this.batchesYielded = 0;
    this.resumePending = false;
    this.pausedState = undefined;
    const skip = this.skipOnNextPass;
    this.skipOnNextPass = 0;
    let completed = false;
    this.activeSamplerState = { value: this.batchSampler?.stateDict?.() };
    try {
      const source = this.numWorkers > 0 ? this.workerBatches(skip) : this.mainThreadBatches(skip);
      for await (const { batch, samplerState } of source) {
        const value = await batch;
        this.batchesYielded += 1;
        this.activeSamplerState = { value: samplerState };
        yield value;
      }
      completed = true;
    } finally {
      const last = this.activeSamplerState?.value;
      this.activeSamplerState = undefined;
      if (completed) {
        this.batchesYielded = 0;
      } else {
        this.pausedState = { batchesYielded: this.batchesYielded };
        if (this.epoch !== undefined) this.pausedState.epoch = this.epoch;
        if (last !== undefined) this.pausedState.sampler = last;
      }
    }
  }

  /** Batches as they complete, in order; `skip` batches of indices are passed over without loading. */
  private async *mainThreadBatches(skip: number): AsyncGenerator<PendingBatch<B>> {
    if (!isMapDataset(this.dataset)) {
      yield* this.iterableBatches(this.dataset, skip);
      return;
    }
    const dataset = this.dataset;
    // A dataset that builds whole default batches itself skips the per-sample values (same tensors).
    const direct = this.collateFn === undefined ? dataset.collateItems : undefined;
    let k = 0;
    for (const indices of this.batchSampler as BatchSamplerLike) {
      if (k++ < skip) continue;
      const samplerState = this.batchSampler?.stateDict?.();
      const batch = direct !== undefined ? (arraysToTensors(direct(indices)) as B) : this.collate(await loadAll(dataset, indices));
      yield { batch: Promise.resolve(batch), samplerState };
    }
  }

  private async *iterableBatches(dataset: Iterable<T> | AsyncIterable<T>, skip: number): AsyncGenerator<PendingBatch<B>> {
    const size = this.batchSize ?? 1;
    let chunk: T[] = [];
    let k = 0;
    for await (const sample of dataset) {
      chunk.push(sample);
      if (chunk.length < size) continue;
      if (k++ >= skip) yield { batch: Promise.resolve(this.collate(chunk)), samplerState: undefined };
      chunk = [];
    }
    if (chunk.length > 0 && !this.dropLast && k >= skip) yield { batch: Promise.resolve(this.collate(chunk)), samplerState: undefined };
  }

  /** Round-robin index batches to the workers, keeping `numWorkers * prefetchFactor` in flight, in order. */
  private async *workerBatches(skip: number): AsyncGenerator<PendingBatch<B>> {
    const pool = await this.startPool();
    const inFlight: Array<PendingBatch<B>> = [];
    const limit = this.numWorkers * this.prefetchFactor;
    let dispatched = 0;
    let k = 0;
    try {
      for (const indices of this.batchSampler as BatchSamplerLike) {
        if (k++ < skip) continue;
        const worker = dispatched++ % pool.size;
        const batch = pool.load(worker, indices).then((r) => (r.kind === 'collated' ? (arraysToTensors(r.tree) as B) : this.collate(r.samples as T[])));
        batch.catch(() => undefined); // surfaced when awaited in order
        inFlight.push({ batch, samplerState: this.batchSampler?.stateDict?.() });
        if (inFlight.length >= limit) yield inFlight.shift() as PendingBatch<B>;
      }
      while (inFlight.length > 0) yield inFlight.shift() as PendingBatch<B>;
    } finally {
      // Abandoned prefetched batches (early break) still become tensors: free them.
      for (const p of inFlight) void p.batch.then(disposeBatch, () => undefined);
      if (!this.persistentWorkers) await this.close();
    }
  }

  private async startPool(): Promise<WorkerPool> {
    if (this.pool !== undefined) return this.pool;
    const spec = (this.dataset as MapDataset<T>).workerSpec?.();
    if (spec === undefined) throw new MisconfigurationError('DataLoader: the dataset lost its workerSpec().');
    const factory = this.workerPoolFactory ?? (await defaultWorkerPoolFactory());
    this.pool = await factory({ spec, numWorkers: this.numWorkers, collateInWorker: this.collateFn === undefined, seed: this.workerSeed + (this.epoch ?? 0) });
    return this.pool;
  }

  private collate(samples: T[]): B {
    return this.collateFn !== undefined ? this.collateFn(samples) : defaultCollate<B>(samples);
  }
}

function seedOptions(options: { seed?: number; generator?: Generator }): { seed?: number; generator?: Generator } {
  const out: { seed?: number; generator?: Generator } = {};
  if (options.seed !== undefined) out.seed = options.seed;
  if (options.generator !== undefined) out.generator = options.generator;
  return out;
}

async function loadAll<T>(dataset: MapDataset<T>, indices: readonly number[]): Promise<T[]> {
  const values: Array<MaybePromise<T>> = indices.map((i) => dataset.get(i));
  return values.some((v) => v instanceof Promise) ? Promise.all(values) : (values as T[]);
}
