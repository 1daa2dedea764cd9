/**
 * tfjs-wasm's `BatchMatMul` is about 8× slower when asked to transpose an operand (measured: 64×784 · (128×784)ᵀ
 * takes 11 ms with `transposeB`, 1.3 ms with an explicit transpose), and `Linear`-style `matMul(x, W, false, true)`
 * hits that path on every forward. This wraps the wasm kernel so flagged calls transpose explicitly first.
 * The wasm kernels are registered only when its package is imported (lazily, by `selectBackend`), so the wrap
 * is installed from the setup hook TF.js runs for every kernel of a backend when that backend initialises.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { DataId, KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';

const BACKEND = 'wasm';
const wrapped = new WeakSet<KernelFunc>();
let originalConfig: KernelConfig | undefined;

interface DisposingBackend {
  disposeData(dataId: DataId): boolean;
}

function transposeLastTwo(x: TensorInfo, backend: object, transpose: KernelFunc): TensorInfo {
  const rank = x.shape.length;
  const perm = Array.from({ length: rank }, (_, i) => i);
  perm[rank - 2] = rank - 1;
  perm[rank - 1] = rank - 2;
  return transpose({ inputs: { x }, backend, attrs: { perm } }) as TensorInfo;
}

/** A `BatchMatMul` kernel that transposes flagged operands with the `Transpose` kernel, then calls `original`. */
export function transposeFreeMatMul(original: KernelFunc, transpose: KernelFunc): KernelFunc {
  const kernelFunc: KernelFunc = ({ inputs, backend, attrs }) => {
    const ta = attrs?.transposeA === true;
    const tb = attrs?.transposeB === true;
    const { a, b } = inputs;
    if ((!ta && !tb) || a === undefined || b === undefined) return original({ inputs, backend, attrs: attrs ?? {} });
    const at = ta ? transposeLastTwo(a, backend, transpose) : a;
    const bt = tb ? transposeLastTwo(b, backend, transpose) : b;
    const out = original({ inputs: { a: at, b: bt }, backend, attrs: { ...attrs, transposeA: false, transposeB: false } });
    const disposer = backend as DisposingBackend;
    if (ta) disposer.disposeData(at.dataId);
    if (tb) disposer.disposeData(bt.dataId);
    return out;
  };
  wrapped.add(kernelFunc);
  return kernelFunc;
}

/** Replace wasm's `BatchMatMul` with the transpose-free wrapper (no-op if already done or not registered). */
export function wrapWasmMatMul(): void {
  const original = tf.getKernel('BatchMatMul', BACKEND);
  const transpose = tf.getKernel('Transpose', BACKEND);
  if (original === undefined || transpose === undefined || wrapped.has(original.kernelFunc)) return;
  const config: KernelConfig = { ...original, kernelFunc: transposeFreeMatMul(original.kernelFunc, transpose.kernelFunc) };
  originalConfig = original;
  tf.unregisterKernel('BatchMatMul', BACKEND);
  tf.registerKernel(config);
}

/** Put wasm's own `BatchMatMul` back (for benchmarks comparing both); `wrapWasmMatMul()` re-installs the wrap. */
export function unwrapWasmMatMul(): void {
  const current = tf.getKernel('BatchMatMul', BACKEND);
  if (originalConfig === undefined || current === undefined || !wrapped.has(current.kernelFunc)) return;
  tf.unregisterKernel('BatchMatMul', BACKEND);
  tf.registerKernel(originalConfig);
}

/** A placeholder kernel whose setup hook installs the wrap when the wasm backend initialises. */
export const wasmMatMulInstaller: KernelConfig = {
  kernelName: 'LightningTsWasmMatMulPatch',
  backendName: BACKEND,
  kernelFunc: () => {
    throw new Error('LightningTsWasmMatMulPatch is a setup hook, not a kernel to run.');
  },
  setupFunc: () => wrapWasmMatMul(),
};
