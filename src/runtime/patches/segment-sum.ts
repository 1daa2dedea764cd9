/**
 * An `UnsortedSegmentSum` kernel for backends that lack it (tfjs-wasm), built from `scatterND`, so that the
 * gradient of `tf.gather` (embeddings) works there. Out-of-range segment ids are dropped, as in TensorFlow.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { KernelConfig, KernelFunc, Tensor, TensorInfo } from '@tensorflow/tfjs-core';

function asTensor(info: TensorInfo | undefined, name: string): Tensor {
  if (!(info instanceof tf.Tensor)) {
    throw new Error(`UnsortedSegmentSum: input "${name}" must be a tf.Tensor (call it through tf.unsortedSegmentSum).`);
  }
  return info as Tensor;
}

/** Sum the rows of `x` into `numSegments` buckets given by `segmentIds` (which covers x's leading axes). */
export function segmentSumByScatter(x: Tensor, segmentIds: Tensor, numSegments: number): Tensor {
  return tf.tidy(() => {
    const n = segmentIds.size;
    const rest = x.shape.slice(segmentIds.rank);
    const rows = tf.reshape(x, [n, ...rest]);
    const ids = tf.reshape(tf.cast(segmentIds, 'int32'), [n]);
    const valid = tf.logicalAnd(tf.greaterEqual(ids, 0), tf.less(ids, numSegments));
    const safeIds = tf.where(valid, ids, tf.zerosLike(ids));
    const mask = tf.reshape(tf.cast(valid, x.dtype), [n, ...rest.map(() => 1)]);
    const updates = tf.mul(rows, mask);
    return tf.scatterND(tf.reshape(safeIds, [n, 1]), updates, [numSegments, ...rest]);
  });
}

const kernelFunc: KernelFunc = ({ inputs, attrs }) => {
  const x = asTensor(inputs.x, 'x');
  const ids = asTensor(inputs.segmentIds, 'segmentIds');
  const numSegments = attrs?.numSegments;
  if (typeof numSegments !== 'number') throw new Error('UnsortedSegmentSum: attribute numSegments must be a number.');
  return segmentSumByScatter(x, ids, numSegments);
};

/** Kernel config registering `UnsortedSegmentSum` for `backendName`. */
export function unsortedSegmentSumKernel(backendName: string): KernelConfig {
  return { kernelName: 'UnsortedSegmentSum', backendName, kernelFunc };
}
