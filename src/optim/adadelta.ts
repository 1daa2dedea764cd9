/** `Adadelta` (`torch.optim.Adadelta` 1.13): an adaptive step from running averages of squared gradients and updates. */
import type { Parameter } from '../nn/parameter.js';
import { tf } from '../runtime/tf.js';
import { ElementwiseOptimizer, checkNonNegative, invalid } from './elementwise-optimizer.js';
import type { ImplementationOptions, RuleInput, RuleOutput } from './elementwise-optimizer.js';
import type { ParamGroup, ParamGroupInput } from './optimizer.js';

/** Param-group options of `Adadelta`. */
export interface AdadeltaGroupOptions {
  /** Scale of the delta before it is applied. Default: 1.0. */
  lr: number;
  /** Decay of the running averages. Default: 0.9. */
  rho: number;
  /** Added inside the square roots for numerical stability. Default: 1e-6. */
  eps: number;
  /** L2 penalty added to the gradient. Default: 0. */
  weightDecay: number;
  /** Maximize the objective instead of minimizing it. Default: false. */
  maximize: boolean;
}

/** Options of `Adadelta`: any group option, and the update implementation. */
export type AdadeltaOptions = Partial<AdadeltaGroupOptions> & ImplementationOptions;

/** Adadelta with `torch.optim.Adadelta`'s update (state `square_avg`, `acc_delta`). */
export class Adadelta extends ElementwiseOptimizer<AdadeltaGroupOptions> {
  constructor(params: Parameter[] | Array<ParamGroupInput<AdadeltaGroupOptions>>, options: AdadeltaOptions = {}) {
    super(
      params,
      {
        lr: options.lr ?? 1.0,
        rho: options.rho ?? 0.9,
        eps: options.eps ?? 1e-6,
        weightDecay: options.weightDecay ?? 0,
        maximize: options.maximize ?? false,
      },
      options,
    );
  }

  protected override validateGroup(g: ParamGroup<AdadeltaGroupOptions>): void {
    checkNonNegative('Adadelta', 'lr', g.lr);
    if (!(g.rho >= 0 && g.rho <= 1)) invalid('Adadelta', 'rho', g.rho, 'in [0, 1], e.g. 0.9');
    checkNonNegative('Adadelta', 'eps', g.eps);
    checkNonNegative('Adadelta', 'weightDecay', g.weightDecay);
  }

  protected rule(g: ParamGroup<AdadeltaGroupOptions>, { param, grad, state }: RuleInput): RuleOutput {
    let d = g.maximize ? tf.neg(grad) : grad;
    if (g.weightDecay !== 0) d = tf.add(d, tf.mul(param, g.weightDecay));
    const sq = tf.mul(tf.mul(d, d), 1 - g.rho);
    const sq0 = state?.square_avg;
    const squareAvg = sq0 === undefined ? sq : tf.add(tf.mul(sq0, g.rho), sq);
    const std = tf.sqrt(tf.add(squareAvg, g.eps));
    const acc0 = state?.acc_delta;
    const delta = tf.mul(tf.div(acc0 === undefined ? tf.fill(param.shape, Math.sqrt(Math.fround(g.eps))) : tf.sqrt(tf.add(acc0, g.eps)), std), d);
    const dd = tf.mul(tf.mul(delta, delta), 1 - g.rho);
    const accDelta = acc0 === undefined ? dd : tf.add(tf.mul(acc0, g.rho), dd);
    return { param: tf.sub(param, tf.mul(delta, g.lr)), state: { square_avg: squareAvg, acc_delta: accDelta } };
  }
}
