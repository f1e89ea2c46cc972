// Convolutions (plain and grouped/depthwise) forward, backward-data and backward-weights.
//
// Activations stay NHWC where tfjs keeps them; oneDNN's NHWC ("nspc") kernels run on them in place.
// Filters are HWIO (plain) or HWIGO-ordered [kh, kw, c, m] (depthwise, as tfjs stores them); the
// primitives are created with weights format `any`, so each call reorders the filter into the
// blocked layout the kernel wants (a few KB–MB, cheap next to the convolution) and, for the filter
// gradient, back.
#include <algorithm>
#include <string>
#include <stdexcept>

#include "common.h"

#if DNNL_CPU_THREADING_RUNTIME == DNNL_RUNTIME_OMP
#include <omp.h>
#endif

namespace ffr {
namespace {

using dnnl::memory;
using tag = memory::format_tag;
using dt = memory::data_type;

// Layout of the argument block shared by the three kernels (see onednn/kernels/conv_args.ts).
enum Geo { N, IH, IW, IC, OH, OW, OC, KH, KW, SH, SW, DH, DW, PT, PL, G, HAS_BIAS, RELU, GEO };

struct Geometry {
  memory::desc src, dst, weightsUser, weightsAny, bias;
  memory::dims strides, dilates, padL, padR;
};

Geometry geometry(const Call& c) {
  Geometry g;
  const long groups = c.i(G);
  g.src = memory::desc({c.i(N), c.i(IC), c.i(IH), c.i(IW)}, dt::f32, tag::nhwc);
  g.dst = memory::desc({c.i(N), c.i(OC), c.i(OH), c.i(OW)}, dt::f32, tag::nhwc);
  if (groups == 1) {
    memory::dims w = {c.i(OC), c.i(IC), c.i(KH), c.i(KW)};
    g.weightsUser = memory::desc(w, dt::f32, tag::hwio);
    g.weightsAny = memory::desc(w, dt::f32, tag::any);
  } else {
    memory::dims w = {groups, c.i(OC) / groups, c.i(IC) / groups, c.i(KH), c.i(KW)};
    g.weightsUser = memory::desc(w, dt::f32, tag::hwigo);
    g.weightsAny = memory::desc(w, dt::f32, tag::any);
  }
  g.bias = memory::desc({c.i(OC)}, dt::f32, tag::x);
  g.strides = {c.i(SH), c.i(SW)};
  // oneDNN counts dilation from 0 (0 = dense), tfjs from 1.
  g.dilates = {c.i(DH) - 1, c.i(DW) - 1};
  g.padL = {c.i(PT), c.i(PL)};
  // The bottom/right padding that makes the output size come out exactly (oneDNN checks it):
  // it may be smaller than tfjs's, or negative when the last rows/columns are never reached.
  const long effH = (c.i(KH) - 1) * c.i(DH) + 1, effW = (c.i(KW) - 1) * c.i(DW) + 1;
  g.padR = {(c.i(OH) - 1) * c.i(SH) + effH - c.i(IH) - c.i(PT), (c.i(OW) - 1) * c.i(SW) + effW - c.i(IW) - c.i(PL)};
  return g;
}

dnnl::convolution_forward::primitive_desc forwardPd(const Geometry& g, bool bias, bool relu) {
  dnnl::primitive_attr attr;
  if (relu) {
    dnnl::post_ops ops;
    ops.append_eltwise(1.f, dnnl::algorithm::eltwise_relu, 0.f, 0.f);
    attr.set_post_ops(ops);
  }
  auto d = bias ? dnnl::convolution_forward::desc(dnnl::prop_kind::forward_training, dnnl::algorithm::convolution_direct, g.src,
                                                  g.weightsAny, g.bias, g.dst, g.strides, g.dilates, g.padL, g.padR)
                : dnnl::convolution_forward::desc(dnnl::prop_kind::forward_training, dnnl::algorithm::convolution_direct, g.src,
                                                  g.weightsAny, g.dst, g.strides, g.dilates, g.padL, g.padR);
  dnnl::convolution_forward::primitive_desc pd(d, attr, cpuEngine());
  // oneDNN 2.6 picks its brgemm-based kernel for NHWC first. On the shapes below it measured
  // 1.7–2x slower (CPU time, AVX-512) than the direct JIT kernel that comes next: outputs of 4x4
  // or fewer pixels (VGG-11's last stages: 113 vs 217 GFLOP/s at 64x4x4x512) and inputs of fewer
  // than 16 channels (first layers: 94 vs 171 GFLOP/s at 64x32x32x3->16). Elsewhere they tie.
  const bool smallShape = g.dst.dims()[2] * g.dst.dims()[3] <= 16 || g.src.dims()[1] < 16;
  while (smallShape && std::string(pd.impl_info_str()).rfind("brg", 0) == 0 && pd.next_impl()) {
  }
  return pd;
}

// The filter as a primitive wants it: the user's memory itself when the layouts agree, else a
// buffer refreshed by a reorder on every call.
struct Weights {
  memory user, prim;
  dnnl::reorder toPrim;
  bool reorder = false;
  Weights() = default;
  Weights(const memory::desc& userMd, const memory::desc& primMd, bool fromUser) {
    user = userMemory(userMd);
    reorder = userMd != primMd;
    if (!reorder) {
      prim = user;
      return;
    }
    prim = memory(primMd, cpuEngine());
    toPrim = fromUser ? dnnl::reorder(user, prim) : dnnl::reorder(prim, user);
  }
};

struct Forward : Entry {
  dnnl::convolution_forward prim;
  memory src, dst, bias;
  Weights weights;
  bool hasBias = false;
};

void forward(const Call& c) {
  enum { X = GEO, W, B, Y };
  const Key key = keyOf(c, 0, GEO, 1);
  auto& e = cached<Forward>(key, [&] {
    auto g = geometry(c);
    auto e = std::make_unique<Forward>();
    e->hasBias = c.i(HAS_BIAS) != 0;
    auto pd = forwardPd(g, e->hasBias, c.i(RELU) != 0);
    e->prim = dnnl::convolution_forward(pd);
    e->src = userMemory(g.src);
    e->dst = userMemory(g.dst);
    if (e->hasBias) e->bias = userMemory(g.bias);
    e->weights = Weights(g.weightsUser, pd.weights_desc(), true);
    return e;
  });
  const size_t wSize = e.weights.user.get_desc().get_size() / 4;
  e.src.set_data_handle(c.f32(X, e.src.get_desc().get_size() / 4));
  e.dst.set_data_handle(c.f32(Y, e.dst.get_desc().get_size() / 4));
  e.weights.user.set_data_handle(c.f32(W, wSize));
  auto& s = cpuStream();
  if (e.weights.reorder) e.weights.toPrim.execute(s, e.weights.user, e.weights.prim);
  std::unordered_map<int, memory> args = {{DNNL_ARG_SRC, e.src}, {DNNL_ARG_WEIGHTS, e.weights.prim}, {DNNL_ARG_DST, e.dst}};
  if (e.hasBias) {
    e.bias.set_data_handle(c.f32(B, c.i(OC)));
    args[DNNL_ARG_BIAS] = e.bias;
  }
  e.prim.execute(s, args);
  s.wait();
}

struct BackwardData : Entry {
  dnnl::convolution_backward_data prim;
  memory diffDst, diffSrc;
  Weights weights;
};

void backwardData(const Call& c) {
  enum { DY = GEO, W, DX };
  const Key key = keyOf(c, 0, GEO, 2);
  auto& e = cached<BackwardData>(key, [&] {
    auto g = geometry(c);
    auto e = std::make_unique<BackwardData>();
    auto hint = forwardPd(g, false, false);
    dnnl::convolution_backward_data::desc d(dnnl::algorithm::convolution_direct, g.src, g.weightsAny, g.dst, g.strides, g.dilates, g.padL,
                                            g.padR);
    dnnl::convolution_backward_data::primitive_desc pd(d, cpuEngine(), hint);
    e->prim = dnnl::convolution_backward_data(pd);
    e->diffDst = userMemory(g.dst);
    e->diffSrc = userMemory(g.src);
    e->weights = Weights(g.weightsUser, pd.weights_desc(), true);
    return e;
  });
  e.diffDst.set_data_handle(c.f32(DY, e.diffDst.get_desc().get_size() / 4));
  e.diffSrc.set_data_handle(c.f32(DX, e.diffSrc.get_desc().get_size() / 4));
  e.weights.user.set_data_handle(c.f32(W, e.weights.user.get_desc().get_size() / 4));
  auto& s = cpuStream();
  if (e.weights.reorder) e.weights.toPrim.execute(s, e.weights.user, e.weights.prim);
  e.prim.execute(s, {{DNNL_ARG_DIFF_DST, e.diffDst}, {DNNL_ARG_WEIGHTS, e.weights.prim}, {DNNL_ARG_DIFF_SRC, e.diffSrc}});
  s.wait();
}

// The filter gradient is computed by slices of the batch, one per thread, each a single-threaded
// primitive with its own scratchpad and stream, then summed. oneDNN's own multi-threaded filter
// gradient synchronises its threads with spinning barriers: on a loaded 2-core machine that made it
// ~2x slower with two threads than with one. An OpenMP parallel loop here waits passively
// (OMP_WAIT_POLICY=passive, see addon.ts), and oneDNN runs sequentially inside it.
struct WeightsSlice {
  long start = 0;
  dnnl::convolution_backward_weights prim;
  memory src, diffDst, diffWeights, diffBias, scratchpad;
  dnnl::stream stream;
};

struct BackwardWeights : Entry {
  std::vector<WeightsSlice> slices;
  memory user;  // the filter gradient tfjs gets, HWIO / HWIGO
  dnnl::reorder toUser;
  bool hasBias = false;
  size_t srcPerSample = 0, dstPerSample = 0, weightElements = 0;
};

void backwardWeights(const Call& c) {
  enum { X = GEO, DY, DW_, DB };
  auto& e = cached<BackwardWeights>(keyOf(c, 0, GEO, 3), [&] {
    SingleThreaded one;  // primitives built for the one thread each runs on
    auto e = std::make_unique<BackwardWeights>();
    e->hasBias = c.i(HAS_BIAS) != 0;
    const long batch = c.i(N);
    const long parts = std::max(1L, std::min(static_cast<long>(threadsWanted()), batch));
    long start = 0;
    for (long p = 0; p < parts; p++) {
      const long count = batch / parts + (p < batch % parts ? 1 : 0);
      Call sliceCall = c;
      std::vector<double> args(c.args, c.args + GEO);
      args[N] = static_cast<double>(count);
      sliceCall.args = args.data();
      auto g = geometry(sliceCall);
      auto hint = forwardPd(g, e->hasBias, false);
      dnnl::primitive_attr attr;
      attr.set_scratchpad_mode(dnnl::scratchpad_mode::user);
      auto d = e->hasBias ? dnnl::convolution_backward_weights::desc(dnnl::algorithm::convolution_direct, g.src, g.weightsAny, g.bias, g.dst,
                                                                     g.strides, g.dilates, g.padL, g.padR)
                          : dnnl::convolution_backward_weights::desc(dnnl::algorithm::convolution_direct, g.src, g.weightsAny, g.dst,
                                                                     g.strides, g.dilates, g.padL, g.padR);
      dnnl::convolution_backward_weights::primitive_desc pd(d, attr, cpuEngine(), hint);
      WeightsSlice s;
      s.start = start;
      s.prim = dnnl::convolution_backward_weights(pd);
      s.src = userMemory(g.src);
      s.diffDst = userMemory(g.dst);
      s.diffWeights = memory(pd.diff_weights_desc(), cpuEngine());
      if (e->hasBias) s.diffBias = memory(g.bias, cpuEngine());
      s.scratchpad = memory(pd.scratchpad_desc(), cpuEngine());
      s.stream = dnnl::stream(cpuEngine());
      if (p == 0) {
        e->user = userMemory(g.weightsUser);
        e->toUser = dnnl::reorder(s.diffWeights, e->user);
        e->srcPerSample = g.src.get_size() / 4 / count;
        e->dstPerSample = g.dst.get_size() / 4 / count;
        e->weightElements = pd.diff_weights_desc().get_size() / 4;
      }
      e->slices.push_back(std::move(s));
      start += count;
    }
    return e;
  });
  float* x = c.f32(X, e.srcPerSample * c.i(N));
  float* dy = c.f32(DY, e.dstPerSample * c.i(N));
  e.user.set_data_handle(c.f32(DW_, e.user.get_desc().get_size() / 4));
  float* dbias = e.hasBias ? c.f32(DB, c.i(OC)) : nullptr;
  const int parts = static_cast<int>(e.slices.size());
  std::string error;
#if DNNL_CPU_THREADING_RUNTIME == DNNL_RUNTIME_OMP
#pragma omp parallel for num_threads(parts) schedule(static, 1)
#endif
  for (int p = 0; p < parts; p++) {
    auto& s = e.slices[p];
    try {
      s.src.set_data_handle(x + s.start * e.srcPerSample);
      s.diffDst.set_data_handle(dy + s.start * e.dstPerSample);
      std::unordered_map<int, memory> args = {{DNNL_ARG_SRC, s.src},
                                              {DNNL_ARG_DIFF_DST, s.diffDst},
                                              {DNNL_ARG_DIFF_WEIGHTS, s.diffWeights},
                                              {DNNL_ARG_SCRATCHPAD, s.scratchpad}};
      if (e.hasBias) args[DNNL_ARG_DIFF_BIAS] = s.diffBias;
      s.prim.execute(s.stream, args);
      s.stream.wait();
    } catch (const std::exception& err) {
#if DNNL_CPU_THREADING_RUNTIME == DNNL_RUNTIME_OMP
#pragma omp critical
#endif
      error = err.what();
    }
  }
  if (!error.empty()) throw std::runtime_error(error);
  // Sum the slices' gradients (same blocked layout) into the first, then hand it back as HWIO.
  float* total = static_cast<float*>(e.slices[0].diffWeights.get_data_handle());
  for (int p = 1; p < parts; p++) {
    const float* part = static_cast<const float*>(e.slices[p].diffWeights.get_data_handle());
    for (size_t i = 0; i < e.weightElements; i++) total[i] += part[i];
  }
  {
    SingleThreaded one;
    e.toUser.execute(cpuStream(), e.slices[0].diffWeights, e.user);
    cpuStream().wait();
  }
  if (dbias) {
    const long oc = c.i(OC);
    for (long j = 0; j < oc; j++) {
      float sum = 0;
      for (int p = 0; p < parts; p++) sum += static_cast<const float*>(e.slices[p].diffBias.get_data_handle())[j];
      dbias[j] = sum;
    }
  }
}

}  // namespace

void registerConvolution(Napi::Env env, Napi::Object exports) {
  exports.Set("convForward", Napi::Function::New(env, [](const Napi::CallbackInfo& info) { return guarded(info, "convForward", forward, GEO + 4); }));
  exports.Set("convBackwardData",
              Napi::Function::New(env, [](const Napi::CallbackInfo& info) { return guarded(info, "convBackwardData", backwardData, GEO + 3); }));
  exports.Set("convBackwardWeights", Napi::Function::New(env, [](const Napi::CallbackInfo& info) {
                return guarded(info, "convBackwardWeights", backwardWeights, GEO + 4);
              }));
}

}  // namespace ffr
