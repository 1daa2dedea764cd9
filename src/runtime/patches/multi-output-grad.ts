/**
 * `Unpack` (tf.unstack) and `SplitV` (tf.split) gradients that also work when the op has a single output:
 * TF.js's tape then hands the gradient function one tensor instead of an array, and the stock gradients
 * (`stack(dy)`, `concat(dy)`) throw "Argument tensors passed to stack must be a `Tensor[]`".
 */
import * as tf from '@tensorflow/tfjs-core';
import type { GradConfig, Tensor } from '@tensorflow/tfjs-core';

const asList = (dy: Tensor | Tensor[]): Tensor[] => (Array.isArray(dy) ? dy : [dy]);

/** Gradient of `Unpack`: stack the output gradients back along the unpacked axis. */
export const unpackGrad: GradConfig = {
  kernelName: 'Unpack',
  gradFunc: (dy, _saved, attrs) => ({ value: () => tf.stack(asList(dy), attrs.axis as number) }),
};

/** Gradient of `SplitV`: concatenate the output gradients along the split axis. */
export const splitVGrad: GradConfig = {
  kernelName: 'SplitV',
  gradFunc: (dy, _saved, attrs) => ({ x: () => tf.concat(asList(dy), attrs.axis as number) }),
};
