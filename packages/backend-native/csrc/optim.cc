// Fused optimizer updates: one pass per parameter for SGD, Adam/AdamW and RMSprop. Each step mirrors the
// generic TF.js path op by op (one float32 rounding per op, no fused multiply-add), so the results are the same
// numbers the generic path gives on the cpu backend. Derived scalars (bias corrections, 1 - beta) come from JS.
#include <algorithm>
#include <cmath>
#include <type_traits>

#include "common.h"

namespace lnative {

// Optimizer updates go parallel from parallelMin() / 16 elements (256k by default). Below that one thread is
// faster in a training step: a woken OpenMP worker spins on the second vCPU and slows the main thread's next
// kernels (MNIST MLP epoch on 2 vCPUs 10-15 % slower with its updates parallel from 16k, A/B interleaved).
static bool optimParallel(int64_t len) { return len >= parallelMin() / 16; }

// NaN-propagating max as plain selects (vectorizable).
static inline float maxNaN(float a, float b) {
  const float m = a > b ? a : b;
  const float withB = b == b ? m : b;
  return a == a ? withB : a;
}

// Calls f with std::true_type or std::false_type, so per-call flags become template constants and the update
// loops compile without branches (and vectorize).
template <class F>
static void withFlag(bool b, F f) {
  if (b) f(std::true_type{});
  else f(std::false_type{});
}

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

struct AdamData {
  float* outP; float* outM; float* outV; float* outMax;
  const float* p0; const float* g0; const float* m0; const float* v0; const float* max0;
  float b1, omb1, b2, omb2, wd, decay, stepSize, bc2, eps;
  int64_t len;
};

// Runs body(begin, end) over [0, len): split evenly across the OpenMP threads when `parallel`, else one call.
// The update loops live in their own functions with restrict parameters: a loop inside an OpenMP region over
// seven arrays loses `restrict`, and GCC then leaves it scalar (the MNIST MLP's Adam took 8x longer that way).
template <class F>
static void chunked(int64_t len, bool parallel, F body) {
#ifdef _OPENMP
  if (parallel) {
#pragma omp parallel
    {
      const int64_t threads = omp_get_num_threads();
      const int64_t per = (len + threads - 1) / threads;
      const int64_t begin = std::min<int64_t>(len, per * omp_get_thread_num());
      const int64_t end = std::min<int64_t>(len, begin + per);
      if (begin < end) body(begin, end);
    }
    return;
  }
#endif
  (void)parallel;
  body(0, len);
}

// The Adam update over [begin, end) with its options as template constants, so the loop compiles without
// branches and vectorizes.
template <bool kMax, bool kWd, bool kL2, bool kAms, bool kFirst>
__attribute__((noinline)) static void adamRange(float* __restrict outP, float* __restrict outM, float* __restrict outV,
                                                float* __restrict outMax, const float* __restrict p0,
                                                const float* __restrict g0, const float* __restrict m0,
                                                const float* __restrict v0, const float* __restrict max0,
                                                const AdamData& a, int64_t begin, int64_t end) {
  const float b1 = a.b1, omb1 = a.omb1, b2 = a.b2, omb2 = a.omb2, wd = a.wd, decay = a.decay;
  const float stepSize = a.stepSize, bc2 = a.bc2, eps = a.eps;
  for (int64_t i = begin; i < end; i++) {
    float d = g0[i];
    if constexpr (kMax) d = -d;
    float p = p0[i];
    if constexpr (kWd) {
      if constexpr (kL2) d = d + p * wd;
      else p = p * decay;
    }
    float m, v;
    if constexpr (kFirst) {
      m = d * omb1;
      v = (d * d) * omb2;
    } else {
      m = m0[i] * b1 + d * omb1;
      v = v0[i] * b2 + (d * d) * omb2;
    }
    float second = v;
    if constexpr (kAms) {
      if constexpr (!kFirst) second = maxNaN(max0[i], v);
      outMax[i] = second;
    }
    const float denom = std::sqrt(second) / bc2 + eps;
    outM[i] = m;
    outV[i] = v;
    outP[i] = p - (m / denom) * stepSize;
  }
}

template <bool kMax, bool kWd, bool kL2, bool kAms, bool kFirst>
static void adamLoop(const AdamData& a) {
  chunked(a.len, optimParallel(a.len), [&](int64_t begin, int64_t end) {
    adamRange<kMax, kWd, kL2, kAms, kFirst>(a.outP, a.outM, a.outV, a.outMax, a.p0, a.g0, a.m0, a.v0, a.max0, a, begin, end);
  });
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
  const bool first = m0 == nullptr || v0 == nullptr || (ams && max0 == nullptr);
  if (ams && outMax == nullptr) return a.fail("adam: amsgrad needs an output buffer");
  const int64_t len = static_cast<int64_t>(n);
  const AdamData data{outP, outM, outV, outMax, p0, g0, m0, v0, max0, b1, omb1, b2, omb2, wd, decay, stepSize, bc2, eps, len};
  withFlag(maximize, [&](auto MX) { withFlag(hasWd, [&](auto WD) { withFlag(l2, [&](auto L2) { withFlag(ams, [&](auto AMS) { withFlag(first, [&](auto FIRST) {
    adamLoop<decltype(MX)::value, decltype(WD)::value, decltype(L2)::value, decltype(AMS)::value, decltype(FIRST)::value>(data);
  }); }); }); }); });
  return undefinedValue(env);
}

// The SGD update over [begin, end) (options as template constants, restrict parameters: see `chunked`).
template <bool kMax, bool kWd, bool kMom, bool kNesterov, bool kBuf>
__attribute__((noinline)) static void sgdRange(float* __restrict outP, float* __restrict outB, const float* __restrict p0,
                                               const float* __restrict g0, const float* __restrict b0, float wd,
                                               float mom, float omd, float lr, int64_t begin, int64_t end) {
  for (int64_t i = begin; i < end; i++) {
    float d = g0[i];
    if constexpr (kMax) d = -d;
    const float p = p0[i];
    if constexpr (kWd) d = d + p * wd;
    if constexpr (kMom) {
      float buf;
      if constexpr (kBuf) buf = b0[i] * mom + d * omd;
      else buf = d;
      outB[i] = buf;
      if constexpr (kNesterov) d = d + buf * mom;
      else d = buf;
    }
    outP[i] = p - d * lr;
  }
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
  const bool hasBuf = b0 != nullptr;
  withFlag(maximize, [&](auto MX) { withFlag(hasWd, [&](auto WD) { withFlag(hasMom, [&](auto MOM) { withFlag(nesterov, [&](auto NES) { withFlag(hasBuf, [&](auto BUF) {
    chunked(len, optimParallel(len), [&](int64_t begin, int64_t end) {
      sgdRange<decltype(MX)::value, decltype(WD)::value, decltype(MOM)::value, decltype(NES)::value, decltype(BUF)::value>(
          outP, outB, p0, g0, b0, wd, mom, omd, lr, begin, end);
    });
  }); }); }); }); });
  return undefinedValue(env);
}

struct RmspropData {
  float* outP; float* outSq; float* outGa; float* outB;
  const float* p0; const float* g0; const float* sq0; const float* ga0; const float* b0;
  float wd, alpha, oma, eps, mom, lr;
};

// The RMSprop update over [begin, end) (options as template constants, restrict parameters: see `chunked`).
// kState: the state buffers exist (every step after the first); otherwise each is started from zero, as the
// generic path does on the first step.
template <bool kMax, bool kWd, bool kCentered, bool kMom, bool kState>
__attribute__((noinline)) static void rmspropRange(float* __restrict outP, float* __restrict outSq,
                                                   float* __restrict outGa, float* __restrict outB,
                                                   const float* __restrict p0, const float* __restrict g0,
                                                   const float* __restrict sq0, const float* __restrict ga0,
                                                   const float* __restrict b0, const RmspropData& a, int64_t begin,
                                                   int64_t end) {
  const float wd = a.wd, alpha = a.alpha, oma = a.oma, eps = a.eps, mom = a.mom, lr = a.lr;
  for (int64_t i = begin; i < end; i++) {
    float d = g0[i];
    if constexpr (kMax) d = -d;
    const float p = p0[i];
    if constexpr (kWd) d = d + p * wd;
    const float sq = (d * d) * oma;
    float squareAvg;
    if constexpr (kState) squareAvg = sq0[i] * alpha + sq;
    else squareAvg = sq;
    outSq[i] = squareAvg;
    float avg;
    if constexpr (kCentered) {
      float gradAvg;
      if constexpr (kState) gradAvg = ga0[i] * alpha + d * oma;
      else gradAvg = d * oma;
      outGa[i] = gradAvg;
      avg = std::sqrt(squareAvg - gradAvg * gradAvg);
    } else {
      avg = std::sqrt(squareAvg);
    }
    avg = avg + eps;
    if constexpr (kMom) {
      float buf;
      if constexpr (kState) buf = b0[i] * mom + d / avg;
      else buf = d / avg;
      outB[i] = buf;
      outP[i] = p - buf * lr;
    } else {
      outP[i] = p - (d / avg) * lr;
    }
  }
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
  const bool hasSq = sq0 != nullptr, hasGa = ga0 != nullptr, hasBuf = b0 != nullptr;
  const bool allState = hasSq && (!centered || hasGa) && (!hasMom || hasBuf);
  const bool noState = !hasSq && (!centered || !hasGa) && (!hasMom || !hasBuf);
  if (!allState && !noState) {
    // Some state buffers but not all (state loaded from elsewhere): each missing one starts from zero.
    for (int64_t i = 0; i < len; i++) {
      float d = maximize ? -g0[i] : g0[i];
      const float p = p0[i];
      if (hasWd) d = d + p * wd;
      const float sq = (d * d) * oma;
      const float squareAvg = hasSq ? sq0[i] * alpha + sq : sq;
      outSq[i] = squareAvg;
      float avg;
      if (centered) {
        const float gradAvg = hasGa ? ga0[i] * alpha + d * oma : d * oma;
        outGa[i] = gradAvg;
        avg = std::sqrt(squareAvg - gradAvg * gradAvg);
      } else {
        avg = std::sqrt(squareAvg);
      }
      avg = avg + eps;
      if (hasMom) {
        const float buf = hasBuf ? b0[i] * mom + d / avg : d / avg;
        outB[i] = buf;
        outP[i] = p - buf * lr;
      } else {
        outP[i] = p - (d / avg) * lr;
      }
    }
    return undefinedValue(env);
  }
  const RmspropData data{outP, outSq, outGa, outB, p0, g0, sq0, ga0, b0, wd, alpha, oma, eps, mom, lr};
  withFlag(maximize, [&](auto MX) { withFlag(hasWd, [&](auto WD) { withFlag(centered, [&](auto C) { withFlag(hasMom, [&](auto MOM) {
    withFlag(allState, [&](auto STATE) {
      chunked(len, optimParallel(len), [&](int64_t begin, int64_t end) {
        rmspropRange<decltype(MX)::value, decltype(WD)::value, decltype(C)::value, decltype(MOM)::value, decltype(STATE)::value>(
            outP, outSq, outGa, outB, p0, g0, sq0, ga0, b0, data, begin, end);
      });
    });
  }); }); }); });
  return undefinedValue(env);
}

void registerOptim(napi_env env, napi_value exports) {
  defineFunction(env, exports, "adam", Adam);
  defineFunction(env, exports, "sgd", Sgd);
  defineFunction(env, exports, "rmsprop", Rmsprop);
}

}  // namespace lnative
