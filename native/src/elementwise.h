// Vectorised element-wise kernels (LSTM cell, softmax), one build per instruction set, selected with
// the same ISA switch as the GEMM. Row functions: the caller loops over rows (clips, queries).
#pragma once
#include "gemm.h"

namespace affexion {

struct ElementwiseOps {
  /**
   * LSTM cell forward for one row. gates (4H): in = input projection, out = activated gates (σ i, σ f,
   * tanh g, σ o). bias (4H): b_ih + b_hh. grec (4H, nullable = 0): recurrent part W_hh h_{t−1}. c_prev
   * (H, nullable = 0). Writes c_out (H), h_out (H) and h_state (H).
   */
  void (*lstm_cell_fwd)(int H, float* gates, const float* bias, const float* grec, const float* c_prev, float* c_out,
                        float* h_out, float* h_state);
  /**
   * LSTM cell backward for one row. gates: activated (4H); c: c_t; c_prev (nullable = 0); dh_out: gradient
   * from the layer output; dh_rec (nullable = 0): from the next step. dc: in = dL/dc_t from the next step,
   * out = dL/dc_{t−1}. Writes pre-activation gate gradients to dg1 and dg2 (4H each).
   */
  void (*lstm_cell_bwd)(int H, const float* gates, const float* c, const float* c_prev, const float* dh_out,
                        const float* dh_rec, float* dc, float* dg1, float* dg2);
  /** Softmax of row[0, n_valid) in place; row[n_valid, n_total) set to 0 (masked keys). */
  void (*softmax_row)(float* row, int n_valid, int n_total);
  /** ds = scale · p ⊙ (dp − Σ p ⊙ dp), in place over dp, first n entries. */
  void (*softmax_bwd_row)(const float* p, float* dp, int n, float scale);
  /** y[i] = max(x[i], 0) in place. */
  void (*relu)(float* x, long n);
};

const ElementwiseOps& elementwise(Isa isa);

}  // namespace affexion
