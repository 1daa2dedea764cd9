// Shared helpers of the lightning-ts native backend: N-API argument access and threading policy.
#pragma once
#include <node_api.h>

#include <cstddef>
#include <cstdint>
#include <string>

#ifdef _OPENMP
#include <omp.h>
#endif

namespace lnative {

// Elementwise loops go parallel from this many elements on (below it, waking threads costs more than it saves).
// Memory-bound loops (elementwise, reductions, pooling, copies) go parallel from this many elements on. Their gain
// from a second thread is small, and on a busy machine every parallel region can wait a scheduler tick for its
// workers, so the default (4M) keeps them single-threaded for typical layer sizes; oneDNN and OpenBLAS still use
// every thread for compute-bound work.
int64_t parallelMin();
void setParallelMin(int64_t n);

int maxThreads();
void setMaxThreads(int n);

// Arguments of one N-API call. Typed-array accessors return the data pointer (offset applied) and the length in
// elements; a null/undefined argument gives nullptr. A wrong type throws a JS TypeError and sets `failed`.
class Args {
 public:
  Args(napi_env env, napi_callback_info info);
  size_t count() const { return argc_; }
  float* f32(size_t i, size_t* length = nullptr);
  int32_t* i32(size_t i, size_t* length = nullptr);
  uint8_t* u8(size_t i, size_t* length = nullptr);
  double num(size_t i);
  int64_t integer(size_t i) { return static_cast<int64_t>(num(i)); }
  bool flag(size_t i);
  bool isNull(size_t i);
  napi_value raw(size_t i) { return argv_[i]; }
  napi_env env() const { return env_; }
  bool failed = false;
  // Throws a JS Error with `message` (once) and returns nullptr for the caller to return.
  napi_value fail(const std::string& message);

 private:
  void* typed(size_t i, napi_typedarray_type type, const char* name, size_t* length);
  napi_env env_;
  size_t argc_ = 24;
  napi_value argv_[24];
};

napi_value undefinedValue(napi_env env);

// Module registration helpers: each source file adds its functions.
using Register = void (*)(napi_env env, napi_value exports);
void defineFunction(napi_env env, napi_value exports, const char* name, napi_callback fn);
void registerGemm(napi_env env, napi_value exports);
void registerConv(napi_env env, napi_value exports);
void registerElementwise(napi_env env, napi_value exports);
void registerReduce(napi_env env, napi_value exports);
void registerPool(napi_env env, napi_value exports);
void registerOptim(napi_env env, napi_value exports);
void registerLayout(napi_env env, napi_value exports);

}  // namespace lnative
