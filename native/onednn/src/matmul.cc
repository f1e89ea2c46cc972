// Batched matrix products (tfjs BatchMatMul and _FusedMatMul with bias/ReLU): dense layers both
// ways. A transposed operand is described by its strides, so no transpose is materialized; batch
// dimensions of 1 broadcast.
#include "common.h"

namespace ffr {
namespace {

using dnnl::memory;
using dt = memory::data_type;

enum Shape { BA, BB, M, K, N_, TA, TB, HAS_BIAS, RELU, SHAPE };

struct Product : Entry {
  dnnl::matmul prim;
  memory a, b, bias, dst;
  bool hasBias = false;
};

void product(const Call& c) {
  enum { A = SHAPE, B, BIAS, DST };
  auto& e = cached<Product>(keyOf(c, 0, SHAPE, 30), [&] {
    const long ba = c.i(BA), bb = c.i(BB), m = c.i(M), k = c.i(K), n = c.i(N_);
    const long batch = std::max(ba, bb);
    memory::desc aMd({ba, m, k}, dt::f32, c.i(TA) ? memory::dims{m * k, 1, m} : memory::dims{m * k, k, 1});
    memory::desc bMd({bb, k, n}, dt::f32, c.i(TB) ? memory::dims{k * n, 1, k} : memory::dims{k * n, n, 1});
    memory::desc dMd({batch, m, n}, dt::f32, memory::dims{m * n, n, 1});
    memory::desc biasMd({1, 1, n}, dt::f32, memory::dims{n, n, 1});
    auto e = std::make_unique<Product>();
    e->hasBias = c.i(HAS_BIAS) != 0;
    dnnl::primitive_attr attr;
    if (c.i(RELU)) {
      dnnl::post_ops ops;
      ops.append_eltwise(1.f, dnnl::algorithm::eltwise_relu, 0.f, 0.f);
      attr.set_post_ops(ops);
    }
    auto d = e->hasBias ? dnnl::matmul::desc(aMd, bMd, biasMd, dMd) : dnnl::matmul::desc(aMd, bMd, dMd);
    e->prim = dnnl::matmul(dnnl::matmul::primitive_desc(d, attr, cpuEngine()));
    e->a = userMemory(aMd);
    e->b = userMemory(bMd);
    e->dst = userMemory(dMd);
    if (e->hasBias) e->bias = userMemory(biasMd);
    return e;
  });
  const size_t m = static_cast<size_t>(c.i(M)), k = static_cast<size_t>(c.i(K)), n = static_cast<size_t>(c.i(N_));
  const size_t batch = static_cast<size_t>(std::max(c.i(BA), c.i(BB)));
  e.a.set_data_handle(c.f32(A, static_cast<size_t>(c.i(BA)) * m * k));
  e.b.set_data_handle(c.f32(B, static_cast<size_t>(c.i(BB)) * k * n));
  e.dst.set_data_handle(c.f32(DST, batch * m * n));
  std::unordered_map<int, memory> args = {{DNNL_ARG_SRC, e.a}, {DNNL_ARG_WEIGHTS, e.b}, {DNNL_ARG_DST, e.dst}};
  if (e.hasBias) {
    e.bias.set_data_handle(c.f32(BIAS, n));
    args[DNNL_ARG_BIAS] = e.bias;
  }
  auto& s = cpuStream();
  e.prim.execute(s, args);
  s.wait();
}

}  // namespace

void registerMatMul(Napi::Env env, Napi::Object exports) {
  exports.Set("matMul", Napi::Function::New(env, [](const Napi::CallbackInfo& info) { return guarded(info, "matMul", product, SHAPE + 4); }));
}

}  // namespace ffr
