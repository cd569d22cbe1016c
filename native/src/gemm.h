// SGEMM for the compute core: packed panels (BLIS-style blocking) with an AVX-512, an AVX2+FMA and a
// portable micro-kernel, chosen once at run time (CPU support, overridable with AFFEXION_ISA).
#pragma once
#include <string>
#include <vector>

namespace affexion {

enum class Isa { Generic = 0, Avx2 = 1, Avx512 = 2 };

/** The instruction set the kernels use now. */
Isa active_isa();
const char* isa_name(Isa isa);
/** Forces an instruction set (tests, benchmarks). Throws std::runtime_error if the CPU lacks it. */
void set_isa(Isa isa);
/** Parses "avx512" | "avx2" | "generic"; throws std::runtime_error naming the bad value. */
Isa parse_isa(const std::string& name);

/**
 * C (M×N, leading dim ldc) = alpha·op(A)·op(B) + beta·C, row-major. op(A) is M×K (A stored M×K with
 * leading dim lda, or K×M when ta). op(B) is K×N (B stored K×N, or N×K when tb). beta = 0 ignores C.
 * Uses the thread pool unless called from inside a parallel region (then single-threaded).
 * The K summation order is fixed by the blocking, so results do not depend on the thread count.
 */
void sgemm(bool ta, bool tb, int M, int N, int K, float alpha, const float* A, long lda, const float* B,
           long ldb, float beta, float* C, long ldc);

/** op(B) packed once for repeated products with the same right-hand matrix (the LSTM's W_hhᵀ). */
struct PackedB {
  int K = 0, N = 0;
  Isa isa = Isa::Generic;
  std::vector<float> data;
};
void pack_b(bool tb, int K, int N, const float* B, long ldb, PackedB& out);
/** As sgemm, with op(B) given packed. Single-threaded when inside a parallel region. */
void sgemm_packed(bool ta, int M, const float* A, long lda, float alpha, const PackedB& B, float beta,
                  float* C, long ldc);

}  // namespace affexion
