/**
 * The default collate (samples → a batch of tensors) and `disposeBatch`. Batch tensors are created outside any
 * `tf.tidy`, so whoever iterates the loader owns them: the Trainer calls `disposeBatch` after each step.
 */
import type { Tensor } from '../runtime/tf.js';
import { tf } from '../runtime/tf.js';
import { collateArrays, isArrayLeaf } from './collate-arrays.js';
import type { ArrayTree } from './collate-arrays.js';

/** Turn a collated array tree into the same structure with tensors at the leaves. */
export function arraysToTensors(tree: ArrayTree): unknown {
  if (isArrayLeaf(tree)) return tf.tensor(tree.data, tree.shape, tree.dtype);
  if (Array.isArray(tree)) return tree.map((t) => arraysToTensors(t as ArrayTree));
  if (typeof tree === 'object' && tree !== null) {
    return Object.fromEntries(Object.entries(tree).map(([k, v]) => [k, arraysToTensors(v)]));
  }
  return tree;
}

/**
 * Stack a list of samples into a batch: numbers, booleans, typed arrays, `{ data, shape }` arrays, nested numeric
 * arrays and tensors become stacked tensors (`float32` for floats, `int32` for integers and labels, `bool`);
 * tuples and objects are collated field by field. See `collate-arrays.ts` for the exact rules.
 */
export function defaultCollate<B = unknown>(samples: readonly unknown[]): B {
  return arraysToTensors(collateArrays(samples)) as B;
}

/** Dispose every tensor inside a (nested) batch; other values are left alone. Returns how many were disposed. */
export function disposeBatch(batch: unknown): number {
  if (batch instanceof tf.Tensor) {
    if (batch.isDisposed) return 0;
    batch.dispose();
    return 1;
  }
  let count = 0;
  if (Array.isArray(batch)) for (const b of batch) count += disposeBatch(b);
  else if (typeof batch === 'object' && batch !== null && !ArrayBuffer.isView(batch)) {
    for (const b of Object.values(batch)) count += disposeBatch(b);
  }
  return count;
}

/** The tensors of a (nested) batch, depth first. */
export function batchTensors(batch: unknown, out: Tensor[] = []): Tensor[] {
  if (batch instanceof tf.Tensor) out.push(batch as Tensor);
  else if (Array.isArray(batch)) for (const b of batch) batchTensors(b, out);
  else if (typeof batch === 'object' && batch !== null && !ArrayBuffer.isView(batch)) for (const b of Object.values(batch)) batchTensors(b, out);
  return out;
}
