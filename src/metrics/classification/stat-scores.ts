/**
 * The stat-score core shared by Accuracy, Precision, Recall, F-beta and Specificity: per-class true/false
 * positive/negative counts kept on the host (float64, `sum` reduction) and the averaging rules.
 */
import { MisconfigurationError } from '../../errors.js';
import type { MetricInput } from '../input.js';
import { Metric } from '../metric.js';
import { formatLabels, formatScores, resolveTask, topKHot } from './format.js';
import type { ResolvedTask, TaskOptions } from './format.js';

/**
 * How per-class scores combine: `micro` sums the counts over classes first; `macro` is the plain mean over classes
 * (multiclass: classes that never occur in target nor preds are left out, as torchmetrics and scikit-learn do);
 * `weighted` weighs each class by its support (`tp + fn`); `none` returns one score per class.
 */
export type Average = 'micro' | 'macro' | 'weighted' | 'none';

/** A number, or one number per class when `average` is `'none'`. */
export type AveragedValue<A extends Average> = A extends 'none' ? number[] : number;

/** Options of the stat-score metrics. */
export interface StatScoresOptions<A extends Average = 'micro'> extends TaskOptions {
  /** How per-class scores combine (multiclass and multilabel). Default: `'micro'` (torchmetrics' task wrappers). */
  average?: A;
  /** Multiclass only: a sample counts as predicting each of its `topK` highest-scored classes. Default: 1. */
  topK?: number;
}

/** `a / b`, or 0 when `b` is 0 (torchmetrics' and scikit-learn's `zero_division=0`). */
export function safeDivide(a: number, b: number): number {
  return b === 0 ? 0 : a / b;
}

/** True/false positive/negative counts of one class (or summed over classes). */
export interface Counts {
  tp: number;
  fp: number;
  tn: number;
  fn: number;
}

/** Base of the stat-score metrics: accumulates counts per class; subclasses give the score of one set of counts. */
export abstract class StatScoresMetric<A extends Average = 'micro'> extends Metric<[MetricInput, MetricInput], AveragedValue<A>> {
  protected readonly t: ResolvedTask;
  /** The averaging rule in use. */
  readonly average: Average;
  /** Multiclass top-k. */
  readonly topK: number;

  protected constructor(options: StatScoresOptions<A>) {
    super(options);
    this.t = resolveTask(new.target.name, options);
    this.average = options.average ?? 'micro';
    this.topK = options.topK ?? 1;
    if (!['micro', 'macro', 'weighted', 'none'].includes(this.average)) {
      throw new MisconfigurationError(`${this.t.name}: average must be 'micro', 'macro', 'weighted' or 'none', received ${JSON.stringify(this.average)}.`);
    }
    if (!Number.isInteger(this.topK) || this.topK < 1 || (this.topK > 1 && (this.t.task !== 'multiclass' || this.topK > this.t.width))) {
      throw new MisconfigurationError(`${this.t.name}: topK must be an integer in [1, numClasses] and only applies to multiclass, received ${this.topK}.`);
    }
    for (const s of ['tp', 'fp', 'tn', 'fn']) this.addState(s, 'sum', this.t.width);
  }

  /** The score of one class's counts (or of counts summed over classes for `micro`). */
  protected abstract score(c: Counts): number;

  protected updateState(preds: MetricInput, target: MetricInput): void {
    const [tp, fp, tn, fn] = [this.state('tp'), this.state('fp'), this.state('tn'), this.state('fn')];
    const w = this.t.width;
    if (this.t.task === 'multiclass') {
      const { predHot, target: y, rows } = this.multiclassHot(preds, target);
      for (let r = 0; r < rows; r++) {
        for (let k = 0; k < w; k++) {
          const p = predHot[r * w + k] === 1;
          const pos = y[r] === k;
          const arr = p ? (pos ? tp : fp) : pos ? fn : tn;
          arr[k] = (arr[k] ?? 0) + 1;
        }
      }
      return;
    }
    const { values, target: y } = formatLabels(this.t, preds, target);
    for (let i = 0; i < y.length; i++) {
      const yi = y[i] ?? -1;
      if (yi < 0) continue;
      const arr = values[i] === 1 ? (yi === 1 ? tp : fp) : yi === 1 ? fn : tn;
      const k = i % w;
      arr[k] = (arr[k] ?? 0) + 1;
    }
  }

  private multiclassHot(preds: MetricInput, target: MetricInput): { predHot: Uint8Array; target: Int32Array; rows: number } {
    const w = this.t.width;
    if (this.topK > 1) {
      const s = formatScores(this.t, preds, target);
      return { predHot: topKHot(s.values, w, this.topK), target: s.target, rows: s.rows };
    }
    const l = formatLabels(this.t, preds, target);
    const predHot = new Uint8Array(l.rows * w);
    for (let r = 0; r < l.rows; r++) predHot[r * w + (l.values[r] ?? 0)] = 1;
    return { predHot, target: l.target, rows: l.rows };
  }

  /** Counts of class `k`. */
  protected counts(k: number): Counts {
    return { tp: this.state('tp')[k] ?? 0, fp: this.state('fp')[k] ?? 0, tn: this.state('tn')[k] ?? 0, fn: this.state('fn')[k] ?? 0 };
  }

  compute(): AveragedValue<A> {
    const w = this.t.width;
    const perClass = Array.from({ length: w }, (_, k) => this.counts(k));
    if (this.t.task === 'binary') {
      const v = this.score(perClass[0] ?? { tp: 0, fp: 0, tn: 0, fn: 0 });
      return (this.average === 'none' ? [v] : v) as AveragedValue<A>;
    }
    if (this.average === 'micro') {
      const sum = perClass.reduce((a, c) => ({ tp: a.tp + c.tp, fp: a.fp + c.fp, tn: a.tn + c.tn, fn: a.fn + c.fn }));
      return this.score(sum) as AveragedValue<A>;
    }
    const scores = perClass.map((c) => this.score(c));
    if (this.average === 'none') return scores as AveragedValue<A>;
    const weights = perClass.map((c) => {
      if (this.average === 'weighted') return c.tp + c.fn;
      if (this.t.task === 'multiclass' && (this.topK === 1 ? c.tp + c.fp + c.fn : c.tp + c.fn) === 0) return 0;
      return 1;
    });
    const total = weights.reduce((a, b) => a + b, 0);
    return safeDivide(scores.reduce((a, s, k) => a + s * (weights[k] ?? 0), 0), total) as AveragedValue<A>;
  }
}
