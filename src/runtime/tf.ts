/**
 * The one entry point to TensorFlow.js inside lightning-ts. Importing `@tensorflow/tfjs-layers` for its side
 * effect registers TF.js's gradient functions (tfjs-core alone registers none); importing `./patches.js`
 * registers our own gradient and kernel fixes on top of them (see that file).
 */
import '@tensorflow/tfjs-layers';
import * as tf from '@tensorflow/tfjs-core';
import './patches.js';

import type { Tensor } from '@tensorflow/tfjs-core';

export { tf };
export type { Tensor, Variable, Rank, Scalar, DataType, TensorLike } from '@tensorflow/tfjs-core';

/** Whether `x` is a TF.js tensor (a type guard that keeps strict lint rules happy). */
export function isTensor(x: unknown): x is Tensor {
  return x instanceof tf.Tensor;
}
