/** Reading metric inputs onto the host once per update (one `dataSync`, no tensors created). */
import { MisconfigurationError, describeValue } from '../errors.js';
import type { Tensor } from '../runtime/tf.js';

/** What metrics accept as input: a TF.js tensor (not disposed by the metric), a number or a flat array of numbers. */
export type MetricInput = Tensor | number | ArrayLike<number>;

/** Values of an input on the host, row-major, with its shape and whether it holds integers (int32/bool tensors). */
export interface HostValues {
  readonly data: ArrayLike<number>;
  readonly shape: readonly number[];
  readonly isInteger: boolean;
}

function isTensor(x: unknown): x is Tensor {
  return typeof x === 'object' && x !== null && 'dataSync' in x && 'shape' in x && 'dtype' in x;
}

/** Read an input onto the host; `what` names it in errors (e.g. "Accuracy preds"). */
export function toHost(x: MetricInput, what: string): HostValues {
  if (typeof x === 'number') return { data: [x], shape: [], isInteger: Number.isInteger(x) };
  if (isTensor(x)) {
    if (x.dtype === 'string' || x.dtype === 'complex64') {
      throw new MisconfigurationError(`${what} must be a numeric tensor, received dtype ${x.dtype}.`, 'Pass a float32 or int32 tensor.');
    }
    return { data: x.dataSync(), shape: x.shape, isInteger: x.dtype === 'int32' || x.dtype === 'bool' };
  }
  if (typeof x === 'object' && x !== null && typeof (x as { length?: unknown }).length === 'number') {
    return { data: x, shape: [x.length], isInteger: false };
  }
  throw new MisconfigurationError(`${what} must be a tensor, a number or an array of numbers, received ${describeValue(x)}.`);
}

/** Throw unless two shapes are equal. */
export function checkSameShape(a: readonly number[], b: readonly number[], what: string): void {
  if (a.length !== b.length || a.some((d, i) => d !== b[i])) {
    throw new MisconfigurationError(
      `${what}: preds and target must have the same shape, received [${a.join(', ')}] and [${b.join(', ')}].`,
      'Reshape them to the same shape (one value per sample, or [N, numOutputs]).',
    );
  }
}

/** Logistic sigmoid. */
export function sigmoid(x: number): number {
  return x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x));
}

/** True when every value lies in [0, 1] (probabilities); otherwise the values are taken as logits. */
export function allProbabilities(data: ArrayLike<number>): boolean {
  for (let i = 0; i < data.length; i++) {
    const v = data[i] ?? 0;
    if (!(v >= 0 && v <= 1)) return false;
  }
  return true;
}
