/** Metrics derived from the confusion matrix: ConfusionMatrix, MatthewsCorrCoef and CohenKappa. */
import { MisconfigurationError } from '../../errors.js';
import type { MetricInput } from '../input.js';
import { Metric } from '../metric.js';
import { formatLabels, resolveTask } from './format.js';
import type { ClassificationTask, ResolvedTask, TaskOptions } from './format.js';

/** Confusion-matrix accumulation: rows are targets, columns predictions; multilabel keeps one 2×2 matrix per label. */
abstract class ConfmatMetric<Value, O extends TaskOptions = TaskOptions> extends Metric<[MetricInput, MetricInput], Value> {
  protected readonly t: ResolvedTask;
  /** Side of each matrix: 2 (binary, multilabel) or numClasses. */
  protected readonly side: number;

  protected constructor(options: O) {
    super(options);
    this.t = resolveTask(new.target.name, options);
    this.side = this.t.task === 'multiclass' ? this.t.width : 2;
    this.addState('confmat', 'sum', this.t.task === 'multilabel' ? this.t.width * 4 : this.side * this.side);
  }

  protected updateState(preds: MetricInput, target: MetricInput): void {
    const m = this.state('confmat');
    const { values, target: y } = formatLabels(this.t, preds, target);
    const labels = this.t.task === 'multilabel' ? this.t.width : 1;
    for (let i = 0; i < y.length; i++) {
      const yi = y[i] ?? -1;
      if (yi < 0) continue;
      const idx = (labels === 1 ? 0 : (i % labels) * 4) + yi * this.side + (values[i] ?? 0);
      m[idx] = (m[idx] ?? 0) + 1;
    }
  }

  /** Matrix `k` (0 unless multilabel) as rows. */
  protected matrix(k = 0): number[][] {
    const m = this.state('confmat');
    const base = k * this.side * this.side;
    return Array.from({ length: this.side }, (_, r) => Array.from(m.subarray(base + r * this.side, base + (r + 1) * this.side)));
  }

  /** The matrix for scalar scores: multilabel sums its per-label 2×2 matrices. */
  protected pooled(): number[][] {
    if (this.t.task !== 'multilabel') return this.matrix();
    const out = [
      [0, 0],
      [0, 0],
    ];
    for (let k = 0; k < this.t.width; k++) {
      this.matrix(k).forEach((row, r) => row.forEach((v, c) => (out[r]![c]! += v)));
    }
    return out;
  }
}

/** How `ConfusionMatrix` normalises: over targets (rows), predictions (columns), everything, or not at all. */
export type ConfusionNormalize = 'true' | 'pred' | 'all' | 'none';

/** Options of `ConfusionMatrix`. */
export interface ConfusionMatrixOptions<T extends ClassificationTask> extends TaskOptions {
  task: T;
  /** Normalisation (a row/column of zeros stays zeros). Default: `'none'` (counts). */
  normalize?: ConfusionNormalize;
}

/**
 * Confusion matrix with targets as rows and predictions as columns (scikit-learn's layout). `compute()` returns
 * `number[][]` (binary: 2×2, multiclass: numClasses²) or, for multilabel, one `[[tn, fp], [fn, tp]]` per label.
 */
export class ConfusionMatrix<T extends ClassificationTask = ClassificationTask> extends ConfmatMetric<
  T extends 'multilabel' ? number[][][] : number[][],
  ConfusionMatrixOptions<T>
> {
  /** The normalisation in use. */
  readonly normalize: ConfusionNormalize;

  constructor(options: ConfusionMatrixOptions<T>) {
    super(options);
    this.normalize = options.normalize ?? 'none';
  }

  compute(): T extends 'multilabel' ? number[][][] : number[][] {
    type Out = T extends 'multilabel' ? number[][][] : number[][];
    if (this.t.task === 'multilabel') return Array.from({ length: this.t.width }, (_, k) => this.normalized(this.matrix(k))) as Out;
    return this.normalized(this.matrix()) as Out;
  }

  private normalized(m: number[][]): number[][] {
    const div = (v: number, d: number): number => (d === 0 ? 0 : v / d);
    if (this.normalize === 'true') return m.map((row) => row.map((v) => div(v, row.reduce((a, b) => a + b, 0))));
    if (this.normalize === 'pred') return m.map((row) => row.map((v, c) => div(v, m.reduce((a, r) => a + (r[c] ?? 0), 0))));
    if (this.normalize === 'all') {
      const total = m.flat().reduce((a, b) => a + b, 0);
      return m.map((row) => row.map((v) => div(v, total)));
    }
    return m;
  }
}

/**
 * Matthews correlation coefficient (multiclass: the R_K statistic; multilabel: over the summed per-label 2×2
 * matrices). 0 when undefined (a constant prediction or target), as scikit-learn.
 */
export class MatthewsCorrCoef extends ConfmatMetric<number> {
  constructor(options: TaskOptions) {
    super(options);
  }

  compute(): number {
    const m = this.pooled();
    const n = m.length;
    let correct = 0;
    let total = 0;
    const t = new Array<number>(n).fill(0);
    const p = new Array<number>(n).fill(0);
    m.forEach((row, r) =>
      row.forEach((v, c) => {
        total += v;
        if (r === c) correct += v;
        t[r]! += v;
        p[c]! += v;
      }),
    );
    const dot = (a: number[], b: number[]): number => a.reduce((s, x, i) => s + x * (b[i] ?? 0), 0);
    const cov = correct * total - dot(t, p);
    const denom = Math.sqrt((total * total - dot(p, p)) * (total * total - dot(t, t)));
    return denom === 0 ? 0 : cov / denom;
  }
}

/** Options of `CohenKappa`. */
export interface CohenKappaOptions extends TaskOptions {
  task: 'binary' | 'multiclass';
  /** Disagreement weights: none (all disagreements count 1), `'linear'` |i−j| or `'quadratic'` (i−j)². Default: none. */
  weights?: 'linear' | 'quadratic';
}

/** Cohen's kappa between predictions and targets (binary or multiclass); NaN when undefined, as scikit-learn. */
export class CohenKappa extends ConfmatMetric<number, CohenKappaOptions> {
  /** The weighting in use. */
  readonly weights: 'linear' | 'quadratic' | undefined;

  constructor(options: CohenKappaOptions) {
    super(options);
    if (options.task !== 'binary' && options.task !== 'multiclass') {
      throw new MisconfigurationError(`CohenKappa supports task 'binary' or 'multiclass', received ${JSON.stringify(options.task)}.`);
    }
    this.weights = options.weights;
  }

  compute(): number {
    const m = this.matrix();
    const n = m.length;
    const t = m.map((row) => row.reduce((a, b) => a + b, 0));
    const p = Array.from({ length: n }, (_, c) => m.reduce((a, row) => a + (row[c] ?? 0), 0));
    const total = t.reduce((a, b) => a + b, 0);
    let observed = 0;
    let expected = 0;
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) {
        const w = this.weights === 'linear' ? Math.abs(i - j) : this.weights === 'quadratic' ? (i - j) ** 2 : i === j ? 0 : 1;
        observed += w * (m[i]?.[j] ?? 0);
        expected += (w * (t[i] ?? 0) * (p[j] ?? 0)) / total;
      }
    }
    return 1 - observed / expected;
  }
}
