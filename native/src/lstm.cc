// One bidirectional LSTM layer over whole sequences, forward and backward through time (PyTorch maths,
// gate order i, f, g, o; packed-sequence semantics with lengths).
//
// Layout of the cache (lstmCacheSize = 2·B·T·5H floats): for direction d, gates[d] (B, T, 4H) holding
// the activated gates, then cells[d] (B, T, H) holding c_t.
//
// Speed plan: the input projection of every frame is one big GEMM per direction (written straight into
// the gates cache); the recurrence then only adds h_{t−1}·W_hhᵀ, a small GEMM against a W_hh packed once
// per call so it stays hot in cache. Clips are sorted by length so the clips still running at step s
// form a prefix of the rows: the step GEMM has M = number of active clips. The two directions run in
// parallel on the pool.
#include <napi.h>

#include <algorithm>
#include <cstring>
#include <numeric>
#include <vector>

#include "elementwise.h"
#include "gemm.h"
#include "lstm_b1.h"
#include "napi_util.h"
#include "registry.h"
#include "threadpool.h"

namespace affexion {
namespace {

struct Dir {
  const float *wih, *whh, *bih, *bhh;
};
struct DirGrad {
  float *wih, *whh, *bih, *bhh;
};

struct Shape {
  int B, T, I, H;
  long G() const { return 4L * H; }
  float* gates(float* cache, int d) const { return cache + static_cast<long>(d) * B * T * 5 * H; }
  float* cells(float* cache, int d) const { return gates(cache, d) + static_cast<long>(B) * T * 4 * H; }
};

// Clip order by decreasing length (stable), and how many clips are active at each step.
struct Schedule {
  std::vector<int> order, len;
  std::vector<int> active;  // active[s] = number of clips with len > s
  int max_len = 0;
  Schedule(int B, int T, const int32_t* lengths) : order(B), len(B) {
    for (int b = 0; b < B; ++b) len[b] = lengths ? lengths[b] : T;
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(), [&](int a, int b) { return len[a] > len[b]; });
    max_len = B ? len[order[0]] : 0;
    active.assign(max_len, 0);
    for (int s = 0; s < max_len; ++s) {
      int n = 0;
      while (n < B && len[order[n]] > s) ++n;
      active[s] = n;
    }
  }
  // Frame that clip b processes at step s in direction d.
  int frame(int b, int s, int d) const { return d == 0 ? s : len[b] - 1 - s; }
};

void lstm_forward(const float* x, const Shape& sh, const Dir dirs[2], const int32_t* lengths, float* out,
                  float* cache) {
  const int B = sh.B, T = sh.T, I = sh.I, H = sh.H;
  const long G = sh.G(), BT = static_cast<long>(B) * T;
  const Schedule sched(B, T, lengths);
  // Input projections of all frames (the biases are added by the cell, saving a pass over the cache).
  std::vector<float> bias(2 * G);
  for (int d = 0; d < 2; ++d) {
    for (long j = 0; j < G; ++j) bias[d * G + j] = dirs[d].bih[j] + dirs[d].bhh[j];
    sgemm(false, true, static_cast<int>(BT), static_cast<int>(G), I, 1.0f, x, I, dirs[d].wih, I, 0.0f,
          sh.gates(cache, d), G);
  }
  // Padded frames are 0 in the output.
  for (int b = 0; b < B; ++b)
    for (int t = sched.len[b]; t < T; ++t) std::memset(out + (static_cast<long>(b) * T + t) * 2 * H, 0, sizeof(float) * 2 * H);
  if (B == 1) {  // a single clip (a live window): the fused per-step recurrence, see lstm_b1.cc
    const Isa isa = active_isa();
    parallel_for(2, [&](int d, int) {
      lstm_direction_b1(isa, B1Direction{H, sched.len[0], d == 1, dirs[d].whh, bias.data() + d * G, sh.gates(cache, d),
                                         sh.cells(cache, d), out + d * H, 2L * H});
    });
    return;
  }
  const ElementwiseOps& ew = elementwise(active_isa());
  parallel_for(2, [&](int d, int) {
    PackedB whh;
    pack_b(true, H, static_cast<int>(G), dirs[d].whh, H, whh);
    float* gates = sh.gates(cache, d);
    float* cells = sh.cells(cache, d);
    std::vector<float> h(static_cast<size_t>(B) * H, 0.0f), grec(static_cast<size_t>(B) * G);
    for (int s = 0; s < sched.max_len; ++s) {
      const int n = sched.active[s];
      if (s > 0) sgemm_packed(false, n, h.data(), H, 1.0f, whh, 0.0f, grec.data(), G);
      for (int r = 0; r < n; ++r) {
        const int b = sched.order[r], t = sched.frame(b, s, d);
        const long row = static_cast<long>(b) * T + t;
        const float* c_prev = s > 0 ? cells + (row + (d == 0 ? -1 : 1)) * H : nullptr;
        ew.lstm_cell_fwd(H, gates + row * G, bias.data() + d * G, s > 0 ? grec.data() + r * G : nullptr, c_prev, cells + row * H,
                         out + row * 2 * H + d * H, h.data() + static_cast<long>(r) * H);
      }
    }
  });
}

void lstm_backward(const float* x, const Shape& sh, const Dir dirs[2], const int32_t* lengths, const float* out,
                   float* cache, const float* dout, float* dx, const DirGrad grads[2]) {
  const int B = sh.B, T = sh.T, I = sh.I, H = sh.H;
  const long G = sh.G(), BT = static_cast<long>(B) * T;
  const Schedule sched(B, T, lengths);
  const ElementwiseOps& ew = elementwise(active_isa());
  // Pre-activation gate gradients of every frame, per direction (0 on padded frames).
  thread_local std::vector<float> dgates_buf;
  if (dgates_buf.size() < static_cast<size_t>(2 * BT * G)) dgates_buf.resize(2 * BT * G);
  float* dgates[2] = {dgates_buf.data(), dgates_buf.data() + BT * G};
  for (int d = 0; d < 2; ++d)
    for (int b = 0; b < B; ++b)
      for (int t = sched.len[b]; t < T; ++t) std::memset(dgates[d] + (static_cast<long>(b) * T + t) * G, 0, sizeof(float) * G);

  parallel_for(2, [&](int d, int) {
    PackedB whh;
    pack_b(false, static_cast<int>(G), H, dirs[d].whh, H, whh);  // dh_{t−1} = dgates_t · W_hh
    const float* gates = sh.gates(cache, d);
    const float* cells = sh.cells(cache, d);
    std::vector<float> dhrec(static_cast<size_t>(B) * H, 0.0f), dc(static_cast<size_t>(B) * H, 0.0f);
    std::vector<float> dstep(static_cast<size_t>(B) * G);
    for (int s = sched.max_len - 1; s >= 0; --s) {
      const int n = sched.active[s];
      const bool has_next = s + 1 < sched.max_len && sched.active[s + 1] > 0;
      // Rows beyond active[s+1] start their backward pass here: no gradient from a later step yet.
      if (has_next) sgemm_packed(false, sched.active[s + 1], dstep.data(), G, 1.0f, whh, 0.0f, dhrec.data(), H);
      const int n_next = has_next ? sched.active[s + 1] : 0;
      for (int r = 0; r < n; ++r) {
        const int b = sched.order[r], t = sched.frame(b, s, d);
        const long row = static_cast<long>(b) * T + t;
        const float* c_prev = s > 0 ? cells + (row + (d == 0 ? -1 : 1)) * H : nullptr;
        ew.lstm_cell_bwd(H, gates + row * G, cells + row * H, c_prev, dout + row * 2 * H + d * H,
                         r < n_next ? dhrec.data() + static_cast<long>(r) * H : nullptr, dc.data() + static_cast<long>(r) * H,
                         dgates[d] + row * G, dstep.data() + r * G);
      }
    }
  });

  for (int d = 0; d < 2; ++d) {
    const DirGrad& g = grads[d];
    // Biases: both vectors receive the gate gradient (fixed order over frames: deterministic).
    // Blocks of 256 frames summed in float (vectorised), block sums in double: fast and accurate.
    std::vector<double> bsum(G, 0.0);
    std::vector<float> part(G);
    for (long r0 = 0; r0 < BT; r0 += 256) {
      std::fill(part.begin(), part.end(), 0.0f);
      const long r1 = std::min(BT, r0 + 256);
      for (long r = r0; r < r1; ++r) {
        const float* dg = dgates[d] + r * G;
        for (long j = 0; j < G; ++j) part[j] += dg[j];
      }
      for (long j = 0; j < G; ++j) bsum[j] += part[j];
    }
    for (long j = 0; j < G; ++j) {
      g.bih[j] += static_cast<float>(bsum[j]);
      g.bhh[j] += static_cast<float>(bsum[j]);
    }
    // dW_ih += dgatesᵀ · x over all frames.
    sgemm(true, false, static_cast<int>(G), I, static_cast<int>(BT), 1.0f, dgates[d], G, x, I, 1.0f, g.wih, I);
    // dW_hh += dgates_tᵀ · h_{t−1}; h_{t−1} is the neighbouring output frame of the same clip.
    for (int b = 0; b < B; ++b) {
      const int L = sched.len[b];
      if (L < 2) continue;
      const long base = static_cast<long>(b) * T;
      const float* dg = dgates[d] + (base + (d == 0 ? 1 : 0)) * G;
      const float* hp = out + (base + (d == 0 ? 0 : 1)) * 2 * H + d * H;
      sgemm(true, false, static_cast<int>(G), H, L - 1, 1.0f, dg, G, hp, 2 * H, 1.0f, g.whh, H);
    }
    // dx = Σ_d dgates_d · W_ih_d (overwrite with the first direction).
    sgemm(false, false, static_cast<int>(BT), I, static_cast<int>(G), 1.0f, dgates[d], G, dirs[d].wih, I,
          d == 0 ? 0.0f : 1.0f, dx, I);
  }
}

Dir dir_arg(const Napi::CallbackInfo& info, size_t i, const char* name, int I, int H) {
  if (i >= info.Length() || !info[i].IsObject())
    throw Napi::TypeError::New(info.Env(), std::string(name) + " must be an object {wih, whh, bih, bhh}");
  Napi::Object o = info[i].As<Napi::Object>();
  auto field = [&](const char* key, size_t need) -> float* {
    Napi::Value v = o.Get(key);
    if (!v.IsTypedArray() || v.As<Napi::TypedArray>().TypedArrayType() != napi_float32_array)
      throw Napi::TypeError::New(info.Env(), std::string(name) + "." + key + " must be a Float32Array");
    auto a = v.As<Napi::Float32Array>();
    if (a.ElementLength() < need)
      throw Napi::RangeError::New(info.Env(), std::string(name) + "." + key + " has " + std::to_string(a.ElementLength()) +
                                                  " elements, needs " + std::to_string(need));
    return a.Data();
  };
  const size_t G = 4UL * H;
  return Dir{field("wih", G * I), field("whh", G * H), field("bih", G), field("bhh", G)};
}

DirGrad grad_arg(const Napi::CallbackInfo& info, size_t i, const char* name, int I, int H) {
  Dir d = dir_arg(info, i, name, I, H);
  return DirGrad{const_cast<float*>(d.wih), const_cast<float*>(d.whh), const_cast<float*>(d.bih), const_cast<float*>(d.bhh)};
}

// lstmForward(x, B, T, I, H, fwd, rev, lengths, out, cache)
Napi::Value LstmForward(const Napi::CallbackInfo& info) {
  const Shape sh{int_arg(info, 1, "B"), int_arg(info, 2, "T", 1), int_arg(info, 3, "I", 1), int_arg(info, 4, "H", 1)};
  const long BT = static_cast<long>(sh.B) * sh.T;
  const float* x = f32_arg(info, 0, "x", BT * sh.I);
  const Dir dirs[2] = {dir_arg(info, 5, "fwd", sh.I, sh.H), dir_arg(info, 6, "rev", sh.I, sh.H)};
  const int32_t* lengths = lengths_arg(info, 7, sh.B, sh.T);
  float* out = f32_arg(info, 8, "out", BT * 2 * sh.H);
  float* cache = f32_arg(info, 9, "cache", BT * 10 * sh.H);
  guarded(info, [&] { lstm_forward(x, sh, dirs, lengths, out, cache); });
  return info.Env().Undefined();
}

// lstmBackward(x, B, T, I, H, fwd, rev, lengths, out, cache, dOut, dx, dFwd, dRev)
Napi::Value LstmBackward(const Napi::CallbackInfo& info) {
  const Shape sh{int_arg(info, 1, "B"), int_arg(info, 2, "T", 1), int_arg(info, 3, "I", 1), int_arg(info, 4, "H", 1)};
  const long BT = static_cast<long>(sh.B) * sh.T;
  const float* x = f32_arg(info, 0, "x", BT * sh.I);
  const Dir dirs[2] = {dir_arg(info, 5, "fwd", sh.I, sh.H), dir_arg(info, 6, "rev", sh.I, sh.H)};
  const int32_t* lengths = lengths_arg(info, 7, sh.B, sh.T);
  const float* out = f32_arg(info, 8, "out", BT * 2 * sh.H);
  float* cache = f32_arg(info, 9, "cache", BT * 10 * sh.H);
  const float* dout = f32_arg(info, 10, "dOut", BT * 2 * sh.H);
  float* dx = f32_arg(info, 11, "dx", BT * sh.I);
  const DirGrad grads[2] = {grad_arg(info, 12, "dFwd", sh.I, sh.H), grad_arg(info, 13, "dRev", sh.I, sh.H)};
  guarded(info, [&] { lstm_backward(x, sh, dirs, lengths, out, cache, dout, dx, grads); });
  return info.Env().Undefined();
}

Napi::Value LstmCacheSize(const Napi::CallbackInfo& info) {
  const double B = int_arg(info, 0, "B"), T = int_arg(info, 1, "T"), H = int_arg(info, 2, "H");
  return Napi::Number::New(info.Env(), 10.0 * B * T * H);
}

Registrar reg([](Napi::Env env, Napi::Object exports) {
  exports.Set("lstmForward", Napi::Function::New(env, LstmForward));
  exports.Set("lstmBackward", Napi::Function::New(env, LstmBackward));
  exports.Set("lstmCacheSize", Napi::Function::New(env, LstmCacheSize));
});

}  // namespace
}  // namespace affexion
