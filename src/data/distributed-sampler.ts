/** `DistributedSampler`: each of `numReplicas` processes reads its own disjoint share of the dataset. */
import { MisconfigurationError } from '../errors.js';
import { EpochSampler } from './sampler.js';
import type { Sized } from './sampler.js';

/** Options of `DistributedSampler` (PyTorch's defaults). */
export interface DistributedSamplerOptions {
  /** Number of processes. Required (the Trainer passes its world size). */
  numReplicas: number;
  /** This process's rank in [0, numReplicas). Required. */
  rank: number;
  /** Shuffle with `randperm` of a generator seeded with `seed + epoch`. Default: true. */
  shuffle?: boolean;
  /** Shuffle seed, identical on all ranks. Default: 0. */
  seed?: number;
  /** Drop the tail so every rank gets the same count without padding. Default: false (pad by repeating indices). */
  dropLast?: boolean;
}

/**
 * Splits the dataset across ranks exactly like `torch.utils.data.DistributedSampler`: the (shuffled) index list is
 * padded by repeating its head until it divides evenly (or its tail dropped with `dropLast`), then rank `r` takes
 * every `numReplicas`-th index starting at `r`. Same seed and epoch ⇒ same order as PyTorch. Call `setEpoch(e)` at
 * the start of each epoch (the Trainer does) — like PyTorch, the order does not change by itself between passes.
 */
export class DistributedSampler extends EpochSampler {
  readonly numReplicas: number;
  readonly rank: number;
  readonly shuffle: boolean;
  readonly dropLast: boolean;

  constructor(
    readonly dataset: Sized,
    options: DistributedSamplerOptions,
  ) {
    super({ seed: options.seed ?? 0 }, false);
    this.numReplicas = options.numReplicas;
    this.rank = options.rank;
    this.shuffle = options.shuffle ?? true;
    this.dropLast = options.dropLast ?? false;
    if (!Number.isInteger(this.numReplicas) || this.numReplicas < 1) {
      throw new MisconfigurationError(`DistributedSampler: numReplicas must be a positive integer, received ${this.numReplicas}.`);
    }
    if (!Number.isInteger(this.rank) || this.rank < 0 || this.rank >= this.numReplicas) {
      throw new MisconfigurationError(
        `DistributedSampler: invalid rank ${this.rank}; it must be in [0, ${this.numReplicas - 1}].`,
      );
    }
  }

  /** Indices this rank yields per epoch. */
  get length(): number {
    const n = this.dataset.length;
    const r = this.numReplicas;
    return this.dropLast && n % r !== 0 ? Math.max(0, Math.ceil((n - r) / r)) : Math.ceil(n / r);
  }

  /** Indices all ranks together yield per epoch (after padding or dropping). */
  get totalSize(): number {
    return this.length * this.numReplicas;
  }

  protected order(epoch: number): number[] {
    const n = this.dataset.length;
    let indices = this.shuffle ? this.epochGenerator(epoch).randperm(n) : Array.from({ length: n }, (_, i) => i);
    const total = this.totalSize;
    if (!this.dropLast) {
      const padding = total - indices.length;
      if (padding > 0 && indices.length > 0) {
        const pad: number[] = [];
        while (pad.length < padding) pad.push(...indices.slice(0, padding - pad.length));
        indices = indices.concat(pad);
      }
    } else {
      indices = indices.slice(0, total);
    }
    const mine: number[] = [];
    for (let i = this.rank; i < total; i += this.numReplicas) mine.push(indices[i] as number);
    return mine;
  }
}
