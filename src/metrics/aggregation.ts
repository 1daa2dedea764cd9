/** Aggregation metrics: mean, sum, max, min, concatenation and a running mean over the last updates. */
import { MisconfigurationError } from '../errors.js';
import { warn } from '../utilities/warnings.js';
import { toHost } from './input.js';
import type { MetricInput } from './input.js';
import { Metric } from './metric.js';

/** What to do with NaN values: throw, drop them with a warning (`warn`), drop them silently, keep them, or replace them by a number. */
export type NanStrategy = 'error' | 'warn' | 'ignore' | 'disable' | number;

/** Options shared by the aggregation metrics. */
export interface AggregationOptions {
  /** NaN handling. Default: `'warn'` (drop NaNs and warn once), as torchmetrics. */
  nanStrategy?: NanStrategy;
}

function cleanValues(name: string, x: MetricInput, strategy: NanStrategy, weight?: MetricInput): { values: Float64Array; weights: Float64Array } {
  const v = toHost(x, `${name} value`);
  const w = weight === undefined ? undefined : toHost(weight, `${name} weight`);
  if (w !== undefined && w.data.length !== 1 && w.data.length !== v.data.length) {
    throw new MisconfigurationError(`${name}: weight must be a scalar or have as many values as value (${v.data.length}), received ${w.data.length}.`);
  }
  const values: number[] = [];
  const weights: number[] = [];
  for (let i = 0; i < v.data.length; i++) {
    let value = v.data[i] ?? 0;
    const wi = w === undefined ? 1 : (w.data.length === 1 ? w.data[0] : w.data[i]) ?? 1;
    if (Number.isNaN(value) || Number.isNaN(wi)) {
      if (strategy === 'error') throw new MisconfigurationError(`${name} received a NaN value.`, "Pass nanStrategy: 'ignore' (or 'warn') to drop NaNs, or a number to replace them.");
      if (strategy === 'warn') warn('LT-METRIC-NAN', `${name} received NaN values and dropped them (nanStrategy 'warn').`);
      if (strategy === 'warn' || strategy === 'ignore') continue;
      if (typeof strategy === 'number') value = strategy;
    }
    values.push(value);
    weights.push(Number.isNaN(wi) && typeof strategy === 'number' ? strategy : wi);
  }
  return { values: Float64Array.from(values), weights: Float64Array.from(weights) };
}

/** Weighted mean of every value seen (`update(value, weight = 1)`); NaN before any update. */
export class MeanMetric extends Metric<[MetricInput, MetricInput?], number> {
  private readonly nanStrategy: NanStrategy;

  constructor(options: AggregationOptions = {}) {
    super(options);
    this.nanStrategy = options.nanStrategy ?? 'warn';
    this.addState('meanValue', 'sum');
    this.addState('weight', 'sum');
  }

  protected updateState(value: MetricInput, weight?: MetricInput): void {
    const { values, weights } = cleanValues('MeanMetric', value, this.nanStrategy, weight);
    const sum = this.state('meanValue');
    const total = this.state('weight');
    for (let i = 0; i < values.length; i++) {
      sum[0] = (sum[0] ?? 0) + (values[i] ?? 0) * (weights[i] ?? 1);
      total[0] = (total[0] ?? 0) + (weights[i] ?? 1);
    }
  }

  compute(): number {
    return (this.state('meanValue')[0] ?? 0) / (this.state('weight')[0] ?? 0);
  }
}

/** Sum of every value seen. */
export class SumMetric extends Metric<[MetricInput], number> {
  private readonly nanStrategy: NanStrategy;

  constructor(options: AggregationOptions = {}) {
    super(options);
    this.nanStrategy = options.nanStrategy ?? 'warn';
    this.addState('sumValue', 'sum');
  }

  protected updateState(value: MetricInput): void {
    const s = this.state('sumValue');
    for (const v of cleanValues('SumMetric', value, this.nanStrategy).values) s[0] = (s[0] ?? 0) + v;
  }

  compute(): number {
    return this.state('sumValue')[0] ?? 0;
  }
}

/** Largest value seen; `-Infinity` before any update. */
export class MaxMetric extends Metric<[MetricInput], number> {
  private readonly nanStrategy: NanStrategy;

  constructor(options: AggregationOptions = {}) {
    super(options);
    this.nanStrategy = options.nanStrategy ?? 'warn';
    this.addState('maxValue', 'max', 1, -Infinity);
  }

  protected updateState(value: MetricInput): void {
    const s = this.state('maxValue');
    for (const v of cleanValues('MaxMetric', value, this.nanStrategy).values) s[0] = Math.max(s[0] ?? -Infinity, v);
  }

  compute(): number {
    return this.state('maxValue')[0] ?? -Infinity;
  }
}

/** Smallest value seen; `Infinity` before any update. */
export class MinMetric extends Metric<[MetricInput], number> {
  private readonly nanStrategy: NanStrategy;

  constructor(options: AggregationOptions = {}) {
    super(options);
    this.nanStrategy = options.nanStrategy ?? 'warn';
    this.addState('minValue', 'min', 1, Infinity);
  }

  protected updateState(value: MetricInput): void {
    const s = this.state('minValue');
    for (const v of cleanValues('MinMetric', value, this.nanStrategy).values) s[0] = Math.min(s[0] ?? Infinity, v);
  }

  compute(): number {
    return this.state('minValue')[0] ?? Infinity;
  }
}

/** Every value seen, flattened and concatenated in order (across processes: in rank order). */
export class CatMetric extends Metric<[MetricInput], number[]> {
  private readonly nanStrategy: NanStrategy;

  constructor(options: AggregationOptions = {}) {
    super(options);
    this.nanStrategy = options.nanStrategy ?? 'warn';
    this.addState('value', 'cat');
  }

  protected updateState(value: MetricInput): void {
    this.append('value', cleanValues('CatMetric', value, this.nanStrategy).values);
  }

  compute(): number[] {
    return Array.from(this.catState('value'));
  }
}

/** Options of `RunningMean`. */
export interface RunningMeanOptions extends AggregationOptions {
  /** How many of the most recent `update` calls the mean covers. Default: 5. */
  window?: number;
}

/** Mean of the values passed to the last `window` updates (each update's values weigh by their count). */
export class RunningMean extends Metric<[MetricInput], number> {
  private readonly nanStrategy: NanStrategy;
  /** Number of updates the mean covers. */
  readonly window: number;

  constructor(options: RunningMeanOptions = {}) {
    super(options);
    this.nanStrategy = options.nanStrategy ?? 'warn';
    this.window = options.window ?? 5;
    if (!Number.isInteger(this.window) || this.window < 1) {
      throw new MisconfigurationError(`RunningMean window must be a positive integer, received ${this.window}.`);
    }
    this.addState('sums', 'sum', this.window);
    this.addState('counts', 'sum', this.window);
    this.addState('position', 'max');
  }

  protected updateState(value: MetricInput): void {
    const { values } = cleanValues('RunningMean', value, this.nanStrategy);
    const position = this.state('position');
    const slot = (position[0] ?? 0) % this.window;
    this.state('sums')[slot] = values.reduce((a, b) => a + b, 0);
    this.state('counts')[slot] = values.length;
    position[0] = (position[0] ?? 0) + 1;
  }

  /** Update, and return the mean of this batch's values. */
  override forward(value: MetricInput): number {
    const { values } = cleanValues('RunningMean', value, this.nanStrategy);
    this.update(value);
    return values.reduce((a, b) => a + b, 0) / values.length;
  }

  compute(): number {
    const sum = this.state('sums').reduce((a, b) => a + b, 0);
    return sum / this.state('counts').reduce((a, b) => a + b, 0);
  }
}
