// Shape helpers shared by the native kernels: broadcasting strides, dimension collapsing, outputs.

/** Row-major strides of `shape`. */
export function stridesOf(shape) {
  const s = new Array(shape.length);
  let acc = 1;
  for (let d = shape.length - 1; d >= 0; d--) {
    s[d] = acc;
    acc *= shape[d];
  }
  return s;
}

/** Number of elements of `shape`. */
export function sizeOf(shape) {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/** The broadcast shape of `a` and `b` (numpy rules), or undefined when they do not broadcast. */
export function broadcastShape(a, b) {
  const rank = Math.max(a.length, b.length);
  const out = new Array(rank);
  for (let i = 0; i < rank; i++) {
    const da = a[a.length - rank + i] ?? 1;
    const db = b[b.length - rank + i] ?? 1;
    if (da !== db && da !== 1 && db !== 1) return undefined;
    out[i] = da === 1 ? db : da;
  }
  return out;
}

/** Element strides of an operand of shape `shape` read over `outShape` (0 along broadcast dims). */
function operandStrides(shape, outShape) {
  const rank = outShape.length;
  const own = stridesOf(shape);
  const out = new Array(rank).fill(0);
  for (let i = 0; i < shape.length; i++) {
    const d = rank - shape.length + i;
    out[d] = shape[i] === 1 ? 0 : own[i];
  }
  return out;
}

/**
 * Collapse `shape` with per-operand strides: drop size-1 dims and merge neighbours that are contiguous for every
 * operand. Returns Int32Arrays (rank >= 1).
 */
export function collapse(shape, operandStrideList) {
  const dims = [];
  const strides = operandStrideList.map(() => []);
  for (let d = 0; d < shape.length; d++) {
    if (shape[d] === 1) continue;
    const last = dims.length - 1;
    const mergeable =
      last >= 0 && operandStrideList.every((s, k) => strides[k][last] === s[d] * shape[d]);
    if (mergeable) {
      dims[last] *= shape[d];
      operandStrideList.forEach((s, k) => (strides[k][last] = s[d]));
    } else {
      dims.push(shape[d]);
      operandStrideList.forEach((s, k) => strides[k].push(s[d]));
    }
  }
  if (dims.length === 0) {
    dims.push(1);
    strides.forEach((s) => s.push(0));
  }
  return { shape: Int32Array.from(dims), strides: strides.map((s) => Int32Array.from(s)) };
}

/** Collapsed broadcasting geometry of `a op b`. */
export function broadcastGeometry(aShape, bShape) {
  const outShape = broadcastShape(aShape, bShape);
  if (outShape === undefined) return undefined;
  const { shape, strides } = collapse(outShape, [operandStrides(aShape, outShape), operandStrides(bShape, outShape)]);
  return { outShape, shape, aStrides: strides[0], bStrides: strides[1] };
}

/**
 * Collapse a reduction: merge neighbouring dims that are both reduced or both kept, drop size-1 dims.
 * Returns the collapsed shape, reduced flags, and the number of reduced elements.
 */
export function reduceGeometry(shape, axes) {
  const isReduced = new Set(axes.map((a) => (a < 0 ? a + shape.length : a)));
  const dims = [];
  const flags = [];
  let count = 1;
  for (let d = 0; d < shape.length; d++) {
    const r = isReduced.has(d) ? 1 : 0;
    if (r) count *= shape[d];
    if (shape[d] === 1) continue;
    const last = dims.length - 1;
    if (last >= 0 && flags[last] === r) dims[last] *= shape[d];
    else {
      dims.push(shape[d]);
      flags.push(r);
    }
  }
  return { shape: Int32Array.from(dims), reduced: Int32Array.from(flags), count };
}

/** Normalise a kernel's axis attribute (number, array or undefined = all) to non-negative axes. */
export function parseAxes(axis, rank) {
  const list = axis === undefined || axis === null ? [...Array(rank).keys()] : Array.isArray(axis) ? axis : [axis];
  return list.map((a) => (a < 0 ? a + rank : a));
}

/** `[h, w]` from a number or a pair. */
export function pair(v) {
  if (typeof v === 'number') return [v, v];
  if (Array.isArray(v)) return [v[0], v[1] ?? v[0]];
  return [1, 1];
}
