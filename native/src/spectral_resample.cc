// Polyphase resampling for audio loading (src/audio/resample.ts designs the filter and has the JS
// reference). Native because librosa-grade filters are long (~250–550 taps per output sample): the
// wasm libsamplerate we used first took over a second per 10 s clip at 48 kHz, this takes milliseconds.
//
// Output j sits at input time j·M/L. Its phase row of the coefficient table holds taps k = −W .. W+1
// around i0 = ⌊j·M/L⌋ (padded with zeros to a multiple of 16); input outside [0, n) is zero.
// Products are summed in float32, 16 partial sums per output (error ~1e-7 of the output, far below
// the 16-bit input's resolution and soxr's own float32 arithmetic), twice the speed of float64.
// Integer decimation with a long filter (48 → 16 kHz) goes through FFT overlap-save instead (below), and
// rates with many phases (44.1, 22.05 kHz) through 48 kHz (ResampleCascade).
#include <napi.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <string>
#include <algorithm>
#include <numeric>
#include <vector>

#include "registry.h"

#pragma GCC diagnostic ignored "-Wpsabi"  // vector types never cross a non-inlined call boundary by value

namespace {

typedef float F16 __attribute__((vector_size(64)));

// Quantised phases (L > MAX_PHASES, rare rates): one output at a time, four partial sums over the taps
// so consecutive FMAs do not wait for each other (one chain would be bound by the FMA latency).
__attribute__((target_clones("avx512f", "avx2", "default")))
void poly_rows(const float* x, long n, float* y, long outLen, long L, long M, long P, int W, int width, const float* table) {
  for (long j = 0; j < outLen; ++j) {
    const long num = j * M;  // < 2^53 for any realistic clip
    long i0 = num / L;
    long phase = num - i0 * L;
    if (P != L) {  // quantised phases (very large L): nearest of P
      phase = (phase * P + L / 2) / L;
      if (phase == P) phase = 0, ++i0;
    }
    const float* row = table + phase * width;
    const long first = i0 - W;
    float acc = 0;
    if (first >= 0 && first + width <= n) {
      F16 v[4] = {};
      int k = 0;
      for (; k + 64 <= width; k += 64)
        for (int u = 0; u < 4; ++u) {
          F16 xv, c;
          std::memcpy(&xv, x + first + k + 16 * u, sizeof xv);
          std::memcpy(&c, row + k + 16 * u, sizeof c);
          v[u] += xv * c;
        }
      for (; k < width; k += 16) {
        F16 xv, c;
        std::memcpy(&xv, x + first + k, sizeof xv);
        std::memcpy(&c, row + k, sizeof c);
        v[0] += xv * c;
      }
      const F16 s = (v[0] + v[1]) + (v[2] + v[3]);
      for (int l = 0; l < 16; ++l) acc += s[l];
    } else {
      for (int k = 0; k < width; ++k) {
        const long i = first + k;
        if (i >= 0 && i < n) acc += row[k] * x[i];
      }
    }
    y[j] = acc;
  }
}

// Exact phases (P = L, every common rate): outputs j0, j0 + L, j0 + 2L … share one phase row, and
// their inputs advance by M. Sixteen such outputs are computed together: each coefficient vector is
// loaded once for all sixteen (17 loads per 16 FMAs), and the sixteen accumulators are independent
// chains, so the loop runs at FMA/load throughput rather than FMA latency. Loads stay contiguous along
// the taps for any M. The sixteen accumulators are then summed by a transpose tree (30 shuffles and 15
// adds for all sixteen outputs) instead of sixteen serial lane-by-lane sums, which cost as much as the
// taps themselves. Measured in the same run against soxr by bench:features.
constexpr int kGroup = 16;

typedef int I16 __attribute__((vector_size(64)));
__attribute__((always_inline)) inline F16 shuf(F16 a, F16 b, I16 m) { return __builtin_shuffle(a, b, m); }

// Tree level by level: lanes l and l+8 of each accumulator, then l and l+4, l+2, l+1 — the same pairs
// as hsum16, so a sum is bit-identical whichever path (group or single output) computed it.
__attribute__((always_inline)) inline F16 reduce16(const F16* a) {
  const I16 m1a = {0, 1, 2, 3, 4, 5, 6, 7, 16, 17, 18, 19, 20, 21, 22, 23}, m1b = m1a + 8;
  const I16 m2a = {0, 1, 2, 3, 16, 17, 18, 19, 8, 9, 10, 11, 24, 25, 26, 27}, m2b = m2a + 4;
  const I16 m3a = {0, 1, 16, 17, 4, 5, 20, 21, 8, 9, 24, 25, 12, 13, 28, 29}, m3b = m3a + 2;
  const I16 m4a = {0, 16, 2, 18, 4, 20, 6, 22, 8, 24, 10, 26, 12, 28, 14, 30}, m4b = m4a + 1;
  F16 b[8], c[4], d[2];
  for (int i = 0; i < 8; ++i) b[i] = shuf(a[2 * i], a[2 * i + 1], m1a) + shuf(a[2 * i], a[2 * i + 1], m1b);
  for (int i = 0; i < 4; ++i) c[i] = shuf(b[2 * i], b[2 * i + 1], m2a) + shuf(b[2 * i], b[2 * i + 1], m2b);
  for (int i = 0; i < 2; ++i) d[i] = shuf(c[2 * i], c[2 * i + 1], m3a) + shuf(c[2 * i], c[2 * i + 1], m3b);
  return shuf(d[0], d[1], m4a) + shuf(d[0], d[1], m4b);
}

__attribute__((always_inline)) inline float hsum16(F16 v) {
  float s1[8], s2[4];
  for (int l = 0; l < 8; ++l) s1[l] = v[l] + v[l + 8];
  for (int l = 0; l < 4; ++l) s2[l] = s1[l] + s1[l + 4];
  return (s2[0] + s2[2]) + (s2[1] + s2[3]);
}

// 16 × 16 transpose in registers (a[r][c] → a[c][r]): swaps the off-diagonal h × h blocks for h = 8, 4,
// 2, 1 (the masks are reduce16's). Moves 16 blocks' samples into the 16 lanes and back for the
// transforms below: 64 shuffles per 256 samples, where lane-by-lane inserts stall on store forwarding.
__attribute__((always_inline)) inline void transpose16(F16* a) {
  const I16 m1a = {0, 1, 2, 3, 4, 5, 6, 7, 16, 17, 18, 19, 20, 21, 22, 23}, m1b = m1a + 8;
  const I16 m2a = {0, 1, 2, 3, 16, 17, 18, 19, 8, 9, 10, 11, 24, 25, 26, 27}, m2b = m2a + 4;
  const I16 m3a = {0, 1, 16, 17, 4, 5, 20, 21, 8, 9, 24, 25, 12, 13, 28, 29}, m3b = m3a + 2;
  const I16 m4a = {0, 16, 2, 18, 4, 20, 6, 22, 8, 24, 10, 26, 12, 28, 14, 30}, m4b = m4a + 1;
  auto level = [a](int h, I16 lo, I16 hi) {
    for (int r = 0; r < 16; ++r)
      if (!(r & h)) {
        const F16 u = a[r], v = a[r + h];
        a[r] = shuf(u, v, lo);
        a[r + h] = shuf(u, v, hi);
      }
  };
  level(8, m1a, m1b);
  level(4, m2a, m2b);
  level(2, m3a, m3b);
  level(1, m4a, m4b);
}

// Which lane of reduce16's result holds accumulator g (the tree permutes them; found once by running it).
struct LaneMap {
  int lane[kGroup];
  LaneMap() {
    F16 a[kGroup];
    for (int g = 0; g < kGroup; ++g)
      for (int l = 0; l < 16; ++l) a[g][l] = l == 0 ? static_cast<float>(g) : 0.0f;
    const F16 r = reduce16(a);
    for (int l = 0; l < 16; ++l) lane[static_cast<int>(r[l])] = l;
  }
};
const LaneMap kLanes;

__attribute__((target_clones("avx512f", "avx2", "default")))
void poly_phases(const float* x, long n, float* y, long outLen, long L, long M, int W, int width, const float* table, long off = 0) {
  const long phases = std::min(L, outLen);
  const long periods = (outLen + L - 1) / L;  // output j = j0 + u·L, u < periods
  // Periods outer, phases inner: the inputs of one group of periods (≈ kGroup·M + width samples) stay
  // in L1 across all L phases; phases outer would stream the whole clip from memory L times.
  for (long u = 0; u < periods; u += kGroup) {
    for (long j0 = 0; j0 < phases; ++j0) {
      const long i0 = j0 * M / L, phase = j0 * M - i0 * L;
      const float* row = table + phase * width;
      const long count = (outLen - 1 - j0) / L + 1;
      if (u >= count) continue;
      const long g_n = std::min<long>(kGroup, count - u);
      const long first = i0 - W + off + u * M;  // x index of tap 0 of output j0 + uL (output 0 at x[off])
      if (g_n == kGroup && first >= 0 && first + (kGroup - 1) * M + width <= n) {
        F16 acc[kGroup] = {};
        const float* xs = x + first;
        for (int k = 0; k < width; k += 16) {
          F16 c;
          std::memcpy(&c, row + k, sizeof c);
          for (int g = 0; g < kGroup; ++g) {
            F16 xv;
            std::memcpy(&xv, xs + g * M + k, sizeof xv);
            acc[g] += xv * c;
          }
        }
        const F16 s = reduce16(acc);
        float* yo = y + j0 + u * L;
        for (int g = 0; g < kGroup; ++g) yo[g * L] = s[kLanes.lane[g]];
      } else {  // the last group and clip edges
        for (long g = 0; g < g_n; ++g) {
          const long f = first + g * M;
          float sum = 0;
          if (f >= 0 && f + width <= n) {
            // Inside the clip: the same lanes and pairs as the group path, so an output does not
            // depend on which group it fell in (the monitor resamples a stream block by block and
            // expects the whole-signal values).
            F16 acc = {};
            for (int k = 0; k < width; k += 16) {
              F16 c, xv;
              std::memcpy(&c, row + k, sizeof c);
              std::memcpy(&xv, x + f + k, sizeof xv);
              acc += xv * c;
            }
            sum = hsum16(acc);
          } else {
            for (int k = 0; k < width; ++k)
              if (f + k >= 0 && f + k < n) sum += row[k] * x[f + k];
          }
          y[j0 + (u + g) * L] = sum;
        }
      }
    }
  }
}

// Few phases (L ≤ 4: 8 → 16 kHz is L = 2, M = 1) with a long filter run by FFT overlap-save: the
// 200–600-tap filter costs O(log N) per sample in the frequency domain instead of O(taps) (soxr does the
// same). Phase p's outputs j = p + uL are the convolution of x with row (p·M) mod L at t = u·M + i0(p)
// + D: one forward transform per block serves all L phases, then one product and inverse transform per
// phase (poly_fft). Integer decimation (L = 1: 48 → 16 kHz, M = 3) has its own polyphase form at the
// output rate (poly_dec). Same taps, same alignment as the direct loop; float32 FFTs add ≈ 1e-6 of the
// signal's scale (test: native = JS reference within 1e-5; golden SNR unchanged). 32 blocks per batch:
// 16 SIMD lanes, each carrying two real blocks as the real and imaginary parts of one complex transform
// (the filters are real, so the two convolutions do not mix).
typedef float V16 __attribute__((vector_size(64)));

struct FftPlan {
  int N = 0, width = 0, W = 0;
  long L = 0, M = 0;
  bool dec = false;                 // the decimating polyphase form (poly_dec) rather than poly_fft's
  int S = 0;                        // dec: taps per sub-filter
  long dlo = 0;                     // dec: offset of sub-filter tap 0 in output samples
  std::vector<float> rows;          // the taps this plan was built for (content-checked on reuse)
  std::vector<float> c, sn;         // cos / sin (2π k / N), k < N/2
  std::vector<float> gr, gi;        // per phase (dec: per input phase m): spectrum of the reversed taps, zero-padded to N, divided by N, bit-reversed
};

// G[f] = Σ_t g[t] e^{−2πi f t/N} / N for g[t] = taps[count − 1 − t]; direct DFT in double, once per plan.
void reversed_spectrum(const float* taps, int count, int N, const std::vector<double>& cosN, const std::vector<double>& sinN, float* gr, float* gi) {
  for (int f = 0; f < N; ++f) {
    double re = 0, im = 0;
    for (int t = 0, k = 0; t < count; ++t, k = (k + f) & (N - 1)) {
      re += taps[count - 1 - t] * cosN[k];
      im += taps[count - 1 - t] * sinN[k];
    }
    gr[f] = static_cast<float>(re / N);
    gi[f] = static_cast<float>(im / N);
  }
}

// A few plans per thread, so a corpus mixing rates (48 and 8 kHz clips in turn) does not rebuild one
// plan per clip (a rebuild costs more than the resampling it serves). Eight: the cascade's second
// stages (44.1, 22.05 kHz input: the single-stage kernel of each rate at 48 kHz) are plans of their own
// beside those of 48, 32, 8 kHz input.
FftPlan& fft_plan(long L, long M, int W, int width, const float* table, bool dec) {
  constexpr int kPlans = 8;
  thread_local FftPlan cache[kPlans];
  thread_local int next = 0;
  const size_t taps = static_cast<size_t>(L) * width;
  for (FftPlan& p : cache)
    if (p.N && p.dec == dec && p.L == L && p.M == M && p.W == W && p.width == width &&
        std::memcmp(p.rows.data(), table, sizeof(float) * taps) == 0) return p;
  FftPlan& p = cache[next];
  next = (next + 1) % kPlans;
  p.L = L;
  p.M = M;
  p.W = W;
  p.width = width;
  p.dec = dec;
  p.rows.assign(table, table + taps);
  // dec: output j = Σ_m Σ_e c_m[e]·x[(j + dlo + e)·M + m] with c_m[e] = row[(e + dlo)·M + m + W], e < S:
  // dlo the lowest d with a tap d·M + m + W ≥ 0 for some m, S spanning to the highest.
  if (dec) {
    p.dlo = -((W + M - 1) / M);
    p.S = static_cast<int>((width - 1 - W) / M - p.dlo + 1);
  }
  // N ≥ 4× the (sub-)filter: ≥ 3/4 of each block's outputs kept. dec: 1024 at 48 → 16 kHz (S = 208,
  // 817 outputs per block); N = 2048 (half the blocks, a larger and slower transform) measured 5–25 %
  // slower on 3–30 s clips, N = 512 ≥ 2·S slower too.
  const int span = dec ? p.S : width;
  p.N = 1024;
  while (p.N < 4 * span) p.N *= 2;
  const int N = p.N;
  int logN = 0;
  while ((1 << logN) < N) ++logN;
  std::vector<int> bitrev(N);
  for (int i = 0; i < N; ++i)
    for (int b = 0; b < logN; ++b) bitrev[i] |= ((i >> b) & 1) << (logN - 1 - b);
  p.c.resize(N / 2);
  p.sn.resize(N / 2);
  for (int k = 0; k < N / 2; ++k) {
    p.c[k] = static_cast<float>(std::cos(2.0 * M_PI * k / N));
    p.sn[k] = static_cast<float>(std::sin(2.0 * M_PI * k / N));
  }
  std::vector<double> cosN(N), sinN(N);  // e^{−2πi k/N} by index: no trigonometry in the O(N·width) loop
  for (int k = 0; k < N; ++k) cosN[k] = std::cos(2.0 * M_PI * k / N), sinN[k] = -std::sin(2.0 * M_PI * k / N);
  const long filters = dec ? M : L;
  p.gr.resize(static_cast<size_t>(filters) * N);
  p.gi.resize(static_cast<size_t>(filters) * N);
  std::vector<float> sub(dec ? p.S : 0);
  for (long f = 0; f < filters; ++f) {
    const float* taps = table + f * width;
    if (dec) {
      for (int e = 0; e < p.S; ++e) {
        const long k = (e + p.dlo) * M + f + W;
        sub[e] = k >= 0 && k < width ? table[k] : 0.0f;
      }
      taps = sub.data();
    }
    reversed_spectrum(taps, dec ? p.S : width, N, cosN, sinN, p.gr.data() + f * N, p.gi.data() + f * N);
    for (int i = 0; i < N; ++i)  // bit-reversed, the order fft_lanes_dif leaves the spectrum in
      if (i < bitrev[i]) std::swap(p.gr[f * N + i], p.gr[f * N + bitrev[i]]), std::swap(p.gi[f * N + i], p.gi[f * N + bitrev[i]]);
  }
  return p;
}

// One radix-2 pass over butterflies of span `half` in [lo, hi).
__attribute__((always_inline)) inline void fft_pass(const FftPlan& p, V16* re, V16* im, int half, int lo, int hi) {
  const int step = p.N / (2 * half);
  for (int i = lo; i < hi; i += 2 * half)
    for (int j = 0; j < half; ++j) {
      const float wc = p.c[j * step], ws = p.sn[j * step];
      const int a = i + j, b = a + half;
      const V16 br = re[b], bi = im[b];
      const V16 tr = wc * br + ws * bi, ti = wc * bi - ws * br;
      re[b] = re[a] - tr;
      im[b] = im[a] - ti;
      re[a] += tr;
      im[a] += ti;
    }
}

// The passes of span h and 2h in one sweep (radix 2²): each four points are loaded and stored once
// for two passes, which are bound by loads and stores, not arithmetic. Same butterflies, twiddles and
// order per point as two fft_pass calls: bit-identical.
__attribute__((always_inline)) inline void fft_pass2(const FftPlan& p, V16* re, V16* im, int h, int lo, int hi) {
  const int s1 = p.N / (2 * h), s2 = p.N / (4 * h);
  for (int i = lo; i < hi; i += 4 * h)
    for (int j = 0; j < h; ++j) {
      const float c1 = p.c[j * s1], n1 = p.sn[j * s1];
      const float c2 = p.c[j * s2], n2 = p.sn[j * s2], c3 = p.c[(j + h) * s2], n3 = p.sn[(j + h) * s2];
      V16* r = re + i + j;
      V16* m = im + i + j;
      V16 tr = c1 * r[h] + n1 * m[h], ti = c1 * m[h] - n1 * r[h];
      const V16 x0r = r[0] + tr, x0i = m[0] + ti, x1r = r[0] - tr, x1i = m[0] - ti;
      tr = c1 * r[3 * h] + n1 * m[3 * h], ti = c1 * m[3 * h] - n1 * r[3 * h];
      const V16 x2r = r[2 * h] + tr, x2i = m[2 * h] + ti, x3r = r[2 * h] - tr, x3i = m[2 * h] - ti;
      tr = c2 * x2r + n2 * x2i, ti = c2 * x2i - n2 * x2r;
      r[0] = x0r + tr, m[0] = x0i + ti, r[2 * h] = x0r - tr, m[2 * h] = x0i - ti;
      tr = c3 * x3r + n3 * x3i, ti = c3 * x3i - n3 * x3r;
      r[h] = x1r + tr, m[h] = x1i + ti, r[3 * h] = x1r - tr, m[3 * h] = x1i - ti;
    }
}

// DIT spans from, 2·from, … < to over [lo, hi): two per sweep, an odd one alone.
__attribute__((always_inline)) inline void dit_spans(const FftPlan& p, V16* re, V16* im, int from, int to, int lo, int hi) {
  int h = from;
  for (; 4 * h <= to; h *= 4) fft_pass2(p, re, im, h, lo, hi);
  if (h < to) fft_pass(p, re, im, h, lo, hi);
}

// In-place radix-2 DIT FFT of 16 lanes, input already in bit-reversed order; sign −1 (forward). The
// passes of span < kChunk stay inside chunks of kChunk points (32 kB of re + im: L1), so they run chunk
// by chunk instead of sweeping the whole 512 kB (N = 4096) once per pass through L2. Same butterflies
// in the same order per point: results are unchanged.
constexpr int kChunk = 256;
__attribute__((always_inline)) inline void fft_lanes(const FftPlan& p, V16* re, V16* im) {
  const int N = p.N, chunk = std::min(N, kChunk);
  for (int lo = 0; lo < N; lo += chunk) dit_spans(p, re, im, 1, chunk, lo, lo + chunk);
  dit_spans(p, re, im, chunk, N, 0, N);
}

// The same transform by decimation in frequency: natural order in, bit-reversed out; the passes of
// fft_lanes in reverse (whole-array spans first, then chunk by chunk). Spectra are only multiplied
// pointwise, so natural order is never needed: DIF forward, G stored bit-reversed, fft_lanes (DIT,
// bit-reversed in) for the inverse, and no permutation at all (the scattered bit-reversed writes of
// the products took a third of the time at 8 → 16 kHz).
__attribute__((always_inline)) inline void fft_pass_dif(const FftPlan& p, V16* re, V16* im, int half, int lo, int hi) {
  const int step = p.N / (2 * half);
  for (int i = lo; i < hi; i += 2 * half)
    for (int j = 0; j < half; ++j) {
      const float wc = p.c[j * step], ws = p.sn[j * step];
      const int a = i + j, b = a + half;
      const V16 dr = re[a] - re[b], di = im[a] - im[b];
      re[a] += re[b];
      im[a] += im[b];
      re[b] = wc * dr + ws * di;
      im[b] = wc * di - ws * dr;
    }
}

// DIF spans 2h then h in one sweep (as fft_pass2).
__attribute__((always_inline)) inline void fft_pass2_dif(const FftPlan& p, V16* re, V16* im, int h, int lo, int hi) {
  const int s1 = p.N / (2 * h), s2 = p.N / (4 * h);
  for (int i = lo; i < hi; i += 4 * h)
    for (int j = 0; j < h; ++j) {
      const float c1 = p.c[j * s1], n1 = p.sn[j * s1];
      const float c2 = p.c[j * s2], n2 = p.sn[j * s2], c3 = p.c[(j + h) * s2], n3 = p.sn[(j + h) * s2];
      V16* r = re + i + j;
      V16* m = im + i + j;
      V16 dr = r[0] - r[2 * h], di = m[0] - m[2 * h];
      const V16 x0r = r[0] + r[2 * h], x0i = m[0] + m[2 * h];
      const V16 x2r = c2 * dr + n2 * di, x2i = c2 * di - n2 * dr;
      dr = r[h] - r[3 * h], di = m[h] - m[3 * h];
      const V16 x1r = r[h] + r[3 * h], x1i = m[h] + m[3 * h];
      const V16 x3r = c3 * dr + n3 * di, x3i = c3 * di - n3 * dr;
      dr = x0r - x1r, di = x0i - x1i;
      r[0] = x0r + x1r, m[0] = x0i + x1i, r[h] = c1 * dr + n1 * di, m[h] = c1 * di - n1 * dr;
      dr = x2r - x3r, di = x2i - x3i;
      r[2 * h] = x2r + x3r, m[2 * h] = x2i + x3i, r[3 * h] = c1 * dr + n1 * di, m[3 * h] = c1 * di - n1 * dr;
    }
}

// DIF spans to/2, to/4, … ≥ from over [lo, hi): two per sweep, an odd one alone.
__attribute__((always_inline)) inline void dif_spans(const FftPlan& p, V16* re, V16* im, int from, int to, int lo, int hi) {
  int h = to / 2;
  for (; h / 2 >= from; h /= 4) fft_pass2_dif(p, re, im, h / 2, lo, hi);
  if (h >= from) fft_pass_dif(p, re, im, h, lo, hi);
}

__attribute__((always_inline)) inline void fft_lanes_dif(const FftPlan& p, V16* re, V16* im) {
  const int N = p.N, chunk = std::min(N, kChunk);
  dif_spans(p, re, im, chunk, N, 0, N);
  for (int lo = 0; lo < N; lo += chunk) dif_spans(p, re, im, 1, chunk, lo, lo + chunk);
}

__attribute__((target_clones("avx512f", "avx2", "default")))
void poly_fft(const float* x, long n, float* y, long outLen, long L, long M, int W, int width, const float* table) {
  const FftPlan& p = fft_plan(L, M, W, width, table, false);
  const int N = p.N;
  const long i0max = (L - 1) * M / L;
  const long J = (N - width - i0max) / M + 1;  // periods (outputs per phase) per block
  const long D = width - 1 - W;                // output (p, u) is phase p's convolution at t = u·M + i0(p) + D
  const long periods = (outLen + L - 1) / L;
  // Aligned by hand: std::vector<V16> does not promise 64-byte alignment with every allocator.
  thread_local std::vector<float> buf;
  buf.resize(static_cast<size_t>(N) * 64 + 16);
  V16* re = reinterpret_cast<V16*>((reinterpret_cast<uintptr_t>(buf.data()) + 63) & ~static_cast<uintptr_t>(63));
  V16* im = re + N;
  V16* pr = im + N;  // one phase's product (the forward spectrum is kept for the next phase)
  V16* pi = pr + N;
  const long blocks = (periods + J - 1) / J;
  for (long b0 = 0; b0 < blocks; b0 += 32) {
    long start[32];
    for (int l = 0; l < 32; ++l) start[l] = (b0 + l) * J * M + D - (width - 1);  // x index of block sample 0
    // Blocks b0 .. b0 + 15 into the real lanes, the next 16 into the imaginary ones, 16 samples of each
    // at a time through a transpose (lane-by-lane inserts stalled on store forwarding).
    for (int h = 0; h < 2; ++h) {
      V16* z = h ? im : re;
      for (int i = 0; i < N; i += 16) {
        F16 t[16];
        for (int l = 0; l < 16; ++l) {
          const long a = start[16 * h + l] + i;
          if (a >= 0 && a + 16 <= n) std::memcpy(&t[l], x + a, sizeof t[l]);
          else if (a >= n || a + 16 <= 0) t[l] = F16{};
          else for (int k = 0; k < 16; ++k) t[l][k] = a + k >= 0 && a + k < n ? x[a + k] : 0.0f;
        }
        transpose16(t);
        std::memcpy(z + i, t, sizeof t);
      }
    }
    fft_lanes_dif(p, re, im);
    for (long ph = 0; ph < L; ++ph) {
      // Outputs j = ph + uL sit at input time j·M/L: table row (ph·M) mod L, which is ph only when
      // M ≡ 1 (mod L) (12 → 16 kHz, L = 4, M = 3, took rows 1 and 3 swapped: errors of 0.3).
      const long row = ph * M % L;
      const float* gr = p.gr.data() + row * N;
      const float* gi = p.gi.data() + row * N;
      // Multiply by G, conjugate (inverse through the forward transform), all in bit-reversed order.
      for (int k = 0; k < N; ++k) {
        const V16 zr = re[k], zi = im[k];
        pr[k] = zr * gr[k] - zi * gi[k];
        pi[k] = -(zr * gi[k] + zi * gr[k]);
      }
      fft_lanes(p, pr, pi);
      // Result = conj(FFT(conj(Z))): real lanes = pr, imaginary lanes = −pi (G already holds the 1/N).
      // Transposed back: each block's outputs of this phase 16 at a time (every L-th of y).
      const long i0 = ph * M / L, count = (outLen - ph + L - 1) / L;  // periods of this phase in y
      for (int h = 0; h < 2; ++h) {
        const V16* z = h ? pi : pr;
        for (long q = 0; q < J; q += 16) {
          F16 t[16];
          for (int k = 0; k < 16; ++k) {
            const long tt = (q + k) * M + i0 + width - 1;
            t[k] = tt < N ? z[tt] : F16{};
          }
          transpose16(t);
          for (int l = 0; l < 16; ++l) {
            const long u = (b0 + 16 * h + l) * J + q;
            const long cnt = std::min<long>(std::min<long>(16, J - q), count - u);
            const F16 v = h ? -t[l] : t[l];
            for (long k = 0; k < cnt; ++k) y[ph + (u + k) * L] = v[k];
          }
        }
      }
    }
  }
}

// xp[m·R + e] = x[(s0 + e)·M + m] (zero outside the clip): the M input phases of one batch, each
// contiguous so the blocks load 16 samples at a time. K = M as a constant (2, 3, 4) lets the compiler
// vectorise the strided loads; K = 0 is any M.
template <int K>
__attribute__((always_inline)) inline void split_phases(const float* __restrict x, long n, long M_, long s0, long R, float* __restrict xp) {
  const long M = K ? K : M_;
  const long ea = std::clamp(-s0, 0L, R), eb = std::clamp(n / M - s0, ea, R);  // every phase inside the clip
  for (long m = 0; m < M; ++m)
    for (long e = 0; e < ea; ++e) xp[m * R + e] = 0.0f;  // s < 0
  for (long e = ea; e < eb; ++e)
    for (long m = 0; m < M; ++m) xp[m * R + e] = x[(s0 + e) * M + m];
  for (long m = 0; m < M; ++m) {
    const long ec = std::clamp((n - m + M - 1) / M - s0, eb, R);  // phase m's samples end
    for (long e = eb; e < ec; ++e) xp[m * R + e] = x[(s0 + e) * M + m];
    std::fill(xp + m * R + ec, xp + m * R + R, 0.0f);
  }
}

// Integer decimation (L = 1, M ≥ 2; 48 → 16 kHz is M = 3) in polyphase form. Convolving at the input
// rate and keeping every M-th output (poly_fft's form, which 48 → 16 kHz used) throws two thirds of
// each inverse away; here output j = Σ_m Σ_e c_m[e]·x_m[j + dlo + e] over the input phases x_m[s] =
// x[sM + m] and sub-filters c_m (≈ width/M taps, fft_plan), all at the output rate. Per block: M
// forward transforms of length N (one per phase), each times its G_m, summed, and ONE inverse gives
// N − S + 1 outputs, none discarded: 4 transforms of N = 1024 per 817 outputs at 48 → 16 kHz, where the
// input-rate form took 2 of 4096 per 1158. Same 32 blocks per batch in 16 lanes (re/im), inverse by
// conjugation, 1/N in G. Output j sits at x[(j + c)·M] (c > 0: the cascade's zero-padded 48 kHz signal).
__attribute__((target_clones("avx512f", "avx2", "default")))
void poly_dec(const float* x, long n, float* y, long outLen, long M, int W, int width, const float* table, long c = 0) {
  const FftPlan& p = fft_plan(1, M, W, width, table, true);
  const int N = p.N, S = p.S;
  const long J = N - S + 1;  // outputs per block: output q of a block is the convolution at t = q + S − 1
  const long R = 31 * J + N; // phase samples a batch reads: block l starts at l·J
  const long blocks = (outLen + J - 1) / J;
  thread_local std::vector<float> buf;
  buf.resize(static_cast<size_t>(N) * 64 + M * R + 16);
  V16* re = reinterpret_cast<V16*>((reinterpret_cast<uintptr_t>(buf.data()) + 63) & ~static_cast<uintptr_t>(63));
  V16* im = re + N;
  V16* ar = im + N;  // Σ_m conj(Z_m·G_m), bit-reversed as the forward transforms leave it and fft_lanes takes it
  V16* ai = ar + N;
  float* xp = reinterpret_cast<float*>(ai + N);
  for (long b0 = 0; b0 < blocks; b0 += 32) {
    const long s0 = b0 * J + p.dlo + c;  // phase sample at block b0's point 0
    if (M == 2) split_phases<2>(x, n, M, s0, R, xp);
    else if (M == 3) split_phases<3>(x, n, M, s0, R, xp);
    else if (M == 4) split_phases<4>(x, n, M, s0, R, xp);
    else split_phases<0>(x, n, M, s0, R, xp);
    for (long m = 0; m < M; ++m) {
      // Phase m of blocks b0 .. b0 + 15 into the real lanes, of the next 16 into the imaginary ones.
      const float* xm = xp + m * R;
      for (int h = 0; h < 2; ++h) {
        V16* z = h ? im : re;
        for (int i = 0; i < N; i += 16) {
          F16 t[16];
          for (int l = 0; l < 16; ++l) std::memcpy(&t[l], xm + (16 * h + l) * J + i, sizeof t[l]);
          transpose16(t);
          std::memcpy(z + i, t, sizeof t);
        }
      }
      fft_lanes_dif(p, re, im);
      const float* gr = p.gr.data() + m * N;
      const float* gi = p.gi.data() + m * N;
      if (m == 0)
        for (int k = 0; k < N; ++k) {
          const V16 zr = re[k], zi = im[k];
          ar[k] = zr * gr[k] - zi * gi[k];
          ai[k] = -(zr * gi[k] + zi * gr[k]);
        }
      else
        for (int k = 0; k < N; ++k) {
          const V16 zr = re[k], zi = im[k];
          ar[k] += zr * gr[k] - zi * gi[k];
          ai[k] -= zr * gi[k] + zi * gr[k];
        }
    }
    fft_lanes(p, ar, ai);
    // Result = conj(FFT(conj(Y))): block b0 + l is lane l of ar (l < 16), of −ai (l ≥ 16); transposed
    // back so each block's outputs are stored 16 at a time.
    for (int h = 0; h < 2; ++h) {
      const V16* z = h ? ai : ar;
      for (long q = 0; q < J; q += 16) {
        F16 t[16];
        for (int k = 0; k < 16; ++k) t[k] = q + S - 1 + k < N ? z[q + S - 1 + k] : F16{};
        transpose16(t);
        for (int l = 0; l < 16; ++l) {
          const long j = (b0 + 16 * h + l) * J + q;
          const long cnt = std::min<long>(std::min<long>(16, J - q), outLen - j);
          const F16 v = h ? -t[l] : t[l];
          if (cnt == 16) std::memcpy(y + j, &v, sizeof v);
          else for (long k = 0; k < cnt; ++k) y[j + k] = v[k];
        }
      }
    }
  }
}

void poly(const float* x, long n, float* y, long outLen, long L, long M, long P, int W, int width, const float* table) {
  if (P != L) return poly_rows(x, n, y, outLen, L, M, P, W, width, table);
  // FFT when the phases are few, the filter long and the clip holds at least a block of outputs per
  // phase (short clips, most monitor chunks: direct). At the threshold (832 outputs at 48 → 16 kHz) one
  // poly_dec batch already takes half the time of the direct loop (40 against 80 µs).
  if (L == 1 && M >= 2 && width >= 128 && outLen >= 4 * width / M) return poly_dec(x, n, y, outLen, M, W, width, table);
  if (L > 1 && L <= 4 && width >= 128 && outLen >= 4 * width * L / M) return poly_fft(x, n, y, outLen, L, M, W, width, table);
  poly_phases(x, n, y, outLen, L, M, W, width, table);
}

// Two stages for ratios of 2 or more whose direct plan has many phases (44.1 → 16 kHz: L = 160,
// ≈ 560 taps per output, and no FFT form; clips under 0.1 s since ResampleCascade below, and 88.2 kHz
// input): a half-band filter first halves the rate (22.05 kHz), then the polyphase loop runs the
// (from/2 → to) plan, whose taps are half as many per output — what soxr
// does too. Both filters are designed to the same specification as the direct plan (resample-design.ts
// planHalfband), so the result equals the single-stage reference to ≈ 1e-7 of full scale (test: native
// = JS reference within 1e-5; the stop-band test measures the cascade).
// half[q] is the tap at offsets ±(2q + 1); the centre tap is 0.5 and the other even taps are zero.
__attribute__((target_clones("avx512f", "avx2", "default")))
void halfband(const float* x, long n, const float* half, int Q, float* z, long K) {
  // z[k] = 0.5·x[2i] + Σ_q half[q]·(x[2i + 2q + 1] + x[2i − 2q − 1]), i = k − Q: from the even and odd
  // samples, each zero-padded, so 16 consecutive k read contiguous memory.
  thread_local std::vector<float> ev, od;
  const long pad = 2 * Q + 32, m = (n + 1) / 2 + 2 * pad;
  ev.resize(m);
  od.resize(m);
  const long ne = (n + 1) / 2, no = n / 2;  // even and odd sample counts
  // Only the padding is zeroed: the middle is overwritten anyway (one pass over memory, not two).
  std::fill(ev.begin(), ev.begin() + pad, 0.0f);
  std::fill(ev.begin() + pad + ne, ev.end(), 0.0f);
  std::fill(od.begin(), od.begin() + pad, 0.0f);
  std::fill(od.begin() + pad + no, od.end(), 0.0f);
  float* evp = ev.data() + pad;
  float* odp = od.data() + pad;
  for (long i = 0; i < no; ++i) evp[i] = x[2 * i], odp[i] = x[2 * i + 1];
  if (ne > no) evp[no] = x[n - 1];
  const float* e = ev.data() + pad - Q;  // e[k] = even sample i = k − Q
  const float* o = od.data() + pad - Q;
  long k = 0;
  for (; k + 16 <= K; k += 16) {
    F16 acc, a, b;
    std::memcpy(&acc, e + k, sizeof acc);
    acc *= 0.5f;
    for (int q = 0; q < Q; ++q) {
      std::memcpy(&a, o + k + q, sizeof a);
      std::memcpy(&b, o + k - q - 1, sizeof b);
      acc += (a + b) * half[q];
    }
    std::memcpy(z + k, &acc, sizeof acc);
  }
  for (; k < K; ++k) {
    float acc = 0.5f * e[k];
    for (int q = 0; q < Q; ++q) acc += (o[k + q] + o[k - q - 1]) * half[q];
    z[k] = acc;
  }
}

// resampleHalfPoly32(x, out, half: Float32Array(Q), L, M, P, W, width, table): the (from/2 → to) plan.
Napi::Value ResampleHalfPoly(const Napi::CallbackInfo& info);

template <typename T>
T* typed(const Napi::CallbackInfo& info, size_t i, const char* name, napi_typedarray_type type, size_t need) {
  if (i >= info.Length() || !info[i].IsTypedArray() || info[i].As<Napi::TypedArray>().TypedArrayType() != type)
    throw Napi::TypeError::New(info.Env(), std::string("resamplePoly32: ") + name + " has the wrong type");
  auto a = info[i].As<Napi::TypedArray>();
  if (a.ElementLength() < need)
    throw Napi::RangeError::New(info.Env(), std::string("resamplePoly32: ") + name + " is too short");
  return reinterpret_cast<T*>(static_cast<uint8_t*>(a.ArrayBuffer().Data()) + a.ByteOffset());
}

long num(const Napi::CallbackInfo& info, size_t i, const char* name, long min) {
  if (i >= info.Length() || !info[i].IsNumber()) throw Napi::TypeError::New(info.Env(), std::string("resamplePoly32: ") + name + " must be a number");
  const double v = info[i].As<Napi::Number>().DoubleValue();
  if (!(v >= min) || v > 9.0e15 || v != static_cast<double>(static_cast<long>(v)))
    throw Napi::RangeError::New(info.Env(), std::string("resamplePoly32: ") + name + " must be an integer ≥ " + std::to_string(min));
  return static_cast<long>(v);
}

// resamplePoly32(x: Float32Array, out: Float32Array, L, M, P (phases in table), W, width (multiple of 16), table: Float32Array(P·width))
Napi::Value ResamplePoly(const Napi::CallbackInfo& info) {
  const long L = num(info, 2, "L", 1), M = num(info, 3, "M", 1), P = num(info, 4, "P", 1);
  const long W = num(info, 5, "W", 0), width = num(info, 6, "width", 16);
  if (width % 16 != 0 || width < 2 * W + 2) throw Napi::RangeError::New(info.Env(), "resamplePoly32: width must be a multiple of 16 and ≥ 2W + 2");
  if (P > L) throw Napi::RangeError::New(info.Env(), "resamplePoly32: P must be ≤ L");
  if (!info[0].IsTypedArray() || !info[1].IsTypedArray()) throw Napi::TypeError::New(info.Env(), "resamplePoly32: x and out must be Float32Arrays");
  const long n = static_cast<long>(info[0].As<Napi::TypedArray>().ElementLength());
  const long outLen = static_cast<long>(info[1].As<Napi::TypedArray>().ElementLength());
  const float* x = typed<float>(info, 0, "x", napi_float32_array, n);
  float* y = typed<float>(info, 1, "out", napi_float32_array, outLen);
  const float* table = typed<float>(info, 7, "table", napi_float32_array, static_cast<size_t>(P * width));
  poly(x, n, y, outLen, L, M, P, static_cast<int>(W), static_cast<int>(width), table);
  return info.Env().Undefined();
}

Napi::Value ResampleHalfPoly(const Napi::CallbackInfo& info) {
  const long L = num(info, 3, "L", 1), M = num(info, 4, "M", 1), P = num(info, 5, "P", 1);
  const long W = num(info, 6, "W", 0), width = num(info, 7, "width", 16);
  if (width % 16 != 0 || width < 2 * W + 2) throw Napi::RangeError::New(info.Env(), "resampleHalfPoly32: width must be a multiple of 16 and ≥ 2W + 2");
  if (P != L) throw Napi::RangeError::New(info.Env(), "resampleHalfPoly32: P must equal L (exact phases)");
  if (!info[0].IsTypedArray() || !info[1].IsTypedArray() || !info[2].IsTypedArray())
    throw Napi::TypeError::New(info.Env(), "resampleHalfPoly32: x, out and half must be Float32Arrays");
  const long n = static_cast<long>(info[0].As<Napi::TypedArray>().ElementLength());
  const long outLen = static_cast<long>(info[1].As<Napi::TypedArray>().ElementLength());
  const long Q = static_cast<long>(info[2].As<Napi::TypedArray>().ElementLength());
  if (Q < 1 || Q > 4096) throw Napi::RangeError::New(info.Env(), "resampleHalfPoly32: half must hold 1 to 4096 taps");
  const float* x = typed<float>(info, 0, "x", napi_float32_array, n);
  float* y = typed<float>(info, 1, "out", napi_float32_array, outLen);
  const float* half = typed<float>(info, 2, "half", napi_float32_array, Q);
  const float* table = typed<float>(info, 8, "table", napi_float32_array, static_cast<size_t>(P * width));
  // Half-rate signal z[k] at input time 2(k − Q): everything the cascade can make non-zero, so stage
  // two sees the zero-padded signal exactly as the single-stage loop does.
  const long K = Q + (n + 1) / 2 + Q + 1;
  thread_local std::vector<float> z;
  z.resize(K);
  halfband(x, n, half, static_cast<int>(Q), z.data(), K);
  poly_phases(z.data(), K, y, outLen, L, M, static_cast<int>(W), static_cast<int>(width), table, Q);
  return info.Env().Undefined();
}

// The blocks for one table, built once per thread (like fft_plan; a build costs ≈ 7 µs, a 1 s clip's
// stage 1 ≈ 20 µs). Per block: its first input (relative to the super-period's start) and its taps,
// trimmed to the columns some lane uses (the Kaiser window leaves a row's outer taps zero); D the widest.
struct ShortPlan {
  long L = 0, M = 0, Ps = 0, Ms = 0, nb = 0, D = 0;
  int W = -1, width = 0;
  std::vector<float> rows;  // the taps this plan was built for (content-checked on reuse)
  std::vector<long> lo;
  std::vector<float> cbuf;  // nb·D coefficient vectors, 64-byte aligned from coef()
  const F16* coef() const { return reinterpret_cast<const F16*>((reinterpret_cast<uintptr_t>(cbuf.data()) + 63) & ~static_cast<uintptr_t>(63)); }
};

const ShortPlan& short_plan(long L, long M, int W, int width, const float* table) {
  constexpr int kPlans = 4;
  thread_local ShortPlan cache[kPlans];
  thread_local int next = 0;
  const size_t taps = static_cast<size_t>(L) * width;
  for (const ShortPlan& p : cache)
    if (p.L == L && p.M == M && p.W == W && p.width == width && std::memcmp(p.rows.data(), table, sizeof(float) * taps) == 0) return p;
  ShortPlan& p = cache[next];
  next = (next + 1) % kPlans;
  p.L = L, p.M = M, p.W = W, p.width = width;
  p.rows.assign(table, table + taps);
  long g = L, h = 16;
  while (h) g %= h, std::swap(g, h);
  p.Ps = L / g * 16, p.Ms = p.Ps / L * M, p.nb = p.Ps / 16;
  const long nb = p.nb;
  const auto i0 = [&](long q) { return q * M / L; };
  std::vector<long> dfirst(nb), dlast(nb);
  p.D = 1;
  for (long b = 0; b < nb; ++b) {
    dfirst[b] = 1L << 40, dlast[b] = -1;
    for (int l = 0; l < 16; ++l) {
      const long q = 16 * b + l, rel = i0(q) - i0(16 * b), row = q * M % L;
      for (int k = 0; k < width; ++k)
        if (table[row * width + k] != 0.0f) dfirst[b] = std::min(dfirst[b], rel + k), dlast[b] = std::max(dlast[b], rel + k);
    }
    if (dlast[b] < 0) dfirst[b] = dlast[b] = 0;
    p.D = std::max(p.D, dlast[b] - dfirst[b] + 1);
  }
  const long D = p.D;
  p.lo.resize(nb);
  p.cbuf.assign(static_cast<size_t>(nb * D) * 16 + 16, 0.0f);
  F16* C = const_cast<F16*>(p.coef());
  for (long b = 0; b < nb; ++b) {
    p.lo[b] = i0(16 * b) - W + dfirst[b];
    for (int l = 0; l < 16; ++l) {
      const long q = 16 * b + l, rel = i0(q) - i0(16 * b) - dfirst[b], row = q * M % L;
      for (long d = 0; d < D; ++d)
        if (d - rel >= 0 && d - rel < width) C[b * D + d][l] = table[row * width + d - rel];
    }
  }
  return p;
}

// A short filter at many phases (the cascade's first stage: 14 taps, L = 160 at 44.1 → 48 kHz).
// poly_phases computes each output along its taps and spends more on summing its 16 lanes and storing
// them one by one than on the taps (0.73 ms per 10 s clip at 44.1 → 48 kHz). Here 16 consecutive
// outputs are the lanes instead: output q0 + l is Σ_d C[d][l]·x[lo + d] over the D inputs the block
// spans (28 at 44.1 kHz: 14 taps plus the block's advance), C the block's taps rearranged (lane l holds
// its row shifted by its own i0 offset, zeros elsewhere): one broadcast FMA per input and one vector
// store per 16 outputs (0.18 ms). The output pattern repeats every Ps = lcm(L, 16) outputs (Ms inputs),
// so Ps/16 coefficient blocks serve the whole clip. Output q sits at input time off + q·M/L; input
// outside [0, n) is zero.
__attribute__((target_clones("avx512f", "avx2", "default")))
void poly_short(const float* x, long n, float* y, long outLen, long L, long M, int W, int width, const float* table, long off) {
  const ShortPlan& p = short_plan(L, M, W, width, table);
  const long Ps = p.Ps, Ms = p.Ms, nb = p.nb, D = p.D;
  const F16* C = p.coef();
  const long* lo = p.lo.data();
  // kV super-periods per block at once: independent FMA chains that share each coefficient load; their
  // inputs (kV·Ms + D samples) stay in L1 across the blocks.
  constexpr int kV = 8;
  const long periods = (outLen + Ps - 1) / Ps;
  for (long v0 = 0; v0 < periods; v0 += kV) {
    for (long b = 0; b < nb; ++b) {
      const F16* c = C + b * D;
      const long first = off + v0 * Ms + lo[b];  // input of tap column 0, super-period v0
      const long q0 = v0 * Ps + 16 * b;
      if (v0 + kV <= periods && first >= 0 && first + (kV - 1) * Ms + D <= n && q0 + (kV - 1) * Ps + 16 <= outLen) {
        F16 acc[kV] = {};
        for (long d = 0; d < D; ++d) {
          const F16 cd = c[d];
          for (int v = 0; v < kV; ++v) acc[v] += cd * x[first + v * Ms + d];
        }
        for (int v = 0; v < kV; ++v) std::memcpy(y + q0 + v * Ps, &acc[v], sizeof acc[v]);
      } else {  // clip edges and the last super-periods: the same sums, inputs bounds-checked
        for (long v = 0; v < kV && v0 + v < periods; ++v) {
          const long f = first + v * Ms, q = q0 + v * Ps;
          if (q >= outLen) break;
          F16 acc = {};
          for (long d = 0; d < D; ++d)
            if (f + d >= 0 && f + d < n) acc += c[d] * x[f + d];
          const long cnt = std::min<long>(16, outLen - q);
          for (long l = 0; l < cnt; ++l) y[q + l] = acc[l];
        }
      }
    }
  }
}

// resampleCascade32(x, out, L1, M1, W1, width1, table1, M2, W2, width2, table2): from → 48 kHz → to
// (resample-design.ts planCascade) for rates whose direct plan has many phases (44.1, 22.05 kHz → 16 kHz:
// L = 160, 320). Stage 1 (from → 48 kHz, L1/M1 = 160/147 or 320/147, poly_short) is a short filter
// (14 or 8 taps) that keeps 0 – to/2 flat and removes only the images that would fold there at 48 kHz;
// stage 2 is the single-stage kernel sampled at 48 kHz, an integer decimation (M2 = 3) that poly_dec runs
// by FFT. Output j sits at 48 kHz sample j·M2, i.e. at input time j·from/to as in the single-stage
// reference. 10 s at 44.1 kHz: 0.18 + 0.37 ms, where the half-band path took 1.5 ms.
Napi::Value ResampleCascade(const Napi::CallbackInfo& info) {
  const long L1 = num(info, 2, "L1", 1), M1 = num(info, 3, "M1", 1), W1 = num(info, 4, "W1", 0), width1 = num(info, 5, "width1", 16);
  const long M2 = num(info, 7, "M2", 2), W2 = num(info, 8, "W2", 0), width2 = num(info, 9, "width2", 16);
  if (width1 % 16 != 0 || width1 < 2 * W1 + 2 || width2 % 16 != 0 || width2 < 2 * W2 + 2)
    throw Napi::RangeError::New(info.Env(), "resampleCascade32: widths must be multiples of 16 and ≥ 2W + 2");
  if (L1 > 4096 || M1 > 65536 || M2 > 4096) throw Napi::RangeError::New(info.Env(), "resampleCascade32: L1, M1 or M2 out of range");
  if (!info[0].IsTypedArray() || !info[1].IsTypedArray()) throw Napi::TypeError::New(info.Env(), "resampleCascade32: x and out must be Float32Arrays");
  const long n = static_cast<long>(info[0].As<Napi::TypedArray>().ElementLength());
  const long outLen = static_cast<long>(info[1].As<Napi::TypedArray>().ElementLength());
  const float* x = typed<float>(info, 0, "x", napi_float32_array, n);
  float* y = typed<float>(info, 1, "out", napi_float32_array, outLen);
  const float* table1 = typed<float>(info, 6, "table1", napi_float32_array, static_cast<size_t>(L1 * width1));
  const float* table2 = typed<float>(info, 10, "table2", napi_float32_array, static_cast<size_t>(width2));
  if (outLen == 0) return info.Env().Undefined();
  // z[q] is 48 kHz sample k = q + kz (input time k·M1/L1). kz ≤ 0 reaches back to where stage 1 can first
  // be non-zero (the zero-padded clip as the reference sees it) and is a multiple of L1 (poly_short's
  // input offset kz·M1/L1 is then an integer, phases unchanged) and of M2 (output j reads z around
  // (j − kz/M2)·M2). z ends where stage 2's last output or stage 1's support ends.
  const long lcm = std::lcm(L1, M2), reach = (W1 + 2) * L1 / M1 + 1;
  const long kz = -((reach + lcm - 1) / lcm) * lcm;
  const long khi = std::min((outLen - 1) * M2 + W2 + 1, (n + W1 + 1) * L1 / M1 + 1);
  const long K = std::max(khi - kz + 1, 1L);
  thread_local std::vector<float> zkeep;
  std::vector<float> zlong;
  std::vector<float>& z = K <= (1L << 22) ? zkeep : zlong;  // over 87 s: freed on return, not kept per thread
  z.resize(K);
  poly_short(x, n, z.data(), K, L1, M1, static_cast<int>(W1), static_cast<int>(width1), table1, kz / L1 * M1);
  poly_dec(z.data(), K, y, outLen, M2, static_cast<int>(W2), static_cast<int>(width2), table2, -kz / M2);
  return info.Env().Undefined();
}

affexion::Registrar reg([](Napi::Env env, Napi::Object exports) {
  exports.Set("resamplePoly32", Napi::Function::New(env, ResamplePoly));
  exports.Set("resampleHalfPoly32", Napi::Function::New(env, ResampleHalfPoly));
  exports.Set("resampleCascade32", Napi::Function::New(env, ResampleCascade));
});

}  // namespace
