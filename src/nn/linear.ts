/** `Linear`: y = x Wᵀ + b with PyTorch's `[out, in]` weight layout and default initialisation. */
import type { Tensor } from '../runtime/tf.js';
import { linear } from './functional/activation.js';
import { biasUniform, initParameter, kaimingUniform } from './init.js';
import { Module } from './module.js';
import type { Parameter } from './parameter.js';

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
    this.weight = initParameter(() => kaimingUniform([outFeatures, inFeatures]));
    this.bias = (options.bias ?? true) ? initParameter(() => biasUniform([outFeatures], inFeatures)) : undefined;
  }

  override forward(x: Tensor): Tensor {
    return linear(x, this.weight.value, this.bias?.value);
  }
}
