/** Weight initialisers with `torch.nn.init`'s formulas (same distributions and bounds, TF.js random streams). */
import { tf } from '../runtime/tf.js';
import type { Tensor } from '../runtime/tf.js';
import { Buffer, Parameter } from './parameter.js';

/** `fan_in` and `fan_out` of a weight shape as PyTorch computes them (`[out, in, ...kernel]`). */
export function calculateFans(shape: readonly number[]): { fanIn: number; fanOut: number } {
  const receptive = shape.slice(2).reduce((a, b) => a * b, 1);
  const fanIn = (shape[1] ?? 1) * receptive;
  const fanOut = (shape[0] ?? 1) * receptive;
  return { fanIn, fanOut };
}

/** Uniform in [low, high). */
export function uniform(shape: number[], low: number, high: number): Tensor {
  return tf.randomUniform(shape, low, high, 'float32');
}

/** `kaiming_uniform_(w, a)` with leaky-relu gain, fan_in mode (PyTorch's default for Linear/Conv weights with a=√5). */
export function kaimingUniform(shape: number[], a = Math.sqrt(5)): Tensor {
  const { fanIn } = calculateFans(shape);
  const gain = Math.sqrt(2 / (1 + a * a));
  const bound = Math.sqrt(3) * (gain / Math.sqrt(fanIn));
  return uniform(shape, -bound, bound);
}

/** PyTorch's default bias init for Linear/Conv: uniform(±1/√fan_in) of the weight's fan_in. */
export function biasUniform(shape: number[], fanIn: number): Tensor {
  const bound = fanIn > 0 ? 1 / Math.sqrt(fanIn) : 0;
  return uniform(shape, -bound, bound);
}

/** Xavier/Glorot uniform. */
export function xavierUniform(shape: number[], gain = 1): Tensor {
  const { fanIn, fanOut } = calculateFans(shape);
  const bound = gain * Math.sqrt(6 / (fanIn + fanOut));
  return uniform(shape, -bound, bound);
}

/** Normal with mean and std. */
export function normal(shape: number[], mean = 0, std = 1): Tensor {
  return tf.randomNormal(shape, mean, std, 'float32');
}

/** Zeros. */
export function zeros(shape: number[]): Tensor {
  return tf.zeros(shape, 'float32');
}

/** Ones. */
export function ones(shape: number[]): Tensor {
  return tf.ones(shape, 'float32');
}

/**
 * A `Parameter` holding `initial()`, with the temporary tensor freed (the variable keeps its own reference).
 * Layers create their parameters through this so that building a module leaves no stray tensors.
 */
export function initParameter(initial: () => Tensor): Parameter {
  const value = tf.tidy(initial);
  const p = new Parameter(value);
  value.dispose();
  return p;
}

/** A persistent (or not) `Buffer` holding `initial()`, with the temporary tensor freed. */
export function initBuffer(initial: () => Tensor, options: { persistent?: boolean } = {}): Buffer {
  const value = tf.tidy(initial);
  const b = new Buffer(value, options);
  value.dispose();
  return b;
}
