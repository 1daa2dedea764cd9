/**
 * Index samplers. Every built-in sampler is stateful in the same way: its order for an epoch is a pure function of
 * `(seed, epoch)` — the permutation of epoch `e` is drawn from `new Generator(seed + e)`, the rule PyTorch's
 * DistributedSampler uses — and it counts the indices it has handed out (`position`). `stateDict()` returns
 * `{ epoch, seed, position }`; after `loadStateDict` the next iteration regenerates that epoch's order and starts at
 * `position`, so a resumed run sees exactly the indices the uninterrupted one would have seen.
 *
 * The seed is fixed when the sampler is built: `options.seed`, else a draw from `options.generator`, else from the
 * global generator that `seedEverything` seeds. Random samplers move to the next epoch by themselves after a full
 * pass (fresh order on every pass, like PyTorch); `setEpoch(e)` selects an epoch explicitly (the Trainer calls it).
 */
import { MisconfigurationError } from '../errors.js';
import { Generator, defaultGenerator } from '../utilities/random.js';

/** The serialisable state of a built-in sampler. */
export interface SamplerState {
  /** The epoch whose order is being (or will next be) produced. */
  epoch: number;
  /** The base seed; epoch `e` draws from `new Generator(seed + e)`. */
  seed: number;
  /** Indices already handed out in this epoch. */
  position: number;
}

/** A source of dataset indices with a known length; optionally stateful and epoch-aware. */
export interface Sampler extends Iterable<number> {
  /** Number of indices one pass yields. */
  readonly length: number;
  /** Select the epoch (changes the order of random samplers deterministically). */
  setEpoch?(epoch: number): void;
  /** Epoch, seed and position, for exact resume. */
  stateDict?(): SamplerState;
  /** Restore a `stateDict()`: the next pass continues that epoch from that position. */
  loadStateDict?(state: SamplerState): void;
}

/** Something with a length (a map-style dataset, usually). */
export interface Sized {
  readonly length: number;
}

/** Seed/generator options shared by the random samplers. */
export interface SeedOptions {
  /** Base seed. Default: drawn from `generator` when the sampler is built. */
  seed?: number;
  /** Generator to draw the base seed from. Default: the global generator (seeded by `seedEverything`). */
  generator?: Generator;
}

/** Shared machinery: epoch/seed/position bookkeeping around an `order(epoch)` function. */
export abstract class EpochSampler implements Sampler {
  protected epoch = 0;
  protected position = 0;
  protected seed: number;
  private resumeAt: number | undefined;

  constructor(
    options: SeedOptions,
    private readonly advanceAfterPass: boolean,
  ) {
    this.seed = options.seed ?? (options.generator ?? defaultGenerator).nextUint32();
  }

  abstract readonly length: number;

  /** The full list of indices for `epoch`. */
  protected abstract order(epoch: number): number[];

  /** A generator for this epoch's random draws. */
  protected epochGenerator(epoch: number): Generator {
    return new Generator(this.seed + epoch);
  }

  *[Symbol.iterator](): Iterator<number> {
    const order = this.order(this.epoch);
    const start = Math.min(this.resumeAt ?? 0, order.length);
    this.resumeAt = undefined;
    this.position = start;
    for (let i = start; i < order.length; i++) {
      this.position = i + 1;
      yield order[i] as number;
    }
    this.position = 0;
    if (this.advanceAfterPass) this.epoch += 1;
  }

  setEpoch(epoch: number): void {
    if (epoch !== this.epoch) {
      this.resumeAt = undefined;
      this.position = 0;
    }
    this.epoch = epoch;
  }

  stateDict(): SamplerState {
    return { epoch: this.epoch, seed: this.seed, position: this.resumeAt ?? this.position };
  }

  loadStateDict(state: SamplerState): void {
    this.seed = state.seed;
    this.epoch = state.epoch;
    this.position = state.position;
    this.resumeAt = state.position;
  }
}

/** Indices 0..n-1 in order. */
export class SequentialSampler extends EpochSampler {
  constructor(private readonly dataSource: Sized) {
    super({ seed: 0 }, true);
  }

  get length(): number {
    return this.dataSource.length;
  }

  protected order(): number[] {
    return Array.from({ length: this.dataSource.length }, (_, i) => i);
  }
}

/** Options of `RandomSampler`. */
export interface RandomSamplerOptions extends SeedOptions {
  /** Draw with replacement. Default: false. */
  replacement?: boolean;
  /** Indices per pass. Default: the dataset length (without replacement, more than that repeats whole permutations). */
  numSamples?: number;
}

/** A random order of the dataset indices (a permutation, or draws with replacement). */
export class RandomSampler extends EpochSampler {
  readonly replacement: boolean;
  private readonly numSamples: number | undefined;

  constructor(
    private readonly dataSource: Sized,
    options: RandomSamplerOptions = {},
  ) {
    super(options, true);
    this.replacement = options.replacement ?? false;
    this.numSamples = options.numSamples;
    if (this.numSamples !== undefined && (!Number.isInteger(this.numSamples) || this.numSamples <= 0)) {
      throw new MisconfigurationError(`RandomSampler: numSamples must be a positive integer, received ${this.numSamples}.`);
    }
  }

  get length(): number {
    return this.numSamples ?? this.dataSource.length;
  }

  protected order(epoch: number): number[] {
    const n = this.dataSource.length;
    const g = this.epochGenerator(epoch);
    const count = this.length;
    if (n === 0) return [];
    if (this.replacement) return Array.from({ length: count }, () => g.randint(n));
    const out: number[] = [];
    for (let k = 0; k < Math.floor(count / n); k++) out.push(...g.randperm(n));
    out.push(...g.randperm(n).slice(0, count % n));
    return out;
  }
}

/** Options of `WeightedRandomSampler`. */
export interface WeightedRandomSamplerOptions extends SeedOptions {
  /** Draw with replacement. Default: true. */
  replacement?: boolean;
}

/** Indices drawn with probability proportional to `weights[i]` (class re-balancing). */
export class WeightedRandomSampler extends EpochSampler {
  readonly replacement: boolean;
  private readonly cumulative: Float64Array;

  constructor(
    readonly weights: readonly number[],
    readonly numSamples: number,
    options: WeightedRandomSamplerOptions = {},
  ) {
    super(options, true);
    this.replacement = options.replacement ?? true;
    if (weights.some((w) => !Number.isFinite(w) || w < 0)) {
      throw new MisconfigurationError('WeightedRandomSampler: weights must be finite and non-negative.');
    }
    const positive = weights.filter((w) => w > 0).length;
    if (!Number.isInteger(numSamples) || numSamples <= 0 || (!this.replacement && numSamples > positive)) {
      throw new MisconfigurationError(
        `WeightedRandomSampler: cannot draw ${numSamples} samples ${this.replacement ? '' : 'without replacement '}from ${positive} indices with positive weight.`,
        this.replacement ? 'numSamples must be a positive integer.' : 'Lower numSamples or use replacement: true.',
      );
    }
    this.cumulative = new Float64Array(weights.length);
    let total = 0;
    weights.forEach((w, i) => (this.cumulative[i] = total += w));
  }

  get length(): number {
    return this.numSamples;
  }

  protected order(epoch: number): number[] {
    const g = this.epochGenerator(epoch);
    const n = this.weights.length;
    if (!this.replacement) {
      // Exponential race: sorting by E_i / w_i draws without replacement with the right probabilities.
      const keys = this.weights.map((w, i) => [w > 0 ? -Math.log(1 - g.random()) / w : Infinity, i] as const);
      return [...keys].sort((a, b) => a[0] - b[0]).slice(0, this.numSamples).map(([, i]) => i);
    }
    const total = this.cumulative[n - 1] ?? 0;
    return Array.from({ length: this.numSamples }, () => {
      const u = g.random() * total;
      let lo = 0;
      let hi = n - 1;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (u < (this.cumulative[mid] ?? 0)) hi = mid;
        else lo = mid + 1;
      }
      return lo;
    });
  }
}

/** A sampler of index batches (what a DataLoader's `batchSampler` option accepts). */
export interface BatchSamplerLike extends Iterable<number[]> {
  /** Number of batches per pass. */
  readonly length: number;
  setEpoch?(epoch: number): void;
  stateDict?(): unknown;
  loadStateDict?(state: unknown): void;
}

/** Groups the indices of a sampler into batches of `batchSize` (the last one smaller unless `dropLast`). */
export class BatchSampler implements BatchSamplerLike {
  constructor(
    readonly sampler: Sampler,
    readonly batchSize: number,
    readonly dropLast: boolean,
  ) {
    if (!Number.isInteger(batchSize) || batchSize <= 0) {
      throw new MisconfigurationError(`batchSize must be a positive integer, received ${batchSize}.`);
    }
  }

  get length(): number {
    const n = this.sampler.length;
    return this.dropLast ? Math.floor(n / this.batchSize) : Math.ceil(n / this.batchSize);
  }

  *[Symbol.iterator](): Iterator<number[]> {
    let batch: number[] = [];
    for (const index of this.sampler) {
      batch.push(index);
      if (batch.length === this.batchSize) {
        yield batch;
        batch = [];
      }
    }
    if (batch.length > 0 && !this.dropLast) yield batch;
  }

  setEpoch(epoch: number): void {
    this.sampler.setEpoch?.(epoch);
  }

  /** The inner sampler's state (its position counts whole batches handed out). */
  stateDict(): SamplerState | undefined {
    return this.sampler.stateDict?.();
  }

  loadStateDict(state: unknown): void {
    if (state !== undefined) this.sampler.loadStateDict?.(state as SamplerState);
  }
}
