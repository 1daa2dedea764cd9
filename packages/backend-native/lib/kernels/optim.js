// Fused optimizer updates: one kernel per parameter (or flattened group) for SGD, Adam, AdamW and RMSprop.
// Inputs: { param, grad, ...state }; attrs: the param group's options plus `step`. Outputs: [param, ...state] in
// the order documented on each kernel. The derived scalars are computed here exactly as the generic TF.js rules
// compute them (same JS expressions), and the addon applies them with one float32 rounding per op, so the
// numbers match the generic path.
import { addon } from '../addon.js';

const has = (t) => t !== undefined && t !== null;

function outputs(backend, shape, arrays) {
  return arrays.map((a) => backend.outputInfo(shape, a));
}

function adam(decoupled) {
  // Outputs: param, exp_avg, exp_avg_sq[, max_exp_avg_sq when amsgrad].
  return ({ inputs, backend, attrs }) => {
    const { param, grad } = inputs;
    const { lr, eps, weightDecay, step } = attrs;
    const [beta1, beta2] = attrs.betas;
    const amsgrad = attrs.amsgrad === true;
    const n = param.size;
    const outs = [backend.allocFloat32(n), backend.allocFloat32(n), backend.allocFloat32(n)];
    if (amsgrad) outs.push(backend.allocFloat32(n));
    const scalars = Float64Array.of(
      beta1, 1 - beta1, beta2, 1 - beta2, weightDecay, 1 - lr * weightDecay,
      lr / (1 - beta1 ** step), Math.sqrt(1 - beta2 ** step), eps,
    );
    const flags = (attrs.maximize === true ? 1 : 0) | (decoupled ? 0 : 2) | (amsgrad ? 4 : 0) | (weightDecay !== 0 ? 8 : 0);
    const v = (t) => (has(t) ? backend.valuesOf(t) : null);
    addon.adam(
      outs[0], outs[1], outs[2], amsgrad ? outs[3] : null, v(param), v(grad),
      v(inputs.exp_avg), v(inputs.exp_avg_sq), v(inputs.max_exp_avg_sq), scalars, flags,
    );
    return outputs(backend, param.shape, outs);
  };
}

// Outputs: param[, momentum_buffer when momentum != 0].
function sgd({ inputs, backend, attrs }) {
  const { param, grad } = inputs;
  const { lr, momentum, dampening, weightDecay } = attrs;
  const n = param.size;
  const outs = [backend.allocFloat32(n)];
  if (momentum !== 0) outs.push(backend.allocFloat32(n));
  const flags = (attrs.maximize === true ? 1 : 0) | (weightDecay !== 0 ? 2 : 0) | (momentum !== 0 ? 4 : 0) | (attrs.nesterov === true ? 8 : 0);
  const buf = inputs.momentum_buffer;
  addon.sgd(
    outs[0], momentum !== 0 ? outs[1] : null, backend.valuesOf(param), backend.valuesOf(grad),
    has(buf) ? backend.valuesOf(buf) : null, Float64Array.of(weightDecay, momentum, 1 - dampening, lr), flags,
  );
  return outputs(backend, param.shape, outs);
}

// Outputs: param, square_avg[, grad_avg when centered][, momentum_buffer when momentum > 0].
function rmsprop({ inputs, backend, attrs }) {
  const { param, grad } = inputs;
  const { lr, alpha, eps, weightDecay, momentum } = attrs;
  const centered = attrs.centered === true;
  const n = param.size;
  const outP = backend.allocFloat32(n);
  const outSq = backend.allocFloat32(n);
  const outGa = centered ? backend.allocFloat32(n) : null;
  const outB = momentum > 0 ? backend.allocFloat32(n) : null;
  const flags = (attrs.maximize === true ? 1 : 0) | (weightDecay !== 0 ? 2 : 0) | (centered ? 4 : 0) | (momentum > 0 ? 8 : 0);
  const v = (t) => (has(t) ? backend.valuesOf(t) : null);
  addon.rmsprop(
    outP, outSq, outGa, outB, v(param), v(grad), v(inputs.square_avg), v(inputs.grad_avg), v(inputs.momentum_buffer),
    Float64Array.of(weightDecay, alpha, 1 - alpha, eps, momentum, lr), flags,
  );
  return outputs(backend, param.shape, [outP, outSq, outGa, outB].filter((a) => a !== null));
}

export const optimKernels = {
  LightningAdamUpdate: adam(false),
  LightningAdamWUpdate: adam(true),
  LightningSGDUpdate: sgd,
  LightningRMSpropUpdate: rmsprop,
};
