// Elementwise kernels: binary ops with general broadcasting, unary ops, and the fused ReLU gradient.
// Arithmetic follows TF.js's cpu backend: one float32 rounding per op (ops that it computes in double, like
// squared difference or sigmoid, are computed in double here too).
#include <cmath>
#include <limits>

#include "common.h"

namespace lnative {

enum BinaryOp { kAdd = 0, kSub, kMul, kDiv, kMax, kMin, kSquaredDiff, kFloorDiv };

struct AddF { static float f(float a, float b) { return a + b; } };
struct SubF { static float f(float a, float b) { return a - b; } };
struct MulF { static float f(float a, float b) { return a * b; } };
struct DivF { static float f(float a, float b) { return a / b; } };
// NaN-propagating max/min written as plain selects (nested conditionals keep GCC from vectorizing).
struct MaxF {
  static float f(float a, float b) {
    const float m = a > b ? a : b;
    const float withB = b == b ? m : b;
    return a == a ? withB : a;
  }
};
struct MinF {
  static float f(float a, float b) {
    const float m = a < b ? a : b;
    const float withB = b == b ? m : b;
    return a == a ? withB : a;
  }
};
struct SqDiffF {
  static float f(float a, float b) {
    const double d = static_cast<double>(a) - b;
    return static_cast<float>(d * d);
  }
};
struct FloorDivF { static float f(float a, float b) { return static_cast<float>(std::floor(static_cast<double>(a) / b)); } };

// out[shape] = a op b, where a and b are read with element strides aStr/bStr per output dim (0 = broadcast).
template <class Op>
static void binaryLoop(float* out, const float* a, const float* b, const int32_t* shape, const int32_t* aStr,
                       const int32_t* bStr, int rank) {
  int64_t total = 1;
  for (int d = 0; d < rank; d++) total *= shape[d];
  if (total == 0) return;
  bool aFlat = true, bFlat = true, aScalar = true, bScalar = true;
  int64_t expect = 1;
  for (int d = rank - 1; d >= 0; d--) {
    if (shape[d] == 1) continue;
    aFlat = aFlat && aStr[d] == expect;
    bFlat = bFlat && bStr[d] == expect;
    aScalar = aScalar && aStr[d] == 0;
    bScalar = bScalar && bStr[d] == 0;
    expect *= shape[d];
  }
  if (aFlat && bFlat) {
#pragma omp parallel for schedule(static) if (total >= parallelMin())
    for (int64_t i = 0; i < total; i++) out[i] = Op::f(a[i], b[i]);
    return;
  }
  if (aFlat && bScalar) {
    const float bv = b[0];
#pragma omp parallel for schedule(static) if (total >= parallelMin())
    for (int64_t i = 0; i < total; i++) out[i] = Op::f(a[i], bv);
    return;
  }
  if (aScalar && bFlat) {
    const float av = a[0];
#pragma omp parallel for schedule(static) if (total >= parallelMin())
    for (int64_t i = 0; i < total; i++) out[i] = Op::f(av, b[i]);
    return;
  }
  const int64_t inner = shape[rank - 1];
  const int64_t rows = total / inner;
  const int64_t sa = aStr[rank - 1], sb = bStr[rank - 1];
#pragma omp parallel for schedule(static) if (total >= parallelMin())
  for (int64_t r = 0; r < rows; r++) {
    int64_t rem = r, oa = 0, ob = 0;
    for (int d = rank - 2; d >= 0; d--) {
      const int64_t idx = rem % shape[d];
      rem /= shape[d];
      oa += idx * aStr[d];
      ob += idx * bStr[d];
    }
    float* o = out + r * inner;
    const float* pa = a + oa;
    const float* pb = b + ob;
    if (sa == 1 && sb == 1) {
      for (int64_t j = 0; j < inner; j++) o[j] = Op::f(pa[j], pb[j]);
    } else if (sa == 1 && sb == 0) {
      const float bv = pb[0];
      for (int64_t j = 0; j < inner; j++) o[j] = Op::f(pa[j], bv);
    } else if (sa == 0 && sb == 1) {
      const float av = pa[0];
      for (int64_t j = 0; j < inner; j++) o[j] = Op::f(av, pb[j]);
    } else {
      for (int64_t j = 0; j < inner; j++) o[j] = Op::f(pa[j * sa], pb[j * sb]);
    }
  }
}

// binary(out, a, b, op, shape, aStrides, bStrides): all Int32Arrays of the same (collapsed) rank.
static napi_value Binary(napi_env env, napi_callback_info info) {
  Args a(env, info);
  float* out = a.f32(0);
  const float* x = a.f32(1);
  const float* y = a.f32(2);
  const int op = static_cast<int>(a.integer(3));
  size_t rank = 0, ra = 0, rb = 0;
  const int32_t* shape = a.i32(4, &rank);
  const int32_t* as = a.i32(5, &ra);
  const int32_t* bs = a.i32(6, &rb);
  if (a.failed) return nullptr;
  if (out == nullptr || x == nullptr || y == nullptr || rank == 0 || ra != rank || rb != rank) {
    return a.fail("binary: expected (out, a, b, op, shape, aStrides, bStrides)");
  }
  const int r = static_cast<int>(rank);
  switch (op) {
    case kAdd: binaryLoop<AddF>(out, x, y, shape, as, bs, r); break;
    case kSub: binaryLoop<SubF>(out, x, y, shape, as, bs, r); break;
    case kMul: binaryLoop<MulF>(out, x, y, shape, as, bs, r); break;
    case kDiv: binaryLoop<DivF>(out, x, y, shape, as, bs, r); break;
    case kMax: binaryLoop<MaxF>(out, x, y, shape, as, bs, r); break;
    case kMin: binaryLoop<MinF>(out, x, y, shape, as, bs, r); break;
    case kSquaredDiff: binaryLoop<SqDiffF>(out, x, y, shape, as, bs, r); break;
    case kFloorDiv: binaryLoop<FloorDivF>(out, x, y, shape, as, bs, r); break;
    default: return a.fail("binary: unknown op");
  }
  return undefinedValue(env);
}

enum UnaryOp {
  kRelu = 0, kRelu6, kStep, kSqrt, kSquare, kExp, kLog, kNeg, kAbs, kRsqrt, kSigmoid, kTanh, kLeakyRelu, kElu,
  kSoftplus, kReciprocal, kLog1p, kExpm1, kSin, kCos, kFloor, kCeil, kSign, kErf, kClip
};

static inline float softplus(float x) {
  const double eps = 1.1920928955078125e-7;
  const double threshold = std::log(eps) + 2.0;
  const double ex = std::exp(static_cast<double>(x));
  if (x < threshold) return static_cast<float>(ex);
  if (x > -threshold) return x;
  return static_cast<float>(std::log(ex + 1.0));
}

// `f` must be captureless: parameters come in as arguments (a captured value blocks GCC's vectorizer here).
template <class F>
static void unaryLoop(float* out, const float* x, int64_t n, F f, float alpha = 0.f, float beta = 0.f) {
#pragma omp parallel for schedule(static) if (n >= parallelMin())
  for (int64_t i = 0; i < n; i++) out[i] = f(x[i], alpha, beta);
}

// unary(out, x, op, alpha, beta)
static napi_value Unary(napi_env env, napi_callback_info info) {
  Args a(env, info);
  size_t n = 0, nx = 0;
  float* out = a.f32(0, &n);
  const float* x = a.f32(1, &nx);
  const int op = static_cast<int>(a.integer(2));
  const float alpha = static_cast<float>(a.num(3));
  const float beta = static_cast<float>(a.num(4));
  if (a.failed) return nullptr;
  if (out == nullptr || x == nullptr || nx < n) return a.fail("unary: expected (out, x, op, alpha, beta)");
  const int64_t len = static_cast<int64_t>(n);
  switch (op) {
    case kRelu: unaryLoop(out, x, len, [](float v, float, float) { return v < 0.f ? 0.f : v; }); break;
    case kRelu6:
      unaryLoop(out, x, len, [](float v, float, float) {
        const float lo = v < 0.f ? 0.f : v;
        return lo > 6.f ? 6.f : lo;
      });
      break;
    case kStep: {
#pragma omp parallel for schedule(static) if (len >= parallelMin())
      for (int64_t i = 0; i < len; i++) {
        const float v = x[i];
        const float s = v > 0.f ? 1.f : alpha;
        out[i] = v == v ? s : v;
      }
      break;
    }
    case kSqrt: unaryLoop(out, x, len, [](float v, float, float) { return std::sqrt(v); }); break;
    case kSquare: unaryLoop(out, x, len, [](float v, float, float) { return v * v; }); break;
    case kExp: unaryLoop(out, x, len, [](float v, float, float) { return static_cast<float>(std::exp(static_cast<double>(v))); }); break;
    case kLog: unaryLoop(out, x, len, [](float v, float, float) { return static_cast<float>(std::log(static_cast<double>(v))); }); break;
    case kNeg: unaryLoop(out, x, len, [](float v, float, float) { return -v; }); break;
    case kAbs: unaryLoop(out, x, len, [](float v, float, float) { return std::fabs(v); }); break;
    case kRsqrt:
      unaryLoop(out, x, len, [](float v, float, float) { return static_cast<float>(1.0 / std::sqrt(static_cast<double>(v))); });
      break;
    case kSigmoid:
      unaryLoop(out, x, len, [](float v, float, float) { return static_cast<float>(1.0 / (1.0 + std::exp(-static_cast<double>(v)))); });
      break;
    case kTanh: unaryLoop(out, x, len, [](float v, float, float) { return static_cast<float>(std::tanh(static_cast<double>(v))); }); break;
    case kLeakyRelu: unaryLoop(out, x, len, [](float v, float alpha, float) { return v < 0.f ? alpha * v : v; }, alpha); break;
    case kElu:
      unaryLoop(out, x, len, [](float v, float, float) { return v >= 0.f ? v : static_cast<float>(std::exp(static_cast<double>(v)) - 1.0); });
      break;
    case kSoftplus: unaryLoop(out, x, len, [](float v, float, float) { return softplus(v); }); break;
    case kReciprocal: unaryLoop(out, x, len, [](float v, float, float) { return 1.f / v; }); break;
    case kLog1p: unaryLoop(out, x, len, [](float v, float, float) { return static_cast<float>(std::log1p(static_cast<double>(v))); }); break;
    case kExpm1: unaryLoop(out, x, len, [](float v, float, float) { return static_cast<float>(std::expm1(static_cast<double>(v))); }); break;
    case kSin: unaryLoop(out, x, len, [](float v, float, float) { return static_cast<float>(std::sin(static_cast<double>(v))); }); break;
    case kCos: unaryLoop(out, x, len, [](float v, float, float) { return static_cast<float>(std::cos(static_cast<double>(v))); }); break;
    case kFloor: unaryLoop(out, x, len, [](float v, float, float) { return std::floor(v); }); break;
    case kCeil: unaryLoop(out, x, len, [](float v, float, float) { return std::ceil(v); }); break;
    case kSign:
      unaryLoop(out, x, len, [](float v, float, float) {
        const float pos = v > 0.f ? 1.f : 0.f;
        const float s = v < 0.f ? -1.f : pos;
        return v == v ? s : v;
      });
      break;
    case kErf: unaryLoop(out, x, len, [](float v, float, float) { return static_cast<float>(std::erf(static_cast<double>(v))); }); break;
    case kClip:
      unaryLoop(out, x, len, [](float v, float lo, float hi) {
        const float above = v < lo ? lo : v;
        const float c = above > hi ? hi : above;
        return v == v ? c : v;
      }, alpha, beta);
      break;
    default: return a.fail("unary: unknown op");
  }
  return undefinedValue(env);
}

// reluGrad(dx, dy, x): dx = dy where x > 0, else dy * 0 (TF.js computes it as dy * step(x)).
static napi_value ReluGrad(napi_env env, napi_callback_info info) {
  Args a(env, info);
  size_t n = 0;
  float* out = a.f32(0, &n);
  const float* dy = a.f32(1);
  const float* x = a.f32(2);
  const int kind = a.count() > 3 ? static_cast<int>(a.integer(3)) : 0;  // 0: relu, 1: relu6
  if (a.failed) return nullptr;
  if (out == nullptr || dy == nullptr || x == nullptr) return a.fail("reluGrad: expected (dx, dy, x)");
  const int64_t len = static_cast<int64_t>(n);
  // dx = dy * mask, mask = 1 inside the active range, 0 outside, NaN where x is NaN: exactly TF.js's dy * step(x).
  // Written as plain selects on values loaded up front, so the loop vectorizes.
  const float hi = kind == 1 ? 6.f : std::numeric_limits<float>::infinity();
#pragma omp parallel for schedule(static) if (len >= parallelMin())
  for (int64_t i = 0; i < len; i++) {
    const float v = x[i], d = dy[i];
    const float inside = v > 0.f ? 1.f : 0.f;
    const float mask = v <= hi ? inside : 0.f;
    out[i] = d * (v == v ? mask : v);
  }
  return undefinedValue(env);
}

void registerElementwise(napi_env env, napi_value exports) {
  defineFunction(env, exports, "binary", Binary);
  defineFunction(env, exports, "unary", Unary);
  defineFunction(env, exports, "reluGrad", ReluGrad);
}

}  // namespace lnative
