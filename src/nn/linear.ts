/** `Linear`: y = x Wᵀ + b with PyTorch's `[out, in]` weight layout and default initialisation. */
import { tf } from '../runtime/tf.js';
import type { Tensor } from '../runtime/tf.js';
import { biasUniform, kaimingUniform } from './init.js';
import { Module } from './module.js';
import { Parameter } from './parameter.js';

/** Options of `Linear`. */
export interface LinearOptions {
  /** Learn an additive bias. Default: true. */
  bias?: boolean;
}

/** Applies an affine map to the last dimension (`torch.nn.Linear`). */
export class Linear extends Module<[Tensor], Tensor> {
  readonly weight: Parameter;
  readonly bias: Parameter | undefined;

  constructor(
    readonly inFeatures: number,
    readonly outFeatures: number,
    options: LinearOptions = {},
  ) {
    super();
    this.weight = new Parameter(tf.tidy(() => kaimingUniform([outFeatures, inFeatures])));
    this.bias = (options.bias ?? true) ? new Parameter(tf.tidy(() => biasUniform([outFeatures], inFeatures))) : undefined;
  }

  override forward(x: Tensor): Tensor {
    return tf.tidy(() => {
      const flat = x.rank === 2 ? x : tf.reshape(x, [-1, this.inFeatures]);
      let y = tf.matMul(flat, this.weight.value, false, true);
      if (this.bias !== undefined) y = tf.add(y, this.bias.value);
      return x.rank === 2 ? y : tf.reshape(y, [...x.shape.slice(0, -1), this.outFeatures]);
    });
  }
}
