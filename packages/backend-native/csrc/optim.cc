// Fused optimizer updates: one pass per parameter for SGD, Adam/AdamW and RMSprop. Each step mirrors the
// generic TF.js path op by op (one float32 rounding per op, no fused multiply-add), so the results are the same
// numbers the generic path gives on the cpu backend. Derived scalars (bias corrections, 1 - beta) come from JS.
#include <cmath>

#include "common.h"

namespace lnative {

static inline float maxNaN(float a, float b) { return a != a ? a : (b != b ? b : (a > b ? a : b)); }

static bool scalars(Args& a, size_t i, const double** s, size_t want) {
  size_t len = 0;
  napi_value v = a.raw(i);
  bool typed = false;
  napi_is_typedarray(a.env(), v, &typed);
  napi_typedarray_type type;
  void* data = nullptr;
  if (typed) napi_get_typedarray_info(a.env(), v, &type, &len, &data, nullptr, nullptr);
  if (!typed || type != napi_float64_array || len < want) return false;
  *s = static_cast<const double*>(data);
  return true;
}

// adam(outP, outM, outV, outMax|null, param, grad, m|null, v|null, max|null, scalars, flags)
// scalars: beta1, 1-beta1, beta2, 1-beta2, weightDecay, 1-lr*weightDecay, stepSize, sqrt(bias correction 2), eps
// flags: 1 maximize, 2 L2 weight decay (Adam; otherwise decoupled, AdamW), 4 amsgrad, 8 weight decay != 0
static napi_value Adam(napi_env env, napi_callback_info info) {
  Args a(env, info);
  size_t n = 0;
  float* outP = a.f32(0, &n);
  float* outM = a.f32(1);
  float* outV = a.f32(2);
  float* outMax = a.f32(3);
  const float* p0 = a.f32(4);
  const float* g0 = a.f32(5);
  const float* m0 = a.f32(6);
  const float* v0 = a.f32(7);
  const float* max0 = a.f32(8);
  const double* s = nullptr;
  const int flags = static_cast<int>(a.integer(10));
  if (a.failed) return nullptr;
  if (!scalars(a, 9, &s, 9) || outP == nullptr || outM == nullptr || outV == nullptr || p0 == nullptr || g0 == nullptr) {
    return a.fail("adam: bad arguments");
  }
  const float b1 = static_cast<float>(s[0]), omb1 = static_cast<float>(s[1]);
  const float b2 = static_cast<float>(s[2]), omb2 = static_cast<float>(s[3]);
  const float wd = static_cast<float>(s[4]), decay = static_cast<float>(s[5]);
  const float stepSize = static_cast<float>(s[6]), bc2 = static_cast<float>(s[7]), eps = static_cast<float>(s[8]);
  const bool maximize = flags & 1, l2 = flags & 2, ams = flags & 4, hasWd = flags & 8;
  const int64_t len = static_cast<int64_t>(n);
#pragma omp parallel for schedule(static) if (len >= parallelMin())
  for (int64_t i = 0; i < len; i++) {
    float d = maximize ? -g0[i] : g0[i];
    float p = p0[i];
    if (hasWd) {
      if (l2) d = d + p * wd;
      else p = p * decay;
    }
    const float m = m0 != nullptr ? m0[i] * b1 + d * omb1 : d * omb1;
    const float sq = (d * d) * omb2;
    const float v = v0 != nullptr ? v0[i] * b2 + sq : sq;
    float second = v;
    if (ams) {
      second = max0 != nullptr ? maxNaN(max0[i], v) : v;
      outMax[i] = second;
    }
    const float denom = std::sqrt(second) / bc2 + eps;
    outM[i] = m;
    outV[i] = v;
    outP[i] = p - (m / denom) * stepSize;
  }
  return undefinedValue(env);
}

// sgd(outP, outBuf|null, param, grad, buf|null, scalars, flags)
// scalars: weightDecay, momentum, 1-dampening, lr
// flags: 1 maximize, 2 weight decay != 0, 4 momentum != 0, 8 nesterov
static napi_value Sgd(napi_env env, napi_callback_info info) {
  Args a(env, info);
  size_t n = 0;
  float* outP = a.f32(0, &n);
  float* outB = a.f32(1);
  const float* p0 = a.f32(2);
  const float* g0 = a.f32(3);
  const float* b0 = a.f32(4);
  const double* s = nullptr;
  const int flags = static_cast<int>(a.integer(6));
  if (a.failed) return nullptr;
  if (!scalars(a, 5, &s, 4) || outP == nullptr || p0 == nullptr || g0 == nullptr) return a.fail("sgd: bad arguments");
  const float wd = static_cast<float>(s[0]), mom = static_cast<float>(s[1]);
  const float omd = static_cast<float>(s[2]), lr = static_cast<float>(s[3]);
  const bool maximize = flags & 1, hasWd = flags & 2, hasMom = flags & 4, nesterov = flags & 8;
  if (hasMom && outB == nullptr) return a.fail("sgd: momentum needs an output buffer");
  const int64_t len = static_cast<int64_t>(n);
#pragma omp parallel for schedule(static) if (len >= parallelMin())
  for (int64_t i = 0; i < len; i++) {
    float d = maximize ? -g0[i] : g0[i];
    const float p = p0[i];
    if (hasWd) d = d + p * wd;
    if (hasMom) {
      const float buf = b0 != nullptr ? b0[i] * mom + d * omd : d;
      outB[i] = buf;
      d = nesterov ? d + buf * mom : buf;
    }
    outP[i] = p - d * lr;
  }
  return undefinedValue(env);
}

// rmsprop(outP, outSq, outGradAvg|null, outBuf|null, param, grad, sq|null, gradAvg|null, buf|null, scalars, flags)
// scalars: weightDecay, alpha, 1-alpha, eps, momentum, lr
// flags: 1 maximize, 2 weight decay != 0, 4 centered, 8 momentum > 0
static napi_value Rmsprop(napi_env env, napi_callback_info info) {
  Args a(env, info);
  size_t n = 0;
  float* outP = a.f32(0, &n);
  float* outSq = a.f32(1);
  float* outGa = a.f32(2);
  float* outB = a.f32(3);
  const float* p0 = a.f32(4);
  const float* g0 = a.f32(5);
  const float* sq0 = a.f32(6);
  const float* ga0 = a.f32(7);
  const float* b0 = a.f32(8);
  const double* s = nullptr;
  const int flags = static_cast<int>(a.integer(10));
  if (a.failed) return nullptr;
  if (!scalars(a, 9, &s, 6) || outP == nullptr || outSq == nullptr || p0 == nullptr || g0 == nullptr) {
    return a.fail("rmsprop: bad arguments");
  }
  const float wd = static_cast<float>(s[0]), alpha = static_cast<float>(s[1]), oma = static_cast<float>(s[2]);
  const float eps = static_cast<float>(s[3]), mom = static_cast<float>(s[4]), lr = static_cast<float>(s[5]);
  const bool maximize = flags & 1, hasWd = flags & 2, centered = flags & 4, hasMom = flags & 8;
  if ((centered && outGa == nullptr) || (hasMom && outB == nullptr)) return a.fail("rmsprop: missing output buffer");
  const int64_t len = static_cast<int64_t>(n);
#pragma omp parallel for schedule(static) if (len >= parallelMin())
  for (int64_t i = 0; i < len; i++) {
    float d = maximize ? -g0[i] : g0[i];
    const float p = p0[i];
    if (hasWd) d = d + p * wd;
    const float sq = (d * d) * oma;
    const float squareAvg = sq0 != nullptr ? sq0[i] * alpha + sq : sq;
    outSq[i] = squareAvg;
    float avg;
    if (centered) {
      const float gradAvg = ga0 != nullptr ? ga0[i] * alpha + d * oma : d * oma;
      outGa[i] = gradAvg;
      avg = std::sqrt(squareAvg - gradAvg * gradAvg);
    } else {
      avg = std::sqrt(squareAvg);
    }
    avg = avg + eps;
    if (hasMom) {
      const float buf = b0 != nullptr ? b0[i] * mom + d / avg : d / avg;
      outB[i] = buf;
      outP[i] = p - buf * lr;
    } else {
      outP[i] = p - (d / avg) * lr;
    }
  }
  return undefinedValue(env);
}

void registerOptim(napi_env env, napi_value exports) {
  defineFunction(env, exports, "adam", Adam);
  defineFunction(env, exports, "sgd", Sgd);
  defineFunction(env, exports, "rmsprop", Rmsprop);
}

}  // namespace lnative
