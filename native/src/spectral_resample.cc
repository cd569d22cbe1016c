// Polyphase resampling for audio loading (src/audio/resample.ts designs the filter and has the JS
// reference). Native because librosa-grade filters are long (~250–550 taps per output sample): the
// wasm libsamplerate we used first took over a second per 10 s clip at 48 kHz, this takes milliseconds.
//
// Output j sits at input time j·M/L. Its phase row of the coefficient table holds taps k = −W .. W+1
// around i0 = ⌊j·M/L⌋ (padded with zeros to a multiple of 16); input outside [0, n) is zero.
// Products are summed in float32, 16 partial sums per output (error ~1e-7 of the output, far below
// the 16-bit input's resolution and soxr's own float32 arithmetic), twice the speed of float64.
// Integer decimation with a long filter (48 → 16 kHz) goes through FFT overlap-save instead (below).
#include <napi.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <string>
#include <algorithm>
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

// Few phases (L ≤ 4: 48 → 16 kHz is L = 1, M = 3; 8 → 16 kHz is L = 2, M = 1) with a long filter run
// by FFT overlap-save: the 200–600-tap filter costs O(log N) per sample in the frequency domain instead
// of O(taps) (soxr does the same). Phase p's outputs j = p + uL are the convolution of x with that
// phase's row at t = u·M + i0(p) + D: one forward transform per block serves all L phases, then one
// product and inverse transform per phase. Same taps, same alignment as the direct loop; float32 FFTs
// add ≈ 1e-6 of the signal's scale (test: native = JS reference within 1e-5; golden SNR unchanged).
// 32 blocks per batch: 16 SIMD lanes, each carrying two real blocks as the real and imaginary parts of
// one complex transform (the filters are real, so the two convolutions do not mix).
typedef float V16 __attribute__((vector_size(64)));

struct FftPlan {
  int N = 0, logN = 0, width = 0;
  long L = 0, M = 0;
  std::vector<float> rows;          // the taps this plan was built for (content-checked on reuse)
  std::vector<int> bitrev;
  std::vector<float> c, sn;         // cos / sin (2π k / N), k < N/2
  std::vector<float> gr, gi;        // per phase: spectrum of the reversed taps, zero-padded to N, divided by N
};

FftPlan& fft_plan(long L, long M, int width, const float* table) {
  thread_local FftPlan p;
  const size_t taps = static_cast<size_t>(L) * width;
  if (p.L == L && p.M == M && p.width == width && std::memcmp(p.rows.data(), table, sizeof(float) * taps) == 0) return p;
  p.L = L;
  p.M = M;
  p.width = width;
  p.rows.assign(table, table + taps);
  p.N = 1024;
  while (p.N < 4 * width) p.N *= 2;
  p.logN = 0;
  while ((1 << p.logN) < p.N) ++p.logN;
  const int N = p.N;
  p.bitrev.resize(N);
  for (int i = 0; i < N; ++i) {
    int r = 0;
    for (int b = 0; b < p.logN; ++b) r |= ((i >> b) & 1) << (p.logN - 1 - b);
    p.bitrev[i] = r;
  }
  p.c.resize(N / 2);
  p.sn.resize(N / 2);
  for (int k = 0; k < N / 2; ++k) {
    p.c[k] = static_cast<float>(std::cos(2.0 * M_PI * k / N));
    p.sn[k] = static_cast<float>(std::sin(2.0 * M_PI * k / N));
  }
  // G[f] = Σ_m g[m] e^{−2πi f m / N}, g[m] = row[width − 1 − m]; direct DFT in double, once per plan.
  p.gr.resize(static_cast<size_t>(L) * N);
  p.gi.resize(static_cast<size_t>(L) * N);
  std::vector<double> cosN(N), sinN(N);  // e^{−2πi k/N} by index: no trigonometry in the O(N·width) loop
  for (int k = 0; k < N; ++k) cosN[k] = std::cos(2.0 * M_PI * k / N), sinN[k] = -std::sin(2.0 * M_PI * k / N);
  for (long ph = 0; ph < L; ++ph) {
    const float* row = table + ph * width;
    for (int f = 0; f < N; ++f) {
      double re = 0, im = 0;
      for (int m = 0, k = 0; m < width; ++m, k = (k + f) & (N - 1)) {
        re += row[width - 1 - m] * cosN[k];
        im += row[width - 1 - m] * sinN[k];
      }
      p.gr[ph * N + f] = static_cast<float>(re / N);
      p.gi[ph * N + f] = static_cast<float>(im / N);
    }
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

// In-place radix-2 DIT FFT of 16 lanes, input already in bit-reversed order; sign −1 (forward). The
// passes of span < kChunk stay inside chunks of kChunk points (32 kB of re + im: L1), so they run chunk
// by chunk instead of sweeping the whole 512 kB (N = 4096) once per pass through L2. Same butterflies
// in the same order per point: results are unchanged.
constexpr int kChunk = 256;
__attribute__((always_inline)) inline void fft_lanes(const FftPlan& p, V16* re, V16* im) {
  const int N = p.N, chunk = std::min(N, kChunk);
  for (int lo = 0; lo < N; lo += chunk)
    for (int half = 1; half < chunk; half <<= 1) fft_pass(p, re, im, half, lo, lo + chunk);
  for (int half = chunk; half < N; half <<= 1) fft_pass(p, re, im, half, 0, N);
}

__attribute__((target_clones("avx512f", "avx2", "default")))
void poly_fft(const float* x, long n, float* y, long outLen, long L, long M, int W, int width, const float* table) {
  const FftPlan& p = fft_plan(L, M, width, table);
  const int N = p.N;
  const long i0max = (L - 1) * M / L;
  const long J = (N - width - i0max) / M + 1;  // periods (outputs per phase) per block
  const long D = width - 1 - W;                // output (p, u) is phase p's convolution at t = u·M + i0(p) + D
  const long periods = (outLen + L - 1) / L;
  // Aligned by hand: std::vector<V16> does not promise 64-byte alignment with every allocator.
  thread_local std::vector<float> buf;
  buf.resize(static_cast<size_t>(N) * (L == 1 ? 32 : 64) + 16);
  V16* re = reinterpret_cast<V16*>((reinterpret_cast<uintptr_t>(buf.data()) + 63) & ~static_cast<uintptr_t>(63));
  V16* im = re + N;
  V16* pr = im + N;  // one phase's product (L > 1: the forward spectrum is kept for the next phase)
  V16* pi = pr + N;  // (L = 1: in place, pr = re)
  const long blocks = (periods + J - 1) / J;
  for (long b0 = 0; b0 < blocks; b0 += 32) {
    long start[32];
    for (int l = 0; l < 32; ++l) start[l] = (b0 + l) * J * M + D - (width - 1);  // x index of block sample 0
    for (int i = 0; i < N; ++i) {
      V16 a, c;
      for (int l = 0; l < 16; ++l) {
        const long ia = start[l] + i, ic = start[l + 16] + i;
        a[l] = ia >= 0 && ia < n ? x[ia] : 0.0f;
        c[l] = ic >= 0 && ic < n ? x[ic] : 0.0f;
      }
      re[p.bitrev[i]] = a;
      im[p.bitrev[i]] = c;
    }
    fft_lanes(p, re, im);
    for (long ph = 0; ph < L; ++ph) {
      const float* gr = p.gr.data() + ph * N;
      const float* gi = p.gi.data() + ph * N;
      // Multiply by G, conjugate (inverse through the forward transform), in bit-reversed order. One
      // phase (L = 1) works in place: a second N × 32 buffer would double the working set (1 MB at
      // N = 4096, the size of L2).
      if (L == 1) {
        pr = re, pi = im;
        for (int k = 0; k < N; ++k) {
          const V16 zr = re[k], zi = im[k];
          re[k] = zr * gr[k] - zi * gi[k];
          im[k] = -(zr * gi[k] + zi * gr[k]);
        }
        for (int i = 0; i < N; ++i) {
          const int r = p.bitrev[i];
          if (i < r) std::swap(re[i], re[r]), std::swap(im[i], im[r]);
        }
      } else {
        for (int k = 0; k < N; ++k) {
          const V16 zr = re[k], zi = im[k];
          const int r = p.bitrev[k];
          pr[r] = zr * gr[k] - zi * gi[k];
          pi[r] = -(zr * gi[k] + zi * gr[k]);
        }
      }
      fft_lanes(p, pr, pi);
      // Result = conj(FFT(conj(Z))): real lanes = pr, imaginary lanes = −pi (G already holds the 1/N).
      const long i0 = ph * M / L;
      for (int l = 0; l < 32; ++l) {
        const long u0 = (b0 + l) * J;
        for (long q = 0; q < J; ++q) {
          const long j = ph + (u0 + q) * L;
          if (j >= outLen) break;
          const long t = q * M + i0 + width - 1;
          y[j] = l < 16 ? pr[t][l] : -pi[t][l - 16];
        }
      }
    }
  }
}

void poly(const float* x, long n, float* y, long outLen, long L, long M, long P, int W, int width, const float* table) {
  if (P != L) return poly_rows(x, n, y, outLen, L, M, P, W, width, table);
  // FFT when the phases are few, the filter long and the clip holds at least a block of outputs per
  // phase (short clips, most monitor chunks: direct).
  if (L <= 4 && (L > 1 || M >= 2) && width >= 128 && outLen >= 4 * width * L / M) return poly_fft(x, n, y, outLen, L, M, W, width, table);
  poly_phases(x, n, y, outLen, L, M, W, width, table);
}

// Two stages for ratios of 2 or more whose direct plan has many phases (44.1 → 16 kHz: L = 160,
// ≈ 560 taps per output, and no FFT form): a half-band filter first halves the rate (22.05 kHz), then
// the polyphase loop runs the (from/2 → to) plan, whose taps are half as many per output — what soxr
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

affexion::Registrar reg([](Napi::Env env, Napi::Object exports) {
  exports.Set("resamplePoly32", Napi::Function::New(env, ResamplePoly));
  exports.Set("resampleHalfPoly32", Napi::Function::New(env, ResampleHalfPoly));
});

}  // namespace
