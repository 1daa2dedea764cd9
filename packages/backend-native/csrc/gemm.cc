// Batched matrix products through cblas_sgemm, with a fused bias + activation epilogue.
#include <cblas.h>

#include <algorithm>
#include <cmath>

#include "common.h"

// Declared weak so the addon also links against a BLAS without OpenBLAS's threading extension.
extern "C" void openblas_set_num_threads(int) __attribute__((weak));

namespace lnative {

static int64_t gParallelMacs = int64_t(1) << 23;
static int gBlasThreads = -1;

static void useBlasThreads(int n) {
  if (n == gBlasThreads || openblas_set_num_threads == nullptr) return;
  openblas_set_num_threads(n);
  gBlasThreads = n;
}

enum Activation { kLinear = 0, kRelu = 1, kRelu6 = 2, kSigmoid = 3, kLeakyRelu = 4, kElu = 5 };
enum BiasMode { kNoBias = 0, kColumnBias = 1, kScalarBias = 2, kFullBias = 3, kMatrixBias = 4 };

static inline float activate(float v, int act, float alpha) {
  switch (act) {
    case kRelu: return v > 0.f ? v : 0.f;
    case kRelu6: return std::min(std::max(v, 0.f), 6.f);
    case kSigmoid: return static_cast<float>(1.0 / (1.0 + std::exp(-static_cast<double>(v))));
    case kLeakyRelu: return v < 0.f ? alpha * v : v;
    case kElu: return v >= 0.f ? v : static_cast<float>(std::exp(static_cast<double>(v)) - 1.0);
    default: return v;
  }
}

// Apply bias and activation to `out` ([batch, M, N]) in one pass.
static void epilogue(float* out, int64_t batch, int64_t m, int64_t n, const float* bias, int mode, int act,
                     float alpha) {
  const int64_t rows = batch * m;
  const int64_t total = rows * n;
  if (mode == kNoBias && act == kLinear) return;
#pragma omp parallel for schedule(static) if (total >= parallelMin())
  for (int64_t r = 0; r < rows; r++) {
    float* row = out + r * n;
    for (int64_t j = 0; j < n; j++) {
      float v = row[j];
      if (mode == kColumnBias) v += bias[j];
      else if (mode == kScalarBias) v += bias[0];
      else if (mode == kFullBias) v += bias[r * n + j];
      else if (mode == kMatrixBias) v += bias[(r % m) * n + j];
      row[j] = activate(v, act, alpha);
    }
  }
}

// gemm(out, a, b, batch, M, N, K, transA, transB, offsetsA|null, offsetsB|null, bias|null, biasMode, act, alpha)
static napi_value Gemm(napi_env env, napi_callback_info info) {
  Args a(env, info);
  float* out = a.f32(0);
  const float* x = a.f32(1);
  const float* y = a.f32(2);
  const int64_t batch = a.integer(3), m = a.integer(4), n = a.integer(5), k = a.integer(6);
  const bool ta = a.flag(7), tb = a.flag(8);
  const int32_t* offA = a.i32(9);
  const int32_t* offB = a.i32(10);
  const float* bias = a.f32(11);
  const int mode = static_cast<int>(a.integer(12));
  const int act = static_cast<int>(a.integer(13));
  const float alpha = static_cast<float>(a.num(14));
  if (a.failed) return nullptr;
  if (out == nullptr || x == nullptr || y == nullptr) return a.fail("gemm: missing operand");
  const int64_t macs = batch * m * n * k;
  useBlasThreads(macs >= gParallelMacs ? maxThreads() : 1);
  const int lda = ta ? static_cast<int>(m) : static_cast<int>(k);
  const int ldb = tb ? static_cast<int>(k) : static_cast<int>(n);
  for (int64_t i = 0; i < batch; i++) {
    const float* ai = x + (offA != nullptr ? offA[i] : i * m * k);
    const float* bi = y + (offB != nullptr ? offB[i] : i * k * n);
    float* ci = out + i * m * n;
    if (k == 0) {
      std::fill(ci, ci + m * n, 0.f);
      continue;
    }
    cblas_sgemm(CblasRowMajor, ta ? CblasTrans : CblasNoTrans, tb ? CblasTrans : CblasNoTrans, static_cast<int>(m),
                static_cast<int>(n), static_cast<int>(k), 1.f, ai, lda, bi, ldb, 0.f, ci, static_cast<int>(n));
  }
  epilogue(out, batch, m, n, bias, bias == nullptr ? kNoBias : mode, act, alpha);
  return undefinedValue(env);
}

// setGemmParallelMacs(n): products with at least n multiply-adds use every thread, smaller ones one thread.
static napi_value SetGemmParallelMacs(napi_env env, napi_callback_info info) {
  Args a(env, info);
  const int64_t v = a.integer(0);
  if (a.failed) return nullptr;
  gParallelMacs = v;
  return undefinedValue(env);
}

void registerGemm(napi_env env, napi_value exports) {
  defineFunction(env, exports, "gemm", Gemm);
  defineFunction(env, exports, "setGemmParallelMacs", SetGemmParallelMacs);
}

}  // namespace lnative
