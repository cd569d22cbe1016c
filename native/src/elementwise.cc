// Element-wise kernels written once with GCC vector extensions and instantiated per instruction set
// (always_inline templates inlined into functions carrying a target attribute). The vector helpers and
// exp / sigmoid / tanh live in simd_vec.h (shared with the fused batch-1 LSTM step, lstm_b1.cc).
#include "elementwise.h"
#include "simd_vec.h"

#include <cmath>
#include <cstdint>
#include <cstring>

namespace affexion {
namespace {

using namespace simd;

// ---- LSTM cell, W lanes at a time over the hidden units [j, j+W).
template <int W>
AI void cell_fwd_lanes(int H, int j, float* g, const float* bias, const float* grec, const float* c_prev, float* c_out,
                       float* h_out, float* h_state) {
  using V = typename Vec<W>::V;
  V pi = ld<W>(g + j) + ld<W>(bias + j), pf = ld<W>(g + H + j) + ld<W>(bias + H + j);
  V pg = ld<W>(g + 2 * H + j) + ld<W>(bias + 2 * H + j), po = ld<W>(g + 3 * H + j) + ld<W>(bias + 3 * H + j);
  if (grec) {
    pi += ld<W>(grec + j);
    pf += ld<W>(grec + H + j);
    pg += ld<W>(grec + 2 * H + j);
    po += ld<W>(grec + 3 * H + j);
  }
  V i = vsigmoid<W>(pi), f = vsigmoid<W>(pf), gg = vtanh<W>(pg), o = vsigmoid<W>(po);
  V c = i * gg;
  if (c_prev) c += f * ld<W>(c_prev + j);
  V h = o * vtanh<W>(c);
  st<W>(g + j, i);
  st<W>(g + H + j, f);
  st<W>(g + 2 * H + j, gg);
  st<W>(g + 3 * H + j, o);
  st<W>(c_out + j, c);
  st<W>(h_out + j, h);
  st<W>(h_state + j, h);
}

template <int W>
AI void cell_fwd(int H, float* g, const float* bias, const float* grec, const float* c_prev, float* c_out,
                 float* h_out, float* h_state) {
  int j = 0;
  for (; j + W <= H; j += W) cell_fwd_lanes<W>(H, j, g, bias, grec, c_prev, c_out, h_out, h_state);
  for (; j < H; ++j) cell_fwd_lanes<1>(H, j, g, bias, grec, c_prev, c_out, h_out, h_state);
}

template <int W>
AI void cell_bwd_lanes(int H, int j, const float* g, const float* cc, const float* c_prev, const float* dh_out,
                       const float* dh_rec, float* dcs, float* dg1, float* dg2) {
  using V = typename Vec<W>::V;
  V i = ld<W>(g + j), f = ld<W>(g + H + j), gg = ld<W>(g + 2 * H + j), o = ld<W>(g + 3 * H + j);
  V c = ld<W>(cc + j);
  V dh = ld<W>(dh_out + j);
  if (dh_rec) dh += ld<W>(dh_rec + j);
  V tc = vtanh<W>(c);
  V dc = ld<W>(dcs + j) + dh * o * (1.0f - tc * tc);
  V cp = c_prev ? ld<W>(c_prev + j) : splat<W>(0.0f);
  V dai = dc * gg * i * (1.0f - i);
  V daf = dc * cp * f * (1.0f - f);
  V dag = dc * i * (1.0f - gg * gg);
  V dao = dh * tc * o * (1.0f - o);
  st<W>(dcs + j, dc * f);
  st<W>(dg1 + j, dai);
  st<W>(dg1 + H + j, daf);
  st<W>(dg1 + 2 * H + j, dag);
  st<W>(dg1 + 3 * H + j, dao);
  st<W>(dg2 + j, dai);
  st<W>(dg2 + H + j, daf);
  st<W>(dg2 + 2 * H + j, dag);
  st<W>(dg2 + 3 * H + j, dao);
}

template <int W>
AI void cell_bwd(int H, const float* g, const float* c, const float* c_prev, const float* dh_out,
                 const float* dh_rec, float* dc, float* dg1, float* dg2) {
  int j = 0;
  for (; j + W <= H; j += W) cell_bwd_lanes<W>(H, j, g, c, c_prev, dh_out, dh_rec, dc, dg1, dg2);
  for (; j < H; ++j) cell_bwd_lanes<1>(H, j, g, c, c_prev, dh_out, dh_rec, dc, dg1, dg2);
}

// ---- Softmax over a row (masked tail set to 0).
template <int W>
AI void softmax(float* row, int n, int n_total) {
  using V = typename Vec<W>::V;
  float mx = -INFINITY;
  int j = 0;
  if (n >= W) {
    V m = ld<W>(row);
    for (j = W; j + W <= n; j += W) {
      V v = ld<W>(row + j);
      m = v > m ? v : m;
    }
    for (int l = 0; l < W; ++l) mx = m[l] > mx ? m[l] : mx;
  } else {
    j = 0;
  }
  for (; j < n; ++j) mx = row[j] > mx ? row[j] : mx;
  V sum = splat<W>(0.0f);
  float s1 = 0.0f;
  for (j = 0; j + W <= n; j += W) {
    V e = vexp<W>(ld<W>(row + j) - mx);
    st<W>(row + j, e);
    sum += e;
  }
  for (; j < n; ++j) {
    typename Vec<1>::V e = vexp<1>(ld<1>(row + j) - mx);
    row[j] = e[0];
    s1 += e[0];
  }
  for (int l = 0; l < W; ++l) s1 += sum[l];
  const float inv = 1.0f / s1;
  for (j = 0; j + W <= n; j += W) st<W>(row + j, ld<W>(row + j) * inv);
  for (; j < n; ++j) row[j] *= inv;
  for (j = n; j < n_total; ++j) row[j] = 0.0f;
}

template <int W>
AI void softmax_bwd(const float* p, float* dp, int n, float scale) {
  using V = typename Vec<W>::V;
  V acc = splat<W>(0.0f);
  float s = 0.0f;
  int j = 0;
  for (; j + W <= n; j += W) acc += ld<W>(p + j) * ld<W>(dp + j);
  for (; j < n; ++j) s += p[j] * dp[j];
  for (int l = 0; l < W; ++l) s += acc[l];
  for (j = 0; j + W <= n; j += W) st<W>(dp + j, scale * ld<W>(p + j) * (ld<W>(dp + j) - s));
  for (; j < n; ++j) dp[j] = scale * p[j] * (dp[j] - s);
}

template <int W>
AI void relu_impl(float* x, long n) {
  using V = typename Vec<W>::V;
  const V z = splat<W>(0.0f);
  long j = 0;
  for (; j + W <= n; j += W) {
    V v = ld<W>(x + j);
    st<W>(x + j, v > z ? v : z);
  }
  for (; j < n; ++j) x[j] = x[j] > 0.0f ? x[j] : 0.0f;
}

#define INSTANTIATE(SUFFIX, TARGET, W)                                                                          \
  TARGET void cell_fwd_##SUFFIX(int H, float* g, const float* bi, const float* gr, const float* cp, float* co,   \
                                float* ho, float* hs) {                                                          \
    cell_fwd<W>(H, g, bi, gr, cp, co, ho, hs);                                                                   \
  }                                                                                                              \
  TARGET void cell_bwd_##SUFFIX(int H, const float* g, const float* c, const float* cp, const float* dho,         \
                                const float* dhr, float* dc, float* d1, float* d2) {                             \
    cell_bwd<W>(H, g, c, cp, dho, dhr, dc, d1, d2);                                                              \
  }                                                                                                              \
  TARGET void softmax_##SUFFIX(float* r, int n, int nt) { softmax<W>(r, n, nt); }                                \
  TARGET void softmax_bwd_##SUFFIX(const float* p, float* dp, int n, float s) { softmax_bwd<W>(p, dp, n, s); }   \
  TARGET void relu_##SUFFIX(float* x, long n) { relu_impl<W>(x, n); }                                            \
  const ElementwiseOps ops_##SUFFIX{cell_fwd_##SUFFIX, cell_bwd_##SUFFIX, softmax_##SUFFIX, softmax_bwd_##SUFFIX, \
                                    relu_##SUFFIX};

INSTANTIATE(avx512, __attribute__((target("avx512f,avx512dq,fma"))), 16)
INSTANTIATE(avx2, __attribute__((target("avx2,fma"))), 8)
INSTANTIATE(generic, , 4)

}  // namespace

const ElementwiseOps& elementwise(Isa isa) {
  switch (isa) {
    case Isa::Avx512: return ops_avx512;
    case Isa::Avx2: return ops_avx2;
    default: return ops_generic;
  }
}

}  // namespace affexion
