/** `Adagrad` (`torch.optim.Adagrad` 1.13): per-element learning rates from the sum of squared gradients. */
import type { Parameter } from '../nn/parameter.js';
import { tf } from '../runtime/tf.js';
import { ElementwiseOptimizer, checkNonNegative } from './elementwise-optimizer.js';
import type { ImplementationOptions, RuleInput, RuleOutput } from './elementwise-optimizer.js';
import type { ParamGroup, ParamGroupInput } from './optimizer.js';

/** Param-group options of `Adagrad`. */
export interface AdagradGroupOptions {
  /** Learning rate. Default: 1e-2. */
  lr: number;
  /** Learning-rate decay per step: lr / (1 + (step - 1) * lrDecay). Default: 0. */
  lrDecay: number;
  /** L2 penalty added to the gradient. Default: 0. */
  weightDecay: number;
  /** Starting value of the squared-gradient sum. Default: 0. */
  initialAccumulatorValue: number;
  /** Added to the denominator for numerical stability. Default: 1e-10. */
  eps: number;
  /** Maximize the objective instead of minimizing it. Default: false. */
  maximize: boolean;
}

/** Options of `Adagrad`: any group option, and the update implementation. */
export type AdagradOptions = Partial<AdagradGroupOptions> & ImplementationOptions;

/** Adagrad with `torch.optim.Adagrad`'s update (state `sum`). */
export class Adagrad extends ElementwiseOptimizer<AdagradGroupOptions> {
  constructor(params: Parameter[] | Array<ParamGroupInput<AdagradGroupOptions>>, options: AdagradOptions = {}) {
    super(
      params,
      {
        lr: options.lr ?? 1e-2,
        lrDecay: options.lrDecay ?? 0,
        weightDecay: options.weightDecay ?? 0,
        initialAccumulatorValue: options.initialAccumulatorValue ?? 0,
        eps: options.eps ?? 1e-10,
        maximize: options.maximize ?? false,
      },
      options,
    );
  }

  protected override validateGroup(g: ParamGroup<AdagradGroupOptions>): void {
    for (const key of ['lr', 'lrDecay', 'weightDecay', 'initialAccumulatorValue', 'eps'] as const) checkNonNegative('Adagrad', key, g[key]);
  }

  protected rule(g: ParamGroup<AdagradGroupOptions>, { param, grad, state, step }: RuleInput): RuleOutput {
    let d = g.maximize ? tf.neg(grad) : grad;
    if (g.weightDecay !== 0) d = tf.add(d, tf.mul(param, g.weightDecay));
    const clr = g.lr / (1 + (step - 1) * g.lrDecay);
    const sum0 = state?.sum ?? tf.fill(param.shape, g.initialAccumulatorValue);
    const sum = tf.add(sum0, tf.mul(d, d));
    const std = tf.add(tf.sqrt(sum), g.eps);
    return { param: tf.sub(param, tf.mul(tf.div(d, std), clr)), state: { sum } };
  }
}
