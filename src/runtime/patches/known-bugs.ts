/** Kernels known to be missing or wrong on a backend (measured on TF.js 4.22), and checks against the active one. */
import * as tf from '@tensorflow/tfjs-core';

/** Kernels whose results are wrong on a backend: wasm's `MaxPoolGrad` ignores windows of negative values. */
const BUGGY_KERNELS: Readonly<Record<string, readonly string[]>> = { wasm: ['MaxPoolGrad'] };

/** Whether the active backend has a kernel named `kernelName`. */
export function backendHasKernel(kernelName: string): boolean {
  try {
    return tf.getKernel(kernelName, tf.getBackend()) !== undefined;
  } catch {
    return false;
  }
}

/** Whether the active backend's `kernelName` is known to compute wrong results. */
export function backendHasKernelBug(kernelName: string): boolean {
  return BUGGY_KERNELS[tf.getBackend()]?.includes(kernelName) ?? false;
}
