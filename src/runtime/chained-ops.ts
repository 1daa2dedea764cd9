/**
 * TF.js's chained ops (`x.sum()`, `x.reshape([...])`, ...) are typed on `Tensor` but only registered by the ESM
 * per-op modules, which Node cannot import; without this file `x.sum()` fails at run time with "is not a
 * function". Each method calls the op of the same name with `this` as the first argument, as TF.js does.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Tensor } from '@tensorflow/tfjs-core';
// Type side: tfjs-core declares the chained methods on Tensor in these module augmentations.
import type {} from '@tensorflow/tfjs-core/dist/public/chained_ops/register_all_chained_ops.js';

type Method = (this: Tensor, ...args: unknown[]) => unknown;
type OpTable = Record<string, ((...args: unknown[]) => unknown) | undefined>;

const SAME_NAME = [
  'abs', 'acos', 'acosh', 'add', 'all', 'any', 'argMax', 'argMin', 'asin', 'asinh', 'atan', 'atan2', 'atanh', 'avgPool', 'batchToSpaceND', 'batchNorm', 'broadcastTo', 'cast', 'ceil', 'clipByValue', 'conv1d', 'conv2d', 'conv2dTranspose', 'cos', 'cosh', 'cumprod', 'cumsum', 'depthToSpace', 'depthwiseConv2d', 'dilation2d', 'div', 'divNoNan', 'dot', 'elu', 'equal', 'erf', 'euclideanNorm', 'exp', 'expandDims', 'expm1', 'fft', 'floor', 'floorDiv', 'gather', 'greater', 'greaterEqual', 'ifft', 'irfft', 'isFinite', 'isInf', 'isNaN', 'leakyRelu', 'less', 'lessEqual', 'localResponseNormalization', 'log', 'log1p', 'logSigmoid', 'logSoftmax', 'logSumExp', 'logicalAnd', 'logicalNot', 'logicalOr', 'logicalXor', 'matMul', 'max', 'maxPool', 'maximum', 'mean', 'min', 'minimum', 'mirrorPad', 'mod', 'mul', 'neg', 'norm', 'notEqual', 'oneHot', 'onesLike', 'pad', 'pool', 'pow', 'prelu', 'prod', 'reciprocal', 'relu', 'relu6', 'reshape', 'resizeBilinear', 'resizeNearestNeighbor', 'reverse', 'rfft', 'round', 'rsqrt', 'selu', 'separableConv2d', 'sigmoid', 'sign', 'sin', 'sinh', 'slice', 'softmax', 'softplus', 'spaceToBatchND', 'split', 'sqrt', 'square', 'squaredDifference', 'squeeze', 'step', 'stridedSlice', 'sub', 'sum', 'tan', 'tanh', 'tile', 'topk', 'transpose', 'unique', 'unsortedSegmentSum', 'unstack', 'zerosLike', 
] as const;

const ops = tf as unknown as OpTable;
const methods: Record<string, Method> = {
  concat(x, axis) {
    return tf.concat(x instanceof tf.Tensor ? [this, x] : [this, ...(x as Tensor[])], axis as number | undefined);
  },
  stack(x, axis) {
    return tf.stack(x instanceof tf.Tensor ? [this, x] : [this, ...(x as Tensor[])], axis as number | undefined);
  },
  where(condition, x) {
    return tf.where(condition as Tensor, this, x as Tensor);
  },
  as1D() {
    return tf.reshape(this, [this.size]);
  },
  flatten() {
    return tf.reshape(this, [this.size]);
  },
  asScalar() {
    return tf.reshape(this, []);
  },
  as2D(...shape) {
    return tf.reshape(this, shape as number[]);
  },
  as3D(...shape) {
    return tf.reshape(this, shape as number[]);
  },
  as4D(...shape) {
    return tf.reshape(this, shape as number[]);
  },
  as5D(...shape) {
    return tf.reshape(this, shape as number[]);
  },
  reshapeAs(x) {
    return tf.reshape(this, (x as Tensor).shape);
  },
  asType(dtype) {
    return tf.cast(this, dtype as tf.DataType);
  },
  toFloat() {
    return tf.cast(this, 'float32');
  },
  toInt() {
    return tf.cast(this, 'int32');
  },
  toBool() {
    return tf.cast(this, 'bool');
  },
};
for (const name of SAME_NAME) {
  const op = ops[name];
  if (op !== undefined) methods[name] = function (this: Tensor, ...args: unknown[]) {
    return op(this, ...args);
  };
}

const proto = tf.Tensor.prototype as unknown as Record<string, Method | undefined>;
for (const [name, method] of Object.entries(methods)) {
  if (typeof proto[name] !== 'function') proto[name] = method;
}
