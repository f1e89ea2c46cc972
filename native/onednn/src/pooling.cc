// Max and average pooling (average excluding padding, as tfjs) forward and backward on NHWC.
// tfjs's MaxPoolGrad gets x, y and dy but no argmax; oneDNN's max-pooling backward needs the
// forward's workspace (the argmax), so the backward recomputes the forward into a cached scratch
// output and workspace first: one extra pooling pass, a fraction of the convolutions around it.
#include "common.h"

namespace ffr {
namespace {

using dnnl::memory;
using tag = memory::format_tag;
using dt = memory::data_type;

enum Shape { N, IH, IW, C, OH, OW, KH, KW, SH, SW, PT, PL, ALG, SHAPE };

struct Geometry {
  memory::desc src, dst;
  memory::dims strides, kernel, padL, padR;
  dnnl::algorithm alg;
};

Geometry geometry(const Call& c) {
  Geometry g;
  g.src = memory::desc({c.i(N), c.i(C), c.i(IH), c.i(IW)}, dt::f32, tag::nhwc);
  g.dst = memory::desc({c.i(N), c.i(C), c.i(OH), c.i(OW)}, dt::f32, tag::nhwc);
  g.strides = {c.i(SH), c.i(SW)};
  g.kernel = {c.i(KH), c.i(KW)};
  g.padL = {c.i(PT), c.i(PL)};
  g.padR = {(c.i(OH) - 1) * c.i(SH) + c.i(KH) - c.i(IH) - c.i(PT), (c.i(OW) - 1) * c.i(SW) + c.i(KW) - c.i(IW) - c.i(PL)};
  g.alg = c.i(ALG) == 0 ? dnnl::algorithm::pooling_max : dnnl::algorithm::pooling_avg_exclude_padding;
  return g;
}

dnnl::pooling_forward::primitive_desc forwardPd(const Geometry& g, dnnl::prop_kind prop) {
  dnnl::pooling_forward::desc d(prop, g.alg, g.src, g.dst, g.strides, g.kernel, g.padL, g.padR);
  return dnnl::pooling_forward::primitive_desc(d, cpuEngine());
}

size_t elements(const memory& m) { return m.get_desc().get_size() / 4; }

struct Forward : Entry {
  dnnl::pooling_forward prim;
  memory src, dst;
};

void forward(const Call& c) {
  enum { X = SHAPE, Y };
  auto& e = cached<Forward>(keyOf(c, 0, SHAPE, 20), [&] {
    auto g = geometry(c);
    auto e = std::make_unique<Forward>();
    e->prim = dnnl::pooling_forward(forwardPd(g, dnnl::prop_kind::forward_inference));
    e->src = userMemory(g.src);
    e->dst = userMemory(g.dst);
    return e;
  });
  e.src.set_data_handle(c.f32(X, elements(e.src)));
  e.dst.set_data_handle(c.f32(Y, elements(e.dst)));
  auto& s = cpuStream();
  e.prim.execute(s, {{DNNL_ARG_SRC, e.src}, {DNNL_ARG_DST, e.dst}});
  s.wait();
}

struct Backward : Entry {
  dnnl::pooling_forward forwardPrim;  // max only: recomputes the argmax workspace
  dnnl::pooling_backward prim;
  memory src, scratchDst, workspace, diffDst, diffSrc;
  bool max = false;
};

void backward(const Call& c) {
  enum { DY = SHAPE, X, DX };
  auto& e = cached<Backward>(keyOf(c, 0, SHAPE, 21), [&] {
    auto g = geometry(c);
    auto e = std::make_unique<Backward>();
    e->max = g.alg == dnnl::algorithm::pooling_max;
    auto hint = forwardPd(g, dnnl::prop_kind::forward_training);
    dnnl::pooling_backward::desc d(g.alg, g.src, g.dst, g.strides, g.kernel, g.padL, g.padR);
    dnnl::pooling_backward::primitive_desc pd(d, cpuEngine(), hint);
    e->prim = dnnl::pooling_backward(pd);
    e->diffDst = userMemory(g.dst);
    e->diffSrc = userMemory(g.src);
    if (e->max) {
      e->forwardPrim = dnnl::pooling_forward(hint);
      e->src = userMemory(g.src);
      e->scratchDst = memory(g.dst, cpuEngine());
      e->workspace = memory(hint.workspace_desc(), cpuEngine());
    }
    return e;
  });
  e.diffDst.set_data_handle(c.f32(DY, elements(e.diffDst)));
  e.diffSrc.set_data_handle(c.f32(DX, elements(e.diffSrc)));
  auto& s = cpuStream();
  if (e.max) {
    e.src.set_data_handle(c.f32(X, elements(e.src)));
    e.forwardPrim.execute(s, {{DNNL_ARG_SRC, e.src}, {DNNL_ARG_DST, e.scratchDst}, {DNNL_ARG_WORKSPACE, e.workspace}});
    e.prim.execute(s, {{DNNL_ARG_DIFF_DST, e.diffDst}, {DNNL_ARG_WORKSPACE, e.workspace}, {DNNL_ARG_DIFF_SRC, e.diffSrc}});
  } else {
    e.prim.execute(s, {{DNNL_ARG_DIFF_DST, e.diffDst}, {DNNL_ARG_DIFF_SRC, e.diffSrc}});
  }
  s.wait();
}

}  // namespace

void registerPooling(Napi::Env env, Napi::Object exports) {
  exports.Set("poolForward", Napi::Function::New(env, [](const Napi::CallbackInfo& info) { return guarded(info, "poolForward", forward, SHAPE + 2); }));
  exports.Set("poolBackward", Napi::Function::New(env, [](const Napi::CallbackInfo& info) { return guarded(info, "poolBackward", backward, SHAPE + 3); }));
}

}  // namespace ffr
