// Data movement on float32 tensors: Transpose, Slice, SplitV, Concat, PadV2 (all one strided copy), GatherV2,
// UnsortedSegmentSum and FusedBatchNorm. Slices are copies here (the cpu backend returns views, which would keep
// their parent out of the buffer pool).
import { addon } from '../addon.js';
import { collapse, sizeOf, stridesOf } from '../util.js';

/** Copy `src` (contiguous, shape `shape`) or a strided view of it into `dst` at `dstOffset` with `dstStrides`. */
function copy(dst, dstOffset, dstStrides, src, srcOffset, srcStrides, shape) {
  if (sizeOf(shape) === 0) return;
  const g = collapse(shape, [dstStrides, srcStrides]);
  addon.copyStrided(dst, dstOffset, g.strides[0], src, srcOffset, g.strides[1], g.shape);
}

function transpose({ inputs, backend, attrs }) {
  const { x } = inputs;
  if (x.dtype !== 'float32') return undefined;
  const perm = attrs.perm;
  const outShape = perm.map((p) => x.shape[p]);
  const xs = stridesOf(x.shape);
  const out = backend.allocFloat32(x.size);
  copy(out, 0, stridesOf(outShape), backend.valuesOf(x), 0, perm.map((p) => xs[p]), outShape);
  return backend.outputInfo(outShape, out);
}

function sliceInto(backend, x, begin, size) {
  const xs = stridesOf(x.shape);
  const offset = begin.reduce((acc, b, i) => acc + b * xs[i], 0);
  const out = backend.allocFloat32(sizeOf(size));
  copy(out, 0, stridesOf(size), backend.valuesOf(x), offset, xs, size);
  return backend.outputInfo(size, out);
}

function slice({ inputs, backend, attrs }) {
  const { x } = inputs;
  if (x.dtype !== 'float32') return undefined;
  const rank = x.shape.length;
  const begin = typeof attrs.begin === 'number' ? [attrs.begin] : [...attrs.begin];
  const size = typeof attrs.size === 'number' ? [attrs.size] : [...attrs.size];
  while (begin.length < rank) begin.push(0);
  while (size.length < rank) size.push(-1);
  const resolved = size.map((s, i) => (s === -1 ? x.shape[i] - begin[i] : s));
  if (resolved.some((s, i) => s < 0 || begin[i] < 0 || begin[i] + s > x.shape[i])) return undefined;
  return sliceInto(backend, x, begin, resolved);
}

function splitV({ inputs, backend, attrs }) {
  const { x } = inputs;
  if (x.dtype !== 'float32') return undefined;
  const rank = x.shape.length;
  const axis = attrs.axis < 0 ? attrs.axis + rank : attrs.axis;
  let sizes = attrs.numOrSizeSplits;
  if (typeof sizes === 'number') {
    if (x.shape[axis] % sizes !== 0) return undefined;
    sizes = new Array(sizes).fill(x.shape[axis] / sizes);
  } else {
    const known = sizes.filter((s) => s !== -1).reduce((a, b) => a + b, 0);
    sizes = sizes.map((s) => (s === -1 ? x.shape[axis] - known : s));
  }
  if (sizes.reduce((a, b) => a + b, 0) !== x.shape[axis]) return undefined;
  let start = 0;
  return sizes.map((s) => {
    const begin = x.shape.map((_, i) => (i === axis ? start : 0));
    const size = x.shape.map((d, i) => (i === axis ? s : d));
    start += s;
    return sliceInto(backend, x, begin, size);
  });
}

function concat({ inputs, backend, attrs }) {
  const list = Array.isArray(inputs) ? inputs : Object.values(inputs);
  if (list.length === 0 || list.some((t) => t.dtype !== 'float32')) return undefined;
  const rank = list[0].shape.length;
  const axis = attrs.axis < 0 ? attrs.axis + rank : attrs.axis;
  if (list.some((t) => t.shape.length !== rank || t.shape.some((d, i) => i !== axis && d !== list[0].shape[i]))) {
    return undefined;
  }
  const outShape = [...list[0].shape];
  outShape[axis] = list.reduce((acc, t) => acc + t.shape[axis], 0);
  const outStrides = stridesOf(outShape);
  const out = backend.allocFloat32(sizeOf(outShape));
  let offset = 0;
  for (const t of list) {
    copy(out, offset * outStrides[axis], outStrides, backend.valuesOf(t), 0, stridesOf(t.shape), t.shape);
    offset += t.shape[axis];
  }
  return backend.outputInfo(outShape, out);
}

function padV2({ inputs, backend, attrs }) {
  const { x } = inputs;
  if (x.dtype !== 'float32') return undefined;
  const { paddings, constantValue } = attrs;
  if (paddings.some(([lo, hi]) => lo < 0 || hi < 0)) return undefined;
  const outShape = x.shape.map((d, i) => d + paddings[i][0] + paddings[i][1]);
  const outStrides = stridesOf(outShape);
  const out = backend.allocFloat32(sizeOf(outShape));
  out.fill(constantValue ?? 0);
  const offset = paddings.reduce((acc, [lo], i) => acc + lo * outStrides[i], 0);
  copy(out, offset, outStrides, backend.valuesOf(x), 0, stridesOf(x.shape), x.shape);
  return backend.outputInfo(outShape, out);
}

function gatherV2({ inputs, backend, attrs }) {
  const { x, indices } = inputs;
  if (x.dtype !== 'float32' || indices.dtype !== 'int32' || (attrs.batchDims ?? 0) !== 0) return undefined;
  const rank = x.shape.length;
  const axis = attrs.axis < 0 ? attrs.axis + rank : attrs.axis;
  const outer = sizeOf(x.shape.slice(0, axis));
  const inner = sizeOf(x.shape.slice(axis + 1));
  const outShape = [...x.shape.slice(0, axis), ...indices.shape, ...x.shape.slice(axis + 1)];
  const out = backend.allocFloat32(sizeOf(outShape));
  const bad = addon.gather(out, backend.valuesOf(x), backend.valuesOf(indices), outer, x.shape[axis], inner);
  if (bad > 0) {
    backend.pool.give(out);
    return undefined; // the cpu kernel reports the out-of-range index
  }
  return backend.outputInfo(outShape, out);
}

function unsortedSegmentSum({ inputs, backend, attrs }) {
  const { x, segmentIds } = inputs;
  if (x.dtype !== 'float32' || segmentIds.dtype !== 'int32') return undefined;
  const rest = x.shape.slice(segmentIds.shape.length);
  const inner = sizeOf(rest);
  const outShape = [attrs.numSegments, ...rest];
  const out = backend.allocFloat32(sizeOf(outShape));
  addon.segmentSum(out, backend.valuesOf(x), backend.valuesOf(segmentIds), inner, attrs.numSegments);
  return backend.outputInfo(outShape, out);
}

function fusedBatchNorm({ inputs, backend, attrs }) {
  const { x, mean, variance, offset, scale } = inputs;
  const params = [mean, variance, offset, scale].filter((t) => t !== undefined && t !== null);
  if ([x, ...params].some((t) => t.dtype !== 'float32') || x.shape.length === 0) return undefined;
  const c = x.shape[x.shape.length - 1];
  const perChannel = (t) => t.size === 1 || (t.size === c && t.shape[t.shape.length - 1] === c);
  if (!params.every(perChannel)) return undefined;
  const values = (t) => (t === undefined || t === null ? null : backend.valuesOf(t));
  const out = backend.allocFloat32(x.size);
  addon.batchNorm(out, backend.valuesOf(x), values(mean), values(variance), values(offset), values(scale), attrs.varianceEpsilon ?? 0.001);
  return backend.outputInfo(x.shape, out);
}

export const layoutKernels = {
  Transpose: transpose,
  Slice: slice,
  SplitV: splitV,
  Concat: concat,
  PadV2: padV2,
  GatherV2: gatherV2,
  UnsortedSegmentSum: unsortedSegmentSum,
  FusedBatchNorm: fusedBatchNorm,
};
