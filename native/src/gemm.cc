// SGEMM: packing, blocking, threading and ISA dispatch. The micro-kernels live in gemm_kernels.cc.
#include "gemm.h"

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <cstring>
#include <xmmintrin.h>
#include <stdexcept>

#include "gemm_kernels.h"
#include "threadpool.h"

namespace affexion {
namespace {

// Blocking (tunable through AFFEXION_GEMM_KC / _NC / _MC for experiments; defaults measured on Zen 4).
int env_int(const char* name, int fallback) {
  const char* v = std::getenv(name);
  return v && *v ? std::max(1, std::atoi(v)) : fallback;
}
const int KC = env_int("AFFEXION_GEMM_KC", 256);   // K block: A and B micro-panels stay in L1
const int NC = env_int("AFFEXION_GEMM_NC", 3072);  // N block: the packed B block stays in L2/L3
const int MC_PANELS = env_int("AFFEXION_GEMM_MC", 0);  // A block rows in micro-panels (0: kernel default)

Isa detect_isa() {
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx512f")) return Isa::Avx512;
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) return Isa::Avx2;
  return Isa::Generic;
}

bool cpu_has(Isa isa) {
  __builtin_cpu_init();
  switch (isa) {
    case Isa::Avx512: return __builtin_cpu_supports("avx512f");
    case Isa::Avx2: return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
    default: return true;
  }
}

Isa initial_isa() {
  const char* env = std::getenv("AFFEXION_ISA");
  if (env && *env) {
    Isa want = parse_isa(env);  // a typo should not silently fall back to another ISA
    if (!cpu_has(want)) {
      throw std::runtime_error(std::string("AFFEXION_ISA=") + env + ": this CPU does not support it");
    }
    return want;
  }
  return detect_isa();
}

std::atomic<int>& isa_slot() {
  static std::atomic<int> slot(static_cast<int>(initial_isa()));
  return slot;
}

// Packed A: panels of MR rows; within a panel element (p, i) at p*MR + i; alpha folded in; rows past M
// are zero so the micro-kernel never branches on the edge.
void pack_a(bool ta, const float* A, long lda, int i0, int mc, int p0, int kc, float alpha, int MR,
            float* dst) {
  for (int ir = 0; ir < mc; ir += MR) {
    int mr = std::min(MR, mc - ir);
    float* panel = dst + static_cast<long>(ir) * kc;
    if (!ta) {
      // Four rows at a time through 4×4 SSE transposes (baseline x86-64): only four source streams at
      // once, so rows a power-of-two apart (lda = 256, 512 …) do not fight over the same L1 sets.
      // Measured ≈4% faster than a 12-stream scalar gather on an 8000×192×512 GEMM.
      const __m128 va = _mm_set1_ps(alpha);
      int i = 0;
      for (; i + 4 <= mr; i += 4) {
        const float* r0 = A + static_cast<long>(i0 + ir + i) * lda + p0;
        const float* r1 = r0 + lda;
        const float* r2 = r1 + lda;
        const float* r3 = r2 + lda;
        int p = 0;
        for (; p + 4 <= kc; p += 4) {
          __m128 a0 = _mm_loadu_ps(r0 + p), a1 = _mm_loadu_ps(r1 + p), a2 = _mm_loadu_ps(r2 + p), a3 = _mm_loadu_ps(r3 + p);
          _MM_TRANSPOSE4_PS(a0, a1, a2, a3);
          if (alpha != 1.0f) {
            a0 = _mm_mul_ps(a0, va); a1 = _mm_mul_ps(a1, va); a2 = _mm_mul_ps(a2, va); a3 = _mm_mul_ps(a3, va);
          }
          _mm_storeu_ps(panel + (p + 0) * MR + i, a0);
          _mm_storeu_ps(panel + (p + 1) * MR + i, a1);
          _mm_storeu_ps(panel + (p + 2) * MR + i, a2);
          _mm_storeu_ps(panel + (p + 3) * MR + i, a3);
        }
        for (; p < kc; ++p) {
          panel[p * MR + i] = alpha * r0[p];
          panel[p * MR + i + 1] = alpha * r1[p];
          panel[p * MR + i + 2] = alpha * r2[p];
          panel[p * MR + i + 3] = alpha * r3[p];
        }
      }
      for (; i < mr; ++i) {
        const float* r = A + static_cast<long>(i0 + ir + i) * lda + p0;
        for (int p = 0; p < kc; ++p) panel[p * MR + i] = alpha * r[p];
      }
    } else {
      for (int p = 0; p < kc; ++p) {
        const float* src = A + static_cast<long>(p0 + p) * lda + i0 + ir;
        float* d = panel + p * MR;
        for (int i = 0; i < mr; ++i) d[i] = alpha * src[i];
      }
    }
    if (mr < MR) {
      for (int p = 0; p < kc; ++p) std::memset(panel + p * MR + mr, 0, sizeof(float) * (MR - mr));
    }
  }
}

// Packed B: panels of NR columns; element (p, j) at p*NR + j; columns past N are zero.
void pack_b_panel(bool tb, const float* B, long ldb, int p0, int kc, int j0, int nr, int NR, float* panel) {
  if (!tb) {
    for (int p = 0; p < kc; ++p) {
      const float* src = B + static_cast<long>(p0 + p) * ldb + j0;
      float* d = panel + p * NR;
      std::memcpy(d, src, sizeof(float) * nr);
      if (nr < NR) std::memset(d + nr, 0, sizeof(float) * (NR - nr));
    }
  } else {
    // Transposed source: go through it in 8-wide column strips so each source row is read a cache line
    // at a time while the destination rows stay in L1.
    constexpr int S = 8;
    int p = 0;
    for (; p + S <= kc; p += S) {
      for (int j = 0; j < nr; ++j) {
        const float* src = B + static_cast<long>(j0 + j) * ldb + p0 + p;
        for (int q = 0; q < S; ++q) panel[(p + q) * NR + j] = src[q];
      }
    }
    for (; p < kc; ++p)
      for (int j = 0; j < nr; ++j) panel[p * NR + j] = B[static_cast<long>(j0 + j) * ldb + p0 + p];
    if (nr < NR)
      for (int q = 0; q < kc; ++q) std::memset(panel + q * NR + nr, 0, sizeof(float) * (NR - nr));
  }
}

float* aligned_scratch(std::vector<float>& v, size_t n) {
  if (v.size() < n + 16) v.resize(n + 16);
  auto addr = reinterpret_cast<uintptr_t>(v.data());
  return v.data() + ((64 - (addr & 63)) & 63) / sizeof(float);
}

void scale_c(int M, int N, float beta, float* C, long ldc) {
  if (beta == 1.0f) return;
  for (int i = 0; i < M; ++i) {
    float* c = C + static_cast<long>(i) * ldc;
    if (beta == 0.0f) std::memset(c, 0, sizeof(float) * N);
    else for (int j = 0; j < N; ++j) c[j] *= beta;
  }
}

// Serial driver over one sub-problem. `get_b(p0, kc, j0, nc)` returns the packed B block for rows
// [p0, p0+kc) and columns [j0, j0+nc) (panels of NR, contiguous), packing it if needed.
template <class GetB>
void gemm_serial(const MicroKernel& mk, bool ta, int M, int N, int K, float alpha, const float* A, long lda,
                 float* C, long ldc, bool overwrite, GetB&& get_b) {
  const int MR = mk.mr, NR = mk.nr, MC = MC_PANELS ? MC_PANELS * mk.mr : mk.mc;
  thread_local std::vector<float> abuf;
  for (int j0 = 0; j0 < N; j0 += NC) {
    const int nc = std::min(NC, N - j0);
    const int npanels = (nc + NR - 1) / NR;
    for (int p0 = 0; p0 < K; p0 += KC) {
      const int kc = std::min(KC, K - p0);
      const float* bblock = get_b(p0, kc, j0, nc);
      const bool ovw = overwrite && p0 == 0;  // beta = 0: the first K block writes C, later ones add
      for (int i0 = 0; i0 < M; i0 += MC) {
        const int mc = std::min(MC, M - i0);
        const int mcp = (mc + MR - 1) / MR * MR;
        float* apack = aligned_scratch(abuf, static_cast<size_t>(mcp) * kc);
        pack_a(ta, A, lda, i0, mc, p0, kc, alpha, MR, apack);
        for (int jp = 0; jp < npanels; ++jp) {
          const int jj = jp * NR, nr = std::min(NR, nc - jj);
          const float* bp = bblock + static_cast<long>(jp) * NR * kc;
          for (int ir = 0; ir < mc; ir += MR) {
            mk.fn(kc, apack + static_cast<long>(ir) * kc, bp, C + static_cast<long>(i0 + ir) * ldc + j0 + jj, ldc,
                  std::min(MR, mc - ir), nr, ovw);
          }
        }
      }
    }
  }
}

// Serial GEMM with B packed on the fly, one KC×NC block at a time (per-thread buffer).
void gemm_serial_unpacked(const MicroKernel& mk, bool ta, bool tb, int M, int N, int K, float alpha, const float* A,
                          long lda, const float* B, long ldb, float* C, long ldc, bool overwrite) {
  const int NR = mk.nr;
  thread_local std::vector<float> bbuf;  // reused: large fresh allocations cost page faults
  float* bpack = aligned_scratch(bbuf, static_cast<size_t>(std::min(K, KC)) * (std::min(N, NC) + NR));
  auto get_b = [&](int p0, int kc, int j0, int nc) -> const float* {
    const int npanels = (nc + NR - 1) / NR;
    for (int jp = 0; jp < npanels; ++jp) {
      const int jj = jp * NR;
      pack_b_panel(tb, B, ldb, p0, kc, j0 + jj, std::min(NR, nc - jj), NR, bpack + static_cast<long>(jp) * NR * kc);
    }
    return bpack;
  };
  gemm_serial(mk, ta, M, N, K, alpha, A, lda, C, ldc, overwrite, get_b);
}

// Below this many multiply-adds a GEMM runs on the calling thread: waking the pool costs more.
constexpr double kParallelMacs = 1 << 20;

// Splits [0, n) in `parts` contiguous ranges aligned to `align`.
inline void split_range(int n, int parts, int part, int align, int& lo, int& hi) {
  const int units = (n + align - 1) / align;
  lo = std::min(n, static_cast<int>(static_cast<long>(units) * part / parts) * align);
  hi = std::min(n, static_cast<int>(static_cast<long>(units) * (part + 1) / parts) * align);
}

}  // namespace

const char* isa_name(Isa isa) {
  switch (isa) {
    case Isa::Avx512: return "avx512";
    case Isa::Avx2: return "avx2";
    default: return "generic";
  }
}

Isa parse_isa(const std::string& name) {
  if (name == "avx512") return Isa::Avx512;
  if (name == "avx2") return Isa::Avx2;
  if (name == "generic") return Isa::Generic;
  throw std::runtime_error("unknown ISA '" + name + "' (AFFEXION_ISA / setIsa take avx512, avx2 or generic)");
}

Isa active_isa() { return static_cast<Isa>(isa_slot().load(std::memory_order_relaxed)); }

void set_isa(Isa isa) {
  if (!cpu_has(isa)) throw std::runtime_error(std::string("ISA ") + isa_name(isa) + " is not supported by this CPU");
  isa_slot().store(static_cast<int>(isa));
}

// Matrix-vector products (N = 1 or M = 1, e.g. bias gradients as ones·dY): memory-bound, so a
// streaming loop beats the packed path, which would pad the vector to a whole register tile.
// y (n, stride incy) += alpha · Σ_p x[p] · rows[p] (each row n contiguous floats, row stride ld).
void gemv_rows(int n, int K, float alpha, const float* rows, long ld, const float* x, long incx, float* y, long incy) {
  thread_local std::vector<float> acc;
  acc.assign(n, 0.0f);
  float* a = acc.data();
  for (int p = 0; p < K; ++p) {
    const float xp = x[p * incx];
    const float* r = rows + static_cast<long>(p) * ld;
    for (int i = 0; i < n; ++i) a[i] += xp * r[i];
  }
  for (int i = 0; i < n; ++i) y[i * incy] += alpha * a[i];
}
// y[i · incy] += alpha · dot(rows[i], x) for i < n (rows contiguous K floats, stride ld; x stride incx).
void gemv_dots(int n, int K, float alpha, const float* rows, long ld, const float* x, long incx, float* y, long incy) {
  thread_local std::vector<float> xc;
  xc.resize(K);
  for (int p = 0; p < K; ++p) xc[p] = x[p * incx];
  for (int i = 0; i < n; ++i) {
    const float* r = rows + static_cast<long>(i) * ld;
    float s[8] = {0, 0, 0, 0, 0, 0, 0, 0};  // 8 partial sums: vectorisable, fixed order
    int p = 0;
    for (; p + 8 <= K; p += 8)
      for (int q = 0; q < 8; ++q) s[q] += r[p + q] * xc[p + q];
    float t = ((s[0] + s[1]) + (s[2] + s[3])) + ((s[4] + s[5]) + (s[6] + s[7]));
    for (; p < K; ++p) t += r[p] * xc[p];
    y[i * incy] += alpha * t;
  }
}

void sgemm(bool ta, bool tb, int M, int N, int K, float alpha, const float* A, long lda, const float* B,
           long ldb, float beta, float* C, long ldc) {
  if (M <= 0 || N <= 0) return;
  // beta = 0 on the packed path: the kernels overwrite C in the first K block instead of clearing it.
  const bool overwrite = beta == 0.0f && K > 0 && alpha != 0.0f && N > 1 && M > 1;
  if (!overwrite) scale_c(M, N, beta, C, ldc);
  if (K <= 0 || alpha == 0.0f) return;
  if (N == 1) {  // C[:, 0] = op(A) · b, b = column of op(B)
    const long incb = tb ? 1 : ldb;
    if (ta) gemv_rows(M, K, alpha, A, lda, B, incb, C, ldc);   // A stored (K, M): rows of A scaled by b
    else gemv_dots(M, K, alpha, A, lda, B, incb, C, ldc);      // A stored (M, K): dot products
    return;
  }
  if (M == 1) {  // C[0, :] = a · op(B), a = row of op(A)
    const long inca = ta ? lda : 1;
    if (tb) gemv_dots(N, K, alpha, B, ldb, A, inca, C, 1);     // B stored (N, K)
    else gemv_rows(N, K, alpha, B, ldb, A, inca, C, 1);        // B stored (K, N)
    return;
  }
  const MicroKernel& mk = micro_kernel(active_isa(), M);
  const int threads = in_parallel_region() ? 1 : pool_threads();
  if (threads == 1 || static_cast<double>(M) * N * K < kParallelMacs) {
    gemm_serial_unpacked(mk, ta, tb, M, N, K, alpha, A, lda, B, ldb, C, ldc, overwrite);
    return;
  }
  // One parallel region per call (a barrier per K block would stall whenever the machine is busy):
  // each thread computes a contiguous slab of C, split along M when there are enough rows, else N.
  // Every element still sums over K in the same order, so the result does not depend on the split.
  const bool split_m = (M + mk.mr - 1) / mk.mr >= 4 * threads || M >= N;
  parallel_for(threads, [&](int part, int) {
    int lo, hi;
    if (split_m) {
      split_range(M, threads, part, mk.mr, lo, hi);
      if (hi > lo)
        gemm_serial_unpacked(mk, ta, tb, hi - lo, N, K, alpha, ta ? A + lo : A + static_cast<long>(lo) * lda, lda, B,
                             ldb, C + static_cast<long>(lo) * ldc, ldc, overwrite);
    } else {
      split_range(N, threads, part, mk.nr, lo, hi);
      if (hi > lo)
        gemm_serial_unpacked(mk, ta, tb, M, hi - lo, K, alpha, A, lda, tb ? B + static_cast<long>(lo) * ldb : B + lo,
                             ldb, C + lo, ldc, overwrite);
    }
  });
}

void pack_b(bool tb, int K, int N, const float* B, long ldb, PackedB& out) {
  const MicroKernel& mk = micro_kernel(active_isa());
  const int NR = mk.nr;
  out.K = K;
  out.N = N;
  out.isa = active_isa();
  size_t total = 0;
  for (int j0 = 0; j0 < N; j0 += NC) {
    const int npanels = (std::min(NC, N - j0) + NR - 1) / NR;
    total += static_cast<size_t>(npanels) * NR * K;
  }
  out.data.assign(total, 0.0f);
  size_t off = 0;
  for (int j0 = 0; j0 < N; j0 += NC) {
    const int nc = std::min(NC, N - j0);
    const int npanels = (nc + NR - 1) / NR;
    for (int p0 = 0; p0 < K; p0 += KC) {
      const int kc = std::min(KC, K - p0);
      for (int jp = 0; jp < npanels; ++jp) {
        const int jj = jp * NR;
        pack_b_panel(tb, B, ldb, p0, kc, j0 + jj, std::min(NR, nc - jj), NR,
                     out.data.data() + off + static_cast<long>(jp) * NR * kc);
      }
      off += static_cast<size_t>(npanels) * NR * kc;
    }
  }
}

void sgemm_packed(bool ta, int M, const float* A, long lda, float alpha, const PackedB& B, float beta, float* C,
                  long ldc) {
  const int N = B.N, K = B.K;
  if (M <= 0 || N <= 0) return;
  if (B.isa != active_isa()) throw std::runtime_error("sgemm_packed: B was packed for another ISA");
  const bool overwrite = beta == 0.0f && K > 0 && alpha != 0.0f;
  if (!overwrite) scale_c(M, N, beta, C, ldc);
  if (K <= 0 || alpha == 0.0f) return;
  const MicroKernel& mk = micro_kernel(B.isa, M);
  const int NR = mk.nr;
  // Offsets follow pack_b's order: N blocks outer, K blocks inner.
  auto get_b = [&](int p0, int kc, int j0, int nc) -> const float* {
    size_t off = 0;
    for (int jb = 0; jb < j0; jb += NC) off += static_cast<size_t>((std::min(NC, N - jb) + NR - 1) / NR) * NR * K;
    const int npanels = (nc + NR - 1) / NR;
    off += static_cast<size_t>(npanels) * NR * p0;
    (void)kc;
    return B.data.data() + off;
  };
  const int threads = in_parallel_region() ? 1 : pool_threads();
  if (threads == 1 || static_cast<double>(M) * N * K < kParallelMacs) {
    gemm_serial(mk, ta, M, N, K, alpha, A, lda, C, ldc, overwrite, get_b);
    return;
  }
  parallel_for(threads, [&](int part, int) {
    int lo, hi;
    split_range(M, threads, part, mk.mr, lo, hi);
    if (hi > lo)
      gemm_serial(mk, ta, hi - lo, N, K, alpha, ta ? A + lo : A + static_cast<long>(lo) * lda, lda,
                  C + static_cast<long>(lo) * ldc, ldc, overwrite, get_b);
  });
}

}  // namespace affexion
