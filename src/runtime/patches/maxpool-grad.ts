/**
 * A `MaxPool` gradient built from slices and comparisons, for backends whose `MaxPoolGrad` kernel is wrong:
 * tfjs-wasm 4.22 starts its running maximum at FLT_MIN instead of -∞, so windows of negative values get no
 * gradient. Like TF and PyTorch, each window's gradient goes to its first maximal element.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { GradConfig, GradFunc, Tensor, Tensor4D } from '@tensorflow/tfjs-core';
import { backendHasKernelBug } from './known-bugs.js';
import { padOrCrop, pair } from './spatial.js';

type Pad = 'valid' | 'same' | number;
type Rounding = 'floor' | 'round' | 'ceil' | undefined;

/** Put `g` ([N, OH, OW, C]) at rows `i + sh·oh` and columns `j + sw·ow` of a zero [N, H, W, C] tensor. */
function scatterStrided(g: Tensor4D, i: number, j: number, sh: number, sw: number, h: number, w: number): Tensor4D {
  const [n, oh, ow, c] = g.shape;
  let spread: Tensor4D = g;
  if (sh > 1 || sw > 1) {
    const six = tf.reshape(g, [n, oh, 1, ow, 1, c]);
    const padded = tf.pad(six, [[0, 0], [0, 0], [0, sh - 1], [0, 0], [0, sw - 1], [0, 0]]);
    spread = tf.reshape(padded, [n, oh * sh, ow * sw, c]);
  }
  return padOrCrop(spread, i, h - i - oh * sh, j, w - j - ow * sw);
}

/** dL/dx of `maxPool(x)` given its output `y` and the output gradient `dy`. */
export function maxPoolInputGrad(
  x: Tensor4D,
  y: Tensor4D,
  dy: Tensor4D,
  filterSize: [number, number],
  strides: [number, number],
  pad: Pad,
  rounding: Rounding,
): Tensor4D {
  const info = tf.backend_util.computePool2DInfo(x.shape, filterSize, strides, 1, pad, rounding);
  const [n, h, w, c] = x.shape;
  const { outHeight: oh, outWidth: ow, strideHeight: sh, strideWidth: sw } = info;
  const [fh, fw] = [info.filterHeight, info.filterWidth];
  const { top, left } = info.padInfo;
  const spanH = (oh - 1) * sh + fh;
  const spanW = (ow - 1) * sw + fw;
  const xp = padOrCrop(x, top, spanH - top - h, left, spanW - left - w, -Infinity);
  let taken: Tensor = tf.zeros(y.shape);
  const parts: Tensor4D[] = [];
  for (let i = 0; i < fh; i++) {
    for (let j = 0; j < fw; j++) {
      const window = tf.stridedSlice(xp, [0, i, j, 0], [n, i + (oh - 1) * sh + 1, j + (ow - 1) * sw + 1, c], [1, sh, sw, 1]);
      const first = tf.mul(tf.cast(tf.equal(window, y), 'float32'), tf.sub(1, taken));
      taken = tf.add(taken, first);
      parts.push(scatterStrided(tf.mul(dy, first), i, j, sh, sw, spanH, spanW));
    }
  }
  const dxp = parts.length === 1 ? (parts[0] as Tensor4D) : tf.addN(parts);
  return padOrCrop(dxp, -top, h + top - spanH, -left, w + left - spanW);
}

/** The `MaxPool` gradient: stock where the backend's `MaxPoolGrad` is right, the op-based one otherwise. */
export function makeMaxPoolGrad(stock: GradConfig | undefined): GradConfig {
  const gradFunc: GradFunc = (dy, saved, attrs) => {
    if (stock !== undefined && !backendHasKernelBug('MaxPoolGrad')) return stock.gradFunc(dy, saved, attrs);
    const [x, y] = saved as [Tensor4D, Tensor4D];
    return {
      x: () =>
        maxPoolInputGrad(
          x,
          y,
          dy as Tensor4D,
          pair(attrs.filterSize),
          pair(attrs.strides),
          attrs.pad as Pad,
          attrs.dimRoundingMode as Rounding,
        ),
    };
  };
  return { kernelName: 'MaxPool', inputsToSave: ['x'], outputsToSave: [true], gradFunc };
}
