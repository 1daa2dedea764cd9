/** `RMSprop` (`torch.optim.RMSprop` 1.13): squared-gradient average, optional centering, momentum and weight decay. */
import type { Parameter } from '../nn/parameter.js';
import { tf } from '../runtime/tf.js';
import type { Tensor } from '../runtime/tf.js';
import { ElementwiseOptimizer, checkNonNegative } from './elementwise-optimizer.js';
import type { ImplementationOptions, RuleInput, RuleOutput } from './elementwise-optimizer.js';
import type { ParamGroup, ParamGroupInput } from './optimizer.js';

/** Param-group options of `RMSprop`. */
export interface RMSpropGroupOptions {
  /** Learning rate. Default: 1e-2. */
  lr: number;
  /** Smoothing constant of the squared-gradient average. Default: 0.99. */
  alpha: number;
  /** Added to the denominator for numerical stability. Default: 1e-8. */
  eps: number;
  /** L2 penalty added to the gradient. Default: 0. */
  weightDecay: number;
  /** Momentum factor. Default: 0. */
  momentum: number;
  /** Normalise by the estimated variance (subtract the squared mean gradient). Default: false. */
  centered: boolean;
  /** Maximize the objective instead of minimizing it. Default: false. */
  maximize: boolean;
}

/** Options of `RMSprop`: any group option, and the update implementation. */
export type RMSpropOptions = Partial<RMSpropGroupOptions> & ImplementationOptions;

/** RMSprop with `torch.optim.RMSprop`'s update. */
export class RMSprop extends ElementwiseOptimizer<RMSpropGroupOptions> {
  constructor(params: Parameter[] | Array<ParamGroupInput<RMSpropGroupOptions>>, options: RMSpropOptions = {}) {
    super(
      params,
      {
        lr: options.lr ?? 1e-2,
        alpha: options.alpha ?? 0.99,
        eps: options.eps ?? 1e-8,
        weightDecay: options.weightDecay ?? 0,
        momentum: options.momentum ?? 0,
        centered: options.centered ?? false,
        maximize: options.maximize ?? false,
      },
      options,
    );
  }

  protected override validateGroup(g: ParamGroup<RMSpropGroupOptions>): void {
    for (const key of ['lr', 'alpha', 'eps', 'weightDecay', 'momentum'] as const) checkNonNegative('RMSprop', key, g[key]);
  }

  protected rule(g: ParamGroup<RMSpropGroupOptions>, { param, grad, state }: RuleInput): RuleOutput {
    let d = g.maximize ? tf.neg(grad) : grad;
    if (g.weightDecay !== 0) d = tf.add(d, tf.mul(param, g.weightDecay));
    const sq = tf.mul(tf.mul(d, d), 1 - g.alpha);
    const sq0 = state?.square_avg;
    const squareAvg = sq0 === undefined ? sq : tf.add(tf.mul(sq0, g.alpha), sq);
    const next: Record<string, Tensor> = { square_avg: squareAvg };
    let avg: Tensor;
    if (g.centered) {
      const ga0 = state?.grad_avg;
      const gradAvg = ga0 === undefined ? tf.mul(d, 1 - g.alpha) : tf.add(tf.mul(ga0, g.alpha), tf.mul(d, 1 - g.alpha));
      next.grad_avg = gradAvg;
      avg = tf.sqrt(tf.sub(squareAvg, tf.mul(gradAvg, gradAvg)));
    } else {
      avg = tf.sqrt(squareAvg);
    }
    avg = tf.add(avg, g.eps);
    if (g.momentum > 0) {
      const b0 = state?.momentum_buffer;
      const buf = b0 === undefined ? tf.div(d, avg) : tf.add(tf.mul(b0, g.momentum), tf.div(d, avg));
      next.momentum_buffer = buf;
      return { param: tf.sub(param, tf.mul(buf, g.lr)), state: next };
    }
    return { param: tf.sub(param, tf.mul(tf.div(d, avg), g.lr)), state: next };
  }
}
