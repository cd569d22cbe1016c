// SIMD helpers shared by the element-wise kernels and the fused batch-1 LSTM step: GCC vector types of
// W floats, loads/stores through memcpy (no alignment assumptions), and exp / sigmoid / tanh. All are
// always_inline templates, so they compile to the instruction set of the target-attributed function
// that uses them (one build per ISA, see elementwise.cc). exp is a Cephes-style polynomial (≈2 ulp)
// because libm's expf is scalar and the LSTM gates need millions per step.
#pragma once
#include <cstdint>
#include <cstring>

#pragma GCC diagnostic ignored "-Wpsabi"  // vectors never cross a non-inlined call boundary here

namespace affexion {
namespace simd {

#define AI __attribute__((always_inline)) inline

template <int W>
struct Vec {
  typedef float V __attribute__((vector_size(W * 4)));
  typedef int32_t I __attribute__((vector_size(W * 4)));
};


template <int W>
AI typename Vec<W>::V ld(const float* p) {
  typename Vec<W>::V v;
  std::memcpy(&v, p, sizeof v);
  return v;
}
template <int W>
AI void st(float* p, typename Vec<W>::V v) {
  std::memcpy(p, &v, sizeof v);
}
template <int W>
AI typename Vec<W>::V splat(float s) {
  typename Vec<W>::V v;
  for (int i = 0; i < W; ++i) v[i] = s;
  return v;
}

template <int W>
AI typename Vec<W>::V vexp(typename Vec<W>::V x) {
  using V = typename Vec<W>::V;
  using I = typename Vec<W>::I;
  const V hi = splat<W>(88.3f), lo = splat<W>(-87.3f);
  x = x < hi ? x : hi;
  x = x > lo ? x : lo;
  // n = floor(x·log2 e + ½), computed as a truncation of a positive number.
  V fx = x * 1.44269504088896341f + 127.5f;
  I k = __builtin_convertvector(fx, I);          // n + 127, in [1, 254]
  V n = __builtin_convertvector(k, V) - 127.0f;
  V r = x - n * 0.693359375f + n * 2.12194440e-4f;
  V r2 = r * r;
  V y = ((((1.9875691500e-4f * r + 1.3981999507e-3f) * r + 8.3334519073e-3f) * r + 4.1665795894e-2f) * r +
         1.6666665459e-1f) * r + 5.0000001201e-1f;
  y = y * r2 + r + 1.0f;
  I bits = k << 23;
  V scale;
  std::memcpy(&scale, &bits, sizeof scale);
  return y * scale;
}

template <int W>
AI typename Vec<W>::V vsigmoid(typename Vec<W>::V x) {
  return 1.0f / (1.0f + vexp<W>(-x));
}
template <int W>
AI typename Vec<W>::V vtanh(typename Vec<W>::V x) {
  return 1.0f - 2.0f / (1.0f + vexp<W>(2.0f * x));
}

}  // namespace simd
}  // namespace affexion
