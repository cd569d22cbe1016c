// YIN's lag products for the pitch tracker (src/features/pitch.ts, lagProducts): r[τ] = Σ_{j<W} seg[j]·seg[j+τ]
// for τ = 1…tauMax, nearly all of the tracker's time. Each r[τ] adds its terms in the order j = 0, 1, … with a
// separate multiply and add (no FMA, no reassociation), exactly as the TypeScript loop does, so the track is
// bit-identical to the JS path (the on-device page runs that one; device = server parity depends on it).
// The speed comes from SIMD across lags: one vector lane per τ, 16 lags per pass.
#pragma GCC optimize("fp-contract=off")
#include <immintrin.h>
#include <napi.h>

#include "gemm.h"
#include "napi_util.h"
#include "registry.h"

namespace affexion {
namespace {

void lag_products_scalar(const double* seg, int W, int tau0, int tauMax, double* r) {
  for (int tau = tau0; tau <= tauMax; ++tau) {
    double s = 0;
    for (int j = 0; j < W; ++j) s += seg[j] * seg[j + tau];
    r[tau] = s;
  }
}

// Multiply and add as separate instructions: target("avx2") without "fma", and fp-contract off above.
__attribute__((target("avx2"))) void lag_products_avx2(const double* seg, int W, int tauMax, double* r) {
  int tau = 1;
  for (; tau + 15 <= tauMax; tau += 16) {
    __m256d a0 = _mm256_setzero_pd(), a1 = _mm256_setzero_pd(), a2 = _mm256_setzero_pd(), a3 = _mm256_setzero_pd();
    for (int j = 0; j < W; ++j) {
      const __m256d x = _mm256_set1_pd(seg[j]);
      const double* p = seg + j + tau;
      a0 = _mm256_add_pd(a0, _mm256_mul_pd(x, _mm256_loadu_pd(p)));
      a1 = _mm256_add_pd(a1, _mm256_mul_pd(x, _mm256_loadu_pd(p + 4)));
      a2 = _mm256_add_pd(a2, _mm256_mul_pd(x, _mm256_loadu_pd(p + 8)));
      a3 = _mm256_add_pd(a3, _mm256_mul_pd(x, _mm256_loadu_pd(p + 12)));
    }
    _mm256_storeu_pd(r + tau, a0);
    _mm256_storeu_pd(r + tau + 4, a1);
    _mm256_storeu_pd(r + tau + 8, a2);
    _mm256_storeu_pd(r + tau + 12, a3);
  }
  lag_products_scalar(seg, W, tau, tauMax, r);
}

// yinLagProducts(seg: Float64Array, W, tauMax, r: Float64Array): fills r[1..tauMax]; seg needs W + tauMax values.
Napi::Value YinLagProducts(const Napi::CallbackInfo& info) {
  if (info.Length() < 4 || !info[1].IsNumber() || !info[2].IsNumber())
    throw Napi::TypeError::New(info.Env(), "yinLagProducts(seg, W, tauMax, r)");
  const double Wd = info[1].As<Napi::Number>().DoubleValue(), Td = info[2].As<Napi::Number>().DoubleValue();
  if (!(Wd >= 1 && Wd <= 1e7 && Wd == static_cast<int>(Wd)) || !(Td >= 1 && Td <= 1e7 && Td == static_cast<int>(Td)))
    throw Napi::RangeError::New(info.Env(), "yinLagProducts: W and tauMax must be integers in [1, 1e7]");
  const int W = static_cast<int>(Wd), tauMax = static_cast<int>(Td);
  const double* seg = f64_arg(info, 0, "seg", static_cast<size_t>(W) + tauMax);
  double* r = f64_arg(info, 3, "r", static_cast<size_t>(tauMax) + 1);
  if (active_isa() != Isa::Generic) lag_products_avx2(seg, W, tauMax, r);
  else lag_products_scalar(seg, W, 1, tauMax, r);
  return info.Env().Undefined();
}

Registrar reg([](Napi::Env env, Napi::Object exports) {
  exports.Set("yinLagProducts", Napi::Function::New(env, YinLagProducts));
});

}  // namespace
}  // namespace affexion
