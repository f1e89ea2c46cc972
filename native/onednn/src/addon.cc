// ffr_onednn: oneDNN kernels for the workbench's `onednn` backend (src-main/engine/backend/onednn).
// Exports the kernels (convolution.cc, batch_norm.cc, pooling.cc, matmul.cc) plus:
//   info()               oneDNN version, CPU runtime, the ISA its JIT kernels use, threads
//   setThreads(n)        threads oneDNN's parallel regions use (OpenMP runtime)
//   clearCache()         drops every cached primitive
#include "common.h"

#if DNNL_CPU_THREADING_RUNTIME == DNNL_RUNTIME_OMP
#include <omp.h>
#endif

namespace ffr {
namespace {

const char* isaName(dnnl::cpu_isa isa) {
  switch (isa) {
    case dnnl::cpu_isa::sse41: return "sse41";
    case dnnl::cpu_isa::avx: return "avx";
    case dnnl::cpu_isa::avx2: return "avx2";
    case dnnl::cpu_isa::avx512_mic: return "avx512_mic";
    case dnnl::cpu_isa::avx512_mic_4ops: return "avx512_mic_4ops";
    case dnnl::cpu_isa::avx512_core: return "avx512_core";
    case dnnl::cpu_isa::avx512_core_vnni: return "avx512_core_vnni";
    case dnnl::cpu_isa::avx512_core_bf16: return "avx512_core_bf16";
    case dnnl::cpu_isa::avx512_core_amx: return "avx512_core_amx";
    case dnnl::cpu_isa::avx2_vnni: return "avx2_vnni";
    case dnnl::cpu_isa::all: return "all";
    default: return "other";
  }
}

const char* runtimeName() {
#if DNNL_CPU_THREADING_RUNTIME == DNNL_RUNTIME_OMP
  return "OpenMP";
#elif DNNL_CPU_THREADING_RUNTIME == DNNL_RUNTIME_TBB
  return "TBB";
#elif DNNL_CPU_THREADING_RUNTIME == DNNL_RUNTIME_SEQ
  return "sequential";
#elif DNNL_CPU_THREADING_RUNTIME == DNNL_RUNTIME_THREADPOOL
  return "threadpool";
#else
  return "other";
#endif
}

int maxThreads() {
#if DNNL_CPU_THREADING_RUNTIME == DNNL_RUNTIME_OMP
  return omp_get_max_threads();
#else
  return 0;
#endif
}

Napi::Value Info(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const dnnl_version_t* v = dnnl::version();
  Napi::Object o = Napi::Object::New(env);
  o.Set("version", std::to_string(v->major) + "." + std::to_string(v->minor) + "." + std::to_string(v->patch));
  o.Set("runtime", runtimeName());
  o.Set("isa", isaName(dnnl::get_effective_cpu_isa()));
  o.Set("threads", maxThreads());
  o.Set("cachedPrimitives", static_cast<double>(cache().size()));
  return o;
}

Napi::Value SetThreads(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsNumber() || info[0].As<Napi::Number>().Int32Value() < 1) {
    Napi::TypeError::New(env, "setThreads expects a whole number of threads ≥ 1").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  const int n = info[0].As<Napi::Number>().Int32Value();
#if DNNL_CPU_THREADING_RUNTIME == DNNL_RUNTIME_OMP
  // Primitives pick their blocking for the thread count they are created with: start afresh.
  if (n != omp_get_max_threads()) cache().clear();
  omp_set_num_threads(n);
#endif
  setThreadsWanted(n);
  return Napi::Number::New(env, maxThreads());
}

Napi::Value ClearCache(const Napi::CallbackInfo& info) {
  cache().clear();
  return info.Env().Undefined();
}

}  // namespace

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  exports.Set("info", Napi::Function::New(env, Info));
  exports.Set("setThreads", Napi::Function::New(env, SetThreads));
  exports.Set("clearCache", Napi::Function::New(env, ClearCache));
  registerConvolution(env, exports);
  registerBatchNorm(env, exports);
  registerPooling(env, exports);
  registerMatMul(env, exports);
  return exports;
}

}  // namespace ffr

static Napi::Object InitAddon(Napi::Env env, Napi::Object exports) { return ffr::Init(env, exports); }

NODE_API_MODULE(ffr_onednn, InitAddon)
