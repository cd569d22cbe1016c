// SGEMM: packing, blocking, threading and ISA dispatch. The micro-kernels live in gemm_kernels.cc.
#include "gemm.h"

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <cstring>
#include <stdexcept>

#include "gemm_kernels.h"
#include "threadpool.h"

namespace affexion {
namespace {

constexpr int KC = 256;   // K block: one A panel (MR×KC) + one B panel (KC×NR) stay in L1
constexpr int NC = 3072;  // N block: the packed B block (KC×NC) stays in L2/L3

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
      for (int i = 0; i < mr; ++i) {
        const float* src = A + static_cast<long>(i0 + ir + i) * lda + p0;
        for (int p = 0; p < kc; ++p) panel[p * MR + i] = alpha * src[p];
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
    for (int j = 0; j < nr; ++j) {
      const float* src = B + static_cast<long>(j0 + j) * ldb + p0;
      for (int p = 0; p < kc; ++p) panel[p * NR + j] = src[p];
    }
    for (int j = nr; j < NR; ++j)
      for (int p = 0; p < kc; ++p) panel[p * NR + j] = 0.0f;
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

// Core driver. `get_b(p0, kc, j0, nc)` returns the packed B block for rows [p0, p0+kc) and columns
// [j0, j0+nc) (panels of NR, contiguous), packing it if needed.
template <class GetB>
void gemm_driver(const MicroKernel& mk, bool ta, int M, int N, int K, float alpha, const float* A, long lda,
                 float* C, long ldc, GetB&& get_b) {
  const int MR = mk.mr, NR = mk.nr;
  const int MC = mk.mc;
  const bool serial = in_parallel_region();
  const int threads = serial ? 1 : pool_threads();
  for (int j0 = 0; j0 < N; j0 += NC) {
    const int nc = std::min(NC, N - j0);
    const int npanels = (nc + NR - 1) / NR;
    for (int p0 = 0; p0 < K; p0 += KC) {
      const int kc = std::min(KC, K - p0);
      const float* bblock = get_b(p0, kc, j0, nc);
      const int mblocks = (M + MC - 1) / MC;
      // Enough tasks to occupy every thread: split N too when M alone does not provide them.
      int ngroups = 1;
      if (mblocks < 2 * threads) ngroups = std::min(npanels, (2 * threads + mblocks - 1) / mblocks);
      auto task = [&](int t, int) {
        const int mb = t / ngroups, ng = t % ngroups;
        const int i0 = mb * MC, mc = std::min(MC, M - i0);
        const int pa = npanels * ng / ngroups, pb = npanels * (ng + 1) / ngroups;
        thread_local std::vector<float> abuf;
        const int mcp = (mc + MR - 1) / MR * MR;
        float* apack = aligned_scratch(abuf, static_cast<size_t>(mcp) * kc);
        pack_a(ta, A, lda, i0, mc, p0, kc, alpha, MR, apack);
        for (int jp = pa; jp < pb; ++jp) {
          const int jj = jp * NR, nr = std::min(NR, nc - jj);
          const float* bp = bblock + static_cast<long>(jp) * NR * kc;
          for (int ir = 0; ir < mc; ir += MR) {
            const int mr = std::min(MR, mc - ir);
            mk.fn(kc, apack + static_cast<long>(ir) * kc, bp, C + static_cast<long>(i0 + ir) * ldc + j0 + jj,
                  ldc, mr, nr);
          }
        }
      };
      parallel_for(mblocks * ngroups, task);
    }
  }
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

void sgemm(bool ta, bool tb, int M, int N, int K, float alpha, const float* A, long lda, const float* B,
           long ldb, float beta, float* C, long ldc) {
  if (M <= 0 || N <= 0) return;
  scale_c(M, N, beta, C, ldc);
  if (K <= 0 || alpha == 0.0f) return;
  const MicroKernel& mk = micro_kernel(active_isa());
  const int NR = mk.nr;
  thread_local std::vector<float> bbuf;  // reused: large fresh allocations cost page faults
  float* bpack = nullptr;
  const bool serial = in_parallel_region();
  auto get_b = [&](int p0, int kc, int j0, int nc) -> const float* {
    const int npanels = (nc + NR - 1) / NR;
    if (!bpack) bpack = aligned_scratch(bbuf, static_cast<size_t>(std::min(K, KC)) * std::min(N, NC + NR) + NR * KC);
    auto pack = [&](int jp, int) {
      const int jj = jp * NR;
      pack_b_panel(tb, B, ldb, p0, kc, j0 + jj, std::min(NR, nc - jj), NR, bpack + static_cast<long>(jp) * NR * kc);
    };
    if (serial || npanels < 4) for (int jp = 0; jp < npanels; ++jp) pack(jp, 0);
    else parallel_for(npanels, pack);
    return bpack;
  };
  gemm_driver(mk, ta, M, N, K, alpha, A, lda, C, ldc, get_b);
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
  scale_c(M, N, beta, C, ldc);
  if (K <= 0 || alpha == 0.0f) return;
  const MicroKernel& mk = micro_kernel(B.isa);
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
  gemm_driver(mk, ta, M, N, K, alpha, A, lda, C, ldc, get_b);
}

}  // namespace affexion
