/** The `reduction` option shared by every loss, and shape checks with errors that say what was received. */
import { LightningError, MisconfigurationError } from '../../errors.js';
import { tf } from '../../runtime/tf.js';
import type { Tensor } from '../../runtime/tf.js';

/** How a loss reduces its per-element values: `'mean'` (PyTorch's default), `'sum'`, or `'none'` (unreduced). */
export type Reduction = 'mean' | 'sum' | 'none';

/** Resolve and validate a `reduction` option (default `'mean'`). */
export function resolveReduction(loss: string, reduction: string | undefined, allowed: readonly string[] = ['mean', 'sum', 'none']): string {
  const r = reduction ?? 'mean';
  if (!allowed.includes(r)) {
    throw new MisconfigurationError(
      `${loss}: reduction must be one of ${allowed.map((a) => `'${a}'`).join(', ')}; received ${JSON.stringify(reduction)}.`,
    );
  }
  return r;
}

/** Reduce element-wise losses with `'mean'`, `'sum'` or `'none'`. */
export function reduce(values: Tensor, reduction: string): Tensor {
  if (reduction === 'none') return values;
  return reduction === 'sum' ? tf.sum(values) : tf.mean(values);
}

/** Throw unless `a` and `b` have the same shape (PyTorch's element-wise losses warn or fail on broadcasting). */
export function assertSameShape(loss: string, input: Tensor, target: Tensor, names: [string, string] = ['input', 'target']): void {
  const same = input.rank === target.rank && input.shape.every((d, i) => d === target.shape[i]);
  if (!same) {
    throw new LightningError(
      `${loss}: ${names[0]} has shape [${input.shape.join(', ')}] but ${names[1]} has shape [${target.shape.join(', ')}].`,
      `Give both the same shape (e.g. reshape the ${names[1]}); broadcasting here usually hides a bug.`,
    );
  }
}

/** A float32 view of `t` (targets are often integers). */
export function asFloat(t: Tensor): Tensor {
  return t.dtype === 'float32' ? t : tf.cast(t, 'float32');
}

/**
 * A float32 one-hot matrix. Built as int32 and cast: tfjs-wasm 4.22's OneHot kernel returns all zeros when
 * asked for a float32 result.
 */
export function floatOneHot(indices: Tensor, depth: number, onValue = 1, offValue = 0): Tensor {
  return tf.cast(tf.oneHot(indices, depth, onValue, offValue, 'int32'), 'float32');
}
