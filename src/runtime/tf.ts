/**
 * The one entry point to TensorFlow.js inside lightning-ts. Importing `@tensorflow/tfjs-layers` for its side
 * effect registers TF.js's gradient functions (tfjs-core alone registers none); our own gradient fixes are
 * registered by `selectBackend` for the backend that needs them.
 */
import '@tensorflow/tfjs-layers';
import * as tf from '@tensorflow/tfjs-core';

export { tf };
export type { Tensor, Variable, Rank, Scalar, DataType, TensorLike } from '@tensorflow/tfjs-core';
