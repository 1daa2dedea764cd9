/**
 * Curve metrics (AUROC, AveragePrecision, ROC, PrecisionRecallCurve): they keep every probability and target on
 * the host (`cat` states) and compute exact curves, one-vs-rest per class for multiclass and per label for multilabel.
 */
import { MisconfigurationError } from '../../errors.js';
import type { MetricInput } from '../input.js';
import { Metric } from '../metric.js';
import { binaryAuroc, binaryAveragePrecision, precisionRecallCurve, rocCurve } from './curves.js';
import type { PrCurve, RocCurve } from './curves.js';
import { formatScores, resolveTask } from './format.js';
import type { ClassificationTask, ResolvedTask, TaskOptions } from './format.js';
import type { Average, AveragedValue } from './stat-scores.js';

/** Scores and 0/1 targets of one binary problem. */
interface BinaryProblem {
  scores: Float64Array;
  target: Uint8Array;
}

/** Base of the curve metrics: concatenated probabilities (class-last) and targets. */
abstract class CurveMetric<Value> extends Metric<[MetricInput, MetricInput], Value> {
  protected readonly t: ResolvedTask;

  protected constructor(options: TaskOptions) {
    super(options);
    this.t = resolveTask(new.target.name, options);
    this.addState('scores', 'cat');
    this.addState('target', 'cat');
  }

  protected updateState(preds: MetricInput, target: MetricInput): void {
    const f = formatScores(this.t, preds, target);
    this.append('scores', f.values);
    this.append('target', Float64Array.from(f.target));
  }

  /** The binary problem of class/label `k` (binary task: k = 0). */
  protected problem(k: number): BinaryProblem {
    const scores = this.catState('scores');
    const target = this.catState('target');
    const w = this.t.width;
    if (this.t.task === 'binary') return { scores, target: Uint8Array.from(target) };
    const s: number[] = [];
    const y: number[] = [];
    const rows = scores.length / w;
    for (let r = 0; r < rows; r++) {
      const label = this.t.task === 'multiclass' ? target[r] : target[r * w + k];
      if (label === undefined || label < 0) continue;
      s.push(scores[r * w + k] ?? 0);
      y.push(this.t.task === 'multiclass' ? (label === k ? 1 : 0) : label);
    }
    return { scores: Float64Array.from(s), target: Uint8Array.from(y) };
  }

  /** Every class's problem pooled into one (micro averaging: the flattened one-hot targets). */
  protected pooledProblem(): BinaryProblem {
    const parts = Array.from({ length: this.t.width }, (_, k) => this.problem(k));
    const n = parts.reduce((a, p) => a + p.scores.length, 0);
    const out = { scores: new Float64Array(n), target: new Uint8Array(n) };
    let offset = 0;
    for (const p of parts) {
      out.scores.set(p.scores, offset);
      out.target.set(p.target, offset);
      offset += p.scores.length;
    }
    return out;
  }
}

/** Options of AUROC and AveragePrecision. */
export interface RankingOptions<A extends Average = 'macro'> extends TaskOptions {
  /** Averaging over classes/labels (`micro` pools the one-vs-rest problems). Default: `'macro'` (torchmetrics). */
  average?: A;
}

/** A scalar score averaged over one-vs-rest problems; classes where it is undefined (NaN) are left out of averages. */
abstract class AveragedRanking<A extends Average> extends CurveMetric<AveragedValue<A>> {
  /** The averaging rule in use. */
  readonly average: Average;

  protected constructor(options: RankingOptions<A>) {
    super(options);
    this.average = options.average ?? 'macro';
  }

  protected abstract binaryScore(p: BinaryProblem): number;

  compute(): AveragedValue<A> {
    type Out = AveragedValue<A>;
    if (this.t.task === 'binary') {
      const v = this.binaryScore(this.problem(0));
      return (this.average === 'none' ? [v] : v) as Out;
    }
    if (this.average === 'micro') return this.binaryScore(this.pooledProblem()) as Out;
    const problems = Array.from({ length: this.t.width }, (_, k) => this.problem(k));
    const scores = problems.map((p) => this.binaryScore(p));
    if (this.average === 'none') return scores as Out;
    let sum = 0;
    let total = 0;
    scores.forEach((s, k) => {
      if (Number.isNaN(s)) return;
      const w = this.average === 'weighted' ? (problems[k]?.target.reduce((a, b) => a + b, 0) ?? 0) : 1;
      sum += w * s;
      total += w;
    });
    return (total === 0 ? NaN : sum / total) as Out;
  }
}

/**
 * Area under the ROC curve, exact (ties count one half). Binary: a number; multiclass one-vs-rest and multilabel per
 * label, averaged by `average` (default `'macro'`). A class whose target holds a single value has NaN and is left out.
 */
export class AUROC<A extends Average = 'macro'> extends AveragedRanking<A> {
  constructor(options: RankingOptions<A>) {
    super(options);
  }

  protected binaryScore(p: BinaryProblem): number {
    return binaryAuroc(p.scores, p.target);
  }
}

/** Average precision (area under the step precision-recall curve, as scikit-learn), averaged like `AUROC`. */
export class AveragePrecision<A extends Average = 'macro'> extends AveragedRanking<A> {
  constructor(options: RankingOptions<A>) {
    super(options);
  }

  protected binaryScore(p: BinaryProblem): number {
    return binaryAveragePrecision(p.scores, p.target);
  }
}

/** One curve (binary) or one curve per class/label. */
export type PerClass<T extends ClassificationTask, C> = T extends 'binary' ? C : C[];

/** Options of ROC and PrecisionRecallCurve. */
export interface CurveOptions<T extends ClassificationTask> extends TaskOptions {
  task: T;
}

function checkNoAverage(name: string, options: object): void {
  if ('average' in options) throw new MisconfigurationError(`${name} returns one curve per class and takes no average.`, 'Use AUROC or AveragePrecision for an averaged score.');
}

/** Exact ROC curve: `{ fpr, tpr, thresholds }` (binary) or one per class/label. */
export class ROC<T extends ClassificationTask = ClassificationTask> extends CurveMetric<PerClass<T, RocCurve>> {
  constructor(options: CurveOptions<T>) {
    super(options);
    checkNoAverage('ROC', options);
  }

  compute(): PerClass<T, RocCurve> {
    const curves = Array.from({ length: this.t.width }, (_, k) => this.problem(k)).map((p) => rocCurve(p.scores, p.target));
    return (this.t.task === 'binary' ? curves[0] : curves) as PerClass<T, RocCurve>;
  }
}

/** Exact precision-recall curve: `{ precision, recall, thresholds }` (binary) or one per class/label. */
export class PrecisionRecallCurve<T extends ClassificationTask = ClassificationTask> extends CurveMetric<PerClass<T, PrCurve>> {
  constructor(options: CurveOptions<T>) {
    super(options);
    checkNoAverage('PrecisionRecallCurve', options);
  }

  compute(): PerClass<T, PrCurve> {
    const curves = Array.from({ length: this.t.width }, (_, k) => this.problem(k)).map((p) => precisionRecallCurve(p.scores, p.target));
    return (this.t.task === 'binary' ? curves[0] : curves) as PerClass<T, PrCurve>;
  }
}
