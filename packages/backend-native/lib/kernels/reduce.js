// Reductions over any axes, arg-max/min and softmax.
import { addon } from '../addon.js';
import { parseAxes, reduceGeometry, sizeOf } from '../util.js';

const OPS = { Sum: 0, Mean: 1, Max: 2, Min: 3, Prod: 4 };

function reduce(op, axisAttr) {
  return ({ inputs, backend, attrs }) => {
    const { x } = inputs;
    if (x.dtype !== 'float32' || x.size === 0) return undefined;
    const axes = parseAxes(attrs[axisAttr], x.shape.length);
    const g = reduceGeometry(x.shape, axes);
    const outShape = attrs.keepDims === true
      ? x.shape.map((d, i) => (axes.includes(i) ? 1 : d))
      : x.shape.filter((_, i) => !axes.includes(i));
    const out = backend.allocFloat32(sizeOf(outShape));
    if (axes.length === 0 || !g.reduced.includes(1)) {
      // Only size-1 axes are reduced: the values are unchanged (mean divides by 1).
      out.set(backend.valuesOf(x));
    } else {
      addon.reduce(out, backend.valuesOf(x), op, g.shape, g.reduced, g.count);
    }
    return backend.outputInfo(outShape, out);
  };
}

function argReduce(isMin) {
  return ({ inputs, backend, attrs }) => {
    const { x } = inputs;
    if (x.dtype !== 'float32' || x.size === 0) return undefined;
    const [axis] = parseAxes(attrs.axis, x.shape.length);
    const outer = sizeOf(x.shape.slice(0, axis));
    const inner = sizeOf(x.shape.slice(axis + 1));
    const outShape = x.shape.filter((_, i) => i !== axis);
    const out = new Int32Array(sizeOf(outShape));
    addon.argReduce(out, backend.valuesOf(x), outer, x.shape[axis], inner, isMin);
    return backend.makeTensorInfo(outShape, 'int32', out);
  };
}

function softmax({ inputs, backend, attrs }) {
  const { logits } = inputs;
  const rank = logits.shape.length;
  const dim = attrs.dim === undefined || attrs.dim === -1 ? rank - 1 : attrs.dim;
  if (logits.dtype !== 'float32' || dim !== rank - 1 || logits.size === 0) return undefined;
  const cols = logits.shape[rank - 1];
  const out = backend.allocFloat32(logits.size);
  addon.softmax(out, backend.valuesOf(logits), logits.size / cols, cols, false);
  return backend.outputInfo(logits.shape, out);
}

export const reduceKernels = {
  Sum: reduce(OPS.Sum, 'axis'),
  Mean: reduce(OPS.Mean, 'axis'),
  Max: reduce(OPS.Max, 'reductionIndices'),
  Min: reduce(OPS.Min, 'axis'),
  Prod: reduce(OPS.Prod, 'axis'),
  ArgMax: argReduce(false),
  ArgMin: argReduce(true),
  Softmax: softmax,
};

