/**
 * `Conv2D` and `Conv2DBackpropInput` (conv2dTranspose) gradients for backends without the
 * `Conv2DBackpropFilter` kernel (tfjs-wasm), and for dilated convolutions, which the stock gradient rejects.
 * The filter gradient is a forward convolution of the transposed input with the transposed output gradient;
 * the input gradient of a dilated convolution is a dilated convolution of the padded output gradient with the
 * flipped filter. Backends that have the kernel keep TF.js's own gradient for undilated convolutions.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { GradConfig, GradFunc, NamedAttrMap, Tensor4D } from '@tensorflow/tfjs-core';
import { backendHasKernel } from './known-bugs.js';
import { padOrCrop, pair } from './spatial.js';

type Pad = 'valid' | 'same' | number | [[number, number], [number, number], [number, number], [number, number]];
type Rounding = 'floor' | 'round' | 'ceil' | undefined;

function convAttrs(attrs: NamedAttrMap): {
  strides: [number, number];
  dilations: [number, number];
  pad: Pad;
  rounding: Rounding;
  isNhwc: boolean;
} {
  return {
    strides: pair(attrs.strides),
    dilations: pair(attrs.dilations ?? 1),
    pad: attrs.pad as Pad,
    rounding: attrs.dimRoundingMode as Rounding,
    isNhwc: attrs.dataFormat === undefined || attrs.dataFormat === 'NHWC',
  };
}

/**
 * dL/dW of `conv2d(x, W, strides, pad, dilations)` for NHWC `x` and output gradient `dy`, as one forward conv:
 * the batch becomes the channel axis and the output gradient becomes the filter (strides and dilations swap).
 */
export function conv2dFilterGrad(
  x: Tensor4D,
  dy: Tensor4D,
  filterShape: [number, number, number, number],
  strides: [number, number],
  dilations: [number, number],
  padTop: number,
  padLeft: number,
): Tensor4D {
  const [kh, kw] = filterShape;
  const [, outH, outW] = dy.shape;
  const spanH = (kh - 1) * dilations[0] + (outH - 1) * strides[0] + 1;
  const spanW = (kw - 1) * dilations[1] + (outW - 1) * strides[1] + 1;
  const [, h, w] = x.shape;
  const xp = padOrCrop(x, padTop, spanH - padTop - h, padLeft, spanW - padLeft - w);
  const xT = tf.transpose(xp, [3, 1, 2, 0]);
  const dyT = tf.transpose(dy, [1, 2, 0, 3]);
  const out = tf.conv2d(xT, dyT, dilations, 'valid', 'NHWC', strides);
  return tf.transpose(out, [1, 2, 0, 3]);
}

/** dL/dx of a stride-1 dilated `conv2d`: a dilated conv of the re-padded `dy` with the flipped, transposed filter. */
export function dilatedConv2dInputGrad(
  xShape: [number, number, number, number],
  dy: Tensor4D,
  filter: Tensor4D,
  dilations: [number, number],
  padTop: number,
  padLeft: number,
): Tensor4D {
  const [kh, kw] = filter.shape;
  const [, h, w] = xShape;
  const [, outH, outW] = dy.shape;
  const top = (kh - 1) * dilations[0] - padTop;
  const left = (kw - 1) * dilations[1] - padLeft;
  const bottom = h + (kh - 1) * dilations[0] - top - outH;
  const right = w + (kw - 1) * dilations[1] - left - outW;
  const dyp = padOrCrop(dy, top, bottom, left, right);
  const flipped = tf.transpose(tf.reverse(filter, [0, 1]), [0, 1, 3, 2]);
  return tf.conv2d(dyp, flipped, 1, 'valid', 'NHWC', dilations);
}

function padInfo(
  xShape: [number, number, number, number],
  filterShape: [number, number, number, number],
  strides: [number, number],
  dilations: [number, number],
  pad: Pad,
  rounding: Rounding,
): { top: number; left: number } {
  const info = tf.backend_util.computeConv2DInfo(xShape, filterShape, strides, dilations, pad, rounding);
  return { top: info.padInfo.top, left: info.padInfo.left };
}

/** The `Conv2D` gradient: stock where the backend supports it, the forward-conv formulation otherwise. */
export function makeConv2dGrad(stock: GradConfig | undefined): GradConfig {
  const gradFunc: GradFunc = (dy, saved, attrs) => {
    const [x, filter] = saved as [Tensor4D, Tensor4D];
    const g = dy as Tensor4D;
    const a = convAttrs(attrs);
    const undilated = a.dilations[0] === 1 && a.dilations[1] === 1;
    if (stock !== undefined && (!a.isNhwc || (undilated && backendHasKernel('Conv2DBackpropFilter')))) {
      return stock.gradFunc(dy, saved, attrs);
    }
    const fShape = filter.shape;
    const { top, left } = padInfo(x.shape, fShape, a.strides, a.dilations, a.pad, a.rounding);
    return {
      x: () =>
        undilated
          ? tf.conv2dTranspose(g, filter, x.shape, a.strides, a.pad, a.rounding)
          : dilatedConv2dInputGrad(x.shape, g, filter, a.dilations, top, left),
      filter: () => conv2dFilterGrad(x, g, fShape, a.strides, a.dilations, top, left),
    };
  };
  return { kernelName: 'Conv2D', inputsToSave: ['x', 'filter'], gradFunc };
}

/** The `Conv2DBackpropInput` (conv2dTranspose) gradient, with the same fallback for its filter gradient. */
export function makeConv2dTransposeGrad(stock: GradConfig | undefined): GradConfig {
  const gradFunc: GradFunc = (ddx, saved, attrs) => {
    const [dy, filter] = saved as [Tensor4D, Tensor4D];
    const g = ddx as Tensor4D;
    const a = convAttrs(attrs);
    if (stock !== undefined && (!a.isNhwc || backendHasKernel('Conv2DBackpropFilter'))) {
      return stock.gradFunc(ddx, saved, attrs);
    }
    const { top, left } = padInfo(g.shape, filter.shape, a.strides, [1, 1], a.pad, a.rounding);
    return {
      dy: () => tf.conv2d(g, filter, a.strides, a.pad, 'NHWC', 1, a.rounding),
      filter: () => conv2dFilterGrad(g, dy, filter.shape, a.strides, [1, 1], top, left),
    };
  };
  return { kernelName: 'Conv2DBackpropInput', inputsToSave: ['dy', 'filter'], gradFunc };
}
