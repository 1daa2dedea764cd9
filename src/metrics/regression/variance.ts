/** Variance-explained metrics: R² (optionally adjusted) and explained variance, with scikit-learn's multioutput rules. */
import { MisconfigurationError } from '../../errors.js';
import type { MetricInput } from '../input.js';
import { Metric } from '../metric.js';
import { accumulate, readPairs, resolveOutputs } from './common.js';

/** How several outputs combine: one score each, their mean, or their mean weighted by each target's variance. */
export type Multioutput = 'raw_values' | 'uniform_average' | 'variance_weighted';

/** Options of `R2Score` and `ExplainedVariance`. */
export interface VarianceOptions<M extends Multioutput = 'uniform_average'> {
  /** Number of outputs (columns of `[N, numOutputs]` inputs). Default: 1. */
  numOutputs?: number;
  /** How outputs combine. Default: `'uniform_average'`. */
  multioutput?: M;
}

/** One number per output for `'raw_values'`, one number otherwise. */
export type MultioutputValue<M extends Multioutput> = M extends 'raw_values' ? number[] : number;

/** `1 − num/den` with scikit-learn's `force_finite`: 1 for a perfect fit of a constant target, 0 otherwise. */
function score(num: number, den: number): number {
  if (den !== 0) return 1 - num / den;
  return num === 0 ? 1 : 0;
}

/** Per-output sums of the target, its square, the error and its square, and a row count. */
abstract class VarianceMetric<M extends Multioutput> extends Metric<[MetricInput, MetricInput], MultioutputValue<M>> {
  protected readonly outputs: number;
  /** The multioutput rule in use. */
  readonly multioutput: Multioutput;

  protected constructor(options: VarianceOptions<M>) {
    super(options);
    this.outputs = resolveOutputs(new.target.name, options.numOutputs);
    this.multioutput = options.multioutput ?? 'uniform_average';
    if (!['raw_values', 'uniform_average', 'variance_weighted'].includes(this.multioutput)) {
      throw new MisconfigurationError(`${new.target.name}: multioutput must be 'raw_values', 'uniform_average' or 'variance_weighted', received ${JSON.stringify(this.multioutput)}.`);
    }
    for (const s of ['sumTarget', 'sumSquaredTarget', 'sumError', 'sumSquaredError']) this.addState(s, 'sum', this.outputs);
    this.addState('total', 'sum');
  }

  protected updateState(preds: MetricInput, target: MetricInput): void {
    const pairs = readPairs(this.constructor.name, preds, target, this.outputs);
    accumulate(this.state('sumTarget'), pairs, (_p, y) => y);
    accumulate(this.state('sumSquaredTarget'), pairs, (_p, y) => y * y);
    accumulate(this.state('sumError'), pairs, (p, y) => y - p);
    accumulate(this.state('sumSquaredError'), pairs, (p, y) => (y - p) * (y - p));
    this.state('total')[0] = (this.state('total')[0] ?? 0) + pairs.rows;
  }

  /** `n` times the variance of the target, per output (0 when within rounding of 0: a constant target). */
  protected targetSpread(k: number): number {
    const n = this.state('total')[0] ?? 0;
    const s = this.state('sumTarget')[k] ?? 0;
    const sq = this.state('sumSquaredTarget')[k] ?? 0;
    const spread = sq - (s * s) / n;
    return Math.abs(spread) <= 1e-12 * sq ? 0 : spread;
  }

  /** Combine per-output scores; `spreads` are the variance weights. */
  protected combine(scores: number[], spreads: number[]): MultioutputValue<M> {
    type Out = MultioutputValue<M>;
    if (this.multioutput === 'raw_values') return scores as Out;
    const total = spreads.reduce((a, b) => a + b, 0);
    if (this.multioutput === 'variance_weighted' && total !== 0) {
      return scores.reduce((a, s, k) => a + s * (spreads[k] ?? 0), 0) / total as Out;
    }
    return (scores.reduce((a, b) => a + b, 0) / scores.length) as Out;
  }
}

/** Options of `R2Score`. */
export interface R2ScoreOptions<M extends Multioutput = 'uniform_average'> extends VarianceOptions<M> {
  /** Number of regressors for the adjusted R² `1 − (1 − R²)(n − 1)/(n − k − 1)`; 0 is the plain R². Default: 0. */
  adjusted?: number;
}

/** Coefficient of determination R², as scikit-learn's `r2_score` (a constant target scores 1 if fitted exactly, else 0). */
export class R2Score<M extends Multioutput = 'uniform_average'> extends VarianceMetric<M> {
  /** Number of regressors for the adjustment. */
  readonly adjusted: number;

  constructor(options: R2ScoreOptions<M> = {}) {
    super(options);
    this.adjusted = options.adjusted ?? 0;
    if (!Number.isInteger(this.adjusted) || this.adjusted < 0) throw new MisconfigurationError(`R2Score: adjusted must be a non-negative integer, received ${this.adjusted}.`);
  }

  compute(): MultioutputValue<M> {
    const spreads = Array.from({ length: this.outputs }, (_, k) => this.targetSpread(k));
    const scores = spreads.map((den, k) => score(this.state('sumSquaredError')[k] ?? 0, den));
    const r2 = this.combine(scores, spreads);
    if (this.adjusted === 0) return r2;
    const n = this.state('total')[0] ?? 0;
    const adjust = (v: number): number => 1 - ((1 - v) * (n - 1)) / (n - this.adjusted - 1);
    return (Array.isArray(r2) ? r2.map(adjust) : adjust(r2)) as MultioutputValue<M>;
  }
}

/** Explained variance `1 − Var(y − ŷ)/Var(y)`, as scikit-learn's `explained_variance_score`. */
export class ExplainedVariance<M extends Multioutput = 'uniform_average'> extends VarianceMetric<M> {
  constructor(options: VarianceOptions<M> = {}) {
    super(options);
  }

  compute(): MultioutputValue<M> {
    const n = this.state('total')[0] ?? 0;
    const spreads = Array.from({ length: this.outputs }, (_, k) => this.targetSpread(k));
    const scores = spreads.map((den, k) => {
      const e = this.state('sumError')[k] ?? 0;
      return score((this.state('sumSquaredError')[k] ?? 0) - (e * e) / n, den);
    });
    return this.combine(scores, spreads);
  }
}
