// NHWC max and average pooling and their gradients, with TF.js's cpu semantics: a window's maximum is its first
// maximal element, an average divides by the number of in-bounds elements, and the average-pool gradient scales by
// 1 / (filter height x filter width) as TF.js does.
#include <algorithm>
#include <cstring>
#include <limits>
#include <vector>

#include "common.h"

namespace lnative {

// dims: N, H, W, C, OH, OW, FH, FW, SH, SW, PT, PL
struct PoolShape {
  int64_t n, h, w, c, oh, ow, fh, fw, sh, sw, pt, pl;
};

static bool readPool(Args& a, size_t i, PoolShape* s) {
  size_t len = 0;
  const int32_t* d = a.i32(i, &len);
  if (d == nullptr || len < 12) return false;
  *s = {d[0], d[1], d[2], d[3], d[4], d[5], d[6], d[7], d[8], d[9], d[10], d[11]};
  return true;
}

static napi_value MaxPool(napi_env env, napi_callback_info info) {
  Args a(env, info);
  float* out = a.f32(0);
  const float* x = a.f32(1);
  PoolShape s;
  if (a.failed) return nullptr;
  if (out == nullptr || x == nullptr || !readPool(a, 2, &s)) return a.fail("maxPool: bad arguments");
  const int64_t rows = s.n * s.oh;
#pragma omp parallel for schedule(static) if (rows * s.ow * s.c * s.fh * s.fw >= parallelMin() / 8)
  for (int64_t row = 0; row < rows; row++) {
    const int64_t b = row / s.oh, yr = row % s.oh;
    const int64_t r0 = yr * s.sh - s.pt;
    const int64_t rLo = std::max<int64_t>(0, r0), rHi = std::min<int64_t>(s.h, r0 + s.fh);
    for (int64_t yc = 0; yc < s.ow; yc++) {
      float* o = out + ((b * s.oh + yr) * s.ow + yc) * s.c;
      for (int64_t ch = 0; ch < s.c; ch++) o[ch] = -std::numeric_limits<float>::infinity();
      const int64_t c0 = yc * s.sw - s.pl;
      const int64_t cLo = std::max<int64_t>(0, c0), cHi = std::min<int64_t>(s.w, c0 + s.fw);
      for (int64_t r = rLo; r < rHi; r++) {
        for (int64_t c = cLo; c < cHi; c++) {
          const float* px = x + ((b * s.h + r) * s.w + c) * s.c;
          for (int64_t ch = 0; ch < s.c; ch++) o[ch] = px[ch] > o[ch] ? px[ch] : o[ch];
        }
      }
    }
  }
  return undefinedValue(env);
}

static napi_value MaxPoolGrad(napi_env env, napi_callback_info info) {
  Args a(env, info);
  size_t nx = 0;
  float* dx = a.f32(0, &nx);
  const float* dy = a.f32(1);
  const float* x = a.f32(2);
  PoolShape s;
  if (a.failed) return nullptr;
  if (dx == nullptr || dy == nullptr || x == nullptr || !readPool(a, 3, &s)) return a.fail("maxPoolGrad: bad arguments");
  std::memset(dx, 0, nx * sizeof(float));
#pragma omp parallel for schedule(static) if (nx >= static_cast<size_t>(parallelMin() / 8) && s.n > 1)
  for (int64_t b = 0; b < s.n; b++) {
    std::vector<float> best(static_cast<size_t>(s.c));
    std::vector<int64_t> at(static_cast<size_t>(s.c));
    for (int64_t yr = 0; yr < s.oh; yr++) {
      const int64_t r0 = yr * s.sh - s.pt;
      const int64_t rLo = std::max<int64_t>(0, r0), rHi = std::min<int64_t>(s.h, r0 + s.fh);
      for (int64_t yc = 0; yc < s.ow; yc++) {
        const int64_t c0 = yc * s.sw - s.pl;
        const int64_t cLo = std::max<int64_t>(0, c0), cHi = std::min<int64_t>(s.w, c0 + s.fw);
        std::fill(best.begin(), best.end(), -std::numeric_limits<float>::infinity());
        std::fill(at.begin(), at.end(), -1);
        for (int64_t r = rLo; r < rHi; r++) {
          for (int64_t c = cLo; c < cHi; c++) {
            const int64_t base = ((b * s.h + r) * s.w + c) * s.c;
            const float* px = x + base;
            for (int64_t ch = 0; ch < s.c; ch++) {
              if (px[ch] > best[ch]) {
                best[ch] = px[ch];
                at[ch] = base + ch;
              }
            }
          }
        }
        const float* g = dy + ((b * s.oh + yr) * s.ow + yc) * s.c;
        for (int64_t ch = 0; ch < s.c; ch++) {
          if (at[ch] >= 0) dx[at[ch]] += g[ch];
        }
      }
    }
  }
  return undefinedValue(env);
}

static napi_value AvgPool(napi_env env, napi_callback_info info) {
  Args a(env, info);
  float* out = a.f32(0);
  const float* x = a.f32(1);
  PoolShape s;
  if (a.failed) return nullptr;
  if (out == nullptr || x == nullptr || !readPool(a, 2, &s)) return a.fail("avgPool: bad arguments");
  const int64_t rows = s.n * s.oh;
#pragma omp parallel for schedule(static) if (rows * s.ow * s.c * s.fh * s.fw >= parallelMin() / 8)
  for (int64_t row = 0; row < rows; row++) {
    const int64_t b = row / s.oh, yr = row % s.oh;
    const int64_t r0 = yr * s.sh - s.pt;
    const int64_t rLo = std::max<int64_t>(0, r0), rHi = std::min<int64_t>(s.h, r0 + s.fh);
    std::vector<double> acc(static_cast<size_t>(s.c));
    for (int64_t yc = 0; yc < s.ow; yc++) {
      const int64_t c0 = yc * s.sw - s.pl;
      const int64_t cLo = std::max<int64_t>(0, c0), cHi = std::min<int64_t>(s.w, c0 + s.fw);
      std::fill(acc.begin(), acc.end(), 0.0);
      for (int64_t r = rLo; r < rHi; r++) {
        for (int64_t c = cLo; c < cHi; c++) {
          const float* px = x + ((b * s.h + r) * s.w + c) * s.c;
          for (int64_t ch = 0; ch < s.c; ch++) acc[ch] += px[ch];
        }
      }
      const double count = static_cast<double>((rHi - rLo) * (cHi - cLo));
      float* o = out + ((b * s.oh + yr) * s.ow + yc) * s.c;
      for (int64_t ch = 0; ch < s.c; ch++) o[ch] = static_cast<float>(acc[ch] / count);
    }
  }
  return undefinedValue(env);
}

static napi_value AvgPoolGrad(napi_env env, napi_callback_info info) {
  Args a(env, info);
  size_t nx = 0;
  float* dx = a.f32(0, &nx);
  const float* dy = a.f32(1);
  PoolShape s;
  if (a.failed) return nullptr;
  if (dx == nullptr || dy == nullptr || !readPool(a, 2, &s)) return a.fail("avgPoolGrad: bad arguments");
  std::memset(dx, 0, nx * sizeof(float));
  const float scale = 1.f / static_cast<float>(s.fh * s.fw);
#pragma omp parallel for schedule(static) if (nx >= static_cast<size_t>(parallelMin() / 8) && s.n > 1)
  for (int64_t b = 0; b < s.n; b++) {
    for (int64_t yr = 0; yr < s.oh; yr++) {
      const int64_t r0 = yr * s.sh - s.pt;
      const int64_t rLo = std::max<int64_t>(0, r0), rHi = std::min<int64_t>(s.h, r0 + s.fh);
      for (int64_t yc = 0; yc < s.ow; yc++) {
        const int64_t c0 = yc * s.sw - s.pl;
        const int64_t cLo = std::max<int64_t>(0, c0), cHi = std::min<int64_t>(s.w, c0 + s.fw);
        const float* g = dy + ((b * s.oh + yr) * s.ow + yc) * s.c;
        for (int64_t r = rLo; r < rHi; r++) {
          for (int64_t c = cLo; c < cHi; c++) {
            float* px = dx + ((b * s.h + r) * s.w + c) * s.c;
            for (int64_t ch = 0; ch < s.c; ch++) px[ch] += g[ch] * scale;
          }
        }
      }
    }
  }
  return undefinedValue(env);
}

void registerPool(napi_env env, napi_value exports) {
  defineFunction(env, exports, "maxPool", MaxPool);
  defineFunction(env, exports, "maxPoolGrad", MaxPoolGrad);
  defineFunction(env, exports, "avgPool", AvgPool);
  defineFunction(env, exports, "avgPoolGrad", AvgPoolGrad);
}

}  // namespace lnative
