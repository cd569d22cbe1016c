// The micro-kernels. This file is compiled for the baseline x86-64 target (no -march=native), so the
// binary runs anywhere; the AVX-512 and AVX2 kernels carry their own target attributes and are only
// called after the CPU was checked (gemm.cc).
#include "gemm_kernels.h"

#include <immintrin.h>

#include <cstring>

namespace affexion {
namespace {

// Adds the finished tile to C, going through a temporary for partial edge tiles.
inline void add_tile(const float* tile, int NR, float* c, long ldc, int mr, int nr, bool overwrite) {
  for (int i = 0; i < mr; ++i)
    for (int j = 0; j < nr; ++j) c[i * ldc + j] = (overwrite ? 0.0f : c[i * ldc + j]) + tile[i * NR + j];
}

// ---- AVX-512: MR×32 tiles (MR = 12 for large M; 8 or 4 when M is small, e.g. LSTM steps at batch 8 or 1),
// 2·MR zmm accumulators, A broadcast from the packed panel.
constexpr int NR512 = 32;

template <int MR>
__attribute__((target("avx512f,fma"), always_inline)) inline void kernel_avx512_t(int kc, const float* a, const float* b,
                                                                                  float* c, long ldc, int mr, int nr, bool ovw) {
  // C is usually far from L1 (a tile is touched once per K block): fetch it while the FMAs run.
  for (int i = 0; i < mr; ++i) {
    _mm_prefetch(reinterpret_cast<const char*>(c + i * ldc), _MM_HINT_T0);
    _mm_prefetch(reinterpret_cast<const char*>(c + i * ldc + 16), _MM_HINT_T0);
  }
  __m512 acc[MR][2];
#pragma GCC unroll 12
  for (int i = 0; i < MR; ++i) acc[i][0] = acc[i][1] = _mm512_setzero_ps();
  for (int p = 0; p < kc; ++p) {
    const __m512 b0 = _mm512_loadu_ps(b + p * NR512);
    const __m512 b1 = _mm512_loadu_ps(b + p * NR512 + 16);
    const float* ap = a + p * MR;
#pragma GCC unroll 12
    for (int i = 0; i < MR; ++i) {
      const __m512 ai = _mm512_set1_ps(ap[i]);
      acc[i][0] = _mm512_fmadd_ps(ai, b0, acc[i][0]);
      acc[i][1] = _mm512_fmadd_ps(ai, b1, acc[i][1]);
    }
  }
  if (nr == NR512) {
    for (int i = 0; i < mr; ++i) {  // partial row count: just fewer rows stored
      float* ci = c + i * ldc;
      _mm512_storeu_ps(ci, _mm512_add_ps(ovw ? _mm512_setzero_ps() : _mm512_loadu_ps(ci), acc[i][0]));
      _mm512_storeu_ps(ci + 16, _mm512_add_ps(ovw ? _mm512_setzero_ps() : _mm512_loadu_ps(ci + 16), acc[i][1]));
    }
  } else {
    // Partial columns: masked loads/stores, so nothing outside the tile is touched.
    const __mmask16 m0 = nr >= 16 ? 0xFFFF : static_cast<__mmask16>((1u << nr) - 1);
    const __mmask16 m1 = nr <= 16 ? 0 : static_cast<__mmask16>((1u << (nr - 16)) - 1);
    for (int i = 0; i < mr; ++i) {
      float* ci = c + i * ldc;
      _mm512_mask_storeu_ps(ci, m0, _mm512_add_ps(_mm512_maskz_loadu_ps(ovw ? 0 : m0, ci), acc[i][0]));
      _mm512_mask_storeu_ps(ci + 16, m1, _mm512_add_ps(_mm512_maskz_loadu_ps(ovw ? 0 : m1, ci + 16), acc[i][1]));
    }
  }
}

__attribute__((target("avx512f,fma"))) void kernel_avx512_12(int kc, const float* a, const float* b, float* c, long ldc,
                                                            int mr, int nr, bool ovw) {
  kernel_avx512_t<12>(kc, a, b, c, ldc, mr, nr, ovw);
}
// One row (batch-1 LSTM steps): even and odd k in separate accumulators to hide the FMA latency.
__attribute__((target("avx512f,fma"))) void kernel_avx512_1(int kc, const float* a, const float* b, float* c, long,
                                                           int, int nr, bool ovw) {
  __m512 e0 = _mm512_setzero_ps(), e1 = _mm512_setzero_ps(), o0 = _mm512_setzero_ps(), o1 = _mm512_setzero_ps();
  int p = 0;
  for (; p + 2 <= kc; p += 2) {
    const __m512 a0 = _mm512_set1_ps(a[p]), a1 = _mm512_set1_ps(a[p + 1]);
    e0 = _mm512_fmadd_ps(a0, _mm512_loadu_ps(b + p * NR512), e0);
    e1 = _mm512_fmadd_ps(a0, _mm512_loadu_ps(b + p * NR512 + 16), e1);
    o0 = _mm512_fmadd_ps(a1, _mm512_loadu_ps(b + (p + 1) * NR512), o0);
    o1 = _mm512_fmadd_ps(a1, _mm512_loadu_ps(b + (p + 1) * NR512 + 16), o1);
  }
  if (p < kc) {
    const __m512 a0 = _mm512_set1_ps(a[p]);
    e0 = _mm512_fmadd_ps(a0, _mm512_loadu_ps(b + p * NR512), e0);
    e1 = _mm512_fmadd_ps(a0, _mm512_loadu_ps(b + p * NR512 + 16), e1);
  }
  e0 = _mm512_add_ps(e0, o0);
  e1 = _mm512_add_ps(e1, o1);
  const __mmask16 m0 = nr >= 16 ? 0xFFFF : static_cast<__mmask16>((1u << nr) - 1);
  const __mmask16 m1 = nr <= 16 ? 0 : nr >= 32 ? 0xFFFF : static_cast<__mmask16>((1u << (nr - 16)) - 1);
  _mm512_mask_storeu_ps(c, m0, _mm512_add_ps(_mm512_maskz_loadu_ps(ovw ? 0 : m0, c), e0));
  _mm512_mask_storeu_ps(c + 16, m1, _mm512_add_ps(_mm512_maskz_loadu_ps(ovw ? 0 : m1, c + 16), e1));
}

__attribute__((target("avx512f,fma"))) void kernel_avx512_4(int kc, const float* a, const float* b, float* c, long ldc,
                                                           int mr, int nr, bool ovw) {
  kernel_avx512_t<4>(kc, a, b, c, ldc, mr, nr, ovw);
}
__attribute__((target("avx512f,fma"))) void kernel_avx512_8(int kc, const float* a, const float* b, float* c, long ldc,
                                                           int mr, int nr, bool ovw) {
  kernel_avx512_t<8>(kc, a, b, c, ldc, mr, nr, ovw);
}

// ---- AVX2 + FMA: 6×16 tile, 12 ymm accumulators.
constexpr int MR256 = 6, NR256 = 16;

__attribute__((target("avx2,fma"))) void kernel_avx2(int kc, const float* a, const float* b, float* c, long ldc,
                                                    int mr, int nr, bool ovw) {
  for (int i = 0; i < mr; ++i) _mm_prefetch(reinterpret_cast<const char*>(c + i * ldc), _MM_HINT_T0);
  __m256 acc[MR256][2];
#pragma GCC unroll 6
  for (int i = 0; i < MR256; ++i) acc[i][0] = acc[i][1] = _mm256_setzero_ps();
  for (int p = 0; p < kc; ++p) {
    const __m256 b0 = _mm256_loadu_ps(b + p * NR256);
    const __m256 b1 = _mm256_loadu_ps(b + p * NR256 + 8);
    const float* ap = a + p * MR256;
#pragma GCC unroll 6
    for (int i = 0; i < MR256; ++i) {
      const __m256 ai = _mm256_broadcast_ss(ap + i);
      acc[i][0] = _mm256_fmadd_ps(ai, b0, acc[i][0]);
      acc[i][1] = _mm256_fmadd_ps(ai, b1, acc[i][1]);
    }
  }
  if (mr == MR256 && nr == NR256) {
#pragma GCC unroll 6
    for (int i = 0; i < MR256; ++i) {
      float* ci = c + i * ldc;
      _mm256_storeu_ps(ci, _mm256_add_ps(ovw ? _mm256_setzero_ps() : _mm256_loadu_ps(ci), acc[i][0]));
      _mm256_storeu_ps(ci + 8, _mm256_add_ps(ovw ? _mm256_setzero_ps() : _mm256_loadu_ps(ci + 8), acc[i][1]));
    }
  } else {
    alignas(32) float tile[MR256 * NR256];
#pragma GCC unroll 6
    for (int i = 0; i < MR256; ++i) {
      _mm256_store_ps(tile + i * NR256, acc[i][0]);
      _mm256_store_ps(tile + i * NR256 + 8, acc[i][1]);
    }
    add_tile(tile, NR256, c, ldc, mr, nr, ovw);
  }
}

// ---- Portable: 4×16 tile with GCC vector types (baseline SSE2 on x86-64, whatever the target has
// elsewhere): 16 accumulators of 4 lanes.
constexpr int MRG = 4, NRG = 16;
typedef float v4sf __attribute__((vector_size(16)));

inline v4sf load4(const float* p) {
  v4sf v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

void kernel_generic(int kc, const float* a, const float* b, float* c, long ldc, int mr, int nr, bool ovw) {
  v4sf acc[MRG][4] = {};
  for (int p = 0; p < kc; ++p) {
    const float* bp = b + p * NRG;
    const v4sf b0 = load4(bp), b1 = load4(bp + 4), b2 = load4(bp + 8), b3 = load4(bp + 12);
    const float* ap = a + p * MRG;
    for (int i = 0; i < MRG; ++i) {
      const v4sf ai = {ap[i], ap[i], ap[i], ap[i]};
      acc[i][0] += ai * b0;
      acc[i][1] += ai * b1;
      acc[i][2] += ai * b2;
      acc[i][3] += ai * b3;
    }
  }
  alignas(16) float tile[MRG * NRG];
  for (int i = 0; i < MRG; ++i) std::memcpy(tile + i * NRG, acc[i], sizeof acc[i]);
  add_tile(tile, NRG, c, ldc, mr, nr, ovw);
}

const MicroKernel k512{12, NR512, 12 * 8, kernel_avx512_12};
const MicroKernel k512_small{8, NR512, 8 * 12, kernel_avx512_8};
const MicroKernel k512_tiny{4, NR512, 4 * 24, kernel_avx512_4};
const MicroKernel k512_row{1, NR512, 96, kernel_avx512_1};
const MicroKernel k256{MR256, NR256, MR256 * 16, kernel_avx2};
const MicroKernel kgen{MRG, NRG, MRG * 24, kernel_generic};

}  // namespace

const MicroKernel& micro_kernel(Isa isa, int M) {
  switch (isa) {
    case Isa::Avx512: {
      // Small M (recurrent steps): the 8-row tile when it wastes fewer rows than the 12-row one.
      if (M == 1) return k512_row;            // batch-1 inference steps
      if (M > 0 && M <= 4) return k512_tiny;  // batch-2..4 inference steps
      if (M > 0 && M <= 64 && (M + 7) / 8 * 8 < (M + 11) / 12 * 12) return k512_small;
      return k512;
    }
    case Isa::Avx2: return k256;
    default: return kgen;
  }
}

}  // namespace affexion
