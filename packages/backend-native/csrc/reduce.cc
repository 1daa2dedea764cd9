// Reductions over any set of axes (sum, mean, max, min, prod), arg-max/min along one axis, and softmax.
// Sums accumulate in double like TF.js's cpu backend (whose JS accumulator is a double); mean divides each element
// by the count first, as that backend does.
#include <cmath>
#include <limits>
#include <vector>

#include "common.h"

namespace lnative {

enum ReduceOp { kSum = 0, kMean, kMax, kMin, kProd };

struct SumAcc {
  static double init() { return 0.0; }
  static double add(double acc, float v) { return acc + v; }
  static double merge(double a, double b) { return a + b; }
};
struct ProdAcc {
  static double init() { return 1.0; }
  static double add(double acc, float v) { return acc * v; }
  static double merge(double a, double b) { return a * b; }
};
struct MaxAcc {
  static double init() { return -std::numeric_limits<double>::infinity(); }
  static double add(double acc, float v) { return (v > acc || v != v) && acc == acc ? v : acc; }
  static double merge(double a, double b) { return add(a, static_cast<float>(b)); }
};
struct MinAcc {
  static double init() { return std::numeric_limits<double>::infinity(); }
  static double add(double acc, float v) { return (v < acc || v != v) && acc == acc ? v : acc; }
  static double merge(double a, double b) { return add(a, static_cast<float>(b)); }
};

// x has collapsed dims `shape` (adjacent dims merged, so kept and reduced runs alternate); `reduced[d]` marks
// reduced dims. Writes one value per kept position into `out` (row-major over kept dims).
template <class Acc>
static void reduceLoop(float* out, const float* x, const int32_t* shape, const int32_t* reduced, int rank, float scale) {
  int64_t total = 1, outCount = 1;
  for (int d = 0; d < rank; d++) {
    total *= shape[d];
    if (!reduced[d]) outCount *= shape[d];
  }
  auto pre = [scale](float v) { return scale == 1.f ? v : v / scale; };
  std::vector<double> acc(static_cast<size_t>(outCount), Acc::init());
  if (total == 0) {
    for (int64_t i = 0; i < outCount; i++) out[i] = static_cast<float>(acc[i]);
    return;
  }
  if (rank == 1 || (rank == 2 && !reduced[0])) {
    // [K, R]: each output is a contiguous run.
    const int64_t k = rank == 1 ? 1 : shape[0];
    const int64_t r = shape[rank - 1];
#pragma omp parallel for schedule(static) if (total >= parallelMin() && k > 1)
    for (int64_t i = 0; i < k; i++) {
      double a = Acc::init();
      const float* row = x + i * r;
      for (int64_t j = 0; j < r; j++) a = Acc::add(a, pre(row[j]));
      out[i] = static_cast<float>(a);
    }
    return;
  }
  if (rank == 2 && reduced[0]) {
    // [R, K] (e.g. a bias gradient): each thread sums a band of rows, then the bands are merged in order.
    const int64_t r = shape[0], k = shape[1];
    const int bands = total >= parallelMin() ? maxThreads() : 1;
    std::vector<std::vector<double>> parts(bands, std::vector<double>(static_cast<size_t>(k), Acc::init()));
#pragma omp parallel for schedule(static) num_threads(bands) if (bands > 1)
    for (int b = 0; b < bands; b++) {
      const int64_t lo = r * b / bands, hi = r * (b + 1) / bands;
      double* p = parts[b].data();
      for (int64_t i = lo; i < hi; i++) {
        const float* row = x + i * k;
        for (int64_t j = 0; j < k; j++) p[j] = Acc::add(p[j], pre(row[j]));
      }
    }
    for (int64_t j = 0; j < k; j++) {
      double a = parts[0][j];
      for (int b = 1; b < bands; b++) a = Acc::merge(a, parts[b][j]);
      out[j] = static_cast<float>(a);
    }
    return;
  }
  // General case: walk x in order with an odometer; the output offset moves only along kept dims.
  std::vector<int64_t> outStride(rank, 0), idx(rank, 0);
  int64_t s = 1;
  for (int d = rank - 1; d >= 0; d--) {
    if (!reduced[d]) {
      outStride[d] = s;
      s *= shape[d];
    }
  }
  const int64_t inner = shape[rank - 1];
  const bool innerReduced = reduced[rank - 1] != 0;
  for (int64_t pos = 0; pos < total; pos += inner) {
    int64_t o = 0;
    for (int d = 0; d < rank - 1; d++) o += idx[d] * outStride[d];
    const float* row = x + pos;
    if (innerReduced) {
      double a = acc[o];
      for (int64_t j = 0; j < inner; j++) a = Acc::add(a, pre(row[j]));
      acc[o] = a;
    } else {
      for (int64_t j = 0; j < inner; j++) acc[o + j] = Acc::add(acc[o + j], pre(row[j]));
    }
    for (int d = rank - 2; d >= 0; d--) {
      if (++idx[d] < shape[d]) break;
      idx[d] = 0;
    }
  }
  for (int64_t i = 0; i < outCount; i++) out[i] = static_cast<float>(acc[i]);
}

// reduce(out, x, op, shape, reducedFlags, count): count is the number of reduced elements (for mean).
static napi_value Reduce(napi_env env, napi_callback_info info) {
  Args a(env, info);
  float* out = a.f32(0);
  const float* x = a.f32(1);
  const int op = static_cast<int>(a.integer(2));
  size_t rank = 0, rr = 0;
  const int32_t* shape = a.i32(3, &rank);
  const int32_t* reduced = a.i32(4, &rr);
  const double count = a.num(5);
  if (a.failed) return nullptr;
  if (out == nullptr || x == nullptr || rank == 0 || rr != rank) return a.fail("reduce: bad arguments");
  const int r = static_cast<int>(rank);
  switch (op) {
    case kSum: reduceLoop<SumAcc>(out, x, shape, reduced, r, 1.f); break;
    case kMean: reduceLoop<SumAcc>(out, x, shape, reduced, r, static_cast<float>(count)); break;
    case kMax: reduceLoop<MaxAcc>(out, x, shape, reduced, r, 1.f); break;
    case kMin: reduceLoop<MinAcc>(out, x, shape, reduced, r, 1.f); break;
    case kProd: reduceLoop<ProdAcc>(out, x, shape, reduced, r, 1.f); break;
    default: return a.fail("reduce: unknown op");
  }
  return undefinedValue(env);
}

// argReduce(out Int32Array, x, outer, r, inner, isMin): index of the first max (min) along the middle axis.
static napi_value ArgReduce(napi_env env, napi_callback_info info) {
  Args a(env, info);
  int32_t* out = a.i32(0);
  const float* x = a.f32(1);
  const int64_t outer = a.integer(2), r = a.integer(3), inner = a.integer(4);
  const bool isMin = a.flag(5);
  if (a.failed) return nullptr;
  if (out == nullptr || x == nullptr) return a.fail("argReduce: bad arguments");
#pragma omp parallel for schedule(static) if (outer * r * inner >= parallelMin())
  for (int64_t o = 0; o < outer; o++) {
    for (int64_t i = 0; i < inner; i++) {
      const float* base = x + o * r * inner + i;
      float best = base[0];
      int32_t at = 0;
      for (int64_t j = 1; j < r; j++) {
        const float v = base[j * inner];
        if (isMin ? v < best : v > best) {
          best = v;
          at = static_cast<int32_t>(j);
        }
      }
      out[o * inner + i] = at;
    }
  }
  return undefinedValue(env);
}

// softmax(out, logits, rows, cols, log): softmax (or log-softmax) over the last axis.
static napi_value Softmax(napi_env env, napi_callback_info info) {
  Args a(env, info);
  float* out = a.f32(0);
  const float* x = a.f32(1);
  const int64_t rows = a.integer(2), cols = a.integer(3);
  const bool isLog = a.flag(4);
  if (a.failed) return nullptr;
  if (out == nullptr || x == nullptr) return a.fail("softmax: bad arguments");
#pragma omp parallel for schedule(static) if (rows * cols >= parallelMin())
  for (int64_t i = 0; i < rows; i++) {
    const float* row = x + i * cols;
    float* o = out + i * cols;
    float m = -std::numeric_limits<float>::infinity();
    for (int64_t j = 0; j < cols; j++) m = row[j] > m ? row[j] : m;
    double sum = 0;
    for (int64_t j = 0; j < cols; j++) {
      const float e = static_cast<float>(std::exp(static_cast<double>(row[j] - m)));
      if (!isLog) o[j] = e;
      sum += e;
    }
    if (isLog) {
      const float ls = static_cast<float>(std::log(sum));
      for (int64_t j = 0; j < cols; j++) o[j] = (row[j] - m) - ls;
    } else {
      const float s = static_cast<float>(sum);
      for (int64_t j = 0; j < cols; j++) o[j] = o[j] / s;
    }
  }
  return undefinedValue(env);
}

void registerReduce(napi_env env, napi_value exports) {
  defineFunction(env, exports, "reduce", Reduce);
  defineFunction(env, exports, "argReduce", ArgReduce);
  defineFunction(env, exports, "softmax", Softmax);
}

}  // namespace lnative
