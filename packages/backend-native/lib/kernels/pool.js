// MaxPool / AvgPool and their gradients (NHWC, dilation 1).
import { backend_util } from '@tensorflow/tfjs-core';
import { addon } from '../addon.js';
import { sizeOf } from '../util.js';

function poolDims(xShape, attrs) {
  const info = backend_util.computePool2DInfo(xShape, attrs.filterSize, attrs.strides, 1, attrs.pad, attrs.dimRoundingMode);
  if (info.dilationHeight !== 1 || info.dilationWidth !== 1) return undefined;
  const d = Int32Array.from([
    info.batchSize, info.inHeight, info.inWidth, info.inChannels, info.outHeight, info.outWidth, info.filterHeight,
    info.filterWidth, info.strideHeight, info.strideWidth, info.padInfo.top, info.padInfo.left,
  ]);
  return { info, d };
}

function forward(fn) {
  return ({ inputs, backend, attrs }) => {
    const { x } = inputs;
    if (x.dtype !== 'float32' || x.shape.length !== 4) return undefined;
    const p = poolDims(x.shape, attrs);
    if (p === undefined) return undefined;
    const out = backend.allocFloat32(sizeOf(p.info.outShape));
    addon[fn](out, backend.valuesOf(x), p.d);
    return backend.outputInfo(p.info.outShape, out);
  };
}

export const poolKernels = {
  MaxPool: forward('maxPool'),
  AvgPool: forward('avgPool'),
  MaxPoolGrad: ({ inputs, backend, attrs }) => {
    const { dy, input } = inputs;
    if (dy.dtype !== 'float32' || input.dtype !== 'float32' || input.shape.length !== 4) return undefined;
    const p = poolDims(input.shape, attrs);
    if (p === undefined) return undefined;
    const dx = backend.allocFloat32(input.size);
    addon.maxPoolGrad(dx, backend.valuesOf(dy), backend.valuesOf(input), p.d);
    return backend.outputInfo(input.shape, dx);
  },
  AvgPoolGrad: ({ inputs, backend, attrs }) => {
    const { dy, input } = inputs;
    if (dy.dtype !== 'float32' || input.shape.length !== 4) return undefined;
    const p = poolDims(input.shape, attrs);
    if (p === undefined) return undefined;
    const dx = backend.allocFloat32(input.size);
    addon.avgPoolGrad(dx, backend.valuesOf(dy), p.d);
    return backend.outputInfo(input.shape, dx);
  },
};
