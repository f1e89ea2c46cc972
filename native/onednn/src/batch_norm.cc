// Training-mode batch normalization both ways (the workbench's FfrBatchNormTraining and
// FfrBatchNormTrainingGrad kernels, see src-main/engine/models/batch_norm.ts): statistics of the
// batch, biased variance, scale γ and shift β, on NHWC data ([rows, c] data is viewed as
// [rows, 1, 1, c]). Single-threaded: see SingleThreaded in common.h. Channel counts oneDNN has no
// JIT kernel for run two plain loops instead (plainForward / plainBackward).
#include <algorithm>
#include <cmath>
#include <cstring>

#include "common.h"

namespace ffr {
namespace {

using dnnl::memory;
using tag = memory::format_tag;
using dt = memory::data_type;

enum Shape { N, H, W, C, EPS, SHAPE };

const auto FLAGS = dnnl::normalization_flags::use_scale | dnnl::normalization_flags::use_shift;

Key bnKey(const Call& c, long tag) {
  Key k = keyOf(c, 0, EPS, tag);
  float eps = static_cast<float>(c.d(EPS));
  int32_t bits;
  std::memcpy(&bits, &eps, sizeof bits);
  k.push_back(bits);
  return k;
}

memory::desc dataDesc(const Call& c) { return memory::desc({c.i(N), c.i(C), c.i(H), c.i(W)}, dt::f32, tag::nhwc); }
memory::desc channelDesc(const Call& c) { return memory::desc({c.i(C)}, dt::f32, tag::x); }

dnnl::batch_normalization_forward::primitive_desc forwardPd(const Call& c) {
  dnnl::batch_normalization_forward::desc d(dnnl::prop_kind::forward_training, dataDesc(c), static_cast<float>(c.d(EPS)), FLAGS);
  return dnnl::batch_normalization_forward::primitive_desc(d, cpuEngine());
}

bool isJit(const char* impl) { return std::string(impl).find("jit") != std::string::npos; }

// oneDNN's JIT batch norm takes NHWC data only when the channels fill its vectors (a multiple of
// 16 on AVX-512); other counts — LeNet-5's 6, and any count pruning leaves — fall to a generic C++
// implementation at ~13 ns per element. These two loops (one statistics pass in double, one
// writing pass, each way, as the wasm kernels do) take ~1 ns.
void plainForward(const float* x, const float* gamma, const float* beta, float* y, float* mean, float* variance, size_t rows, size_t ch,
                  float eps) {
  std::vector<double> sum(ch, 0.0), sq(ch, 0.0);
  for (size_t r = 0; r < rows; r++) {
    const float* row = x + r * ch;
    for (size_t c = 0; c < ch; c++) {
      const double v = row[c];
      sum[c] += v;
      sq[c] += v * v;
    }
  }
  std::vector<float> a(ch), b(ch);
  for (size_t c = 0; c < ch; c++) {
    const double m = sum[c] / static_cast<double>(rows);
    const double var = std::max(0.0, sq[c] / static_cast<double>(rows) - m * m);
    mean[c] = static_cast<float>(m);
    variance[c] = static_cast<float>(var);
    const double scale = gamma[c] / std::sqrt(var + eps);
    a[c] = static_cast<float>(scale);
    b[c] = static_cast<float>(beta[c] - m * scale);
  }
  for (size_t r = 0; r < rows; r++) {
    const float* in = x + r * ch;
    float* out = y + r * ch;
    for (size_t c = 0; c < ch; c++) out[c] = in[c] * a[c] + b[c];
  }
}

void plainBackward(const float* dy, const float* x, const float* gamma, const float* mean, const float* variance, float* dx, float* dgamma,
                   float* dbeta, size_t rows, size_t ch, float eps) {
  std::vector<double> sdy(ch, 0.0), sdyx(ch, 0.0);
  for (size_t r = 0; r < rows; r++) {
    const float* g = dy + r * ch;
    const float* in = x + r * ch;
    for (size_t c = 0; c < ch; c++) {
      sdy[c] += g[c];
      sdyx[c] += static_cast<double>(g[c]) * (in[c] - mean[c]);
    }
  }
  // dx = γ·rstd·(dy − dβ/N − x̂·dγ/N) = a·dy + k·(x − μ) + b per channel.
  std::vector<float> a(ch), k(ch), b(ch);
  const double n = static_cast<double>(rows);
  for (size_t c = 0; c < ch; c++) {
    const double rstd = 1.0 / std::sqrt(static_cast<double>(variance[c]) + eps);
    const double dg = rstd * sdyx[c];
    dgamma[c] = static_cast<float>(dg);
    dbeta[c] = static_cast<float>(sdy[c]);
    const double ac = gamma[c] * rstd;
    a[c] = static_cast<float>(ac);
    k[c] = static_cast<float>(-ac * rstd * dg / n);
    b[c] = static_cast<float>(-ac * sdy[c] / n);
  }
  for (size_t r = 0; r < rows; r++) {
    const float* g = dy + r * ch;
    const float* in = x + r * ch;
    float* out = dx + r * ch;
    for (size_t c = 0; c < ch; c++) out[c] = a[c] * g[c] + k[c] * (in[c] - mean[c]) + b[c];
  }
}

struct Forward : Entry {
  dnnl::batch_normalization_forward prim;
  memory src, dst, scale, shift, mean, variance;
  bool plain = false;
};

void forward(const Call& c) {
  enum { X = SHAPE, GAMMA, BETA, Y, MEAN, VAR };
  SingleThreaded one;
  auto& e = cached<Forward>(bnKey(c, 10), [&] {
    auto e = std::make_unique<Forward>();
    auto pd = forwardPd(c);
    e->plain = !isJit(pd.impl_info_str());
    e->prim = dnnl::batch_normalization_forward(pd);
    e->src = userMemory(dataDesc(c));
    e->dst = userMemory(dataDesc(c));
    for (memory* m : {&e->scale, &e->shift, &e->mean, &e->variance}) *m = userMemory(channelDesc(c));
    return e;
  });
  const size_t size = static_cast<size_t>(c.i(N) * c.i(H) * c.i(W) * c.i(C)), ch = static_cast<size_t>(c.i(C));
  if (e.plain) {
    plainForward(c.f32(X, size), c.f32(GAMMA, ch), c.f32(BETA, ch), c.f32(Y, size), c.f32(MEAN, ch), c.f32(VAR, ch), size / ch, ch,
                 static_cast<float>(c.d(EPS)));
    return;
  }
  e.src.set_data_handle(c.f32(X, size));
  e.dst.set_data_handle(c.f32(Y, size));
  e.scale.set_data_handle(c.f32(GAMMA, ch));
  e.shift.set_data_handle(c.f32(BETA, ch));
  e.mean.set_data_handle(c.f32(MEAN, ch));
  e.variance.set_data_handle(c.f32(VAR, ch));
  auto& s = cpuStream();
  e.prim.execute(s, {{DNNL_ARG_SRC, e.src},
                     {DNNL_ARG_DST, e.dst},
                     {DNNL_ARG_SCALE, e.scale},
                     {DNNL_ARG_SHIFT, e.shift},
                     {DNNL_ARG_MEAN, e.mean},
                     {DNNL_ARG_VARIANCE, e.variance}});
  s.wait();
}

struct Backward : Entry {
  dnnl::batch_normalization_backward prim;
  memory src, diffDst, diffSrc, scale, mean, variance, diffScale, diffShift;
  bool plain = false;
};

void backward(const Call& c) {
  enum { DY = SHAPE, X, GAMMA, MEAN, VAR, DX, DGAMMA, DBETA };
  SingleThreaded one;
  auto& e = cached<Backward>(bnKey(c, 11), [&] {
    auto e = std::make_unique<Backward>();
    dnnl::batch_normalization_backward::desc d(dnnl::prop_kind::backward, dataDesc(c), dataDesc(c), static_cast<float>(c.d(EPS)), FLAGS);
    dnnl::batch_normalization_backward::primitive_desc pd(d, cpuEngine(), forwardPd(c));
    e->plain = !isJit(pd.impl_info_str());
    e->prim = dnnl::batch_normalization_backward(pd);
    for (memory* m : {&e->src, &e->diffDst, &e->diffSrc}) *m = userMemory(dataDesc(c));
    for (memory* m : {&e->scale, &e->mean, &e->variance, &e->diffScale, &e->diffShift}) *m = userMemory(channelDesc(c));
    return e;
  });
  const size_t size = static_cast<size_t>(c.i(N) * c.i(H) * c.i(W) * c.i(C)), ch = static_cast<size_t>(c.i(C));
  if (e.plain) {
    plainBackward(c.f32(DY, size), c.f32(X, size), c.f32(GAMMA, ch), c.f32(MEAN, ch), c.f32(VAR, ch), c.f32(DX, size), c.f32(DGAMMA, ch),
                  c.f32(DBETA, ch), size / ch, ch, static_cast<float>(c.d(EPS)));
    return;
  }
  e.diffDst.set_data_handle(c.f32(DY, size));
  e.src.set_data_handle(c.f32(X, size));
  e.diffSrc.set_data_handle(c.f32(DX, size));
  e.scale.set_data_handle(c.f32(GAMMA, ch));
  e.mean.set_data_handle(c.f32(MEAN, ch));
  e.variance.set_data_handle(c.f32(VAR, ch));
  e.diffScale.set_data_handle(c.f32(DGAMMA, ch));
  e.diffShift.set_data_handle(c.f32(DBETA, ch));
  auto& s = cpuStream();
  e.prim.execute(s, {{DNNL_ARG_SRC, e.src},
                     {DNNL_ARG_DIFF_DST, e.diffDst},
                     {DNNL_ARG_SCALE, e.scale},
                     // oneDNN 2.6 asks for the shift too, though the gradients do not depend on
                     // its values (the kernel contract does not pass β): γ's buffer stands in.
                     {DNNL_ARG_SHIFT, e.scale},
                     {DNNL_ARG_MEAN, e.mean},
                     {DNNL_ARG_VARIANCE, e.variance},
                     {DNNL_ARG_DIFF_SRC, e.diffSrc},
                     {DNNL_ARG_DIFF_SCALE, e.diffScale},
                     {DNNL_ARG_DIFF_SHIFT, e.diffShift}});
  s.wait();
}

}  // namespace

void registerBatchNorm(Napi::Env env, Napi::Object exports) {
  exports.Set("batchNormForward",
              Napi::Function::New(env, [](const Napi::CallbackInfo& info) { return guarded(info, "batchNormForward", forward, SHAPE + 6); }));
  exports.Set("batchNormBackward",
              Napi::Function::New(env, [](const Napi::CallbackInfo& info) { return guarded(info, "batchNormBackward", backward, SHAPE + 8); }));
}

}  // namespace ffr
