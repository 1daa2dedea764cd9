// The `native` TF.js backend: the cpu backend's storage (plain typed arrays, so the addon reads and writes them in
// place) plus a pool that recycles the Float32Arrays native kernels produce once their tensor is disposed.
//
// A pooled array must never be reused while anything can still see it. An array "escapes" (and is never pooled)
// when its values are handed out (`readSync`/`read`, so `dataSync()`), or when a cpu fallback kernel returns a view
// of it under another data id (`Slice` returns `subarray`s). Only the data id that created an array may return it
// to the pool, so disposing a view never frees its parent.
import { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';

/** Recycles Float32Arrays by length, up to a total size. */
export class BufferPool {
  /** @param {number} maxBytes */
  constructor(maxBytes) {
    this.maxBytes = maxBytes;
    this.bytes = 0;
    /** @type {Map<number, Float32Array[]>} */
    this.free = new Map();
    this.hits = 0;
    this.misses = 0;
  }

  /** A Float32Array of `n` elements with unspecified contents. */
  take(n) {
    const list = this.free.get(n);
    const reused = list?.pop();
    if (reused !== undefined) {
      this.bytes -= reused.byteLength;
      this.hits++;
      return reused;
    }
    this.misses++;
    return new Float32Array(n);
  }

  /** Give `a` back; dropped when the pool is full. */
  give(a) {
    if (this.bytes + a.byteLength > this.maxBytes) return;
    let list = this.free.get(a.length);
    if (list === undefined) {
      list = [];
      this.free.set(a.length, list);
    }
    list.push(a);
    this.bytes += a.byteLength;
  }

  clear() {
    this.free.clear();
    this.bytes = 0;
  }
}

const DEFAULT_POOL_MB = 1024;

function poolBytes() {
  const env = typeof process !== 'undefined' ? process.env.LIGHTNING_NATIVE_POOL_MB : undefined;
  const mb = env === undefined ? DEFAULT_POOL_MB : Number(env);
  return Number.isFinite(mb) && mb >= 0 ? mb * 1024 * 1024 : DEFAULT_POOL_MB * 1024 * 1024;
}

/** The cpu backend with a buffer pool and escape tracking for the arrays native kernels write. */
export class MathBackendNative extends MathBackendCPU {
  constructor() {
    super();
    // The cpu backend prints a "use tfjs-node" banner on first use; this backend is the native one.
    this.firstUse = false;
    this.pool = new BufferPool(poolBytes());
    /** @type {WeakMap<ArrayBufferLike, object>} the data id that owns each pooled-kind buffer */
    this.owners = new WeakMap();
    /** @type {WeakSet<ArrayBufferLike>} */
    this.escaped = new WeakSet();
  }

  /** A float32 output array of `n` elements (recycled when possible; contents unspecified). */
  allocFloat32(n) {
    return this.pool.take(n);
  }

  /** Register `values` (from `allocFloat32`) as a new tensor's data; the tensor owns the array. */
  outputInfo(shape, values, dtype = 'float32') {
    const info = this.makeTensorInfo(shape, dtype, values);
    if (values instanceof Float32Array) this.owners.set(values.buffer, info.dataId);
    return info;
  }

  /**
   * The stored typed array of a tensor (no copy). A float32 tensor made by casting bool or int32 data keeps its
   * original array (the cpu backend's Cast only relabels it), so that case is converted (a copy).
   */
  valuesOf(info) {
    const v = this.data.get(info.dataId).values;
    if (info.dtype === 'float32' && !(v instanceof Float32Array)) return Float32Array.from(v);
    return v;
  }

  /** Never pool the buffer behind `values` again. */
  markEscaped(values) {
    if (values !== undefined && values !== null && typeof values === 'object' && 'buffer' in values) {
      this.escaped.add(values.buffer);
    }
  }

  readSync(dataId) {
    const stored = this.data.get(dataId);
    if (stored !== undefined) this.markEscaped(stored.values);
    return super.readSync(dataId);
  }

  disposeData(dataId, force = false) {
    const stored = this.data.get(dataId);
    const values = stored?.values;
    const released = super.disposeData(dataId, force);
    if (
      stored !== undefined &&
      !this.data.has(dataId) &&
      values instanceof Float32Array &&
      this.owners.get(values.buffer) === dataId
    ) {
      this.owners.delete(values.buffer);
      if (!this.escaped.has(values.buffer)) this.pool.give(values);
    }
    return released;
  }

  /** Pool statistics (for benchmarks and tests). */
  poolStats() {
    return { bytes: this.pool.bytes, hits: this.pool.hits, misses: this.pool.misses };
  }

  dispose() {
    this.pool.clear();
    super.dispose();
  }
}
