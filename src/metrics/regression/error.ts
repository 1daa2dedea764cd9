/** Error metrics: mean squared (or root mean squared), mean absolute and mean absolute percentage error. */
import type { MetricInput } from '../input.js';
import { Metric } from '../metric.js';
import { accumulate, perOutput, readPairs, resolveOutputs } from './common.js';
import type { OutputOptions, OutputValue } from './common.js';

/** Base of the per-element mean metrics: a sum per output and a row count. */
abstract class MeanErrorMetric<N extends number> extends Metric<[MetricInput, MetricInput], OutputValue<N>> {
  protected readonly outputs: number;

  protected constructor(options: OutputOptions<N>) {
    super(options);
    this.outputs = resolveOutputs(new.target.name, options.numOutputs);
    this.addState('sumError', 'sum', this.outputs);
    this.addState('total', 'sum');
  }

  protected abstract error(pred: number, target: number): number;

  protected updateState(preds: MetricInput, target: MetricInput): void {
    const pairs = readPairs(this.constructor.name, preds, target, this.outputs);
    accumulate(this.state('sumError'), pairs, (p, y) => this.error(p, y));
    this.state('total')[0] = (this.state('total')[0] ?? 0) + pairs.rows;
  }

  /** Mean error per output (NaN before any update). */
  protected means(): number[] {
    const total = this.state('total')[0] ?? 0;
    return Array.from(this.state('sumError'), (s) => s / total);
  }
}

/** Options of `MeanSquaredError`. */
export interface MeanSquaredErrorOptions<N extends number = 1> extends OutputOptions<N> {
  /** `true`: the mean squared error; `false`: its square root (RMSE). Default: true. */
  squared?: boolean;
}

/** Mean squared error (or RMSE with `squared: false`), per output when `numOutputs` > 1. */
export class MeanSquaredError<N extends number = 1> extends MeanErrorMetric<N> {
  /** Whether the value is squared (MSE) or not (RMSE). */
  readonly squared: boolean;

  constructor(options: MeanSquaredErrorOptions<N> = {}) {
    super(options);
    this.squared = options.squared ?? true;
  }

  protected error(p: number, y: number): number {
    return (p - y) * (p - y);
  }

  compute(): OutputValue<N> {
    return perOutput<N>(this.means().map((m) => (this.squared ? m : Math.sqrt(m))));
  }
}

/** Mean absolute error, per output when `numOutputs` > 1. */
export class MeanAbsoluteError<N extends number = 1> extends MeanErrorMetric<N> {
  constructor(options: OutputOptions<N> = {}) {
    super(options);
  }

  protected error(p: number, y: number): number {
    return Math.abs(p - y);
  }

  compute(): OutputValue<N> {
    return perOutput<N>(this.means());
  }
}

/** torchmetrics' floor on |target| in MAPE's denominator (scikit-learn uses float64's epsilon). */
export const MAPE_EPSILON = 1.17e-6;

/** Mean absolute percentage error `mean(|y − ŷ| / max(|y|, 1.17e-6))` as a fraction (not ×100), as torchmetrics. */
export class MeanAbsolutePercentageError<N extends number = 1> extends MeanErrorMetric<N> {
  constructor(options: OutputOptions<N> = {}) {
    super(options);
  }

  protected error(p: number, y: number): number {
    return Math.abs(p - y) / Math.max(Math.abs(y), MAPE_EPSILON);
  }

  compute(): OutputValue<N> {
    return perOutput<N>(this.means());
  }
}
