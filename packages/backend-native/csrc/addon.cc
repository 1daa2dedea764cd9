// N-API entry point: argument helpers, thread settings and module registration.
#include <string>

#include "common.h"

namespace lnative {

static int gMaxThreads = 0;
static int64_t gParallelMin = int64_t(1) << 22;

int64_t parallelMin() { return gParallelMin; }
void setParallelMin(int64_t n) { gParallelMin = n > 0 ? n : 1; }

int maxThreads() {
#ifdef _OPENMP
  if (gMaxThreads <= 0) gMaxThreads = omp_get_max_threads();
#else
  if (gMaxThreads <= 0) gMaxThreads = 1;
#endif
  return gMaxThreads;
}

void setMaxThreads(int n) {
  gMaxThreads = n > 0 ? n : 1;
#ifdef _OPENMP
  omp_set_num_threads(gMaxThreads);
#endif
}

Args::Args(napi_env env, napi_callback_info info) : env_(env) {
  napi_get_cb_info(env, info, &argc_, argv_, nullptr, nullptr);
}

napi_value Args::fail(const std::string& message) {
  if (!failed) napi_throw_error(env_, "ERR_LIGHTNING_NATIVE", message.c_str());
  failed = true;
  return nullptr;
}

bool Args::isNull(size_t i) {
  if (i >= argc_) return true;
  napi_valuetype t;
  napi_typeof(env_, argv_[i], &t);
  return t == napi_null || t == napi_undefined;
}

void* Args::typed(size_t i, napi_typedarray_type want, const char* name, size_t* length) {
  if (length != nullptr) *length = 0;
  if (isNull(i)) return nullptr;
  bool isTyped = false;
  napi_is_typedarray(env_, argv_[i], &isTyped);
  napi_typedarray_type type;
  size_t len = 0;
  void* data = nullptr;
  if (isTyped) napi_get_typedarray_info(env_, argv_[i], &type, &len, &data, nullptr, nullptr);
  if (!isTyped || type != want) {
    fail("argument " + std::to_string(i) + " must be a " + name);
    return nullptr;
  }
  if (length != nullptr) *length = len;
  return data;
}

float* Args::f32(size_t i, size_t* length) {
  return static_cast<float*>(typed(i, napi_float32_array, "Float32Array", length));
}

int32_t* Args::i32(size_t i, size_t* length) {
  return static_cast<int32_t*>(typed(i, napi_int32_array, "Int32Array", length));
}

uint8_t* Args::u8(size_t i, size_t* length) {
  return static_cast<uint8_t*>(typed(i, napi_uint8_array, "Uint8Array", length));
}

double Args::num(size_t i) {
  double v = 0;
  if (i >= argc_ || napi_get_value_double(env_, argv_[i], &v) != napi_ok) {
    fail("argument " + std::to_string(i) + " must be a number");
  }
  return v;
}

bool Args::flag(size_t i) {
  bool v = false;
  if (i < argc_) napi_get_value_bool(env_, argv_[i], &v);
  return v;
}

napi_value undefinedValue(napi_env env) {
  napi_value u;
  napi_get_undefined(env, &u);
  return u;
}

void defineFunction(napi_env env, napi_value exports, const char* name, napi_callback fn) {
  napi_value f;
  napi_create_function(env, name, NAPI_AUTO_LENGTH, fn, nullptr, &f);
  napi_set_named_property(env, exports, name, f);
}

static napi_value SetThreads(napi_env env, napi_callback_info info) {
  Args a(env, info);
  int n = static_cast<int>(a.integer(0));
  if (a.failed) return nullptr;
  setMaxThreads(n);
  return undefinedValue(env);
}

static napi_value SetParallelMin(napi_env env, napi_callback_info info) {
  Args a(env, info);
  const int64_t n = a.integer(0);
  if (a.failed) return nullptr;
  setParallelMin(n);
  return undefinedValue(env);
}

static napi_value GetThreads(napi_env env, napi_callback_info) {
  napi_value v;
  napi_create_int32(env, maxThreads(), &v);
  return v;
}

}  // namespace lnative

extern const char* lnativeDnnlVersion();

static napi_value Init(napi_env env, napi_value exports) {
  using namespace lnative;
  defineFunction(env, exports, "setThreads", SetThreads);
  defineFunction(env, exports, "getThreads", GetThreads);
  defineFunction(env, exports, "setParallelMin", SetParallelMin);
  registerGemm(env, exports);
  registerConv(env, exports);
  registerElementwise(env, exports);
  registerReduce(env, exports);
  registerPool(env, exports);
  registerOptim(env, exports);
  registerLayout(env, exports);
  napi_value version;
  napi_create_string_utf8(env, lnativeDnnlVersion(), NAPI_AUTO_LENGTH, &version);
  napi_set_named_property(env, exports, "dnnlVersion", version);
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, Init)
