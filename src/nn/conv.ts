/**
 * Convolutions with PyTorch's layouts: NCHW (NCL) inputs and outputs, weights `[out, in/groups, kh, kw]`
 * (`[in, out, kh, kw]` for the transposed one). Inside, TF.js runs NHWC, which every backend supports.
 */
import { LightningError, MisconfigurationError } from '../errors.js';
import { tf } from '../runtime/tf.js';
import type { Tensor } from '../runtime/tf.js';
import { biasUniform, calculateFans, initParameter, kaimingUniform } from './init.js';
import { Module } from './module.js';
import type { Parameter } from './parameter.js';

/** A size per spatial dimension, or one size for all of them. */
export type IntOrPair = number | [number, number];
/** `[[top, bottom], [left, right]]` zero padding. */
type Padding2d = [[number, number], [number, number]];

/** Expand an int or pair option to a pair, checking that both are integers >= `min`. */
export function toPair(value: IntOrPair, name: string, min = 0): [number, number] {
  const pair: [number, number] = typeof value === 'number' ? [value, value] : value;
  if (!pair.every((v) => Number.isInteger(v) && v >= min)) {
    throw new MisconfigurationError(`${name} must be an integer >= ${min} or a pair of them; received ${JSON.stringify(value)}.`);
  }
  return pair;
}

/** PyTorch's padding option (`'same'` pads (k−1)·d, the extra one on the right/bottom) as explicit padding. */
function resolvePadding(padding: IntOrPair | 'same' | 'valid', kernel: [number, number], dilation: [number, number], stride: [number, number]): Padding2d {
  if (padding === 'valid') return [[0, 0], [0, 0]];
  if (padding === 'same') {
    if (stride[0] !== 1 || stride[1] !== 1) {
      throw new MisconfigurationError("padding='same' is not supported for strided convolutions (as in PyTorch).", 'Use stride 1, or give the padding as numbers.');
    }
    const total = kernel.map((k, i) => (k - 1) * (dilation[i] as number));
    return total.map((t) => [Math.floor(t / 2), t - Math.floor(t / 2)]) as Padding2d;
  }
  const [ph, pw] = toPair(padding, 'padding');
  return [[ph, ph], [pw, pw]];
}

/** Options shared by `Conv1d` and `Conv2d` (PyTorch's keyword arguments, camelCased). */
export interface ConvOptions<S> {
  /** Step of the sliding window. Default: 1. */
  stride?: S;
  /** Zero padding on each side, or `'same'` / `'valid'`. Default: 0. */
  padding?: S | 'same' | 'valid';
  /** Spacing between kernel elements. Default: 1. */
  dilation?: S;
  /** Split the channels into this many independent groups. Default: 1. */
  groups?: number;
  /** Learn an additive bias. Default: true. */
  bias?: boolean;
}

/** Options of `Conv2d`. */
export type Conv2dOptions = ConvOptions<IntOrPair>;
/** Options of `Conv1d`. */
export type Conv1dOptions = ConvOptions<number>;

function checkInput(layer: string, x: Tensor, rank: number, channels: number): void {
  if (x.rank !== rank || x.shape[1] !== channels) {
    const layout = rank === 4 ? '[N, C, H, W]' : '[N, C, L]';
    throw new LightningError(
      `${layer} expects input of shape ${layout} with C = ${channels}; received [${x.shape.join(', ')}].`,
      'lightning-ts uses PyTorch\'s channels-first layout; transpose channels-last data with tf.transpose(x, [0, 3, 1, 2]).',
    );
  }
}

function checkGroups(groups: number, inChannels: number, outChannels: number): number {
  if (!Number.isInteger(groups) || groups < 1 || inChannels % groups !== 0 || outChannels % groups !== 0) {
    throw new MisconfigurationError(
      `groups=${groups} must be a positive integer dividing both inChannels (${inChannels}) and outChannels (${outChannels}).`,
    );
  }
  return groups;
}

/** The convolution core on NHWC input and a `[kh, kw, in/groups, out]` filter. */
function convNhwc(x: Tensor, filter: Tensor, stride: [number, number], pad: Padding2d, dilation: [number, number], groups: number): Tensor {
  const allZero = pad.every(([a, b]) => a === 0 && b === 0);
  const tfPad = allZero ? 'valid' : ([[0, 0], pad[0], pad[1], [0, 0]] as [[number, number], [number, number], [number, number], [number, number]]);
  // TF.js rejects stride > 1 together with dilation > 1: convolve densely and subsample instead.
  const both = (stride[0] > 1 || stride[1] > 1) && (dilation[0] > 1 || dilation[1] > 1);
  const step: [number, number] = both ? [1, 1] : stride;
  const one = (xs: Tensor, fs: Tensor): Tensor => tf.conv2d(xs as tf.Tensor4D, fs as tf.Tensor4D, step, tfPad, 'NHWC', dilation);
  let y: Tensor;
  if (groups === 1) {
    y = one(x, filter);
  } else {
    const xs = tf.split(x, groups, 3);
    const fs = tf.split(filter, groups, 3);
    y = tf.concat(xs.map((xi, i) => one(xi, fs[i] as Tensor)), 3);
  }
  if (!both) return y;
  return subsample(y, stride);
}

/** Rows 0, s, 2s, ... and columns likewise of NHWC `y`, with ops that all have gradients (StridedSlice has none). */
function subsample(y: Tensor, [sh, sw]: [number, number]): Tensor {
  const [n, h, w, c] = y.shape as [number, number, number, number];
  const oh = Math.ceil(h / sh);
  const ow = Math.ceil(w / sw);
  const padded = tf.pad(y, [[0, 0], [0, oh * sh - h], [0, ow * sw - w], [0, 0]]);
  const picked = tf.slice(tf.reshape(padded, [n, oh, sh, ow, sw, c]), [0, 0, 0, 0, 0, 0], [n, oh, 1, ow, 1, c]);
  return tf.reshape(picked, [n, oh, ow, c]);
}

/** 2-D convolution over NCHW input (`torch.nn.Conv2d`); weight `[out, in/groups, kh, kw]`. */
export class Conv2d extends Module<[Tensor], Tensor> {
  readonly weight: Parameter;
  readonly bias: Parameter | undefined;
  readonly kernelSize: [number, number];
  readonly stride: [number, number];
  readonly dilation: [number, number];
  readonly groups: number;
  readonly #padding: Padding2d;

  constructor(
    readonly inChannels: number,
    readonly outChannels: number,
    kernelSize: IntOrPair,
    options: Conv2dOptions = {},
  ) {
    super();
    this.kernelSize = toPair(kernelSize, 'kernelSize', 1);
    this.stride = toPair(options.stride ?? 1, 'stride', 1);
    this.dilation = toPair(options.dilation ?? 1, 'dilation', 1);
    this.groups = checkGroups(options.groups ?? 1, inChannels, outChannels);
    this.#padding = resolvePadding(options.padding ?? 0, this.kernelSize, this.dilation, this.stride);
    const shape = [outChannels, inChannels / this.groups, ...this.kernelSize];
    this.weight = initParameter(() => kaimingUniform(shape));
    const { fanIn } = calculateFans(shape);
    this.bias = (options.bias ?? true) ? initParameter(() => biasUniform([outChannels], fanIn)) : undefined;
  }

  override forward(x: Tensor): Tensor {
    checkInput('Conv2d', x, 4, this.inChannels);
    return tf.tidy(() => {
      const filter = tf.transpose(this.weight.value, [2, 3, 1, 0]);
      let y = convNhwc(tf.transpose(x, [0, 2, 3, 1]), filter, this.stride, this.#padding, this.dilation, this.groups);
      if (this.bias !== undefined) y = tf.add(y, this.bias.value);
      return tf.transpose(y, [0, 3, 1, 2]);
    });
  }
}

/** 1-D convolution over `[N, C, L]` input (`torch.nn.Conv1d`); weight `[out, in/groups, k]`. */
export class Conv1d extends Module<[Tensor], Tensor> {
  readonly weight: Parameter;
  readonly bias: Parameter | undefined;
  readonly kernelSize: number;
  readonly stride: number;
  readonly dilation: number;
  readonly groups: number;
  readonly #padding: Padding2d;

  constructor(
    readonly inChannels: number,
    readonly outChannels: number,
    kernelSize: number,
    options: Conv1dOptions = {},
  ) {
    super();
    this.kernelSize = toPair(kernelSize, 'kernelSize', 1)[0];
    this.stride = toPair(options.stride ?? 1, 'stride', 1)[0];
    this.dilation = toPair(options.dilation ?? 1, 'dilation', 1)[0];
    this.groups = checkGroups(options.groups ?? 1, inChannels, outChannels);
    const padding = options.padding ?? 0;
    this.#padding = resolvePadding(typeof padding === 'number' ? [0, padding] : padding, [1, kernelSize], [1, this.dilation], [1, this.stride]);
    const shape = [outChannels, inChannels / this.groups, kernelSize];
    this.weight = initParameter(() => kaimingUniform(shape));
    const { fanIn } = calculateFans(shape);
    this.bias = (options.bias ?? true) ? initParameter(() => biasUniform([outChannels], fanIn)) : undefined;
  }

  override forward(x: Tensor): Tensor {
    checkInput('Conv1d', x, 3, this.inChannels);
    return tf.tidy(() => {
      const [n, c, l] = x.shape as [number, number, number];
      const filter = tf.expandDims(tf.transpose(this.weight.value, [2, 1, 0]), 0);
      const xh = tf.reshape(tf.transpose(x, [0, 2, 1]), [n, 1, l, c]);
      let y = convNhwc(xh, filter, [1, this.stride], this.#padding, [1, this.dilation], this.groups);
      if (this.bias !== undefined) y = tf.add(y, this.bias.value);
      return tf.transpose(tf.squeeze(y, [1]), [0, 2, 1]);
    });
  }
}

/** Options of `ConvTranspose2d`. */
export interface ConvTranspose2dOptions {
  /** Step of the sliding window. Default: 1. */
  stride?: IntOrPair;
  /** Implicit padding removed from both sides of the output: `dilation·(k−1) − padding`. Default: 0. */
  padding?: IntOrPair;
  /** Extra size added to one side of the output (must be < stride). Default: 0. */
  outputPadding?: IntOrPair;
  /** Learn an additive bias. Default: true. */
  bias?: boolean;
}

/** Transposed 2-D convolution (`torch.nn.ConvTranspose2d`, groups 1, dilation 1); weight `[in, out, kh, kw]`. */
export class ConvTranspose2d extends Module<[Tensor], Tensor> {
  readonly weight: Parameter;
  readonly bias: Parameter | undefined;
  readonly kernelSize: [number, number];
  readonly stride: [number, number];
  readonly padding: [number, number];
  readonly outputPadding: [number, number];

  constructor(
    readonly inChannels: number,
    readonly outChannels: number,
    kernelSize: IntOrPair,
    options: ConvTranspose2dOptions = {},
  ) {
    super();
    this.kernelSize = toPair(kernelSize, 'kernelSize', 1);
    this.stride = toPair(options.stride ?? 1, 'stride', 1);
    this.padding = toPair(options.padding ?? 0, 'padding');
    this.outputPadding = toPair(options.outputPadding ?? 0, 'outputPadding');
    if (this.outputPadding.some((p, i) => p >= (this.stride[i] as number))) {
      throw new MisconfigurationError(
        `outputPadding ${JSON.stringify(this.outputPadding)} must be smaller than the stride ${JSON.stringify(this.stride)}.`,
      );
    }
    const shape = [inChannels, outChannels, ...this.kernelSize];
    this.weight = initParameter(() => kaimingUniform(shape));
    const { fanIn } = calculateFans(shape);
    this.bias = (options.bias ?? true) ? initParameter(() => biasUniform([outChannels], fanIn)) : undefined;
  }

  override forward(x: Tensor): Tensor {
    checkInput('ConvTranspose2d', x, 4, this.inChannels);
    return tf.tidy(() => {
      const [n, , h, w] = x.shape as [number, number, number, number];
      const [kh, kw] = this.kernelSize;
      const [sh, sw] = this.stride;
      const [ph, pw] = this.padding;
      const fullH = (h - 1) * sh + kh + this.outputPadding[0];
      const fullW = (w - 1) * sw + kw + this.outputPadding[1];
      const filter = tf.transpose(this.weight.value, [2, 3, 1, 0]) as tf.Tensor4D;
      const xh = tf.transpose(x, [0, 2, 3, 1]) as tf.Tensor4D;
      let y: Tensor = tf.conv2dTranspose(xh, filter, [n, fullH, fullW, this.outChannels], this.stride, 'valid');
      if (ph > 0 || pw > 0) y = tf.slice(y, [0, ph, pw, 0], [n, fullH - 2 * ph, fullW - 2 * pw, this.outChannels]);
      if (this.bias !== undefined) y = tf.add(y, this.bias.value);
      return tf.transpose(y, [0, 3, 1, 2]);
    });
  }
}
