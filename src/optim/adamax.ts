/** `Adamax` (`torch.optim.Adamax` 1.13): Adam with an infinity-norm second moment. */
import type { Parameter } from '../nn/parameter.js';
import { tf } from '../runtime/tf.js';
import { ElementwiseOptimizer, checkBetas, checkNonNegative } from './elementwise-optimizer.js';
import type { ImplementationOptions, RuleInput, RuleOutput } from './elementwise-optimizer.js';
import type { ParamGroup, ParamGroupInput } from './optimizer.js';

/** Param-group options of `Adamax`. */
export interface AdamaxGroupOptions {
  /** Learning rate. Default: 2e-3. */
  lr: number;
  /** Decay rates of the first moment and the infinity norm. Default: [0.9, 0.999]. */
  betas: [number, number];
  /** Added to |grad| for numerical stability. Default: 1e-8. */
  eps: number;
  /** L2 penalty added to the gradient. Default: 0. */
  weightDecay: number;
  /** Maximize the objective instead of minimizing it. Default: false. */
  maximize: boolean;
}

/** Options of `Adamax`: any group option, and the update implementation. */
export type AdamaxOptions = Partial<AdamaxGroupOptions> & ImplementationOptions;

/** Adamax with `torch.optim.Adamax`'s update (state `exp_avg`, `exp_inf`). */
export class Adamax extends ElementwiseOptimizer<AdamaxGroupOptions> {
  constructor(params: Parameter[] | Array<ParamGroupInput<AdamaxGroupOptions>>, options: AdamaxOptions = {}) {
    super(
      params,
      {
        lr: options.lr ?? 2e-3,
        betas: options.betas ?? [0.9, 0.999],
        eps: options.eps ?? 1e-8,
        weightDecay: options.weightDecay ?? 0,
        maximize: options.maximize ?? false,
      },
      options,
    );
  }

  protected override validateGroup(g: ParamGroup<AdamaxGroupOptions>): void {
    checkNonNegative('Adamax', 'lr', g.lr);
    checkNonNegative('Adamax', 'eps', g.eps);
    checkBetas('Adamax', g.betas);
    checkNonNegative('Adamax', 'weightDecay', g.weightDecay);
  }

  protected rule(g: ParamGroup<AdamaxGroupOptions>, { param, grad, state, step }: RuleInput): RuleOutput {
    const [beta1, beta2] = g.betas;
    let d = g.maximize ? tf.neg(grad) : grad;
    if (g.weightDecay !== 0) d = tf.add(d, tf.mul(param, g.weightDecay));
    const m0 = state?.exp_avg;
    const expAvg = m0 === undefined ? tf.mul(d, 1 - beta1) : tf.add(tf.mul(m0, beta1), tf.mul(d, 1 - beta1));
    const absGrad = tf.add(tf.abs(d), g.eps);
    const inf0 = state?.exp_inf;
    const expInf = inf0 === undefined ? absGrad : tf.maximum(tf.mul(inf0, beta2), absGrad);
    const clr = g.lr / (1 - beta1 ** step);
    return { param: tf.sub(param, tf.mul(tf.div(expAvg, expInf), clr)), state: { exp_avg: expAvg, exp_inf: expInf } };
  }
}
