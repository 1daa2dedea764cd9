/**
 * The one entry point to TensorFlow.js inside lightning-ts. Importing `@tensorflow/tfjs-layers` for its side
 * effect registers TF.js's gradient functions (tfjs-core alone registers none); importing `./patches.js`
 * registers our own gradient and kernel fixes on top of them (see that file).
 */
import '@tensorflow/tfjs-layers';
import * as tf from '@tensorflow/tfjs-core';
// The cpu backend is always registered so modules can be built before a backend is chosen (tensors move to the
// selected backend when `selectBackend` switches).
import '@tensorflow/tfjs-backend-cpu';

// TF.js's production flag only silences its console warnings (e.g. "install tfjs-node" on every first use of the
// cpu backend); lightning-ts reports the backend it chose and why instead.
tf.env().set('PROD', true);
import './patches.js';
import './chained-ops.js';

import type { Tensor } from '@tensorflow/tfjs-core';

export { tf };
export type { Tensor, Variable, Rank, Scalar, DataType, TensorLike } from '@tensorflow/tfjs-core';

/** Whether `x` is a TF.js tensor (a type guard that keeps strict lint rules happy). */
export function isTensor(x: unknown): x is Tensor {
  return x instanceof tf.Tensor;
}
