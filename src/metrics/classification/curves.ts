/** Exact binary ROC and precision-recall curves (one point per distinct score), AUROC and average precision. */
import { warn } from '../../utilities/warnings.js';

/** A ROC curve: false/true positive rates at decreasing thresholds, starting at (0, 0) with threshold 1. */
export interface RocCurve {
  fpr: number[];
  tpr: number[];
  thresholds: number[];
}

/** A precision-recall curve at increasing thresholds, ending at precision 1, recall 0 (scikit-learn's layout). */
export interface PrCurve {
  precision: number[];
  recall: number[];
  thresholds: number[];
}

/**
 * Cumulative false/true positives at each distinct score, scores in decreasing order. Positives' and negatives'
 * scores are sorted separately with the native numeric sort and merged, which is much faster than an index sort.
 */
export function binaryClfCurve(scores: ArrayLike<number>, target: ArrayLike<number>): { fps: number[]; tps: number[]; thresholds: number[] } {
  const positives = countPositives(target);
  const pos = new Float64Array(positives);
  const neg = new Float64Array(target.length - positives);
  for (let i = 0, a = 0, b = 0; i < target.length; i++) {
    if (target[i] === 1) pos[a++] = scores[i] ?? 0;
    else neg[b++] = scores[i] ?? 0;
  }
  pos.sort();
  neg.sort();
  const fps: number[] = [];
  const tps: number[] = [];
  const thresholds: number[] = [];
  let i = pos.length - 1;
  let j = neg.length - 1;
  while (i >= 0 || j >= 0) {
    const v = Math.max(i >= 0 ? (pos[i] ?? 0) : -Infinity, j >= 0 ? (neg[j] ?? 0) : -Infinity);
    while (i >= 0 && pos[i] === v) i--;
    while (j >= 0 && neg[j] === v) j--;
    tps.push(pos.length - 1 - i);
    fps.push(neg.length - 1 - j);
    thresholds.push(v);
  }
  return { fps, tps, thresholds };
}

function countPositives(target: ArrayLike<number>): number {
  let n = 0;
  for (let i = 0; i < target.length; i++) if (target[i] === 1) n += 1;
  return n;
}

/** Exact ROC curve (no points dropped); a rate whose denominator is 0 is all zeros, with a warning. */
export function rocCurve(scores: ArrayLike<number>, target: ArrayLike<number>): RocCurve {
  const { fps, tps, thresholds } = binaryClfCurve(scores, target);
  const lastFp = fps[fps.length - 1] ?? 0;
  const lastTp = tps[tps.length - 1] ?? 0;
  if (lastTp === 0) warn('LT-METRIC-ROC', 'ROC: no positive samples in target; the true positive rate is set to 0.');
  if (lastFp === 0) warn('LT-METRIC-ROC', 'ROC: no negative samples in target; the false positive rate is set to 0.');
  return {
    fpr: [0, ...fps.map((v) => (lastFp === 0 ? 0 : v / lastFp))],
    tpr: [0, ...tps.map((v) => (lastTp === 0 ? 0 : v / lastTp))],
    thresholds: [1, ...thresholds],
  };
}

/** Exact precision-recall curve; recall is 1 everywhere when target has no positives (as scikit-learn). */
export function precisionRecallCurve(scores: ArrayLike<number>, target: ArrayLike<number>): PrCurve {
  const { fps, tps, thresholds } = binaryClfCurve(scores, target);
  const lastTp = tps[tps.length - 1] ?? 0;
  const precision = tps.map((tp, i) => {
    const d = tp + (fps[i] ?? 0);
    return d === 0 ? 0 : tp / d;
  });
  const recall = tps.map((tp) => (lastTp === 0 ? 1 : tp / lastTp));
  return { precision: [...precision.reverse(), 1], recall: [...recall.reverse(), 0], thresholds: thresholds.reverse() };
}

/** Area under the ROC curve (ties scored as one half, by the trapezoid rule); NaN when target is all one class. */
export function binaryAuroc(scores: ArrayLike<number>, target: ArrayLike<number>): number {
  const positives = countPositives(target);
  if (positives === 0 || positives === target.length) {
    warn('LT-METRIC-AUROC', 'AUROC is undefined when target holds a single class; returning NaN (left out of macro/weighted averages).');
    return NaN;
  }
  const { fps, tps } = binaryClfCurve(scores, target);
  const negatives = target.length - positives;
  let area = 0;
  let prevFpr = 0;
  let prevTpr = 0;
  for (let i = 0; i < fps.length; i++) {
    const fpr = (fps[i] ?? 0) / negatives;
    const tpr = (tps[i] ?? 0) / positives;
    area += ((fpr - prevFpr) * (tpr + prevTpr)) / 2;
    prevFpr = fpr;
    prevTpr = tpr;
  }
  return area;
}

/** Average precision `Σ (R_n − R_{n−1}) P_n` (no interpolation, as scikit-learn); NaN when target has no positives. */
export function binaryAveragePrecision(scores: ArrayLike<number>, target: ArrayLike<number>): number {
  const positives = countPositives(target);
  if (positives === 0) {
    warn('LT-METRIC-AP', 'Average precision is undefined when target has no positives; returning NaN (left out of macro/weighted averages).');
    return NaN;
  }
  const { fps, tps } = binaryClfCurve(scores, target);
  let ap = 0;
  let prevRecall = 0;
  for (let i = 0; i < tps.length; i++) {
    const tp = tps[i] ?? 0;
    const recall = tp / positives;
    ap += (recall - prevRecall) * (tp / (tp + (fps[i] ?? 0)));
    prevRecall = recall;
  }
  return ap;
}
