// Registers the `native` backend: every cpu kernel under the new name (wrapped for escape tracking), the native
// overrides on top (each falls back to the cpu kernel for cases it does not take), fused-gradient kernels, and
// the ReLU gradients that use them.
import * as tf from '@tensorflow/tfjs-core';
import { addon } from './addon.js';
import { MathBackendNative } from './backend.js';
import { convKernels } from './kernels/conv.js';
import { elementwiseKernels, RELU6_GRAD, RELU_GRAD } from './kernels/elementwise.js';
import { layoutKernels } from './kernels/layout.js';
import { LOG_SOFTMAX, LOG_SOFTMAX_GRAD, lossKernels, NLL_LOSS, NLL_LOSS_GRAD } from './kernels/loss.js';
import { matmulKernels } from './kernels/matmul.js';
import { optimKernels } from './kernels/optim.js';
import { poolKernels } from './kernels/pool.js';
import { reduceKernels } from './kernels/reduce.js';

/** The backend's name in TF.js. */
export const BACKEND_NAME = 'native';

const NATIVE_KERNELS = {
  ...matmulKernels,
  ...convKernels,
  ...elementwiseKernels,
  ...reduceKernels,
  ...poolKernels,
  ...layoutKernels,
  ...optimKernels,
  ...lossKernels,
};

/** Names of the kernels the addon implements (the rest run the cpu backend's JS kernels). */
export const nativeKernelNames = Object.freeze(Object.keys(NATIVE_KERNELS));

const profile = { enabled: false, byKernel: new Map() };
/** @type {Map<string, number>} native kernels that handed a call to the cpu kernel, and how often */
const fallbacks = new Map();

/** How often each native kernel handed a call to its cpu fallback since the last reset (`{ kernel: count }`). */
export function nativeFallbackCounts(reset = false) {
  const counts = Object.fromEntries(fallbacks);
  if (reset) fallbacks.clear();
  return counts;
}

/** Turn per-kernel timing on or off (adds a little overhead per kernel); clears the collected times. */
export function setNativeProfiling(enabled) {
  profile.enabled = enabled;
  profile.byKernel.clear();
}

/** Collected kernel times: `{ kernel, calls, ms, native }[]`, slowest first. */
export function nativeProfile() {
  return [...profile.byKernel.entries()]
    .map(([kernel, s]) => ({ kernel, calls: s.calls, ms: s.ms, native: s.native }))
    .sort((a, b) => b.ms - a.ms);
}

function timed(name, isNative, fn) {
  return (args) => {
    if (!profile.enabled) return fn(args);
    const start = performance.now();
    const out = fn(args);
    const s = profile.byKernel.get(name) ?? { calls: 0, ms: 0, native: isNative };
    s.calls++;
    s.ms += performance.now() - start;
    profile.byKernel.set(name, s);
    return out;
  };
}

/** Run a cpu kernel; any input whose array an output now shares (a view) escapes the pool. */
function withEscapeTracking(kernelFunc) {
  return (args) => {
    const out = kernelFunc(args);
    const { backend, inputs } = args;
    const ins = Array.isArray(inputs) ? inputs : Object.values(inputs);
    if (ins.length === 0) return out;
    for (const o of Array.isArray(out) ? out : [out]) {
      const ov = backend.data.get(o.dataId)?.values;
      if (ov === undefined || ov === null || ov.buffer === undefined) continue;
      for (const i of ins) {
        if (i === undefined || i === null || i.dataId === o.dataId) continue;
        const iv = backend.data.get(i.dataId)?.values;
        if (iv !== undefined && iv !== null && iv.buffer === ov.buffer) backend.markEscaped(iv);
      }
    }
    return out;
  };
}

function registerKernels() {
  const cpuConfigs = new Map(tf.getKernelsForBackend('cpu').map((k) => [k.kernelName, k]));
  for (const [name, config] of cpuConfigs) {
    if (name in NATIVE_KERNELS) continue;
    tf.registerKernel({ ...config, backendName: BACKEND_NAME, kernelFunc: timed(name, false, withEscapeTracking(config.kernelFunc)) });
  }
  for (const [name, fn] of Object.entries(NATIVE_KERNELS)) {
    const cpu = cpuConfigs.get(name);
    const fallback = cpu === undefined ? undefined : withEscapeTracking(cpu.kernelFunc);
    const kernelFunc = (args) => {
      const out = fn(args);
      if (out !== undefined) return out;
      fallbacks.set(name, (fallbacks.get(name) ?? 0) + 1);
      if (fallback === undefined) throw new Error(`The native backend cannot run ${name} with these inputs.`);
      return fallback(args);
    };
    tf.registerKernel({
      kernelName: name,
      backendName: BACKEND_NAME,
      kernelFunc: timed(name, true, kernelFunc),
      // Re-check the ReLU gradients when the backend starts, in case a later import replaced them.
      ...(name === RELU_GRAD ? { setupFunc: () => registerGradients() } : {}),
      ...(name === 'BatchMatMul' ? { setupFunc: () => registerMatMulGradient() } : {}),
      ...(cpu?.setupFunc === undefined ? {} : { setupFunc: cpu.setupFunc }),
      ...(cpu?.disposeFunc === undefined ? {} : { disposeFunc: cpu.disposeFunc }),
    });
  }
}

const isNativeF32 = (...ts) => tf.getBackend() === BACKEND_NAME && ts.every((t) => t.dtype === 'float32');

/** ReLU/ReLU6 gradients that run one fused kernel on the native backend and TF.js's own elsewhere. */
function registerGradients() {
  for (const [kernelName, fused] of [['Relu', RELU_GRAD], ['Relu6', RELU6_GRAD]]) {
    const stock = tf.getGradient(kernelName);
    if (stock === undefined || stock.lightningNative === true) continue;
    tf.registerGradient({
      kernelName,
      inputsToSave: ['x'],
      lightningNative: true,
      gradFunc: (dy, saved, attrs) => {
        const [x] = saved;
        if (!isNativeF32(dy, x)) return stock.gradFunc(dy, saved, attrs);
        return { x: () => tf.engine().runKernel(fused, { dy, x }) };
      },
    });
    // The fused kernel's own gradient (for second derivatives): linear in dy, zero in x.
    tf.registerGradient({
      kernelName: fused,
      inputsToSave: ['x'],
      gradFunc: (ddx, saved) => {
        const [x] = saved;
        return { dy: () => tf.engine().runKernel(fused, { dy: ddx, x }), x: () => tf.zerosLike(x) };
      },
    });
  }
}

/**
 * A gradient for `_FusedMatMul` run directly as a kernel (rank-2 operands, no activation, bias or none). Each
 * input's gradient is its own thunk, so an input the caller does not differentiate (a first layer's data) costs
 * no product, and no reshapes or saved clones are added; the products and the bias sum are those of TF.js's
 * `tf.fused.matMul` gradient (which keeps its own, eager one), so the numbers are the same.
 */
function registerFusedMatMulGradient() {
  if (tf.getGradient('_FusedMatMul') !== undefined) return;
  const mm = (x, y, tx, ty) => tf.matMul(x, y, tx, ty);
  tf.registerGradient({
    kernelName: '_FusedMatMul',
    inputsToSave: ['a', 'b'],
    gradFunc: (dy, saved, attrs) => {
      const [a, b] = saved;
      if (a.rank !== 2 || b.rank !== 2 || (attrs.activation ?? 'linear') !== 'linear') {
        throw new Error('The _FusedMatMul kernel gradient takes rank-2 operands without activation; use tf.fused.matMul otherwise.');
      }
      const ta = attrs.transposeA === true;
      const tb = attrs.transposeB === true;
      const grads = { bias: () => tf.sum(dy, 0) };
      if (!ta && !tb) return { ...grads, a: () => mm(dy, b, false, true), b: () => mm(a, dy, true, false) };
      if (!ta && tb) return { ...grads, a: () => mm(dy, b, false, false), b: () => mm(dy, a, true, false) };
      if (ta && !tb) return { ...grads, a: () => mm(b, dy, false, true), b: () => mm(a, dy, false, false) };
      return { ...grads, a: () => mm(b, dy, true, true), b: () => mm(dy, a, true, true) };
    },
  });
}

/** The fused NLL's gradient: one kernel writing -dy (÷ count for the mean) at each target's class. */
function registerLossGradient() {
  tf.registerGradient({
    kernelName: NLL_LOSS,
    inputsToSave: ['logp', 'target'],
    gradFunc: (dy, saved, attrs) => {
      const [logp, target] = saved;
      const gradAttrs = { classes: logp.shape[1], ignoreIndex: attrs.ignoreIndex, reduction: attrs.reduction };
      return { logp: () => tf.engine().runKernel(NLL_LOSS_GRAD, { dy, target }, gradAttrs), target: () => tf.zerosLike(target) };
    },
  });
  tf.registerGradient({
    kernelName: LOG_SOFTMAX,
    outputsToSave: [true],
    gradFunc: (dy, saved) => {
      const [y] = saved;
      return { logits: () => tf.engine().runKernel(LOG_SOFTMAX_GRAD, { dy, y }) };
    },
  });
}

/**
 * A BatchMatMul gradient that passes transpose flags to the kernel instead of transposing (cblas takes them for
 * free). Other backends, and broadcast batches, keep the gradient registered before (lightning-ts's or TF.js's).
 */
function registerMatMulGradient() {
  const previous = tf.getGradient('BatchMatMul');
  if (previous === undefined || previous.lightningNative === true) return;
  const mm = (x, y, tx, ty) => tf.matMul(x, y, tx, ty);
  tf.registerGradient({
    kernelName: 'BatchMatMul',
    inputsToSave: ['a', 'b'],
    lightningNative: true,
    gradFunc: (dy, saved, attrs) => {
      const [a, b] = saved;
      const sameBatch = a.rank === b.rank && a.shape.slice(0, -2).every((d, i) => d === b.shape[i]);
      if (!isNativeF32(dy, a, b) || !sameBatch) return previous.gradFunc(dy, saved, attrs);
      const ta = attrs.transposeA === true;
      const tb = attrs.transposeB === true;
      if (!ta && !tb) return { a: () => mm(dy, b, false, true), b: () => mm(a, dy, true, false) };
      if (!ta && tb) return { a: () => mm(dy, b, false, false), b: () => mm(dy, a, true, false) };
      if (ta && !tb) return { a: () => mm(b, dy, false, true), b: () => mm(a, dy, false, false) };
      return { a: () => mm(b, dy, true, true), b: () => mm(dy, a, true, true) };
    },
  });
}

let registered = false;

/** Register the `native` backend and its kernels (idempotent). Returns false when the addon is unavailable. */
export function registerNativeBackend() {
  if (addon === undefined) return false;
  if (registered) return true;
  registered = true;
  tf.registerBackend(BACKEND_NAME, () => new MathBackendNative(), 3);
  registerKernels();
  registerGradients();
  registerMatMulGradient();
  registerLossGradient();
  registerFusedMatMulGradient();
  return true;
}
