// The fused batch-1 LSTM recurrence (lstm_b1.cc), used by lstm.cc when a call holds a single clip.
#pragma once
#include "gemm.h"

namespace affexion {

/** One direction of one clip: the cache rows hold the input projection on entry (as in lstm.cc). */
struct B1Direction {
  int H;                 // hidden size
  int L;                 // valid frames (steps); frames past L are left alone
  bool reverse;          // false: t = 0 .. L−1; true: t = L−1 .. 0
  const float* whh;      // (4H, H) row-major, gate order i, f, g, o
  const float* bias;     // (4H): b_ih + b_hh
  float* gates;          // (T, 4H): in = x·W_ihᵀ, out = activated gates
  float* cells;          // (T, H): c_t
  float* out;            // h_t at out + t·out_stride (the direction's half of the (T, 2H) output)
  long out_stride;
};

void lstm_direction_b1(Isa isa, const B1Direction& args);

}  // namespace affexion
