// Measures the machine's fp32 FMA peak on the pool (independent FMA chains in registers, no memory
// traffic), so benchmarks can report their GFLOP/s as a fraction of what this machine can do.
#include <immintrin.h>
#include <napi.h>

#include <chrono>
#include <vector>

#include "gemm.h"
#include "napi_util.h"
#include "registry.h"
#include "threadpool.h"

namespace affexion {
namespace {

// 12 independent accumulators cover FMA latency × throughput on current x86 cores.
__attribute__((target("avx512f,fma"))) float fma_loop_512(long iters) {
  __m512 a[12];
  for (int i = 0; i < 12; ++i) a[i] = _mm512_set1_ps(0.001f * i);
  const __m512 m = _mm512_set1_ps(0.999999f), c = _mm512_set1_ps(1e-7f);
  for (long it = 0; it < iters; ++it)
#pragma GCC unroll 12
    for (int i = 0; i < 12; ++i) a[i] = _mm512_fmadd_ps(a[i], m, c);
  __m512 s = a[0];
  for (int i = 1; i < 12; ++i) s = _mm512_add_ps(s, a[i]);
  // Summed through memory: GCC 12's _mm512_reduce_add_ps trips -Wuninitialized inside its own header.
  alignas(64) float out[16];
  _mm512_store_ps(out, s);
  float sum = 0.f;
  for (int i = 0; i < 16; ++i) sum += out[i];
  return sum;
}

__attribute__((target("avx2,fma"))) float fma_loop_256(long iters) {
  __m256 a[12];
  for (int i = 0; i < 12; ++i) a[i] = _mm256_set1_ps(0.001f * i);
  const __m256 m = _mm256_set1_ps(0.999999f), c = _mm256_set1_ps(1e-7f);
  for (long it = 0; it < iters; ++it)
#pragma GCC unroll 12
    for (int i = 0; i < 12; ++i) a[i] = _mm256_fmadd_ps(a[i], m, c);
  alignas(32) float out[8];
  __m256 s = a[0];
  for (int i = 1; i < 12; ++i) s = _mm256_add_ps(s, a[i]);
  _mm256_store_ps(out, s);
  return out[0];
}

// peakGflops(seconds): measured fp32 GFLOP/s of the active ISA's FMA on every pool thread.
Napi::Value PeakGflops(const Napi::CallbackInfo& info) {
  const double seconds = info.Length() > 0 ? num_arg(info, 0, "seconds") : 0.2;
  const Isa isa = active_isa();
  const int lanes = isa == Isa::Avx512 ? 16 : isa == Isa::Avx2 ? 8 : 0;
  if (lanes == 0) return Napi::Number::New(info.Env(), 0);
  auto run = [&](long iters) { return isa == Isa::Avx512 ? fma_loop_512(iters) : fma_loop_256(iters); };
  // Calibrate on one thread, then run the same work on all threads at once.
  long iters = 1 << 16;
  for (;;) {
    auto t0 = std::chrono::steady_clock::now();
    volatile float sink = run(iters);
    (void)sink;
    double dt = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    if (dt > seconds / 4 || iters > (1L << 34)) break;
    iters *= 2;
  }
  const int n = pool_threads();
  std::vector<float> sinks(n);
  auto t0 = std::chrono::steady_clock::now();
  parallel_for(n, [&](int task, int) { sinks[task] = run(iters); });
  double dt = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  const double flops = 2.0 * 12 * lanes * static_cast<double>(iters) * n;
  return Napi::Number::New(info.Env(), flops / dt / 1e9);
}

Registrar reg([](Napi::Env env, Napi::Object exports) {
  exports.Set("peakGflops", Napi::Function::New(env, PeakGflops));
});

}  // namespace
}  // namespace affexion
