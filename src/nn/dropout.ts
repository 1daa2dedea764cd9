/** `Dropout`: inverted dropout in training mode, the identity in eval mode (`torch.nn.Dropout`). */
import { MisconfigurationError } from '../errors.js';
import type { Tensor } from '../runtime/tf.js';
import { dropout } from './functional/activation.js';
import { Module } from './module.js';

/** Zeroes each element with probability `p` while training and scales the rest by 1/(1−p). */
export class Dropout extends Module<[Tensor], Tensor> {
  /** Probability of zeroing an element. */
  readonly p: number;

  /** `p`: probability of an element being zeroed. Default: 0.5. */
  constructor(p = 0.5) {
    super();
    if (!(p >= 0 && p <= 1)) throw new MisconfigurationError(`Dropout probability must be in [0, 1]; received ${p}.`);
    this.p = p;
  }

  override forward(x: Tensor): Tensor {
    return dropout(x, this.p, this.training);
  }
}
