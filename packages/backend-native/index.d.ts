/** The backend's name in TF.js. */
export declare const BACKEND_NAME: 'native';
/** Names of the kernels the addon implements (the rest run the cpu backend's JS kernels). */
export declare const nativeKernelNames: readonly string[];
/** Whether the addon loaded (the `native` backend is registered). */
export declare const isNativeAvailable: boolean;
/** Why the native backend is unavailable, with how to enable it; undefined when it is available. */
export declare const nativeUnavailableReason: string | undefined;
/** One line on how to install the system libraries and rebuild the addon. */
export declare const BUILD_HINT: string;
/** Register the `native` backend and its kernels (idempotent). Returns false when the addon is unavailable. */
export declare function registerNativeBackend(): boolean;
/** Versions and settings of the loaded addon, or undefined when unavailable. */
export declare function nativeBackendInfo(): { oneDnnVersion: string | undefined; threads: number } | undefined;
/** Use `n` threads for the addon's parallel loops, oneDNN and large matrix products. */
export declare function setNativeThreads(n: number): void;
/** Products of at least `macs` multiply-adds use all threads in OpenBLAS; smaller ones one thread. */
export declare function setNativeGemmParallelThreshold(macs: number): void;
/** Turn per-kernel timing on or off (adds a little overhead per kernel); clears the collected times. */
export declare function setNativeProfiling(enabled: boolean): void;
/** Collected kernel times, slowest first; `native` tells whether the addon ran the kernel. */
export declare function nativeProfile(): Array<{ kernel: string; calls: number; ms: number; native: boolean }>;
/** How often each native kernel handed a call to its cpu fallback since the last reset (`{ kernel: count }`). */
export declare function nativeFallbackCounts(reset?: boolean): Record<string, number>;
/** Memory-bound loops (elementwise, reductions, pooling, copies) use every thread from `n` elements on (default 4M). */
export declare function setNativeParallelThreshold(n: number): void;
