/** `SGD`: stochastic gradient descent with momentum, dampening, Nesterov, weight decay and maximize (`torch.optim.SGD`). */
import { MisconfigurationError } from '../errors.js';
import type { Parameter } from '../nn/parameter.js';
import { tf } from '../runtime/tf.js';
import type { Tensor } from '../runtime/tf.js';
import { ElementwiseOptimizer, checkNonNegative } from './elementwise-optimizer.js';
import type { ImplementationOptions, RuleInput, RuleOutput } from './elementwise-optimizer.js';
import type { ParamGroup, ParamGroupInput } from './optimizer.js';

/** Param-group options of `SGD`. */
export interface SGDGroupOptions {
  /** Learning rate (required, as in PyTorch). */
  lr: number;
  /** Momentum factor. Default: 0. */
  momentum: number;
  /** Dampening of the momentum. Default: 0. */
  dampening: number;
  /** L2 penalty added to the gradient. Default: 0. */
  weightDecay: number;
  /** Nesterov momentum (needs momentum > 0 and dampening 0). Default: false. */
  nesterov: boolean;
  /** Maximize the objective instead of minimizing it. Default: false. */
  maximize: boolean;
}

/** Options of `SGD`: `lr` plus any group option, and the update implementation. */
export type SGDOptions = Partial<SGDGroupOptions> & { lr: number } & ImplementationOptions;

/** Stochastic gradient descent with `torch.optim.SGD`'s update (momentum buffer starts as the first gradient). */
export class SGD extends ElementwiseOptimizer<SGDGroupOptions> {
  constructor(params: Parameter[] | Array<ParamGroupInput<SGDGroupOptions>>, options: SGDOptions) {
    super(
      params,
      {
        lr: options.lr,
        momentum: options.momentum ?? 0,
        dampening: options.dampening ?? 0,
        weightDecay: options.weightDecay ?? 0,
        nesterov: options.nesterov ?? false,
        maximize: options.maximize ?? false,
      },
      options,
    );
  }

  protected override get hasStep(): boolean {
    return false;
  }

  protected override validateGroup(g: ParamGroup<SGDGroupOptions>): void {
    checkNonNegative('SGD', 'lr', g.lr);
    checkNonNegative('SGD', 'momentum', g.momentum);
    checkNonNegative('SGD', 'weightDecay', g.weightDecay);
    if (g.nesterov && (g.momentum <= 0 || g.dampening !== 0)) {
      throw new MisconfigurationError(
        `SGD got nesterov: true with momentum ${g.momentum} and dampening ${g.dampening}.`,
        'Nesterov momentum needs momentum > 0 and dampening 0, e.g. { momentum: 0.9, nesterov: true }.',
      );
    }
  }

  protected rule(g: ParamGroup<SGDGroupOptions>, { param, grad, state }: RuleInput): RuleOutput {
    let d = g.maximize ? tf.neg(grad) : grad;
    if (g.weightDecay !== 0) d = tf.add(d, tf.mul(param, g.weightDecay));
    const next: Record<string, Tensor> = {};
    if (g.momentum !== 0) {
      const previous = state?.momentum_buffer;
      const buf = previous === undefined ? tf.clone(d) : tf.add(tf.mul(previous, g.momentum), tf.mul(d, 1 - g.dampening));
      next.momentum_buffer = buf;
      d = g.nesterov ? tf.add(d, tf.mul(buf, g.momentum)) : buf;
    } else if (state?.momentum_buffer !== undefined) {
      next.momentum_buffer = state.momentum_buffer;
    }
    return { param: tf.sub(param, tf.mul(d, g.lr)), state: next };
  }
}
