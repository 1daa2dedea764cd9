/** Activation functions as modules (`torch.nn.ReLU`, ...), for use in `Sequential`. */
import { MisconfigurationError } from '../errors.js';
import type { Tensor } from '../runtime/tf.js';
import * as F from './functional/activation.js';
import type { GeluApproximate } from './functional/activation.js';
import { Module } from './module.js';

/** max(x, 0). */
export class ReLU extends Module<[Tensor], Tensor> {
  override forward(x: Tensor): Tensor {
    return F.relu(x);
  }
}

/** x for x ≥ 0, `negativeSlope`·x otherwise. */
export class LeakyReLU extends Module<[Tensor], Tensor> {
  /** `negativeSlope`: slope for negative inputs. Default: 0.01. */
  constructor(readonly negativeSlope = 0.01) {
    super();
  }

  override forward(x: Tensor): Tensor {
    return F.leakyRelu(x, this.negativeSlope);
  }
}

/** Options of `GELU`. */
export interface GeluOptions {
  /** `'none'` for the exact erf form, `'tanh'` for the tanh approximation. Default: `'none'`. */
  approximate?: GeluApproximate;
}

/** Gaussian error linear unit x·Φ(x). */
export class GELU extends Module<[Tensor], Tensor> {
  readonly approximate: GeluApproximate;

  constructor(options: GeluOptions = {}) {
    super();
    this.approximate = options.approximate ?? 'none';
    if (this.approximate !== 'none' && this.approximate !== 'tanh') {
      throw new MisconfigurationError(`GELU approximate must be 'none' or 'tanh'; received ${String(this.approximate)}.`);
    }
  }

  override forward(x: Tensor): Tensor {
    return F.gelu(x, this.approximate);
  }
}

/** x·sigmoid(x). */
export class SiLU extends Module<[Tensor], Tensor> {
  override forward(x: Tensor): Tensor {
    return F.silu(x);
  }
}

/** Hyperbolic tangent. */
export class Tanh extends Module<[Tensor], Tensor> {
  override forward(x: Tensor): Tensor {
    return F.tanh(x);
  }
}

/** Logistic sigmoid. */
export class Sigmoid extends Module<[Tensor], Tensor> {
  override forward(x: Tensor): Tensor {
    return F.sigmoid(x);
  }
}

/** Softmax along `dim`. */
export class Softmax extends Module<[Tensor], Tensor> {
  /** `dim`: the dimension that sums to 1 (required, as PyTorch recommends). */
  constructor(readonly dim: number) {
    super();
  }

  override forward(x: Tensor): Tensor {
    return F.softmax(x, this.dim);
  }
}

/** Log-softmax along `dim`. */
export class LogSoftmax extends Module<[Tensor], Tensor> {
  /** `dim`: the dimension to normalise over (required). */
  constructor(readonly dim: number) {
    super();
  }

  override forward(x: Tensor): Tensor {
    return F.logSoftmax(x, this.dim);
  }
}
