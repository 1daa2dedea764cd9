// @lightning-ts/backend-native: a TF.js backend named `native` that runs the hot CPU kernels through OpenBLAS and
// oneDNN. Importing this module registers the backend when the addon is available; `nativeUnavailableReason`
// says why it is not (and how to enable it) otherwise.
import { addon, addonError } from './lib/addon.js';
import { registerNativeBackend } from './lib/register.js';

export { BACKEND_NAME, nativeFallbackCounts, nativeKernelNames, nativeProfile, registerNativeBackend, setNativeProfiling } from './lib/register.js';
export { BUILD_HINT } from './lib/addon.js';

/** Whether the addon loaded (the `native` backend is registered). */
export const isNativeAvailable = registerNativeBackend();

/** Why the native backend is unavailable, with how to enable it; undefined when it is available. */
export const nativeUnavailableReason = addonError;

/** Versions and settings of the loaded addon, or undefined when unavailable. */
export function nativeBackendInfo() {
  if (addon === undefined) return undefined;
  return { oneDnnVersion: addon.dnnlVersion === '' ? undefined : addon.dnnlVersion, threads: addon.getThreads() };
}

/** Use `n` threads for the addon's parallel loops, oneDNN and large matrix products. */
export function setNativeThreads(n) {
  if (addon === undefined) return;
  addon.setThreads(n);
}

/** Products of at least `macs` multiply-adds use all threads in OpenBLAS; smaller ones one thread. */
export function setNativeGemmParallelThreshold(macs) {
  if (addon === undefined) return;
  addon.setGemmParallelMacs(macs);
}

/** Memory-bound loops (elementwise, reductions, pooling, copies) use every thread from `n` elements on (default 4M). */
export function setNativeParallelThreshold(n) {
  if (addon === undefined) return;
  addon.setParallelMin(n);
}
