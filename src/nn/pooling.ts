/** 2-D pooling over NCHW input with PyTorch's options: `MaxPool2d`, `AvgPool2d`, `AdaptiveAvgPool2d`. */
import { LightningError, MisconfigurationError } from '../errors.js';
import { tf } from '../runtime/tf.js';
import type { Tensor } from '../runtime/tf.js';
import { toPair } from './conv.js';
import type { IntOrPair } from './conv.js';
import { Module } from './module.js';

function checkNchw(layer: string, x: Tensor): void {
  if (x.rank !== 4) {
    throw new LightningError(
      `${layer} expects input of shape [N, C, H, W]; received [${x.shape.join(', ')}].`,
      'Add a batch dimension with tf.expandDims(x, 0) for a single image.',
    );
  }
}

/** Options of `MaxPool2d` and `AvgPool2d`. */
export interface Pool2dOptions {
  /** Step of the window. Default: `kernelSize`. */
  stride?: IntOrPair;
  /** Implicit padding on each side (at most half the kernel size). Default: 0. */
  padding?: IntOrPair;
  /** Round the output size up instead of down (the last window may start in the right/bottom padding). Default: false. */
  ceilMode?: boolean;
}

/** Resolved window geometry and the padding (with the extra ceil-mode rows/columns) to apply before a 'valid' pool. */
interface Window {
  kernel: [number, number];
  stride: [number, number];
  padding: [number, number];
  ceilMode: boolean;
}

function resolveWindow(layer: string, kernelSize: IntOrPair, options: Pool2dOptions): Window {
  const kernel = toPair(kernelSize, 'kernelSize', 1);
  const stride = toPair(options.stride ?? kernel, 'stride', 1);
  const padding = toPair(options.padding ?? 0, 'padding');
  if (padding.some((p, i) => p > (kernel[i] as number) / 2)) {
    throw new MisconfigurationError(`${layer}: padding ${JSON.stringify(padding)} must be at most half the kernel size ${JSON.stringify(kernel)}.`);
  }
  return { kernel, stride, padding, ceilMode: options.ceilMode ?? false };
}

/** `[[top, bottom], [left, right]]` padding that makes a 'valid' pool produce PyTorch's output size. */
function poolPadding(size: [number, number], w: Window): [[number, number], [number, number]] {
  return size.map((len, i) => {
    const k = w.kernel[i] as number;
    const s = w.stride[i] as number;
    const p = w.padding[i] as number;
    const span = len + 2 * p - k;
    if (span < 0) {
      throw new LightningError(`Pooling window ${k} (with padding ${p}) is larger than the input size ${len}.`, 'Use a smaller kernel or a larger input.');
    }
    let out = (w.ceilMode ? Math.ceil(span / s) : Math.floor(span / s)) + 1;
    // PyTorch drops a last window that would start entirely in the padding.
    if (w.ceilMode && (out - 1) * s >= len + p) out -= 1;
    return [p, (out - 1) * s + k - len - p];
  }) as [[number, number], [number, number]];
}

/** Max pooling over H and W of NCHW input (`torch.nn.MaxPool2d`, dilation 1); padding counts as −∞. */
export class MaxPool2d extends Module<[Tensor], Tensor> {
  readonly #window: Window;

  constructor(kernelSize: IntOrPair, options: Pool2dOptions = {}) {
    super();
    this.#window = resolveWindow('MaxPool2d', kernelSize, options);
  }

  override forward(x: Tensor): Tensor {
    checkNchw('MaxPool2d', x);
    const w = this.#window;
    return tf.tidy(() => {
      const [[top, bottom], [left, right]] = poolPadding([x.shape[2] as number, x.shape[3] as number], w);
      let xh = tf.transpose(x, [0, 2, 3, 1]) as tf.Tensor4D;
      if (top !== 0 || bottom !== 0 || left !== 0 || right !== 0) {
        xh = padOrCrop(xh, [[top, bottom], [left, right]], -Infinity);
      }
      return tf.transpose(tf.maxPool(xh, w.kernel, w.stride, 'valid'), [0, 3, 1, 2]);
    });
  }
}

/** Pad (positive) or crop (negative) H and W of an NHWC tensor. */
function padOrCrop(x: tf.Tensor4D, pad: [[number, number], [number, number]], value: number): tf.Tensor4D {
  const [n, h, w, c] = x.shape;
  const crop = pad.map(([a, b]) => [Math.max(-a, 0), Math.max(-b, 0)]) as [[number, number], [number, number]];
  let y = x;
  if (crop.some(([a, b]) => a > 0 || b > 0)) {
    y = tf.slice(y, [0, crop[0][0], crop[1][0], 0], [n, h - crop[0][0] - crop[0][1], w - crop[1][0] - crop[1][1], c]);
  }
  const grow = pad.map(([a, b]) => [Math.max(a, 0), Math.max(b, 0)]) as [[number, number], [number, number]];
  if (grow.some(([a, b]) => a > 0 || b > 0)) y = tf.pad(y, [[0, 0], grow[0], grow[1], [0, 0]], value);
  return y;
}

/** Options of `AvgPool2d`. */
export interface AvgPool2dOptions extends Pool2dOptions {
  /** Count the zero padding in each window's divisor. Default: true. */
  countIncludePad?: boolean;
  /** Divide every window sum by this instead. Default: none. */
  divisorOverride?: number;
}

/** Average pooling over H and W of NCHW input (`torch.nn.AvgPool2d`). */
export class AvgPool2d extends Module<[Tensor], Tensor> {
  readonly #window: Window;
  readonly #countIncludePad: boolean;
  readonly #divisorOverride: number | undefined;

  constructor(kernelSize: IntOrPair, options: AvgPool2dOptions = {}) {
    super();
    this.#window = resolveWindow('AvgPool2d', kernelSize, options);
    this.#countIncludePad = options.countIncludePad ?? true;
    this.#divisorOverride = options.divisorOverride;
  }

  override forward(x: Tensor): Tensor {
    checkNchw('AvgPool2d', x);
    const w = this.#window;
    return tf.tidy(() => {
      const [, , h, wd] = x.shape as [number, number, number, number];
      const pad = poolPadding([h, wd], w);
      const padded = (t: tf.Tensor4D): tf.Tensor4D => (pad.flat().some((p) => p !== 0) ? padOrCrop(t, pad, 0) : t);
      const pooled = tf.avgPool(padded(tf.transpose(x, [0, 2, 3, 1]) as tf.Tensor4D), w.kernel, w.stride, 'valid');
      let y: Tensor = pooled;
      if (this.#divisorOverride !== undefined) {
        y = tf.mul(pooled, (w.kernel[0] * w.kernel[1]) / this.#divisorOverride);
      } else if (!this.#countIncludePad || w.ceilMode) {
        // Divisor = cells of each window inside the input (plus the symmetric padding when it counts).
        const inside = this.#countIncludePad
          ? tf.pad(tf.ones([1, h + 2 * w.padding[0], wd + 2 * w.padding[1], 1]), [[0, 0], [0, pad[0][1] - w.padding[0]], [0, pad[1][1] - w.padding[1]], [0, 0]])
          : padded(tf.ones([1, h, wd, 1]));
        const fraction = tf.avgPool(inside as tf.Tensor4D, w.kernel, w.stride, 'valid');
        y = tf.div(pooled, fraction);
      }
      return tf.transpose(y, [0, 3, 1, 2]);
    });
  }
}

/** Adaptive average pooling to a fixed output size (`torch.nn.AdaptiveAvgPool2d`); `null` keeps that input size. */
export class AdaptiveAvgPool2d extends Module<[Tensor], Tensor> {
  readonly outputSize: [number | null, number | null];

  constructor(outputSize: number | [number | null, number | null]) {
    super();
    this.outputSize = typeof outputSize === 'number' ? [outputSize, outputSize] : outputSize;
  }

  override forward(x: Tensor): Tensor {
    checkNchw('AdaptiveAvgPool2d', x);
    const [n, c, h, w] = x.shape as [number, number, number, number];
    const oh = this.outputSize[0] ?? h;
    const ow = this.outputSize[1] ?? w;
    if (oh === 1 && ow === 1) return tf.tidy(() => tf.mean(x, [2, 3], true));
    if (oh === h && ow === w) return x.clone();
    return tf.tidy(() => {
      // Window i covers [floor(i·H/oh), ceil((i+1)·H/oh)): averaging is two matrix products.
      const rows = tf.reshape(tf.matMul(tf.reshape(x, [n * c * h, w]), poolMatrix(w, ow)), [n * c, h, ow]);
      const cols = tf.matMul(tf.reshape(tf.transpose(rows, [0, 2, 1]), [n * c * ow, h]), poolMatrix(h, oh));
      return tf.transpose(tf.reshape(cols, [n, c, ow, oh]), [0, 1, 3, 2]);
    });
  }
}

/** `[size, out]` matrix whose column i averages input cells [floor(i·size/out), ceil((i+1)·size/out)). */
function poolMatrix(size: number, out: number): Tensor {
  const m = new Float32Array(size * out);
  for (let i = 0; i < out; i++) {
    const start = Math.floor((i * size) / out);
    const end = Math.ceil(((i + 1) * size) / out);
    for (let j = start; j < end; j++) m[j * out + i] = 1 / (end - start);
  }
  return tf.tensor2d(m, [size, out]);
}
