// The LSTM recurrence of one clip (batch 1: a live window), fused per time step. At batch 1 the
// recurrent product h_{t−1}·W_hhᵀ is a GEMV, and the generic path (a packed GEMM of M = 1, then a
// separate cell pass over a gate buffer) pays the GEMM's edge handling and a round trip through memory
// for 4H values on every step. Here W_hh is packed once per call so that each block of V hidden units
// has its four gates' weights side by side; a step then accumulates the four gate vectors of a block
// in registers (two interleaved accumulator sets over k, to hide the FMA latency), applies the cell at
// once and writes h, c and the activated gates. No allocation per step: the packed weights and the two
// h buffers are per-thread scratch reused across calls.
//
// Same maths as lstm_cell_fwd after sgemm_packed (activated gates and c_t in the cache, h in the
// output), summed in another order: results agree to float rounding (test: batch 1 vs the batched
// path and the JS reference within 1e-5).
#include "lstm_b1.h"

#include <algorithm>
#include <cstring>
#include <vector>

#include "simd_vec.h"

namespace affexion {
namespace {

using namespace simd;

struct Scratch {
  std::vector<float> w, h0, h1, pre;
};
Scratch& scratch() {
  thread_local Scratch s;
  return s;
}

// Wp[((c·H + k)·4 + q)·V + l] = W_hh[q·H + c·V + l][k] (0 past H).
void pack_whh(int H, int V, const float* whh, std::vector<float>& wp) {
  const int nc = (H + V - 1) / V;
  wp.assign(static_cast<size_t>(nc) * H * 4 * V, 0.0f);
  for (int c = 0; c < nc; ++c)
    for (int k = 0; k < H; ++k)
      for (int q = 0; q < 4; ++q) {
        float* dst = wp.data() + ((static_cast<long>(c) * H + k) * 4 + q) * V;
        for (int l = 0; l < V && c * V + l < H; ++l) dst[l] = whh[(static_cast<long>(q) * H + c * V + l) * H + k];
      }
}

template <int V>
AI void run(const B1Direction& a) {
  using Vt = typename Vec<V>::V;
  const int H = a.H, nc = (H + V - 1) / V, Hp = nc * V;
  const long G = 4L * H;
  Scratch& s = scratch();
  pack_whh(H, V, a.whh, s.w);
  s.h0.assign(Hp, 0.0f);
  s.h1.assign(Hp, 0.0f);
  s.pre.assign(4 * static_cast<size_t>(Hp), 0.0f);
  float* hp = s.h0.data();
  float* hn = s.h1.data();
  float* pre = s.pre.data();  // (4, Hp): input projection + biases, padded per gate
  const float* wp = s.w.data();
  for (int step = 0; step < a.L; ++step) {
    const int t = a.reverse ? a.L - 1 - step : step;
    float* g = a.gates + t * G;
    const float* c_prev = step > 0 ? a.cells + (a.reverse ? t + 1 : t - 1) * static_cast<long>(H) : nullptr;
    float* c_out = a.cells + static_cast<long>(t) * H;
    float* h_out = a.out + static_cast<long>(t) * a.out_stride;
    for (int q = 0; q < 4; ++q)
      for (int j = 0; j < H; ++j) pre[q * Hp + j] = g[q * H + j] + a.bias[q * H + j];
    for (int c = 0; c < nc; ++c) {
      const int j0 = c * V;
      Vt ai = ld<V>(pre + j0), af = ld<V>(pre + Hp + j0), ag = ld<V>(pre + 2 * Hp + j0), ao = ld<V>(pre + 3 * Hp + j0);
      if (step > 0) {
        const Vt z = splat<V>(0.0f);
        Vt bi = z, bf = z, bg = z, bo = z;
        const float* w = wp + static_cast<long>(c) * H * 4 * V;
        int k = 0;
        for (; k + 2 <= H; k += 2, w += 8 * V) {
          const float h0 = hp[k], h1 = hp[k + 1];  // scalar × vector broadcasts (a splat loop would not)
          ai += h0 * ld<V>(w);
          af += h0 * ld<V>(w + V);
          ag += h0 * ld<V>(w + 2 * V);
          ao += h0 * ld<V>(w + 3 * V);
          bi += h1 * ld<V>(w + 4 * V);
          bf += h1 * ld<V>(w + 5 * V);
          bg += h1 * ld<V>(w + 6 * V);
          bo += h1 * ld<V>(w + 7 * V);
        }
        if (k < H) {
          const float h0 = hp[k];
          ai += h0 * ld<V>(w);
          af += h0 * ld<V>(w + V);
          ag += h0 * ld<V>(w + 2 * V);
          ao += h0 * ld<V>(w + 3 * V);
        }
        ai += bi;
        af += bf;
        ag += bg;
        ao += bo;
      }
      const Vt i = vsigmoid<V>(ai), f = vsigmoid<V>(af), gg = vtanh<V>(ag), o = vsigmoid<V>(ao);
      Vt cv = i * gg;
      const int n = std::min(V, H - j0);
      if (c_prev) {
        alignas(64) float cp[V] = {};
        std::memcpy(cp, c_prev + j0, sizeof(float) * n);
        cv += f * ld<V>(cp);
      }
      const Vt h = o * vtanh<V>(cv);
      st<V>(hn + j0, h);  // hn is padded to Hp: lanes past H hold harmless values never read as h
      if (n == V) {
        st<V>(g + j0, i);
        st<V>(g + H + j0, f);
        st<V>(g + 2 * H + j0, gg);
        st<V>(g + 3 * H + j0, o);
        st<V>(c_out + j0, cv);
        st<V>(h_out + j0, h);
      } else {  // last, partial block: never write past H
        alignas(64) float tmp[V];
        const Vt parts[6] = {i, f, gg, o, cv, h};
        float* dst[6] = {g + j0, g + H + j0, g + 2 * H + j0, g + 3 * H + j0, c_out + j0, h_out + j0};
        for (int p = 0; p < 6; ++p) {
          st<V>(tmp, parts[p]);
          std::memcpy(dst[p], tmp, sizeof(float) * n);
        }
      }
    }
    std::swap(hp, hn);
  }
}

__attribute__((target("avx512f,avx512dq,fma"))) void run_avx512(const B1Direction& a) { run<16>(a); }
__attribute__((target("avx2,fma"))) void run_avx2(const B1Direction& a) { run<8>(a); }
void run_generic(const B1Direction& a) { run<4>(a); }

}  // namespace

void lstm_direction_b1(Isa isa, const B1Direction& a) {
  switch (isa) {
    case Isa::Avx512: return run_avx512(a);
    case Isa::Avx2: return run_avx2(a);
    default: return run_generic(a);
  }
}

}  // namespace affexion
