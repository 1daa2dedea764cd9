/** Small NHWC helpers shared by the convolution and pooling gradient patches. */
import * as tf from '@tensorflow/tfjs-core';
import type { Tensor4D } from '@tensorflow/tfjs-core';

/** A `[height, width]` pair from a kernel attribute that is a number or an array. */
export function pair(v: unknown): [number, number] {
  if (typeof v === 'number') return [v, v];
  if (Array.isArray(v) && typeof v[0] === 'number') return [v[0], typeof v[1] === 'number' ? v[1] : v[0]];
  return [1, 1];
}

/** Pad (positive amounts, with `value`) or crop (negative amounts) the two spatial axes of an NHWC tensor. */
export function padOrCrop(x: Tensor4D, top: number, bottom: number, left: number, right: number, value = 0): Tensor4D {
  const [n, h, w, c] = x.shape;
  const cropT = Math.max(0, -top);
  const cropL = Math.max(0, -left);
  const keepH = h - cropT - Math.max(0, -bottom);
  const keepW = w - cropL - Math.max(0, -right);
  let out = keepH < h || keepW < w ? tf.slice(x, [0, cropT, cropL, 0], [n, keepH, keepW, c]) : x;
  const padT = Math.max(0, top);
  const padB = Math.max(0, bottom);
  const padL = Math.max(0, left);
  const padR = Math.max(0, right);
  if (padT + padB + padL + padR > 0) {
    out = tf.pad(out, [[0, 0], [padT, padB], [padL, padR], [0, 0]], value);
  }
  return out;
}
