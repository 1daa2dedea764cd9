/**
 * Dataset shapes the DataLoader accepts — map-style (`length` + `get(i)`, sync or async), iterable and
 * async-iterable — and the combinators over them (`TensorDataset`, `ConcatDataset`, `Subset`, `randomSplit`).
 */
import { MisconfigurationError, describeValue } from '../errors.js';
import type { Tensor } from '../runtime/tf.js';
import { tf } from '../runtime/tf.js';
import { Generator, defaultGenerator } from '../utilities/random.js';
import type { WorkerDatasetSpec } from './worker-spec.js';
import type { ArrayTree } from './collate-arrays.js';

/** A value or a promise of it. */
export type MaybePromise<T> = T | Promise<T>;

/** A map-style dataset: `length` samples addressed by index; `get` may be sync or async. */
export interface MapDataset<T = unknown> {
  /** Number of samples. */
  readonly length: number;
  /** The sample at `index` (0 ≤ index < length). */
  get(index: number): MaybePromise<T>;
  /** How to rebuild this dataset inside a worker thread (needed for `numWorkers > 0`). */
  workerSpec?(): WorkerDatasetSpec;
  /**
   * Optional fast path: exactly `collateArrays(indices.map((i) => get(i)))`, built without per-sample values. The
   * DataLoader calls it instead of `get` + the default collate when it has no `collateFn`.
   */
  readonly collateItems?: (indices: readonly number[]) => ArrayTree;
}

/** An iterable-style dataset (a stream of samples), optionally with a known length. */
export type IterableDataset<T = unknown> = (Iterable<T> | AsyncIterable<T>) & { readonly length?: number };

/** Anything the DataLoader can read samples from. */
export type Dataset<T = unknown> = MapDataset<T> | IterableDataset<T>;

/** Whether `dataset` is map-style (has a numeric `length` and a `get` method). */
export function isMapDataset<T>(dataset: Dataset<T>): dataset is MapDataset<T> {
  return typeof (dataset as Partial<MapDataset<T>>).get === 'function' && typeof dataset.length === 'number';
}

function checkIndex(index: number, length: number, what: string): void {
  if (!Number.isInteger(index) || index < 0 || index >= length) {
    throw new RangeError(`${what}: index ${index} is out of range for a dataset of length ${length}.`);
  }
}

/**
 * Samples made of rows of tensors that share their first dimension: `get(i)` returns `[t0[i], t1[i], ...]`.
 * Rows are returned as `{ data, shape }` typed arrays of the tensor's dtype, so the default collate stacks them back
 * into tensors of the same dtype.
 */
export class TensorDataset implements MapDataset<TensorRow[]> {
  readonly length: number;
  private readonly columns: Array<{ data: Float32Array | Int32Array | Uint8Array; rowShape: number[]; rowSize: number }>;

  constructor(...tensors: Tensor[]) {
    const first = tensors[0];
    if (first === undefined) throw new MisconfigurationError('TensorDataset needs at least one tensor.');
    this.length = first.shape[0] ?? 0;
    this.columns = tensors.map((t, k) => {
      if (t.rank === 0 || t.shape[0] !== this.length) {
        throw new MisconfigurationError(
          `TensorDataset: every tensor must have the same first dimension. Tensor 0 has ${this.length} rows, tensor ${k} has shape [${t.shape.join(', ')}].`,
        );
      }
      const rowShape = t.shape.slice(1);
      const data = t.dataSync<'float32' | 'int32' | 'bool'>();
      return { data, rowShape, rowSize: rowShape.reduce((a, b) => a * b, 1) };
    });
  }

  /** Build from tensors created and owned by the caller (the data is copied; the tensors may be disposed). */
  static fromArrays(...arrays: Array<number[] | number[][]>): TensorDataset {
    const tensors = arrays.map((a) => tf.tensor(a));
    try {
      return new TensorDataset(...tensors);
    } finally {
      tf.dispose(tensors);
    }
  }

  get(index: number): TensorRow[] {
    checkIndex(index, this.length, 'TensorDataset');
    return this.columns.map(({ data, rowShape, rowSize }) => ({ data: data.slice(index * rowSize, (index + 1) * rowSize), shape: rowShape }));
  }
}

/** A typed array with a shape (what datasets return for non-scalar numeric samples). */
export interface ShapedArray {
  data: Float32Array | Int32Array | Uint8Array;
  shape: number[];
}

/** One column of a `TensorDataset` row (shape `[]` for a tensor of rank 1). */
export type TensorRow = ShapedArray;

/** Several map-style datasets one after the other. */
export class ConcatDataset<T> implements MapDataset<T> {
  readonly length: number;
  /** Cumulative lengths: `cumulativeSizes[k]` is the total length of datasets 0..k. */
  readonly cumulativeSizes: number[];

  constructor(readonly datasets: ReadonlyArray<MapDataset<T>>) {
    let total = 0;
    this.cumulativeSizes = datasets.map((d, k) => {
      if (!isMapDataset(d)) throw new MisconfigurationError(`ConcatDataset: dataset ${k} is not map-style (received ${describeValue(d)}).`);
      total += d.length;
      return total;
    });
    this.length = total;
  }

  get(index: number): MaybePromise<T> {
    checkIndex(index, this.length, 'ConcatDataset');
    let lo = 0;
    let hi = this.cumulativeSizes.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (index < (this.cumulativeSizes[mid] ?? 0)) hi = mid;
      else lo = mid + 1;
    }
    const start = lo === 0 ? 0 : (this.cumulativeSizes[lo - 1] ?? 0);
    return (this.datasets[lo] as MapDataset<T>).get(index - start);
  }
}

/** The samples of `dataset` at the given indices, in that order. */
export class Subset<T> implements MapDataset<T> {
  /** The parent's batched fast path through this subset's indices (present when the parent has one). */
  readonly collateItems?: (indices: readonly number[]) => ArrayTree;

  constructor(
    readonly dataset: MapDataset<T>,
    readonly indices: readonly number[],
  ) {
    for (const i of indices) checkIndex(i, dataset.length, 'Subset');
    const parent = dataset.collateItems;
    if (parent !== undefined) {
      this.collateItems = (batch) =>
        parent(
          batch.map((i) => {
            checkIndex(i, this.indices.length, 'Subset');
            return this.indices[i] as number;
          }),
        );
    }
  }

  get length(): number {
    return this.indices.length;
  }

  get(index: number): MaybePromise<T> {
    checkIndex(index, this.indices.length, 'Subset');
    return this.dataset.get(this.indices[index] as number);
  }
}

/** Options of `randomSplit`. */
export interface RandomSplitOptions {
  /** Seed of the split's permutation. Default: drawn from `generator`. */
  seed?: number;
  /** Generator to draw the seed from when `seed` is absent. Default: the global generator (`seedEverything`). */
  generator?: Generator;
}

/**
 * Split a map-style dataset into non-overlapping random subsets of the given lengths, or of the given fractions
 * (summing to 1; the remainder is dealt round-robin like PyTorch). The permutation is `randperm(n)` of a generator
 * seeded with `seed`, so the split for a seed equals `torch.utils.data.random_split` with `torch.Generator().manual_seed(seed)`.
 */
export function randomSplit<T>(dataset: MapDataset<T>, lengths: readonly number[], options: RandomSplitOptions = {}): Array<Subset<T>> {
  const n = dataset.length;
  let sizes = [...lengths];
  const isFractions = sizes.length > 0 && sizes.every((x) => x >= 0 && x <= 1) && Math.abs(sizes.reduce((a, b) => a + b, 0) - 1) < 1e-9;
  if (isFractions) {
    sizes = sizes.map((f) => Math.floor(n * f));
    let remainder = n - sizes.reduce((a, b) => a + b, 0);
    for (let k = 0; remainder > 0; k = (k + 1) % sizes.length, remainder--) sizes[k] = (sizes[k] ?? 0) + 1;
  }
  if (sizes.some((s) => !Number.isInteger(s) || s < 0) || sizes.reduce((a, b) => a + b, 0) !== n) {
    throw new MisconfigurationError(
      `randomSplit: the lengths [${lengths.join(', ')}] neither sum to the dataset length ${n} nor are fractions summing to 1.`,
      `Pass integer lengths that add up to ${n}, or fractions such as [0.8, 0.2].`,
    );
  }
  const seed = options.seed ?? (options.generator ?? defaultGenerator).nextUint32();
  const perm = new Generator(seed).randperm(n);
  const out: Array<Subset<T>> = [];
  let offset = 0;
  for (const size of sizes) {
    out.push(new Subset(dataset, perm.slice(offset, offset + size)));
    offset += size;
  }
  return out;
}
