// 2-D convolutions (plain and depthwise) and their backprops through oneDNN, on NHWC activations in place.
// Weights stay in TF.js's layout in JS ([kh, kw, in, out], depthwise [kh, kw, in, multiplier]); oneDNN gets them
// with format `any` and picks its own blocked layout (2-3x faster than forcing hwio), with one reorder per call.
// Primitives are cached by shape. Builds against the oneDNN 2.x (`*::desc`) and 3.x (primitive_desc) APIs.
#include "common.h"

#ifndef LNATIVE_NO_DNNL
#include <dnnl.hpp>

#include <memory>
#include <sstream>
#include <unordered_map>

#define LNATIVE_STR2(x) #x
#define LNATIVE_STR(x) LNATIVE_STR2(x)

const char* lnativeDnnlVersion() {
  return LNATIVE_STR(DNNL_VERSION_MAJOR) "." LNATIVE_STR(DNNL_VERSION_MINOR) "." LNATIVE_STR(DNNL_VERSION_PATCH);
}

namespace lnative {

using dnnl::memory;
using tag = dnnl::memory::format_tag;
using dt = dnnl::memory::data_type;

// dims: N, H, W, C, OC, KH, KW, OH, OW, strideH, strideW, dilationH, dilationW, padTop, padLeft, padBottom,
// padRight, groups.
struct ConvShape {
  int64_t n, h, w, c, oc, kh, kw, oh, ow, sh, sw, dh, dw, pt, pl, pb, pr, groups;
};

static bool readShape(Args& a, size_t i, ConvShape* s) {
  size_t len = 0;
  const int32_t* d = a.i32(i, &len);
  if (d == nullptr || len < 18) return false;
  *s = {d[0], d[1], d[2], d[3], d[4], d[5], d[6], d[7], d[8], d[9], d[10], d[11], d[12], d[13], d[14], d[15], d[16],
        d[17]};
  return true;
}

struct Engine {
  dnnl::engine eng{dnnl::engine::kind::cpu, 0};
  dnnl::stream strm{eng};
};

static Engine& engine() {
  static Engine e;
  return e;
}

static memory::desc activations(int64_t n, int64_t c, int64_t h, int64_t w) {
  return memory::desc({n, c, h, w}, dt::f32, tag::nhwc);
}

// The user's weights: TF's [kh, kw, in, out] (or [kh, kw, in, multiplier] grouped per input channel).
static memory::desc userWeights(const ConvShape& s) {
  if (s.groups == 1) {
    return memory::desc({s.oc, s.c, s.kh, s.kw}, dt::f32, {1, s.oc, s.kw * s.c * s.oc, s.c * s.oc});
  }
  const int64_t g = s.groups, og = s.oc / g, ig = s.c / g;
  return memory::desc({g, og, ig, s.kh, s.kw}, dt::f32, {og, 1, s.oc, s.kw * s.c * og, s.c * og});
}

static memory::desc anyWeights(const ConvShape& s) {
  if (s.groups == 1) return memory::desc({s.oc, s.c, s.kh, s.kw}, dt::f32, tag::any);
  return memory::desc({s.groups, s.oc / s.groups, s.c / s.groups, s.kh, s.kw}, dt::f32, tag::any);
}

struct Geometry {
  memory::dims strides, dilates, padL, padR;
};

static Geometry geometry(const ConvShape& s) {
  return {{s.sh, s.sw}, {s.dh - 1, s.dw - 1}, {s.pt, s.pl}, {s.pb, s.pr}};
}

static dnnl::convolution_forward::primitive_desc forwardPd(const ConvShape& s) {
  const Geometry g = geometry(s);
  auto src = activations(s.n, s.c, s.h, s.w);
  auto dst = activations(s.n, s.oc, s.oh, s.ow);
#if DNNL_VERSION_MAJOR >= 3
  return dnnl::convolution_forward::primitive_desc(engine().eng, dnnl::prop_kind::forward_training,
                                                   dnnl::algorithm::convolution_direct, src, anyWeights(s), dst,
                                                   g.strides, g.dilates, g.padL, g.padR);
#else
  dnnl::convolution_forward::desc d(dnnl::prop_kind::forward_training, dnnl::algorithm::convolution_direct, src,
                                    anyWeights(s), dst, g.strides, g.dilates, g.padL, g.padR);
  return dnnl::convolution_forward::primitive_desc(d, engine().eng);
#endif
}

enum Direction { kForward = 0, kBackwardData = 1, kBackwardWeights = 2 };

// One cached primitive with its weights in oneDNN's chosen layout and the reorder to or from TF's layout.
struct ConvEntry {
  dnnl::primitive prim;
  memory userW, primW;
  dnnl::reorder weightsReorder;
  bool needsReorder = false;
  memory::desc srcMd, dstMd;  // the two activation tensors (meaning depends on the direction)
};

static std::unique_ptr<ConvEntry> build(const ConvShape& s, Direction dir) {
  auto e = std::make_unique<ConvEntry>();
  Engine& en = engine();
  const Geometry g = geometry(s);
  auto fwd = forwardPd(s);
  auto src = activations(s.n, s.c, s.h, s.w);
  auto dst = activations(s.n, s.oc, s.oh, s.ow);
  memory::desc chosen;
  if (dir == kForward) {
    e->prim = dnnl::convolution_forward(fwd);
    chosen = fwd.weights_desc();
  } else if (dir == kBackwardData) {
#if DNNL_VERSION_MAJOR >= 3
    dnnl::convolution_backward_data::primitive_desc pd(en.eng, dnnl::algorithm::convolution_direct, src,
                                                       anyWeights(s), dst, g.strides, g.dilates, g.padL, g.padR, fwd);
#else
    dnnl::convolution_backward_data::desc d(dnnl::algorithm::convolution_direct, src, anyWeights(s), dst, g.strides,
                                            g.dilates, g.padL, g.padR);
    dnnl::convolution_backward_data::primitive_desc pd(d, en.eng, fwd);
#endif
    e->prim = dnnl::convolution_backward_data(pd);
    chosen = pd.weights_desc();
  } else {
#if DNNL_VERSION_MAJOR >= 3
    dnnl::convolution_backward_weights::primitive_desc pd(en.eng, dnnl::algorithm::convolution_direct, src,
                                                          anyWeights(s), dst, g.strides, g.dilates, g.padL, g.padR,
                                                          fwd);
#else
    dnnl::convolution_backward_weights::desc d(dnnl::algorithm::convolution_direct, src, anyWeights(s), dst,
                                               g.strides, g.dilates, g.padL, g.padR);
    dnnl::convolution_backward_weights::primitive_desc pd(d, en.eng, fwd);
#endif
    e->prim = dnnl::convolution_backward_weights(pd);
    chosen = pd.diff_weights_desc();
  }
  e->srcMd = src;
  e->dstMd = dst;
  auto user = userWeights(s);
  e->userW = memory(user, en.eng, DNNL_MEMORY_NONE);
  e->needsReorder = chosen != user;
  if (e->needsReorder) {
    e->primW = memory(chosen, en.eng);
    e->weightsReorder = dir == kBackwardWeights ? dnnl::reorder(e->primW, e->userW) : dnnl::reorder(e->userW, e->primW);
  }
  return e;
}

static ConvEntry& entry(const ConvShape& s, Direction dir) {
  static std::unordered_map<std::string, std::unique_ptr<ConvEntry>> cache;
  std::ostringstream key;
  key << dir;
  for (int64_t v : {s.n, s.h, s.w, s.c, s.oc, s.kh, s.kw, s.oh, s.ow, s.sh, s.sw, s.dh, s.dw, s.pt, s.pl, s.pb, s.pr,
                    s.groups}) {
    key << ',' << v;
  }
  auto& slot = cache[key.str()];
  if (!slot) slot = build(s, dir);
  return *slot;
}

// Run one direction: `a` is the input activation (x, or dy for backward data), `weights` the weights (the output
// for backward weights), `b` the other activation (y, dx, or dy for backward weights).
static void run(const ConvShape& s, Direction dir, float* x, float* weights, float* y) {
  Engine& en = engine();
  ConvEntry& e = entry(s, dir);
  memory xm(e.srcMd, en.eng, x);
  memory ym(e.dstMd, en.eng, y);
  e.userW.set_data_handle(weights);
  memory& w = e.needsReorder ? e.primW : e.userW;
  if (dir == kForward) {
    if (e.needsReorder) e.weightsReorder.execute(en.strm, e.userW, e.primW);
    e.prim.execute(en.strm, {{DNNL_ARG_SRC, xm}, {DNNL_ARG_WEIGHTS, w}, {DNNL_ARG_DST, ym}});
  } else if (dir == kBackwardData) {
    if (e.needsReorder) e.weightsReorder.execute(en.strm, e.userW, e.primW);
    e.prim.execute(en.strm, {{DNNL_ARG_DIFF_DST, ym}, {DNNL_ARG_WEIGHTS, w}, {DNNL_ARG_DIFF_SRC, xm}});
  } else {
    e.prim.execute(en.strm, {{DNNL_ARG_SRC, xm}, {DNNL_ARG_DIFF_DST, ym}, {DNNL_ARG_DIFF_WEIGHTS, w}});
    if (e.needsReorder) e.weightsReorder.execute(en.strm, e.primW, e.userW);
  }
  en.strm.wait();
}

static napi_value call(napi_env env, napi_callback_info info, Direction dir) {
  Args a(env, info);
  // Argument order: output, input 1, input 2, dims (as in the JS wrappers).
  float* out = a.f32(0);
  float* in1 = a.f32(1);
  float* in2 = a.f32(2);
  ConvShape s;
  if (a.failed) return nullptr;
  if (!readShape(a, 3, &s) || out == nullptr || in1 == nullptr || in2 == nullptr) {
    return a.fail("conv: expected (out, in1, in2, Int32Array(18) dims)");
  }
  try {
    if (dir == kForward) run(s, dir, in1, in2, out);            // conv2dForward(y, x, w, dims)
    else if (dir == kBackwardData) run(s, dir, out, in2, in1);  // conv2dBackwardData(dx, dy, w, dims)
    else run(s, dir, in1, out, in2);                            // conv2dBackwardWeights(dw, x, dy, dims)
  } catch (const dnnl::error& err) {
    return a.fail(std::string("oneDNN: ") + err.what());
  }
  return undefinedValue(env);
}

static napi_value Forward(napi_env env, napi_callback_info info) { return call(env, info, kForward); }
static napi_value BackwardData(napi_env env, napi_callback_info info) { return call(env, info, kBackwardData); }
static napi_value BackwardWeights(napi_env env, napi_callback_info info) { return call(env, info, kBackwardWeights); }

void registerConv(napi_env env, napi_value exports) {
  defineFunction(env, exports, "conv2dForward", Forward);
  defineFunction(env, exports, "conv2dBackwardData", BackwardData);
  defineFunction(env, exports, "conv2dBackwardWeights", BackwardWeights);
}

}  // namespace lnative

#else

const char* lnativeDnnlVersion() { return ""; }

namespace lnative {
void registerConv(napi_env, napi_value) {}
}  // namespace lnative

#endif
