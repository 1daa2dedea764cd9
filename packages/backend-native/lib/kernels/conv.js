// Conv2D, depthwise conv and their backprops through oneDNN (NHWC only; other layouts fall back to the cpu kernels).
import { backend_util } from '@tensorflow/tfjs-core';
import { addon } from '../addon.js';
import { sizeOf } from '../util.js';

/** oneDNN's dims for a conv described by TF.js's conv info, or undefined when oneDNN cannot take it. */
function dims(info, groups) {
  if (info.dataFormat !== 'channelsLast') return undefined;
  const p = info.padInfo;
  if (p.top < 0 || p.left < 0 || p.bottom < 0 || p.right < 0) return undefined;
  const effH = (info.filterHeight - 1) * info.dilationHeight + 1;
  const effW = (info.filterWidth - 1) * info.dilationWidth + 1;
  const oh = Math.floor((info.inHeight - effH + p.top + p.bottom) / info.strideHeight) + 1;
  const ow = Math.floor((info.inWidth - effW + p.left + p.right) / info.strideWidth) + 1;
  if (oh !== info.outHeight || ow !== info.outWidth) return undefined;
  if (info.batchSize * info.inHeight * info.inWidth * info.inChannels === 0 || info.outHeight * info.outWidth === 0) return undefined;
  return Int32Array.from([
    info.batchSize, info.inHeight, info.inWidth, info.inChannels, info.outChannels, info.filterHeight, info.filterWidth,
    info.outHeight, info.outWidth, info.strideHeight, info.strideWidth, info.dilationHeight, info.dilationWidth,
    p.top, p.left, p.bottom, p.right, groups,
  ]);
}

const hasConv = () => addon.conv2dForward !== undefined;
const f32 = (...ts) => ts.every((t) => t.dtype === 'float32');

function run(backend, fn, outShape, in1, in2, d) {
  const out = backend.allocFloat32(sizeOf(outShape));
  addon[fn](out, backend.valuesOf(in1), backend.valuesOf(in2), d);
  return backend.outputInfo(outShape, out);
}

function info2d(xShape, filterShape, attrs, depthwise) {
  return backend_util.computeConv2DInfo(
    xShape, filterShape, attrs.strides, attrs.dilations ?? 1, attrs.pad, attrs.dimRoundingMode, depthwise,
    backend_util.convertConv2DDataFormat(attrs.dataFormat ?? 'NHWC'),
  );
}

export const convKernels = {
  Conv2D: ({ inputs, backend, attrs }) => {
    const { x, filter } = inputs;
    if (!hasConv() || !f32(x, filter)) return undefined;
    const info = info2d(x.shape, filter.shape, attrs, false);
    const d = dims(info, 1);
    return d && run(backend, 'conv2dForward', info.outShape, x, filter, d);
  },
  Conv2DBackpropInput: ({ inputs, backend, attrs }) => {
    const { dy, filter } = inputs;
    if (!hasConv() || !f32(dy, filter)) return undefined;
    const info = info2d(attrs.inputShape, filter.shape, { ...attrs, dilations: 1 }, false);
    const d = dims(info, 1);
    return d && run(backend, 'conv2dBackwardData', info.inShape, dy, filter, d);
  },
  Conv2DBackpropFilter: ({ inputs, backend, attrs }) => {
    const { x, dy } = inputs;
    if (!hasConv() || !f32(x, dy)) return undefined;
    const info = info2d(x.shape, attrs.filterShape, { ...attrs, dilations: 1 }, false);
    const d = dims(info, 1);
    return d && run(backend, 'conv2dBackwardWeights', attrs.filterShape, x, dy, d);
  },
  DepthwiseConv2dNative: ({ inputs, backend, attrs }) => {
    const { x, filter } = inputs;
    if (!hasConv() || !f32(x, filter)) return undefined;
    const info = info2d(x.shape, filter.shape, { ...attrs, dataFormat: 'NHWC' }, true);
    const d = dims(info, info.inChannels);
    return d && run(backend, 'conv2dForward', info.outShape, x, filter, d);
  },
  DepthwiseConv2dNativeBackpropInput: ({ inputs, backend, attrs }) => {
    const { dy, filter } = inputs;
    if (!hasConv() || !f32(dy, filter)) return undefined;
    const info = info2d(attrs.inputShape, filter.shape, { ...attrs, dataFormat: 'NHWC' }, true);
    const d = dims(info, info.inChannels);
    return d && run(backend, 'conv2dBackwardData', info.inShape, dy, filter, d);
  },
  DepthwiseConv2dNativeBackpropFilter: ({ inputs, backend, attrs }) => {
    const { x, dy } = inputs;
    if (!hasConv() || !f32(x, dy)) return undefined;
    const info = info2d(x.shape, attrs.filterShape, { ...attrs, dataFormat: 'NHWC' }, true);
    const d = dims(info, info.inChannels);
    return d && run(backend, 'conv2dBackwardWeights', attrs.filterShape, x, dy, d);
  },
};
