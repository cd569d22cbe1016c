// Polyphase resampling for audio loading (src/audio/resample.ts designs the filter and has the JS
// reference). Native because librosa-grade filters are long (~250–550 taps per output sample): the
// wasm libsamplerate we used first took over a second per 10 s clip at 48 kHz, this takes milliseconds.
//
// Output j sits at input time j·M/L. Its phase row of the coefficient table holds taps k = −W .. W+1
// around i0 = ⌊j·M/L⌋ (padded with zeros to a multiple of 16); input outside [0, n) is zero.
// Products are summed in float32, 16 partial sums per output (error ~1e-7 of the output, far below
// the 16-bit input's resolution and soxr's own float32 arithmetic), twice the speed of float64.
#include <napi.h>

#include <cstdint>
#include <cstring>
#include <string>
#include <algorithm>

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
// their inputs advance by M. Eight such outputs are computed together: each coefficient vector is
// loaded once for all eight (1.125 loads per FMA instead of 2), and the eight accumulators are
// independent chains, so the loop runs at FMA throughput rather than FMA latency. Loads stay
// contiguous along the taps for any M. Measured in the same run against soxr by bench:features.
constexpr int kGroup = 8;

__attribute__((target_clones("avx512f", "avx2", "default")))
void poly_phases(const float* x, long n, float* y, long outLen, long L, long M, int W, int width, const float* table) {
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
      const long first = i0 - W + u * M;  // x index of tap 0 of output j0 + uL
      if (g_n == kGroup && first >= 0 && first + (kGroup - 1) * M + width <= n) {
        F16 acc[kGroup] = {};
        for (int k = 0; k < width; k += 16) {
          F16 c;
          std::memcpy(&c, row + k, sizeof c);
          for (int g = 0; g < kGroup; ++g) {
            F16 xv;
            std::memcpy(&xv, x + first + g * M + k, sizeof xv);
            acc[g] += xv * c;
          }
        }
        for (int g = 0; g < kGroup; ++g) {
          float sum = 0;
          for (int l = 0; l < 16; ++l) sum += acc[g][l];
          y[j0 + (u + g) * L] = sum;
        }
      } else {  // clip edges and the last group: bounds-checked taps
        for (long g = 0; g < g_n; ++g) {
          const long f = first + g * M;
          float sum = 0;
          for (int k = 0; k < width; ++k)
            if (f + k >= 0 && f + k < n) sum += row[k] * x[f + k];
          y[j0 + (u + g) * L] = sum;
        }
      }
    }
  }
}

void poly(const float* x, long n, float* y, long outLen, long L, long M, long P, int W, int width, const float* table) {
  if (P != L) return poly_rows(x, n, y, outLen, L, M, P, W, width, table);
  poly_phases(x, n, y, outLen, L, M, W, width, table);
}

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

affexion::Registrar reg([](Napi::Env env, Napi::Object exports) {
  exports.Set("resamplePoly32", Napi::Function::New(env, ResamplePoly));
});

}  // namespace
