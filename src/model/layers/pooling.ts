/** Mean over time of (B, T, D) → (B, D); with lengths, the mean over each clip's valid frames only. */
import type { Kernels } from '../../engine/kernels.js';
import { ones } from './param.js';

export class MeanPool {
  private B = 0;
  private T = 0;
  private D = 0;
  private lengths: Int32Array | null = null;

  constructor(private readonly kernels: Kernels) {}

  /** z: (B, T, D) → (B, D), the mean over each clip's first lengths[b] frames (all T without lengths). */
  forward(z: Float32Array, B: number, T: number, D: number, lengths: Int32Array | null): Float32Array {
    const out = new Float32Array(B * D);
    for (let b = 0; b < B; b++) {
      const len = lengths ? lengths[b]! : T;
      // out_b = (1/len) · Z_b[0:len]ᵀ · 1  (a GEMV on the engine)
      this.kernels.gemm(
        true,
        false,
        D,
        1,
        len,
        1 / len,
        z.subarray(b * T * D, (b * T + len) * D),
        ones(len),
        0,
        out.subarray(b * D, (b + 1) * D),
      );
    }
    this.B = B;
    this.T = T;
    this.D = D;
    this.lengths = lengths;
    return out;
  }

  /** dp: (B, D) → dz (B, T, D): spread evenly over the pooled frames, 0 on padding. */
  backward(dp: Float32Array, dz: Float32Array): Float32Array {
    const { B, T, D, lengths } = this;
    const row = new Float32Array(D);
    for (let b = 0; b < B; b++) {
      const len = lengths ? lengths[b]! : T;
      for (let e = 0; e < D; e++) row[e] = dp[b * D + e]! / len;
      for (let t = 0; t < len; t++) dz.set(row, (b * T + t) * D);
      dz.fill(0, (b * T + len) * D, (b + 1) * T * D);
    }
    return dz;
  }
}
