#include "common.h"

#include <mutex>
#include <stdexcept>

#if DNNL_CPU_THREADING_RUNTIME == DNNL_RUNTIME_OMP
#include <omp.h>
#endif

namespace ffr {

dnnl::engine& cpuEngine() {
  static dnnl::engine e(dnnl::engine::kind::cpu, 0);
  return e;
}

dnnl::stream& cpuStream() {
  static dnnl::stream s(cpuEngine());
  return s;
}

std::map<Key, std::unique_ptr<Entry>>& cache() {
  static std::map<Key, std::unique_ptr<Entry>> c;
  return c;
}

float* Call::f32(size_t k, size_t elements) const {
  const double off = args[k];
  if (off < 0 || off + static_cast<double>(elements) * 4 > static_cast<double>(heapBytes)) {
    throw std::range_error("tensor outside the wasm heap (offset " + std::to_string(off) + ", " + std::to_string(elements) +
                           " floats, heap " + std::to_string(heapBytes) + " bytes)");
  }
  return reinterpret_cast<float*>(heap + static_cast<size_t>(off));
}

namespace {
int wanted = 0;
}

void setThreadsWanted(int n) { wanted = n; }

int threadsWanted() {
#if DNNL_CPU_THREADING_RUNTIME == DNNL_RUNTIME_OMP
  return wanted > 0 ? wanted : omp_get_max_threads();
#else
  return 1;
#endif
}

#if DNNL_CPU_THREADING_RUNTIME == DNNL_RUNTIME_OMP
SingleThreaded::SingleThreaded() : saved_(omp_get_max_threads()) { omp_set_num_threads(1); }
SingleThreaded::~SingleThreaded() { omp_set_num_threads(saved_); }
#else
SingleThreaded::SingleThreaded() : saved_(0) {}
SingleThreaded::~SingleThreaded() {}
#endif

Key keyOf(const Call& c, size_t from, size_t to, long tag) {
  Key k;
  k.reserve(to - from + 1);
  k.push_back(tag);
  for (size_t j = from; j < to; j++) k.push_back(c.i(j));
  return k;
}

Call unpack(const Napi::CallbackInfo& info, size_t minArgs, const char* kernel) {
  Napi::Env env = info.Env();
  if (info.Length() < 2 || !info[0].IsTypedArray() || !info[1].IsTypedArray()) {
    throw std::invalid_argument(std::string(kernel) + " expects (heap: Uint8Array, args: Float64Array)");
  }
  Call c;
  // napi_get_typedarray_info gives the data pointer for views of SharedArrayBuffers too (the
  // threaded wasm build's memory); Napi::ArrayBuffer would reject those.
  napi_typedarray_type type;
  size_t length;
  void* data;
  napi_value buffer;
  size_t offset;
  if (napi_get_typedarray_info(env, info[0], &type, &length, &data, &buffer, &offset) != napi_ok || type != napi_uint8_array) {
    throw std::invalid_argument(std::string(kernel) + ": heap must be a Uint8Array");
  }
  c.heap = static_cast<uint8_t*>(data);
  c.heapBytes = length;
  if (napi_get_typedarray_info(env, info[1], &type, &length, &data, &buffer, &offset) != napi_ok || type != napi_float64_array) {
    throw std::invalid_argument(std::string(kernel) + ": args must be a Float64Array");
  }
  c.args = static_cast<const double*>(data);
  c.count = length;
  if (c.count < minArgs) {
    throw std::invalid_argument(std::string(kernel) + ": expected " + std::to_string(minArgs) + " arguments, got " + std::to_string(c.count));
  }
  return c;
}

Napi::Value guarded(const Napi::CallbackInfo& info, const char* kernel, void (*body)(const Call&), size_t minArgs) {
  // The cache and the stream are process-wide; worker threads loading the addon take turns.
  static std::mutex lock;
  std::lock_guard<std::mutex> guard(lock);
  try {
    body(unpack(info, minArgs, kernel));
  } catch (const dnnl::error& e) {
    Napi::Error::New(info.Env(), std::string("oneDNN ") + kernel + ": " + e.what() + " (status " + std::to_string(static_cast<int>(e.status)) + ")")
        .ThrowAsJavaScriptException();
  } catch (const std::exception& e) {
    Napi::Error::New(info.Env(), std::string("oneDNN ") + kernel + ": " + e.what()).ThrowAsJavaScriptException();
  }
  return info.Env().Undefined();
}

}  // namespace ffr
