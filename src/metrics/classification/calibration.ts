/** Calibration error (ECE and its L2/max variants) over equal-width confidence bins, kept as per-bin sums. */
import { MisconfigurationError } from '../../errors.js';
import type { MetricInput } from '../input.js';
import { Metric } from '../metric.js';
import { formatScores, resolveTask } from './format.js';
import type { ResolvedTask, TaskOptions } from './format.js';

/** Options of `CalibrationError`. */
export interface CalibrationErrorOptions extends TaskOptions {
  task: 'binary' | 'multiclass';
  /** Number of equal-width bins over [0, 1]. Default: 15. */
  nBins?: number;
  /** `'l1'`: expected calibration error; `'l2'`: root of the weighted squared gaps; `'max'`: the largest gap. Default: `'l1'`. */
  norm?: 'l1' | 'l2' | 'max';
}

/**
 * Calibration error as torchmetrics defines it. Binary: the confidence is the positive-class probability and the
 * "accuracy" the target; multiclass: the top probability and whether the argmax is right. Bin `i` holds confidences
 * in `[i/n, (i+1)/n)`, the last bin also 1. The state is three sums per bin, so it is exact and constant-size.
 */
export class CalibrationError extends Metric<[MetricInput, MetricInput], number> {
  private readonly t: ResolvedTask;
  /** Bin count. */
  readonly nBins: number;
  /** Norm in use. */
  readonly norm: 'l1' | 'l2' | 'max';
  private readonly boundaries: number[];

  constructor(options: CalibrationErrorOptions) {
    super(options);
    this.t = resolveTask('CalibrationError', options);
    if (this.t.task === 'multilabel') throw new MisconfigurationError("CalibrationError supports task 'binary' or 'multiclass', received 'multilabel'.");
    this.nBins = options.nBins ?? 15;
    this.norm = options.norm ?? 'l1';
    if (!Number.isInteger(this.nBins) || this.nBins < 1) throw new MisconfigurationError(`CalibrationError: nBins must be a positive integer, received ${this.nBins}.`);
    this.boundaries = Array.from({ length: this.nBins + 1 }, (_, i) => i / this.nBins);
    this.addState('count', 'sum', this.nBins);
    this.addState('confidence', 'sum', this.nBins);
    this.addState('accuracy', 'sum', this.nBins);
  }

  private bin(conf: number): number {
    let lo = 0;
    let hi = this.boundaries.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((this.boundaries[mid] ?? 0) <= conf) lo = mid + 1;
      else hi = mid;
    }
    return Math.min(Math.max(lo - 1, 0), this.nBins - 1);
  }

  protected updateState(preds: MetricInput, target: MetricInput): void {
    const f = formatScores(this.t, preds, target);
    const [count, confidence, accuracy] = [this.state('count'), this.state('confidence'), this.state('accuracy')];
    const w = this.t.width;
    for (let r = 0; r < f.rows; r++) {
      let conf: number;
      let acc: number;
      if (this.t.task === 'binary') {
        conf = f.values[r] ?? 0;
        acc = f.target[r] ?? 0;
      } else {
        let best = 0;
        for (let k = 1; k < w; k++) if ((f.values[r * w + k] ?? 0) > (f.values[r * w + best] ?? 0)) best = k;
        conf = f.values[r * w + best] ?? 0;
        acc = best === f.target[r] ? 1 : 0;
      }
      const b = this.bin(conf);
      count[b] = (count[b] ?? 0) + 1;
      confidence[b] = (confidence[b] ?? 0) + conf;
      accuracy[b] = (accuracy[b] ?? 0) + acc;
    }
  }

  compute(): number {
    const [count, confidence, accuracy] = [this.state('count'), this.state('confidence'), this.state('accuracy')];
    const total = count.reduce((a, b) => a + b, 0);
    let l1 = 0;
    let l2 = 0;
    let max = 0;
    for (let b = 0; b < this.nBins; b++) {
      const n = count[b] ?? 0;
      if (n === 0) continue;
      const gap = Math.abs((accuracy[b] ?? 0) / n - (confidence[b] ?? 0) / n);
      l1 += (gap * n) / total;
      l2 += (gap * gap * n) / total;
      max = Math.max(max, gap);
    }
    return this.norm === 'l1' ? l1 : this.norm === 'l2' ? Math.sqrt(l2) : max;
  }
}
