// Scaled dot-product self-attention, per clip: S = Q Kᵀ/√D, P = softmax over (valid) keys, Z = P V, and its
// backward. Memory is bounded by the (B, T, T) probabilities the contract keeps plus one T×T scratch per
// thread in the backward. Masked keys (t ≥ len) are simply left out of the GEMMs (K = len), which is
// exactly −∞ masking and saves the work.
#include <napi.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include "elementwise.h"
#include "gemm.h"
#include "napi_util.h"
#include "registry.h"
#include "threadpool.h"

namespace affexion {
namespace {

// Rows [q0, q1) of clip b: probabilities and output.
void attention_rows(const float* q, const float* k, const float* v, int T, int D, int L, int q0, int q1,
                    float* probs, float* z, const ElementwiseOps& ew) {
  const float scale = 1.0f / std::sqrt(static_cast<float>(D));
  const int m = q1 - q0;
  sgemm(false, true, m, L, D, scale, q + static_cast<long>(q0) * D, D, k, D, 0.0f, probs + static_cast<long>(q0) * T, T);
  for (int i = q0; i < q1; ++i) ew.softmax_row(probs + static_cast<long>(i) * T, L, T);
  sgemm(false, false, m, D, L, 1.0f, probs + static_cast<long>(q0) * T, T, v, D, 0.0f, z + static_cast<long>(q0) * D, D);
}

void attention_forward(const float* q, const float* k, const float* v, int B, int T, int D, const int32_t* lengths,
                       float* probs, float* z) {
  const ElementwiseOps& ew = elementwise(active_isa());
  const long TD = static_cast<long>(T) * D, TT = static_cast<long>(T) * T;
  // Tasks = (clip, block of query rows): enough of them to keep every thread busy even at B = 1.
  const int blocks = std::max(1, std::min(T, (2 * pool_threads() + B - 1) / std::max(B, 1)));
  parallel_for(B * blocks, [&](int task, int) {
    const int b = task / blocks, blk = task % blocks;
    const int q0 = static_cast<int>(static_cast<long>(T) * blk / blocks);
    const int q1 = static_cast<int>(static_cast<long>(T) * (blk + 1) / blocks);
    if (q1 <= q0) return;
    const int L = lengths ? lengths[b] : T;
    attention_rows(q + b * TD, k + b * TD, v + b * TD, T, D, L, q0, q1, probs + b * TT, z + b * TD, ew);
  });
}

void attention_backward_clip(const float* q, const float* k, const float* v, int T, int D, int L, const float* p,
                             const float* dz, float* dq, float* dk, float* dv, std::vector<float>& ds_buf,
                             const ElementwiseOps& ew) {
  const float scale = 1.0f / std::sqrt(static_cast<float>(D));
  if (ds_buf.size() < static_cast<size_t>(T) * L) ds_buf.resize(static_cast<size_t>(T) * L);
  float* ds = ds_buf.data();  // (T, L)
  // dP = dZ Vᵀ over valid keys, then dS = scale · P ⊙ (dP − rowsum(P ⊙ dP)).
  sgemm(false, true, T, L, D, 1.0f, dz, D, v, D, 0.0f, ds, L);
  for (int i = 0; i < T; ++i) ew.softmax_bwd_row(p + static_cast<long>(i) * T, ds + static_cast<long>(i) * L, L, scale);
  sgemm(false, false, T, D, L, 1.0f, ds, L, k, D, 0.0f, dq, D);          // dQ = dS K
  sgemm(true, false, L, D, T, 1.0f, ds, L, q, D, 0.0f, dk, D);           // dK = dSᵀ Q
  sgemm(true, false, L, D, T, 1.0f, p, T, dz, D, 0.0f, dv, D);           // dV = Pᵀ dZ
  for (long i = static_cast<long>(L) * D; i < static_cast<long>(T) * D; ++i) dk[i] = dv[i] = 0.0f;  // masked keys
}

void attention_backward(const float* q, const float* k, const float* v, int B, int T, int D, const int32_t* lengths,
                        const float* probs, const float* dz, float* dq, float* dk, float* dv) {
  const ElementwiseOps& ew = elementwise(active_isa());
  const long TD = static_cast<long>(T) * D, TT = static_cast<long>(T) * T;
  auto clip = [&](int b, std::vector<float>& ds) {
    const int L = lengths ? lengths[b] : T;
    attention_backward_clip(q + b * TD, k + b * TD, v + b * TD, T, D, L, probs + b * TT, dz + b * TD, dq + b * TD,
                            dk + b * TD, dv + b * TD, ds, ew);
  };
  if (B >= pool_threads()) {
    parallel_for(B, [&](int b, int) {
      thread_local std::vector<float> ds;
      clip(b, ds);
    });
  } else {
    // Few clips: one after the other, each GEMM using the whole pool.
    thread_local std::vector<float> ds;
    for (int b = 0; b < B; ++b) clip(b, ds);
  }
}

void dims(const Napi::CallbackInfo& info, int& B, int& T, int& D) {
  B = int_arg(info, 3, "B");
  T = int_arg(info, 4, "T", 1);
  D = int_arg(info, 5, "D", 1);
}

// attentionForward(q, k, v, B, T, D, lengths, probs, z)
Napi::Value AttentionForward(const Napi::CallbackInfo& info) {
  int B, T, D;
  dims(info, B, T, D);
  const size_t n = static_cast<size_t>(B) * T * D, nn = static_cast<size_t>(B) * T * T;
  const float* q = f32_arg(info, 0, "q", n);
  const float* k = f32_arg(info, 1, "k", n);
  const float* v = f32_arg(info, 2, "v", n);
  const int32_t* lengths = lengths_arg(info, 6, B, T);
  float* probs = f32_arg(info, 7, "probs", nn);
  float* z = f32_arg(info, 8, "z", n);
  guarded(info, [&] { attention_forward(q, k, v, B, T, D, lengths, probs, z); });
  return info.Env().Undefined();
}

// attentionBackward(q, k, v, B, T, D, lengths, probs, dz, dq, dk, dv)
Napi::Value AttentionBackward(const Napi::CallbackInfo& info) {
  int B, T, D;
  dims(info, B, T, D);
  const size_t n = static_cast<size_t>(B) * T * D, nn = static_cast<size_t>(B) * T * T;
  const float* q = f32_arg(info, 0, "q", n);
  const float* k = f32_arg(info, 1, "k", n);
  const float* v = f32_arg(info, 2, "v", n);
  const int32_t* lengths = lengths_arg(info, 6, B, T);
  const float* probs = f32_arg(info, 7, "probs", nn);
  const float* dz = f32_arg(info, 8, "dz", n);
  float* dq = f32_arg(info, 9, "dq", n);
  float* dk = f32_arg(info, 10, "dk", n);
  float* dv = f32_arg(info, 11, "dv", n);
  guarded(info, [&] { attention_backward(q, k, v, B, T, D, lengths, probs, dz, dq, dk, dv); });
  return info.Env().Undefined();
}

Registrar reg([](Napi::Env env, Napi::Object exports) {
  exports.Set("attentionForward", Napi::Function::New(env, AttentionForward));
  exports.Set("attentionBackward", Napi::Function::New(env, AttentionBackward));
});

}  // namespace
}  // namespace affexion
