// 1-D 'same' convolution (PyTorch Conv1d maths) over (B, T, F) activations, as k shifted GEMMs per clip:
// y[b, t, :] += x[b, t + j − pad, :] · W_jᵀ, W_j = w[:, :, j]. No im2col buffer (it would be k× the input).
#include <napi.h>

#include <algorithm>
#include <cstring>
#include <vector>

#include "elementwise.h"
#include "gemm.h"
#include "napi_util.h"
#include "registry.h"
#include "threadpool.h"

namespace affexion {
namespace {

// Rows t of the output for which the input row t + j − pad exists.
inline void valid_rows(int T, int j, int pad, int& t0, int& t1) {
  t0 = std::max(0, pad - j);
  t1 = std::min(T, T + pad - j);
}

// w (C, F, k) → wt (k, C, F): each tap a contiguous (C, F) matrix.
std::vector<float> taps(const float* w, int C, int F, int k) {
  std::vector<float> wt(static_cast<size_t>(k) * C * F);
  for (int c = 0; c < C; ++c)
    for (int f = 0; f < F; ++f)
      for (int j = 0; j < k; ++j) wt[(static_cast<size_t>(j) * C + c) * F + f] = w[(static_cast<size_t>(c) * F + f) * k + j];
  return wt;
}

void conv_forward(const float* x, int B, int T, int F, const float* w, const float* bias, int C, int k, bool relu,
                  float* y, int ys, int yo) {
  const int pad = k >> 1;
  const std::vector<float> wt = taps(w, C, F, k);
  const ElementwiseOps& ew = elementwise(active_isa());
  // Tasks = (clip, block of output frames), each running its GEMMs on one thread; blocks only when
  // there are fewer clips than threads (batch-1 inference).
  const int blocks = std::max(1, std::min(T, (pool_threads() + B - 1) / std::max(B, 1)));
  parallel_for(B * blocks, [&](int task, int) {
    const int b = task / blocks, blk = task % blocks;
    const int r0 = static_cast<int>(static_cast<long>(T) * blk / blocks);
    const int r1 = static_cast<int>(static_cast<long>(T) * (blk + 1) / blocks);
    float* yb = y + static_cast<long>(b) * T * ys + yo;
    for (int t = r0; t < r1; ++t) std::memcpy(yb + static_cast<long>(t) * ys, bias, sizeof(float) * C);
    const float* xb = x + static_cast<long>(b) * T * F;
    for (int j = 0; j < k; ++j) {
      int t0, t1;
      valid_rows(T, j, pad, t0, t1);
      t0 = std::max(t0, r0);
      t1 = std::min(t1, r1);
      if (t1 <= t0) continue;
      sgemm(false, true, t1 - t0, C, F, 1.0f, xb + static_cast<long>(t0 + j - pad) * F, F,
            wt.data() + static_cast<size_t>(j) * C * F, F, 1.0f, yb + static_cast<long>(t0) * ys, ys);
    }
    if (relu)
      for (int t = r0; t < r1; ++t) ew.relu(yb + static_cast<long>(t) * ys, C);
  });
}

void conv_backward(const float* x, int B, int T, int F, const float* w, int C, int k, bool relu, const float* y,
                   const float* dy, int ys, int yo, float* dw, float* db, float* dx) {
  const int pad = k >> 1;
  const long BT = static_cast<long>(B) * T;
  // g = dy masked by the ReLU, compacted to (B·T, C).
  std::vector<float> g(static_cast<size_t>(BT) * C);
  parallel_for(B, [&](int b, int) {
    for (int t = 0; t < T; ++t) {
      const long r = static_cast<long>(b) * T + t;
      const float* d = dy + r * ys + yo;
      float* gr = g.data() + r * C;
      if (relu) {
        const float* yr = y + r * ys + yo;
        for (int c = 0; c < C; ++c) gr[c] = yr[c] > 0.0f ? d[c] : 0.0f;
      } else {
        std::memcpy(gr, d, sizeof(float) * C);
      }
    }
  });
  // db: fixed summation order (clip by clip) for determinism.
  for (long r = 0; r < BT; ++r)
    for (int c = 0; c < C; ++c) db[c] += g[r * C + c];
  // dW_j (C, F) = Σ_b g_bᵀ · x_b shifted; tasks = (tap, block of output channels), each owns its rows.
  std::vector<float> dwt(static_cast<size_t>(k) * C * F, 0.0f);
  const int csplit = std::max(1, std::min(C, (2 * pool_threads() + k - 1) / k));
  parallel_for(k * csplit, [&](int task, int) {
    const int j = task / csplit, cs = task % csplit;
    const int c0 = C * cs / csplit, c1 = C * (cs + 1) / csplit;
    int t0, t1;
    valid_rows(T, j, pad, t0, t1);
    if (t1 <= t0 || c1 <= c0) return;
    for (int b = 0; b < B; ++b) {
      sgemm(true, false, c1 - c0, F, t1 - t0, 1.0f, g.data() + (static_cast<long>(b) * T + t0) * C + c0, C,
            x + (static_cast<long>(b) * T + t0 + j - pad) * F, F, 1.0f,
            dwt.data() + (static_cast<size_t>(j) * C + c0) * F, F);
    }
  });
  for (int c = 0; c < C; ++c)
    for (int f = 0; f < F; ++f)
      for (int j = 0; j < k; ++j) dw[(static_cast<size_t>(c) * F + f) * k + j] += dwt[(static_cast<size_t>(j) * C + c) * F + f];
  if (!dx) return;
  // dx_b[t + j − pad] += g_b[t] · W_j ; parallel over clips (disjoint rows of dx).
  const std::vector<float> wt = taps(w, C, F, k);
  parallel_for(B, [&](int b, int) {
    for (int j = 0; j < k; ++j) {
      int t0, t1;
      valid_rows(T, j, pad, t0, t1);
      if (t1 <= t0) continue;
      sgemm(false, false, t1 - t0, F, C, 1.0f, g.data() + (static_cast<long>(b) * T + t0) * C, C,
            wt.data() + static_cast<size_t>(j) * C * F, F, 1.0f, dx + (static_cast<long>(b) * T + t0 + j - pad) * F, F);
    }
  });
}

void check_conv_dims(const Napi::CallbackInfo& info, int k, int yStride, int yOffset, int C) {
  if (k % 2 == 0) throw Napi::RangeError::New(info.Env(), "conv1d: kernel size k must be odd ('same' padding)");
  if (yOffset + C > yStride)
    throw Napi::RangeError::New(info.Env(), "conv1d: yOffset + C exceeds yStride");
}

// conv1dForward(x, B, T, F, w, bias, C, k, relu, y, yStride, yOffset)
Napi::Value Conv1dForward(const Napi::CallbackInfo& info) {
  const int B = int_arg(info, 1, "B"), T = int_arg(info, 2, "T", 1), F = int_arg(info, 3, "F", 1);
  const int C = int_arg(info, 6, "C", 1), k = int_arg(info, 7, "k", 1);
  const bool relu = bool_arg(info, 8, "relu");
  const int ys = int_arg(info, 10, "yStride", 1), yo = int_arg(info, 11, "yOffset");
  check_conv_dims(info, k, ys, yo, C);
  const float* x = f32_arg(info, 0, "x", static_cast<size_t>(B) * T * F);
  const float* w = f32_arg(info, 4, "w", static_cast<size_t>(C) * F * k);
  const float* bias = f32_arg(info, 5, "bias", C);
  float* y = f32_arg(info, 9, "y", static_cast<size_t>(B) * T * ys);
  guarded(info, [&] { conv_forward(x, B, T, F, w, bias, C, k, relu, y, ys, yo); });
  return info.Env().Undefined();
}

// conv1dBackward(x, B, T, F, w, C, k, relu, y, dy, yStride, yOffset, dw, db, dx)
Napi::Value Conv1dBackward(const Napi::CallbackInfo& info) {
  const int B = int_arg(info, 1, "B"), T = int_arg(info, 2, "T", 1), F = int_arg(info, 3, "F", 1);
  const int C = int_arg(info, 5, "C", 1), k = int_arg(info, 6, "k", 1);
  const bool relu = bool_arg(info, 7, "relu");
  const int ys = int_arg(info, 10, "yStride", 1), yo = int_arg(info, 11, "yOffset");
  check_conv_dims(info, k, ys, yo, C);
  const size_t ny = static_cast<size_t>(B) * T * ys;
  const float* x = f32_arg(info, 0, "x", static_cast<size_t>(B) * T * F);
  const float* w = f32_arg(info, 4, "w", static_cast<size_t>(C) * F * k);
  const float* y = f32_arg(info, 8, "y", ny, !relu);
  const float* dy = f32_arg(info, 9, "dy", ny);
  float* dw = f32_arg(info, 12, "dw", static_cast<size_t>(C) * F * k);
  float* db = f32_arg(info, 13, "db", C);
  float* dx = f32_arg(info, 14, "dx", static_cast<size_t>(B) * T * F, true);
  guarded(info, [&] { conv_backward(x, B, T, F, w, C, k, relu, y, dy, ys, yo, dw, db, dx); });
  return info.Env().Undefined();
}

Registrar reg([](Napi::Env env, Napi::Object exports) {
  exports.Set("conv1dForward", Napi::Function::New(env, Conv1dForward));
  exports.Set("conv1dBackward", Napi::Function::New(env, Conv1dBackward));
});

}  // namespace
}  // namespace affexion
