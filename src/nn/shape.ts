/** Shape-only layers: `Flatten` and `Identity`. */
import { LightningError } from '../errors.js';
import type { Tensor } from '../runtime/tf.js';
import { tf } from '../runtime/tf.js';
import { normalizeDim } from './functional/activation.js';
import { Module } from './module.js';

/** Options of `Flatten`. */
export interface FlattenOptions {
  /** First dimension to flatten. Default: 1 (keep the batch dimension). */
  startDim?: number;
  /** Last dimension to flatten (inclusive). Default: -1. */
  endDim?: number;
}

/** Flattens dimensions `startDim..endDim` into one (`torch.nn.Flatten`). */
export class Flatten extends Module<[Tensor], Tensor> {
  readonly startDim: number;
  readonly endDim: number;

  constructor(options: FlattenOptions = {}) {
    super();
    this.startDim = options.startDim ?? 1;
    this.endDim = options.endDim ?? -1;
  }

  override forward(x: Tensor): Tensor {
    if (x.rank === 0) return tf.reshape(x, [1]);
    const start = normalizeDim(this.startDim, x.rank, 'startDim');
    const end = normalizeDim(this.endDim, x.rank, 'endDim');
    if (start > end) {
      throw new LightningError(`Flatten: startDim (${this.startDim}) comes after endDim (${this.endDim}) for a rank-${x.rank} input.`);
    }
    if (start === end) return x;
    const merged = x.shape.slice(start, end + 1).reduce((a, b) => a * b, 1);
    return tf.reshape(x, [...x.shape.slice(0, start), merged, ...x.shape.slice(end + 1)]);
  }
}

/** Returns its input unchanged (`torch.nn.Identity`); a placeholder that keeps state-dict names stable. */
export class Identity extends Module<[Tensor], Tensor> {
  override forward(x: Tensor): Tensor {
    return x;
  }
}
