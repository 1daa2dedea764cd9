// The negative log-likelihood with class-index targets as one forward and one backward kernel (lightning-ts's
// `nllLoss`/`crossEntropy` use them when registered, instead of ≈ 13 one-hot/mask/sum kernels each way).
// Inputs: logp [M, C] float32 log-probabilities, target [M] int32 class indices; attrs: ignoreIndex, reduction
// ('mean' | 'sum'). The numbers are those of the generic path: per-row values -logp[i, t] summed in a double
// (as the Sum kernel does), rounded to float32, then divided in float32 by the number of non-ignored targets.
// A target outside [0, C) that is not ignoreIndex adds 0 but is counted, like the generic one-hot path.
const fround = Math.fround;

/** Name of the forward kernel. */
export const NLL_LOSS = 'LightningNllLoss';
/** Name of the backward kernel: inputs dy (scalar), target; attrs classes, ignoreIndex, reduction. */
export const NLL_LOSS_GRAD = 'LightningNllLossGrad';

function geometry(logp, target) {
  if (logp.dtype !== 'float32' || target.dtype !== 'int32' || logp.shape.length !== 2 || target.shape.length !== 1) return undefined;
  if (target.shape[0] !== logp.shape[0]) return undefined;
  return { rows: logp.shape[0], classes: logp.shape[1] };
}

function nllLoss({ inputs, backend, attrs }) {
  const { logp, target } = inputs;
  const g = geometry(logp, target);
  if (g === undefined) throw new Error(`${NLL_LOSS}: expected float32 [M, C] log-probabilities and int32 [M] targets.`);
  const lp = backend.valuesOf(logp);
  const t = backend.data.get(target.dataId).values;
  let acc = 0;
  let count = 0;
  for (let i = 0; i < g.rows; i++) {
    const c = t[i];
    if (c === attrs.ignoreIndex) continue;
    count++;
    if (c >= 0 && c < g.classes) acc += -lp[i * g.classes + c];
  }
  const total = fround(acc);
  const out = backend.allocFloat32(1);
  out[0] = attrs.reduction === 'sum' ? total : fround(total / count);
  return backend.outputInfo([], out);
}

function nllLossGrad({ inputs, backend, attrs }) {
  const { dy, target } = inputs;
  const { classes, ignoreIndex } = attrs;
  const t = backend.data.get(target.dataId).values;
  const rows = target.shape[0];
  const d = backend.valuesOf(dy)[0];
  let count = 0;
  for (let i = 0; i < rows; i++) if (t[i] !== ignoreIndex) count++;
  const value = -(attrs.reduction === 'sum' ? d : fround(d / count));
  const out = backend.allocFloat32(rows * classes);
  out.fill(0);
  for (let i = 0; i < rows; i++) {
    const c = t[i];
    if (c !== ignoreIndex && c >= 0 && c < classes) out[i * classes + c] = value;
  }
  return backend.outputInfo([rows, classes], out);
}

/** Name of the fused log-softmax over the last axis of a float32 [M, C] tensor. */
export const LOG_SOFTMAX = 'LightningLogSoftmax';
/** Its backward kernel: inputs dy and the forward output y, both [M, C]. */
export const LOG_SOFTMAX_GRAD = 'LightningLogSoftmaxGrad';

// The log-softmax with the generic path's float32 roundings, op by op: s = x - max, y = s - log(sum(exp(s)))
// (the row sum accumulated in a double, as the Sum kernel does); one pass per row instead of six kernels.
function logSoftmax({ inputs, backend }) {
  const { logits } = inputs;
  if (logits.dtype !== 'float32' || logits.shape.length !== 2) throw new Error(`${LOG_SOFTMAX}: expected a float32 [M, C] tensor.`);
  const [rows, cols] = logits.shape;
  const x = backend.valuesOf(logits);
  const out = backend.allocFloat32(rows * cols);
  for (let r = 0; r < rows; r++) {
    const o = r * cols;
    let max = -Infinity;
    for (let j = 0; j < cols; j++) {
      const v = x[o + j];
      if (v > max || Number.isNaN(v)) max = v;
      if (Number.isNaN(v)) break;
    }
    let sum = 0;
    for (let j = 0; j < cols; j++) {
      const shifted = fround(x[o + j] - max);
      out[o + j] = shifted;
      sum += fround(Math.exp(shifted));
    }
    const logSum = fround(Math.log(fround(sum)));
    for (let j = 0; j < cols; j++) out[o + j] = fround(out[o + j] - logSum);
  }
  return backend.outputInfo([rows, cols], out);
}

// dx = dy - exp(y) * sum(dy) per row, with the generic gradient's roundings.
function logSoftmaxGrad({ inputs, backend }) {
  const { dy, y } = inputs;
  const [rows, cols] = y.shape;
  const g = backend.valuesOf(dy);
  const yv = backend.valuesOf(y);
  const out = backend.allocFloat32(rows * cols);
  for (let r = 0; r < rows; r++) {
    const o = r * cols;
    let sum = 0;
    for (let j = 0; j < cols; j++) sum += g[o + j];
    const total = fround(sum);
    for (let j = 0; j < cols; j++) out[o + j] = fround(g[o + j] - fround(total * fround(Math.exp(yv[o + j]))));
  }
  return backend.outputInfo([rows, cols], out);
}

export const lossKernels = {
  [NLL_LOSS]: nllLoss,
  [NLL_LOSS_GRAD]: nllLossGrad,
  [LOG_SOFTMAX]: logSoftmax,
  [LOG_SOFTMAX_GRAD]: logSoftmaxGrad,
};
