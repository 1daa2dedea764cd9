/**
 * Turning classification inputs (probabilities, logits or labels as tensors) into host arrays: labels for the
 * stat-score metrics, probabilities for the curve metrics. Ignored targets (`ignoreIndex`) are dropped (binary,
 * multiclass) or marked -1 (multilabel, per element). Class/label axis is 1: preds `[N, C, ...]` go class-last.
 */
import { MisconfigurationError } from '../../errors.js';
import { allProbabilities, checkSameShape, sigmoid, toHost } from '../input.js';
import type { HostValues, MetricInput } from '../input.js';

/** The kind of classification problem. */
export type ClassificationTask = 'binary' | 'multiclass' | 'multilabel';

/** Options every classification metric takes. */
export interface TaskOptions {
  /** `'binary'`, `'multiclass'` (needs `numClasses`) or `'multilabel'` (needs `numLabels`). */
  task: ClassificationTask;
  /** Number of classes (multiclass only). */
  numClasses?: number;
  /** Number of labels (multilabel only). */
  numLabels?: number;
  /** Probability above which a binary/multilabel prediction is positive (`p > threshold`). Default: 0.5. */
  threshold?: number;
  /** Target value whose samples (binary/multiclass) or elements (multilabel) are left out. Default: none. */
  ignoreIndex?: number;
}

/** Task options after validation; `width` is 1 (binary), `numClasses` or `numLabels`. */
export interface ResolvedTask {
  readonly name: string;
  readonly task: ClassificationTask;
  readonly width: number;
  readonly threshold: number;
  readonly ignoreIndex: number | undefined;
}

/** Validate task options; `name` is the metric's class name for errors. */
export function resolveTask(name: string, o: TaskOptions): ResolvedTask {
  const count = (field: 'numClasses' | 'numLabels', min: number): number => {
    const v = o[field];
    if (v === undefined || !Number.isInteger(v) || v < min) {
      throw new MisconfigurationError(`${name} with task "${o.task}" needs ${field} (an integer >= ${min}), received ${String(v)}.`, `new ${name}({ task: '${o.task}', ${field}: 10 })`);
    }
    return v;
  };
  let width: number;
  if (o.task === 'binary') width = 1;
  else if (o.task === 'multiclass') width = count('numClasses', 2);
  else if (o.task === 'multilabel') width = count('numLabels', 1);
  else throw new MisconfigurationError(`${name}: task must be 'binary', 'multiclass' or 'multilabel', received ${JSON.stringify(o.task)}.`);
  const threshold = o.threshold ?? 0.5;
  return { name, task: o.task, width, threshold, ignoreIndex: o.ignoreIndex };
}

/** Host arrays, row-major `[rows, width]`; `target` is -1 where ignored (multilabel) and otherwise a label. */
export interface Formatted<T extends ArrayLike<number>> {
  readonly values: T;
  readonly target: Int32Array;
  readonly rows: number;
}

/** `[N, C, d1, ...]` → class-last `[N * d1 * ..., C]`. */
function classLast(h: HostValues): Float64Array {
  const [n = 0, c = 1, ...extra] = h.shape;
  const inner = extra.reduce((a, b) => a * b, 1);
  const out = new Float64Array(n * c * inner);
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < c; k++) {
      for (let p = 0; p < inner; p++) out[(i * inner + p) * c + k] = h.data[(i * c + k) * inner + p] ?? 0;
    }
  }
  return out;
}

function checkTarget(t: ResolvedTask, target: HostValues, max: number): Int32Array {
  const out = new Int32Array(target.data.length);
  for (let i = 0; i < out.length; i++) {
    const v = target.data[i] ?? 0;
    if (t.ignoreIndex !== undefined && v === t.ignoreIndex) out[i] = -1;
    else if (Number.isInteger(v) && v >= 0 && v < max) out[i] = v;
    else {
      throw new MisconfigurationError(
        `${t.name} (${t.task}): target values must be integers in [0, ${max - 1}]${t.ignoreIndex !== undefined ? ` or ignoreIndex ${t.ignoreIndex}` : ''}, received ${v}.`,
        t.task === 'multiclass' ? 'Pass class indices as target (not one-hot), and check numClasses.' : 'Pass 0/1 targets, or set ignoreIndex for the value to leave out.',
      );
    }
  }
  return out;
}

/** Drop rows whose target is -1 (binary and multiclass). */
function dropIgnored<T extends Float64Array | Int32Array>(values: T, target: Int32Array, width: number): Formatted<T> {
  let keep = 0;
  for (const v of target) if (v >= 0) keep += 1;
  if (keep === target.length) return { values, target, rows: target.length };
  const out = new (values.constructor as new (n: number) => T)(keep * width);
  const tOut = new Int32Array(keep);
  let r = 0;
  for (let i = 0; i < target.length; i++) {
    if ((target[i] ?? -1) < 0) continue;
    tOut[r] = target[i] ?? 0;
    out.set(values.subarray(i * width, (i + 1) * width), r * width);
    r += 1;
  }
  return { values: out, target: tOut, rows: keep };
}

function readPair(t: ResolvedTask, preds: MetricInput, target: MetricInput): { p: HostValues; y: HostValues; hasScores: boolean } {
  const p = toHost(preds, `${t.name} preds`);
  const y = toHost(target, `${t.name} target`);
  if (t.task === 'multiclass' && p.shape.length === y.shape.length + 1) {
    checkSameShape([p.shape[0] ?? 0, ...p.shape.slice(2)], y.shape, t.name);
    if (p.shape[1] !== t.width) {
      throw new MisconfigurationError(`${t.name}: preds have ${p.shape[1]} classes on axis 1, expected numClasses = ${t.width}.`);
    }
    return { p, y, hasScores: true };
  }
  checkSameShape(p.shape, y.shape, t.name);
  if (t.task === 'multilabel' && p.shape[1] !== t.width) {
    throw new MisconfigurationError(`${t.name}: multilabel preds must be [N, numLabels, ...] with numLabels = ${t.width}, received [${p.shape.join(', ')}].`);
  }
  return { p, y, hasScores: t.task !== 'multiclass' && !p.isInteger };
}

/** Probabilities: sigmoid (binary, multilabel) or softmax (multiclass) when any value lies outside [0, 1]. */
export function formatScores(t: ResolvedTask, preds: MetricInput, target: MetricInput): Formatted<Float64Array> {
  const { p, y, hasScores } = readPair(t, preds, target);
  if (t.task === 'multiclass' && !hasScores) {
    throw new MisconfigurationError(`${t.name} needs multiclass scores of shape [N, numClasses, ...], received labels of shape [${p.shape.join(', ')}].`, 'Pass probabilities or logits, not argmax labels.');
  }
  const scores = t.task === 'binary' ? Float64Array.from(p.data) : classLast(p);
  if (scores.some(Number.isNaN)) {
    throw new MisconfigurationError(`${t.name}: preds contain NaN, which cannot be ranked.`, 'Check the model output for NaNs (Trainer detectAnomaly) before updating the metric.');
  }
  const tgt = checkTarget(t, t.task === 'multilabel' ? { ...y, data: classLast(y) } : y, t.task === 'multiclass' ? t.width : 2);
  if (!allProbabilities(scores)) {
    if (t.task === 'multiclass') softmaxRows(scores, t.width);
    else for (let i = 0; i < scores.length; i++) scores[i] = sigmoid(scores[i] ?? 0);
  }
  if (t.task === 'multilabel') return { values: scores, target: tgt, rows: tgt.length / t.width };
  return dropIgnored(scores, tgt, t.width);
}

function softmaxRows(x: Float64Array, width: number): void {
  for (let r = 0; r < x.length; r += width) {
    let max = -Infinity;
    for (let k = 0; k < width; k++) max = Math.max(max, x[r + k] ?? 0);
    let sum = 0;
    for (let k = 0; k < width; k++) sum += x[r + k] = Math.exp((x[r + k] ?? 0) - max);
    for (let k = 0; k < width; k++) x[r + k] = (x[r + k] ?? 0) / sum;
  }
}

/** Hard labels: thresholded (binary, multilabel; int tensors taken as 0/1 labels) or argmax (multiclass scores). */
export function formatLabels(t: ResolvedTask, preds: MetricInput, target: MetricInput): Formatted<Int32Array> {
  const { p, y, hasScores } = readPair(t, preds, target);
  if (t.task === 'multiclass') {
    const labels = hasScores ? argmaxRows(classLast(p), t.width) : checkTarget({ ...t, ignoreIndex: undefined }, p, t.width);
    return dropIgnored(labels, checkTarget(t, y, t.width), 1);
  }
  const flat = t.task === 'binary' ? Float64Array.from(p.data) : classLast(p);
  const tgt = checkTarget(t, t.task === 'multilabel' ? { ...y, data: classLast(y) } : y, 2);
  const labels = new Int32Array(flat.length);
  if (hasScores) {
    const logits = !allProbabilities(flat);
    for (let i = 0; i < flat.length; i++) labels[i] = (logits ? sigmoid(flat[i] ?? 0) : flat[i] ?? 0) > t.threshold ? 1 : 0;
  } else {
    labels.set(checkTarget({ ...t, ignoreIndex: undefined }, { ...p, data: flat }, 2));
  }
  if (t.task === 'multilabel') return { values: labels, target: tgt, rows: tgt.length / t.width };
  return dropIgnored(labels, tgt, 1);
}

function argmaxRows(x: Float64Array, width: number): Int32Array {
  const out = new Int32Array(x.length / width);
  for (let r = 0; r < out.length; r++) {
    let best = 0;
    for (let k = 1; k < width; k++) if ((x[r * width + k] ?? 0) > (x[r * width + best] ?? 0)) best = k;
    out[r] = best;
  }
  return out;
}

/** Multi-hot top-k predictions per row (ties go to the lower class index). */
export function topKHot(scores: Float64Array, width: number, k: number): Uint8Array {
  const out = new Uint8Array(scores.length);
  const order = Array.from({ length: width }, (_, i) => i);
  for (let r = 0; r < scores.length / width; r++) {
    const row = scores.subarray(r * width, (r + 1) * width);
    order.sort((a, b) => (row[b] ?? 0) - (row[a] ?? 0) || a - b);
    for (let j = 0; j < k; j++) out[r * width + (order[j] ?? 0)] = 1;
  }
  return out;
}
