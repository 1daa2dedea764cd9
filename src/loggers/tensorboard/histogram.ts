/** Histograms in TensorFlow's `HistogramProto` layout with its default exponential bucket limits. */

/**
 * TensorFlow's default bucket limits: ±1e-12 growing by ×1.1 up to 1e20, mirrored around 0, with ±DBL_MAX at the
 * ends (1549 limits).
 */
export const DEFAULT_BUCKET_LIMITS: readonly number[] = (() => {
  const positive: number[] = [];
  for (let v = 1e-12; v < 1e20; v *= 1.1) positive.push(v);
  positive.push(Number.MAX_VALUE);
  return [...positive.map((v) => -v).reverse(), 0, ...positive];
})();

/** The fields of a `HistogramProto`. */
export interface HistogramData {
  min: number;
  max: number;
  num: number;
  sum: number;
  sumSquares: number;
  bucketLimit: number[];
  bucket: number[];
}

function bucketIndex(limits: readonly number[], value: number): number {
  let lo = 0;
  let hi = limits.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((limits[mid] ?? Infinity) > value) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/**
 * Bucket `values` like TensorFlow's `Histogram::Add` (bucket i holds limits[i-1] <= v < limits[i]) and encode like
 * `EncodeToProto` without zero buckets preserved (each run of empty buckets collapses into one). Non-finite values are
 * skipped.
 */
export function computeHistogram(values: ArrayLike<number>, limits: readonly number[] = DEFAULT_BUCKET_LIMITS): HistogramData {
  const counts = new Float64Array(limits.length);
  let min = Number.MAX_VALUE;
  let max = -Number.MAX_VALUE;
  let num = 0;
  let sum = 0;
  let sumSquares = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i] ?? NaN;
    if (!Number.isFinite(v)) continue;
    const b = bucketIndex(limits, v);
    counts[b] = (counts[b] ?? 0) + 1;
    min = Math.min(min, v);
    max = Math.max(max, v);
    num += 1;
    sum += v;
    sumSquares += v * v;
  }
  const bucketLimit: number[] = [];
  const bucket: number[] = [];
  for (let i = 0; i < limits.length; ) {
    let end = limits[i] ?? Number.MAX_VALUE;
    let count = counts[i] ?? 0;
    i++;
    if (count <= 0) {
      while (i < limits.length && (counts[i] ?? 0) <= 0) {
        end = limits[i] ?? Number.MAX_VALUE;
        count = counts[i] ?? 0;
        i++;
      }
    }
    bucketLimit.push(end);
    bucket.push(count);
  }
  return { min, max, num, sum, sumSquares, bucketLimit, bucket };
}
