// Data movement: one strided copy (transpose, slice and concat are all instances of it), gather along an axis,
// unsorted segment sum (the gradient of an embedding lookup), and BatchNorm's normalisation.
#include <algorithm>
#include <cmath>
#include <cstring>

#include "common.h"

namespace lnative {

// copyStrided(dst, dstOffset, dstStrides, src, srcOffset, srcStrides, shape): dst[i] = src[i] over `shape`.
static napi_value CopyStrided(napi_env env, napi_callback_info info) {
  Args a(env, info);
  float* dst = a.f32(0);
  const int64_t dOff = a.integer(1);
  size_t rank = 0, r2 = 0, r3 = 0;
  const int32_t* ds = a.i32(2, &r2);
  const float* src = a.f32(3);
  const int64_t sOff = a.integer(4);
  const int32_t* ss = a.i32(5, &r3);
  const int32_t* shape = a.i32(6, &rank);
  if (a.failed) return nullptr;
  if (dst == nullptr || src == nullptr || rank == 0 || r2 != rank || r3 != rank) return a.fail("copyStrided: bad arguments");
  const int r = static_cast<int>(rank);
  int64_t total = 1;
  for (int d = 0; d < r; d++) total *= shape[d];
  if (total == 0) return undefinedValue(env);
  const int64_t inner = shape[r - 1];
  const int64_t rows = total / inner;
  const int64_t di = ds[r - 1], si = ss[r - 1];
  if (r >= 2 && di == 1 && si != 1 && ss[r - 2] == 1 && shape[r - 2] >= 8 && inner >= 8) {
    // A (batched) 2-D transpose of the last two dims: copy 32x32 tiles so reads and writes both stay in cache.
    const int64_t m = shape[r - 2], dm = ds[r - 2];
    const int64_t outer = rows / m;
    constexpr int64_t T = 32;
    const int64_t tilesM = (m + T - 1) / T, tilesN = (inner + T - 1) / T;
#pragma omp parallel for schedule(static) if (total >= parallelMin() / 4)
    for (int64_t t = 0; t < outer * tilesM * tilesN; t++) {
      const int64_t o = t / (tilesM * tilesN), tm = (t / tilesN) % tilesM, tn = t % tilesN;
      int64_t rem = o, od = dOff, os = sOff;
      for (int d = r - 3; d >= 0; d--) {
        const int64_t idx = rem % shape[d];
        rem /= shape[d];
        od += idx * ds[d];
        os += idx * ss[d];
      }
      const int64_t i1 = std::min(m, (tm + 1) * T), j1 = std::min(inner, (tn + 1) * T);
      for (int64_t i = tm * T; i < i1; i++) {
        float* o2 = dst + od + i * dm;
        const float* s2 = src + os + i;
        for (int64_t j = tn * T; j < j1; j++) o2[j] = s2[j * si];
      }
    }
    return undefinedValue(env);
  }
#pragma omp parallel for schedule(static) if (total >= parallelMin())
  for (int64_t row = 0; row < rows; row++) {
    int64_t rem = row, od = dOff, os = sOff;
    for (int d = r - 2; d >= 0; d--) {
      const int64_t idx = rem % shape[d];
      rem /= shape[d];
      od += idx * ds[d];
      os += idx * ss[d];
    }
    float* o = dst + od;
    const float* s = src + os;
    if (di == 1 && si == 1) {
      std::memcpy(o, s, static_cast<size_t>(inner) * sizeof(float));
    } else {
      for (int64_t j = 0; j < inner; j++) o[j * di] = s[j * si];
    }
  }
  return undefinedValue(env);
}

// gather(out, x, indices Int32Array, outer, n, inner): out[o, m, :] = x[o, indices[m], :]. Returns the number of
// out-of-range indices (their rows are zero).
static napi_value Gather(napi_env env, napi_callback_info info) {
  Args a(env, info);
  float* out = a.f32(0);
  const float* x = a.f32(1);
  size_t m = 0;
  const int32_t* idx = a.i32(2, &m);
  const int64_t outer = a.integer(3), n = a.integer(4), inner = a.integer(5);
  if (a.failed) return nullptr;
  if (out == nullptr || x == nullptr || idx == nullptr) return a.fail("gather: bad arguments");
  int64_t bad = 0;
  const int64_t count = static_cast<int64_t>(m);
#pragma omp parallel for schedule(static) reduction(+ : bad) if (outer * count * inner >= parallelMin())
  for (int64_t row = 0; row < outer * count; row++) {
    const int64_t o = row / count, j = row % count;
    const int64_t k = idx[j];
    float* dst = out + row * inner;
    if (k < 0 || k >= n) {
      std::memset(dst, 0, static_cast<size_t>(inner) * sizeof(float));
      bad++;
    } else {
      std::memcpy(dst, x + (o * n + k) * inner, static_cast<size_t>(inner) * sizeof(float));
    }
  }
  napi_value v;
  napi_create_int64(env, bad, &v);
  return v;
}

// segmentSum(out, x, ids Int32Array, inner, numSegments): out[s, :] = sum of x[i, :] with ids[i] == s.
static napi_value SegmentSum(napi_env env, napi_callback_info info) {
  Args a(env, info);
  size_t nOut = 0, n = 0;
  float* out = a.f32(0, &nOut);
  const float* x = a.f32(1);
  const int32_t* ids = a.i32(2, &n);
  const int64_t inner = a.integer(3), segments = a.integer(4);
  if (a.failed) return nullptr;
  if (out == nullptr || x == nullptr || ids == nullptr) return a.fail("segmentSum: bad arguments");
  std::memset(out, 0, nOut * sizeof(float));
  const int64_t rows = static_cast<int64_t>(n);
  // Parallel over the feature axis: each thread owns a band of columns, so no two threads write the same float.
  const int bands = rows * inner >= parallelMin() && inner >= 64 ? maxThreads() : 1;
#pragma omp parallel for schedule(static) num_threads(bands) if (bands > 1)
  for (int b = 0; b < bands; b++) {
    const int64_t lo = inner * b / bands, hi = inner * (b + 1) / bands;
    for (int64_t i = 0; i < rows; i++) {
      const int64_t s = ids[i];
      if (s < 0 || s >= segments) continue;
      float* dst = out + s * inner;
      const float* src = x + i * inner;
      for (int64_t j = lo; j < hi; j++) dst[j] += src[j];
    }
  }
  return undefinedValue(env);
}

// batchNorm(out, x, mean, variance, offset|null, scale|null, eps): per-channel (last axis) normalisation; each of
// mean/variance/offset/scale has one value per channel or a single value.
static napi_value BatchNorm(napi_env env, napi_callback_info info) {
  Args a(env, info);
  size_t n = 0, nm = 0, nv = 0, no = 0, ns = 0;
  float* out = a.f32(0, &n);
  const float* x = a.f32(1);
  const float* mean = a.f32(2, &nm);
  const float* var = a.f32(3, &nv);
  const float* offset = a.f32(4, &no);
  const float* scale = a.f32(5, &ns);
  const double eps = a.num(6);
  if (a.failed) return nullptr;
  if (out == nullptr || x == nullptr || mean == nullptr || var == nullptr) return a.fail("batchNorm: bad arguments");
  const int64_t len = static_cast<int64_t>(n);
#pragma omp parallel for schedule(static) if (len >= parallelMin())
  for (int64_t i = 0; i < len; i++) {
    const double mv = mean[i % nm], vv = var[i % nv];
    const double sv = scale != nullptr ? scale[i % ns] : 1.0;
    const double ov = offset != nullptr ? offset[i % no] : 0.0;
    out[i] = static_cast<float>(ov + (x[i] - mv) * sv / std::sqrt(vv + eps));
  }
  return undefinedValue(env);
}

void registerLayout(napi_env env, napi_value exports) {
  defineFunction(env, exports, "copyStrided", CopyStrided);
  defineFunction(env, exports, "gather", Gather);
  defineFunction(env, exports, "segmentSum", SegmentSum);
  defineFunction(env, exports, "batchNorm", BatchNorm);
}

}  // namespace lnative
