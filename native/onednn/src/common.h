// Shared plumbing of the ffr_onednn addon: one CPU engine and stream, pointers into the wasm heap,
// the argument block every kernel receives, and the per-shape primitive cache.
#pragma once

#include <napi.h>

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "oneapi/dnnl/dnnl.hpp"

namespace ffr {

dnnl::engine& cpuEngine();
dnnl::stream& cpuStream();

// Every kernel is called as fn(heap, args): heap is the wasm module's HEAPU8 (an ArrayBuffer or,
// with the threaded wasm build, a SharedArrayBuffer behind it) and args a Float64Array holding the
// shapes, attributes and byte offsets of the tensors in that heap. Nothing is copied: oneDNN reads
// and writes the tensors where tfjs keeps them.
struct Call {
  uint8_t* heap = nullptr;
  size_t heapBytes = 0;
  const double* args = nullptr;
  size_t count = 0;

  long i(size_t k) const { return static_cast<long>(args[k]); }
  double d(size_t k) const { return args[k]; }
  // A float32 tensor at the byte offset stored in args[k]; bounds-checked against the heap.
  float* f32(size_t k, size_t elements) const;
};

Call unpack(const Napi::CallbackInfo& info, size_t minArgs, const char* kernel);

// Primitive cache key: the shape/attribute part of the argument block (offsets excluded).
using Key = std::vector<long>;
Key keyOf(const Call& c, size_t from, size_t to, long tag);

// Cached per-shape state of one kernel. Entries live for the process (see kMaxCachedPrimitives);
// clearCache() drops them.
struct Entry {
  virtual ~Entry() = default;
};
std::map<Key, std::unique_ptr<Entry>>& cache();

// A training run needs a few dozen entries; a pruning sweep evaluates many shrunken models, each
// with new shapes. Past this many entries the cache starts afresh rather than grow without bound.
constexpr size_t kMaxCachedPrimitives = 1024;

template <class T, class Make>
T& cached(const Key& key, Make make) {
  auto& c = cache();
  auto it = c.find(key);
  if (it == c.end()) {
    if (c.size() >= kMaxCachedPrimitives) c.clear();
    it = c.emplace(key, make()).first;
  }
  return *static_cast<T*>(it->second.get());
}

// A memory whose data handle is set per call (user tensors in the wasm heap).
inline dnnl::memory userMemory(const dnnl::memory::desc& md) { return dnnl::memory(md, cpuEngine(), DNNL_MEMORY_NONE); }

// Runs oneDNN single-threaded while in scope (primitive creation and execution both read the
// thread count). Batch norm uses it: oneDNN's batch-norm kernels synchronise their threads with
// spinning barriers of their own, which on a loaded 2-core machine cost 50x the kernel whenever
// the partner thread is descheduled; the op is memory-bound, so one thread loses little.
// Threads oneDNN may use (setThreads), whatever a SingleThreaded scope says at the moment.
int threadsWanted();
void setThreadsWanted(int n);

class SingleThreaded {
 public:
  SingleThreaded();
  ~SingleThreaded();

 private:
  int saved_;
};

// Wraps a kernel body: oneDNN errors become JavaScript exceptions naming the kernel.
Napi::Value guarded(const Napi::CallbackInfo& info, const char* kernel, void (*body)(const Call&), size_t minArgs);

void registerConvolution(Napi::Env env, Napi::Object exports);
void registerBatchNorm(Napi::Env env, Napi::Object exports);
void registerPooling(Napi::Env env, Napi::Object exports);
void registerMatMul(Napi::Env env, Napi::Object exports);

}  // namespace ffr
