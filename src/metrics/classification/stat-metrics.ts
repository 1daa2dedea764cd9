/** Accuracy, Precision, Recall, F-beta/F1 and Specificity on top of the stat-score counts. */
import { MisconfigurationError } from '../../errors.js';
import { StatScoresMetric, safeDivide } from './stat-scores.js';
import type { Average, Counts, StatScoresOptions } from './stat-scores.js';

/**
 * Accuracy. Binary and multilabel: `(tp + tn) / all` (multilabel `micro` over every element, `macro` the mean over
 * labels). Multiclass: `micro` is the fraction of samples whose target is among the `topK` predictions; per class
 * it is the class's recall, so `macro` is the mean per-class recall (balanced accuracy). Default average `'micro'`.
 *
 * @example
 * const acc = new Accuracy({ task: 'multiclass', numClasses: 10 });
 * acc.update(logits, labels);  // logits [N, 10] float32, labels [N] int32
 * acc.compute();               // a number in [0, 1]
 */
export class Accuracy<A extends Average = 'micro'> extends StatScoresMetric<A> {
  constructor(options: StatScoresOptions<A>) {
    super(options);
  }

  protected score(c: Counts): number {
    if (this.t.task === 'multiclass') return safeDivide(c.tp, c.tp + c.fn);
    return safeDivide(c.tp + c.tn, c.tp + c.tn + c.fp + c.fn);
  }
}

/** Precision `tp / (tp + fp)` (0 when nothing was predicted positive). Default average `'micro'`. */
export class Precision<A extends Average = 'micro'> extends StatScoresMetric<A> {
  constructor(options: StatScoresOptions<A>) {
    super(options);
  }

  protected score(c: Counts): number {
    return safeDivide(c.tp, c.tp + c.fp);
  }
}

/** Recall (sensitivity) `tp / (tp + fn)` (0 for a class without positives). Default average `'micro'`. */
export class Recall<A extends Average = 'micro'> extends StatScoresMetric<A> {
  constructor(options: StatScoresOptions<A>) {
    super(options);
  }

  protected score(c: Counts): number {
    return safeDivide(c.tp, c.tp + c.fn);
  }
}

/** Specificity `tn / (tn + fp)`. Default average `'micro'`; `weighted` weighs by support (`tp + fn`), as torchmetrics. */
export class Specificity<A extends Average = 'micro'> extends StatScoresMetric<A> {
  constructor(options: StatScoresOptions<A>) {
    super(options);
  }

  protected score(c: Counts): number {
    return safeDivide(c.tn, c.tn + c.fp);
  }
}

/** Options of `FBetaScore`. */
export interface FBetaOptions<A extends Average = 'micro'> extends StatScoresOptions<A> {
  /** Weight of recall relative to precision. Default: 1 (F1). */
  beta?: number;
}

/** F-beta `(1 + β²) tp / ((1 + β²) tp + β² fn + fp)` (0 when the denominator is 0). Default average `'micro'`. */
export class FBetaScore<A extends Average = 'micro'> extends StatScoresMetric<A> {
  /** The beta in use. */
  readonly beta: number;

  constructor(options: FBetaOptions<A>) {
    super(options);
    this.beta = options.beta ?? 1;
    if (!(this.beta > 0)) throw new MisconfigurationError(`FBetaScore: beta must be a positive number, received ${this.beta}.`);
  }

  protected score(c: Counts): number {
    const b2 = this.beta * this.beta;
    return safeDivide((1 + b2) * c.tp, (1 + b2) * c.tp + b2 * c.fn + c.fp);
  }
}

/** F1 score: `FBetaScore` with beta 1. */
export class F1Score<A extends Average = 'micro'> extends FBetaScore<A> {
  constructor(options: StatScoresOptions<A>) {
    super({ ...options, beta: 1 });
  }
}
