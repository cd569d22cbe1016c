// GEMM micro-kernels: C[mr×nr] += Apanel·Bpanel over kc (or C = … when overwrite: the first K block of a
// beta = 0 product, which saves clearing C first), for packed panels (see gemm.cc).
#pragma once
#include "gemm.h"

namespace affexion {

using MicroKernelFn = void (*)(int kc, const float* a, const float* b, float* c, long ldc, int mr, int nr,
                               bool overwrite);

struct MicroKernel {
  int mr, nr, mc;  // register tile rows/cols, and rows per packed A block (multiple of mr)
  MicroKernelFn fn;
};

/** The kernel for an ISA; M (rows of C, 0 = unknown) picks a smaller tile for short GEMMs. All kernels of
 *  one ISA share NR, so a packed B works with any of them. */
const MicroKernel& micro_kernel(Isa isa, int M = 0);

}  // namespace affexion
