// BatchMatMul and _FusedMatMul (bias + activation epilogue) through cblas_sgemm, with general batch broadcasting.
import { addon } from '../addon.js';
import { broadcastShape, sizeOf, stridesOf } from '../util.js';

const ACTIVATIONS = { linear: 0, relu: 1, relu6: 2, sigmoid: 3, leakyrelu: 4, elu: 5 };

/** Per-output-batch element offsets into an operand with batch dims `own` broadcast to `batch` (null if aligned). */
function batchOffsets(own, batch, matrixSize) {
  const lead = batch.length - own.length;
  if (lead === 0 && own.every((d, i) => d === batch[i])) return null;
  const count = sizeOf(batch);
  const ownStrides = stridesOf(own);
  const offsets = new Int32Array(count);
  const idx = new Array(batch.length).fill(0);
  for (let i = 0; i < count; i++) {
    let off = 0;
    for (let d = 0; d < own.length; d++) {
      if (own[d] !== 1) off += idx[d + lead] * ownStrides[d];
    }
    offsets[i] = off * matrixSize;
    for (let d = batch.length - 1; d >= 0; d--) {
      if (++idx[d] < batch[d]) break;
      idx[d] = 0;
    }
  }
  return offsets;
}

function matmul(backend, a, b, ta, tb, bias, activation, alpha) {
  if (a.dtype !== 'float32' || b.dtype !== 'float32' || a.shape.length < 2 || b.shape.length < 2) return undefined;
  const ra = a.shape.length;
  const rb = b.shape.length;
  const m = ta ? a.shape[ra - 1] : a.shape[ra - 2];
  const k = ta ? a.shape[ra - 2] : a.shape[ra - 1];
  const k2 = tb ? b.shape[rb - 1] : b.shape[rb - 2];
  const n = tb ? b.shape[rb - 2] : b.shape[rb - 1];
  if (k !== k2) return undefined;
  const batchA = a.shape.slice(0, -2);
  const batchB = b.shape.slice(0, -2);
  const batch = broadcastShape(batchA, batchB);
  if (batch === undefined) return undefined;
  const outShape = [...batch, m, n];
  let mode = 0;
  let biasValues = null;
  if (bias !== undefined) {
    if (bias.dtype !== 'float32') return undefined;
    const bs = [...bias.shape];
    while (bs.length > 0 && bs[0] === 1) bs.shift();
    const tail = (k) => outShape.slice(outShape.length - k);
    const same = (x, y) => x.length === y.length && x.every((d, i) => d === y[i]);
    if (bias.size === 1) mode = 2;
    else if (same(bs, [n])) mode = 1;
    else if (same(bs, [m, n])) mode = 4;
    else if (bs.length <= outShape.length && same(bs, tail(bs.length)) && bias.size === sizeOf(outShape)) mode = 3;
    else return undefined;
    biasValues = backend.valuesOf(bias);
  }
  const act = ACTIVATIONS[activation ?? 'linear'];
  if (act === undefined) return undefined;
  const count = sizeOf(batch);
  const out = backend.allocFloat32(count * m * n);
  addon.gemm(
    out,
    backend.valuesOf(a),
    backend.valuesOf(b),
    count,
    m,
    n,
    k,
    ta,
    tb,
    batchOffsets(batchA, batch, m * k),
    batchOffsets(batchB, batch, k * n),
    biasValues,
    mode,
    act,
    alpha ?? 0.2,
  );
  return backend.outputInfo(outShape, out);
}

export const matmulKernels = {
  BatchMatMul: ({ inputs, backend, attrs }) =>
    matmul(backend, inputs.a, inputs.b, attrs.transposeA === true, attrs.transposeB === true, undefined, 'linear', 0),
  _FusedMatMul: ({ inputs, backend, attrs }) => {
    if (inputs.preluActivationWeights !== undefined && inputs.preluActivationWeights !== null) return undefined;
    const bias = inputs.bias ?? undefined;
    return matmul(backend, inputs.a, inputs.b, attrs.transposeA === true, attrs.transposeB === true, bias, attrs.activation, attrs.leakyreluAlpha);
  },
};
