// Power spectrogram for the feature pipeline (src/features/stft.ts has the JS reference and the maths).
// Ours rather than a library: the FFT must run in float64 (librosa's precision; the log of small
// powers is sensitive) and the speed target (a 10 s clip in a few ms) calls for transforming 8 frames
// at once, one frame per SIMD lane, which no FFT library packaged for node-gyp offers.
//
// Real FFT of size N = complex FFT of size M = N/2 on z[m] = x[2m] + i·x[2m+1] (iterative radix-2,
// bit-reversed load, precomputed twiddles), then the standard split into the N/2+1 real-input bins.
#include <napi.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "registry.h"

#pragma GCC diagnostic ignored "-Wpsabi"  // vector types never cross a non-inlined call boundary by value

namespace {

constexpr int kLanes = 8;  // frames per batch: one AVX-512 register of doubles

struct Plan {
  int n = 0, m = 0, log2m = 0;
  std::vector<double> window;          // periodic Hann, length n
  std::vector<int> bitrev;             // length m
  std::vector<double> cosT, sinT;      // e^{-2πi k/m} = cosT[k] - i sinT[k], k < m/2
  std::vector<double> splitC, splitS;  // e^{-2πi k/n}, k ≤ m
};

Plan make_plan(int n) {
  Plan p;
  p.n = n;
  p.m = n / 2;
  while ((1 << p.log2m) < p.m) ++p.log2m;
  p.window.resize(n);
  for (int i = 0; i < n; ++i) p.window[i] = 0.5 - 0.5 * std::cos((2.0 * M_PI * i) / n);
  p.bitrev.resize(p.m);
  for (int i = 0; i < p.m; ++i) {
    int r = 0;
    for (int b = 0; b < p.log2m; ++b) r |= ((i >> b) & 1) << (p.log2m - 1 - b);
    p.bitrev[i] = r;
  }
  p.cosT.resize(p.m / 2 + 1);
  p.sinT.resize(p.m / 2 + 1);
  for (int k = 0; k <= p.m / 2; ++k) {
    p.cosT[k] = std::cos((2.0 * M_PI * k) / p.m);
    p.sinT[k] = std::sin((2.0 * M_PI * k) / p.m);
  }
  p.splitC.resize(p.m + 1);
  p.splitS.resize(p.m + 1);
  for (int k = 0; k <= p.m; ++k) {
    p.splitC[k] = std::cos((2.0 * M_PI * k) / n);
    p.splitS[k] = std::sin((2.0 * M_PI * k) / n);
  }
  return p;
}

// Eight doubles: one frame per lane. GCC's vector extension keeps the code portable; the
// target_clones below compile it to AVX-512 / AVX2 / SSE2 and pick the best at load time.
typedef double V __attribute__((vector_size(kLanes * 8)));
typedef float VF __attribute__((vector_size(kLanes * 4)));

/** Mel filterbank by FFT bin: entries binOffsets[k] .. binOffsets[k+1] − 1 give (band, weight). */
struct MelSpec {
  const int32_t* binOffsets;
  const int32_t* binBand;
  const float* binWeight;
  int nMels;
};

// One batch of up to kLanes frames starting at frame t0. re/im: m work vectors each.
__attribute__((target_clones("avx512f", "avx2", "default")))
void batch(const Plan& p, const float* ypad, int hop, int t0, int count, V* __restrict re,
           V* __restrict im, float* __restrict out, const MelSpec* mel, V* __restrict melAcc, float* __restrict melOut) {
  const int m = p.m, bins = m + 1;
  // Windowed, bit-reversed load from the zero-padded signal (center=True), a whole vector (8 frames)
  // at a time: building it in registers avoids the store-forwarding stalls of per-lane stores.
  long start[kLanes];
  for (int l = 0; l < kLanes; ++l) start[l] = static_cast<long>(t0 + (l < count ? l : 0)) * hop;
  for (int j = 0; j < m; ++j) {
    V a, b;
    for (int l = 0; l < kLanes; ++l) {
      a[l] = ypad[start[l] + 2 * j];
      b[l] = ypad[start[l] + 2 * j + 1];
    }
    const int r = p.bitrev[j];
    re[r] = a * p.window[2 * j];
    im[r] = b * p.window[2 * j + 1];
  }
  // Radix-2 stages fused in pairs (one pass over memory per two stages; same arithmetic as radix-2):
  // stage `half` pairs (a0,a1), (a2,a3) with W_{2h}^j; stage `2·half` pairs (a0,a2), (a1,a3) with
  // W_{4h}^j and W_{4h}^{j+h} = −i·W_{4h}^j. An odd stage count starts with one plain radix-2 pass.
  int half = 1;
  if (p.log2m & 1) {
    for (int i = 0; i < m; i += 2) {
      const V tr = re[i + 1], ti = im[i + 1];
      re[i + 1] = re[i] - tr;
      im[i + 1] = im[i] - ti;
      re[i] += tr;
      im[i] += ti;
    }
    half = 2;
  }
  for (; half < m; half <<= 2) {
    const int s1 = m / (2 * half), s2 = m / (4 * half);
    for (int i = 0; i < m; i += 4 * half) {
      for (int j = 0; j < half; ++j) {
        const double w1r = p.cosT[j * s1], w1i = -p.sinT[j * s1];
        const double w2r = p.cosT[j * s2], w2i = -p.sinT[j * s2];
        const double w3r = w2i, w3i = -w2r;  // −i · w2
        const int a0 = i + j, a1 = a0 + half, a2 = a1 + half, a3 = a2 + half;
        const V r0 = re[a0], i0 = im[a0], r1 = re[a1], i1 = im[a1], r2 = re[a2], i2 = im[a2], r3 = re[a3], i3 = im[a3];
        // stage half
        V tr = w1r * r1 - w1i * i1, ti = w1r * i1 + w1i * r1;
        const V b1r = r0 - tr, b1i = i0 - ti, b0r = r0 + tr, b0i = i0 + ti;
        tr = w1r * r3 - w1i * i3;
        ti = w1r * i3 + w1i * r3;
        const V b3r = r2 - tr, b3i = i2 - ti, b2r = r2 + tr, b2i = i2 + ti;
        // stage 2·half
        tr = w2r * b2r - w2i * b2i;
        ti = w2r * b2i + w2i * b2r;
        re[a0] = b0r + tr; im[a0] = b0i + ti; re[a2] = b0r - tr; im[a2] = b0i - ti;
        tr = w3r * b3r - w3i * b3i;
        ti = w3r * b3i + w3i * b3r;
        re[a1] = b1r + tr; im[a1] = b1i + ti; re[a3] = b1r - tr; im[a3] = b1i - ti;
      }
    }
  }
  // Split: X[k] = (Z[k] + conj Z[m−k]) / 2 − i e^{−2πik/n} (Z[k] − conj Z[m−k]) / 2, Z[m] = Z[0].
  for (int k = 0; k <= m; ++k) {
    const int a = k == m ? 0 : k, b = k == 0 ? 0 : m - k;
    const double c = p.splitC[k], s = p.splitS[k];
    const V zr = re[a], zi = im[a], wr = re[b], wi = -im[b];
    const V er = 0.5 * (zr + wr), ei = 0.5 * (zi + wi);  // even part
    const V dr = 0.5 * (zr - wr), di = 0.5 * (zi - wi);  // odd part times i
    // odd = −i · d; X = even + e^{−iθ} · odd, e^{−iθ} = c − i s.
    const V orr = di, oi = -dr;
    const V xr = er + c * orr + s * oi;
    const V xi = ei + c * oi - s * orr;
    // librosa rounds the spectrum to complex64 and takes |X| and its square in float32.
    const VF fr = __builtin_convertvector(xr, VF), fi = __builtin_convertvector(xi, VF);
    const V dfr = __builtin_convertvector(fr, V), dfi = __builtin_convertvector(fi, V);
    const V sq = dfr * dfr + dfi * dfi;
    V mag;
    for (int l = 0; l < kLanes; ++l) mag[l] = std::sqrt(sq[l]);
    const VF fm = __builtin_convertvector(mag, VF);
    const VF pw = fm * fm;
    if (out) for (int l = 0; l < count; ++l) out[static_cast<long>(t0 + l) * bins + k] = pw[l];
    if (mel) {
      // Mel power as the JS reference sums it: float32 weight × float32 power, in float64, bins ascending.
      const V pd = __builtin_convertvector(pw, V);
      for (int e = mel->binOffsets[k]; e < mel->binOffsets[k + 1]; ++e) melAcc[mel->binBand[e]] += static_cast<double>(mel->binWeight[e]) * pd;
    }
  }
  if (mel) {
    for (int b = 0; b < mel->nMels; ++b) {
      for (int l = 0; l < count; ++l) melOut[static_cast<long>(t0 + l) * mel->nMels + b] = static_cast<float>(melAcc[b][l]);
      melAcc[b] = V{};
    }
  }
}

// log-mel (power_to_db, ref 1) in place over frames × nMels, then the orthonormal DCT-II into mfcc
// (nMfcc × frames, librosa's layout), eight frames per vector.
__attribute__((target_clones("avx512f", "avx2", "default")))
void cepstrum(float* __restrict logMel, int frames, int nMels, const double* __restrict dct, int nMfcc, double amin,
              double topDb, V* __restrict col, float* __restrict mfcc) {
  const long total = static_cast<long>(frames) * nMels;
  float mx = -INFINITY;
  for (long i = 0; i < total; ++i) {
    const double v = static_cast<double>(logMel[i]);
    logMel[i] = static_cast<float>(10.0 * std::log10(v > amin ? v : amin));
    if (logMel[i] > mx) mx = logMel[i];
  }
  if (!std::isnan(topDb)) {
    const float floor = static_cast<float>(static_cast<double>(mx) - topDb);
    for (long i = 0; i < total; ++i)
      if (logMel[i] < floor) logMel[i] = floor;
  }
  for (int t0 = 0; t0 < frames; t0 += kLanes) {
    const int count = frames - t0 < kLanes ? frames - t0 : kLanes;
    for (int b = 0; b < nMels; ++b) {
      V c{};
      for (int l = 0; l < count; ++l) c[l] = logMel[static_cast<long>(t0 + l) * nMels + b];
      col[b] = c;
    }
    for (int k = 0; k < nMfcc; ++k) {
      const double* row = dct + static_cast<long>(k) * nMels;
      V acc{};
      for (int b = 0; b < nMels; ++b) acc += row[b] * col[b];
      for (int l = 0; l < count; ++l) mfcc[static_cast<long>(k) * frames + t0 + l] = static_cast<float>(acc[l]);
    }
  }
}

template <typename T>
T* typed_arg(const Napi::CallbackInfo& info, size_t i, const char* fn, const char* name, napi_typedarray_type type,
             size_t need, bool nullable = false) {
  Napi::Env env = info.Env();
  if (nullable && (i >= info.Length() || info[i].IsNull() || info[i].IsUndefined())) return nullptr;
  if (i >= info.Length() || !info[i].IsTypedArray() || info[i].As<Napi::TypedArray>().TypedArrayType() != type)
    throw Napi::TypeError::New(env, std::string(fn) + ": " + name + " has the wrong type");
  auto arr = info[i].As<Napi::TypedArray>();
  if (arr.ElementLength() < need)
    throw Napi::RangeError::New(env, std::string(fn) + ": " + name + " has " + std::to_string(arr.ElementLength()) +
                                         " elements, needs " + std::to_string(need));
  return reinterpret_cast<T*>(static_cast<uint8_t*>(arr.ArrayBuffer().Data()) + arr.ByteOffset());
}

int int_arg(const Napi::CallbackInfo& info, size_t i, const char* fn, const char* name, int min) {
  if (i >= info.Length() || !info[i].IsNumber()) throw Napi::TypeError::New(info.Env(), std::string(fn) + ": " + name + " must be a number");
  const double v = info[i].As<Napi::Number>().DoubleValue();
  if (!(v >= min) || v > 1e9 || v != static_cast<double>(static_cast<long>(v)))
    throw Napi::RangeError::New(info.Env(), std::string(fn) + ": " + name + " must be an integer ≥ " + std::to_string(min));
  return static_cast<int>(v);
}

using AlignedV = std::unique_ptr<V, decltype(&std::free)>;
AlignedV aligned_vs(Napi::Env env, size_t count) {
  // Over-aligned work vectors (std::vector does not honour the vector type's 64-byte alignment).
  AlignedV p(static_cast<V*>(std::aligned_alloc(64, sizeof(V) * (count ? count : 1))), &std::free);
  if (!p) throw Napi::Error::New(env, "spectral: out of memory");
  for (size_t i = 0; i < count; ++i) p.get()[i] = V{};
  return p;
}

int frame_count(long len, int n, int hop) {
  const long padded = len + 2 * (n / 2);
  return padded < n ? 0 : static_cast<int>(1 + (padded - n) / hop);
}

/** The signal with n/2 zeros on each side (librosa's center=True constant padding). */
std::vector<float> padded_signal(const float* y, long len, int n) {
  std::vector<float> p(static_cast<size_t>(len + 2 * (n / 2) + n), 0.0f);
  std::copy(y, y + len, p.begin() + n / 2);
  return p;
}

const Plan& plan_for(int n) {
  static thread_local Plan plan;  // one plan per thread (workers), rebuilt when the size changes
  if (plan.n != n) plan = make_plan(n);
  return plan;
}

// stftPower(y: Float32Array, nFft: int (power of two ≥ 8), hop: int, out: Float32Array(frames·(nFft/2+1))) → frames
Napi::Value StftPower(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const char* fn = "stftPower";
  const int n = int_arg(info, 1, fn, "nFft", 8);
  const int hop = int_arg(info, 2, fn, "hop", 1);
  if ((n & (n - 1)) != 0) throw Napi::RangeError::New(env, "stftPower: nFft must be a power of two ≥ 8");
  if (!info[0].IsTypedArray()) throw Napi::TypeError::New(env, "stftPower: y must be a Float32Array");
  const long len = static_cast<long>(info[0].As<Napi::TypedArray>().ElementLength());
  const float* y = typed_arg<float>(info, 0, fn, "y", napi_float32_array, len);
  const int frames = frame_count(len, n, hop);
  float* out = typed_arg<float>(info, 3, fn, "out", napi_float32_array, static_cast<size_t>(frames) * (n / 2 + 1));
  const Plan& plan = plan_for(n);
  AlignedV re = aligned_vs(env, plan.m), im = aligned_vs(env, plan.m);
  const std::vector<float> ypad = padded_signal(y, len, n);
  for (int t0 = 0; t0 < frames; t0 += kLanes)
    batch(plan, ypad.data(), hop, t0, std::min(kLanes, frames - t0), re.get(), im.get(), out, nullptr, nullptr, nullptr);
  return Napi::Number::New(env, frames);
}

// mfccFrontEnd(y, nFft, hop, binOffsets: Int32Array(bins+1), binBand: Int32Array, binWeight: Float32Array,
//   nMels, dct: Float64Array(nMfcc·nMels), nMfcc, amin, topDb (NaN: none), outPower: Float32Array | null,
//   outMel: Float32Array(frames·nMels), outLogMel: Float32Array(frames·nMels), outMfcc: Float32Array(nMfcc·frames)) → frames
Napi::Value MfccFrontEnd(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const char* fn = "mfccFrontEnd";
  const int n = int_arg(info, 1, fn, "nFft", 8);
  const int hop = int_arg(info, 2, fn, "hop", 1);
  if ((n & (n - 1)) != 0) throw Napi::RangeError::New(env, "mfccFrontEnd: nFft must be a power of two ≥ 8");
  if (!info[0].IsTypedArray()) throw Napi::TypeError::New(env, "mfccFrontEnd: y must be a Float32Array");
  const long len = static_cast<long>(info[0].As<Napi::TypedArray>().ElementLength());
  const float* y = typed_arg<float>(info, 0, fn, "y", napi_float32_array, len);
  const int bins = n / 2 + 1;
  const int32_t* offsets = typed_arg<int32_t>(info, 3, fn, "binOffsets", napi_int32_array, bins + 1);
  const int nEntries = offsets[bins];
  for (int k = 0; k < bins; ++k)
    if (offsets[k] < 0 || offsets[k] > offsets[k + 1]) throw Napi::RangeError::New(env, "mfccFrontEnd: binOffsets must be non-decreasing from 0");
  const int32_t* band = typed_arg<int32_t>(info, 4, fn, "binBand", napi_int32_array, nEntries);
  const float* weight = typed_arg<float>(info, 5, fn, "binWeight", napi_float32_array, nEntries);
  const int nMels = int_arg(info, 6, fn, "nMels", 1);
  for (int e = 0; e < nEntries; ++e)
    if (band[e] < 0 || band[e] >= nMels) throw Napi::RangeError::New(env, "mfccFrontEnd: binBand entries must be in [0, nMels)");
  const int nMfcc = int_arg(info, 8, fn, "nMfcc", 1);
  const double* dct = typed_arg<double>(info, 7, fn, "dct", napi_float64_array, static_cast<size_t>(nMfcc) * nMels);
  if (!info[9].IsNumber() || !info[10].IsNumber()) throw Napi::TypeError::New(env, "mfccFrontEnd: amin and topDb must be numbers");
  const double amin = info[9].As<Napi::Number>().DoubleValue();
  const double topDb = info[10].As<Napi::Number>().DoubleValue();
  const int frames = frame_count(len, n, hop);
  const size_t fm = static_cast<size_t>(frames) * nMels;
  float* outPower = typed_arg<float>(info, 11, fn, "outPower", napi_float32_array, static_cast<size_t>(frames) * bins, true);
  float* outMel = typed_arg<float>(info, 12, fn, "outMel", napi_float32_array, fm);
  float* outLogMel = typed_arg<float>(info, 13, fn, "outLogMel", napi_float32_array, fm);
  float* outMfcc = typed_arg<float>(info, 14, fn, "outMfcc", napi_float32_array, static_cast<size_t>(nMfcc) * frames);
  const Plan& plan = plan_for(n);
  AlignedV re = aligned_vs(env, plan.m), im = aligned_vs(env, plan.m), acc = aligned_vs(env, nMels);
  const MelSpec mel{offsets, band, weight, nMels};
  const std::vector<float> ypad = padded_signal(y, len, n);
  for (int t0 = 0; t0 < frames; t0 += kLanes)
    batch(plan, ypad.data(), hop, t0, std::min(kLanes, frames - t0), re.get(), im.get(), outPower, &mel, acc.get(), outMel);
  std::copy(outMel, outMel + fm, outLogMel);
  AlignedV col = aligned_vs(env, nMels);
  cepstrum(outLogMel, frames, nMels, dct, nMfcc, amin, topDb, col.get(), outMfcc);
  return Napi::Number::New(env, frames);
}

affexion::Registrar reg([](Napi::Env env, Napi::Object exports) {
  exports.Set("stftPower", Napi::Function::New(env, StftPower));
  exports.Set("mfccFrontEnd", Napi::Function::New(env, MfccFrontEnd));
});

}  // namespace
