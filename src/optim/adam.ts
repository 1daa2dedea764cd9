/** `Adam` and `AdamW` (decoupled weight decay), with AMSGrad and maximize, as `torch.optim.Adam`/`AdamW` 1.13. */
import type { Parameter } from '../nn/parameter.js';
import { tf } from '../runtime/tf.js';
import type { Tensor } from '../runtime/tf.js';
import { ElementwiseOptimizer, checkBetas, checkNonNegative } from './elementwise-optimizer.js';
import type { ImplementationOptions, RuleInput, RuleOutput } from './elementwise-optimizer.js';
import type { ParamGroup, ParamGroupInput } from './optimizer.js';

/** Param-group options of `Adam` and `AdamW`. */
export interface AdamGroupOptions {
  /** Learning rate. Default: 1e-3. */
  lr: number;
  /** Decay rates of the first and second moment estimates. Default: [0.9, 0.999]. */
  betas: [number, number];
  /** Added to the denominator for numerical stability. Default: 1e-8. */
  eps: number;
  /** L2 penalty (Adam) or decoupled decay (AdamW). Default: 0 for Adam, 1e-2 for AdamW. */
  weightDecay: number;
  /** Use the AMSGrad variant. Default: false. */
  amsgrad: boolean;
  /** Maximize the objective instead of minimizing it. Default: false. */
  maximize: boolean;
}

/** Options of `Adam`/`AdamW`: any group option, and the update implementation. */
export type AdamOptions = Partial<AdamGroupOptions> & ImplementationOptions;

function resolve(o: AdamOptions, weightDecay: number): AdamGroupOptions {
  return {
    lr: o.lr ?? 1e-3,
    betas: o.betas ?? [0.9, 0.999],
    eps: o.eps ?? 1e-8,
    weightDecay: o.weightDecay ?? weightDecay,
    amsgrad: o.amsgrad ?? false,
    maximize: o.maximize ?? false,
  };
}

function validate(name: string, g: ParamGroup<AdamGroupOptions>): void {
  checkNonNegative(name, 'lr', g.lr);
  checkNonNegative(name, 'eps', g.eps);
  checkBetas(name, g.betas);
  checkNonNegative(name, 'weightDecay', g.weightDecay);
}

/** The Adam moment update; `l2` adds weight decay to the gradient (Adam), otherwise it is decoupled (AdamW). */
function adamRule(g: ParamGroup<AdamGroupOptions>, { param, grad, state, step }: RuleInput, l2: boolean): RuleOutput {
  const [beta1, beta2] = g.betas;
  let d = g.maximize ? tf.neg(grad) : grad;
  let p = param;
  if (g.weightDecay !== 0) {
    if (l2) d = tf.add(d, tf.mul(param, g.weightDecay));
    else p = tf.mul(param, 1 - g.lr * g.weightDecay);
  }
  const m0 = state?.exp_avg;
  const v0 = state?.exp_avg_sq;
  const expAvg = m0 === undefined ? tf.mul(d, 1 - beta1) : tf.add(tf.mul(m0, beta1), tf.mul(d, 1 - beta1));
  const sq = tf.mul(tf.mul(d, d), 1 - beta2);
  const expAvgSq = v0 === undefined ? sq : tf.add(tf.mul(v0, beta2), sq);
  const next: Record<string, Tensor> = { exp_avg: expAvg, exp_avg_sq: expAvgSq };
  let second = expAvgSq;
  if (g.amsgrad) {
    const max0 = state?.max_exp_avg_sq;
    second = max0 === undefined ? tf.clone(expAvgSq) : tf.maximum(max0, expAvgSq);
    next.max_exp_avg_sq = second;
  }
  const stepSize = g.lr / (1 - beta1 ** step);
  const bc2Sqrt = Math.sqrt(1 - beta2 ** step);
  const denom = tf.add(tf.div(tf.sqrt(second), bc2Sqrt), g.eps);
  return { param: tf.sub(p, tf.mul(tf.div(expAvg, denom), stepSize)), state: next };
}

/** Adam (`torch.optim.Adam`): weight decay is an L2 term added to the gradient. */
export class Adam extends ElementwiseOptimizer<AdamGroupOptions> {
  constructor(params: Parameter[] | Array<ParamGroupInput<AdamGroupOptions>>, options: AdamOptions = {}) {
    super(params, resolve(options, 0), options);
  }

  protected override validateGroup(g: ParamGroup<AdamGroupOptions>): void {
    validate('Adam', g);
  }

  protected rule(g: ParamGroup<AdamGroupOptions>, input: RuleInput): RuleOutput {
    return adamRule(g, input, true);
  }
}

/** AdamW (`torch.optim.AdamW`): weight decay shrinks the parameters directly, decoupled from the gradient. */
export class AdamW extends ElementwiseOptimizer<AdamGroupOptions> {
  constructor(params: Parameter[] | Array<ParamGroupInput<AdamGroupOptions>>, options: AdamOptions = {}) {
    super(params, resolve(options, 1e-2), options);
  }

  protected override validateGroup(g: ParamGroup<AdamGroupOptions>): void {
    validate('AdamW', g);
  }

  protected rule(g: ParamGroup<AdamGroupOptions>, input: RuleInput): RuleOutput {
    return adamRule(g, input, false);
  }
}
