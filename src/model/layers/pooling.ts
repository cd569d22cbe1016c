/** Mean over time of (B, T, D) → (B, D); with lengths, the mean over each clip's valid frames only. */
export class MeanPool {
  private B = 0;
  private T = 0;
  private D = 0;
  private lengths: Int32Array | null = null;

  forward(z: Float32Array, B: number, T: number, D: number, lengths: Int32Array | null): Float32Array {
    const out = new Float32Array(B * D);
    const acc = new Float64Array(D);
    for (let b = 0; b < B; b++) {
      const len = lengths ? lengths[b]! : T;
      acc.fill(0);
      for (let t = 0; t < len; t++) for (let e = 0; e < D; e++) acc[e]! += z[(b * T + t) * D + e]!;
      for (let e = 0; e < D; e++) out[b * D + e] = acc[e]! / len;
    }
    this.B = B; this.T = T; this.D = D; this.lengths = lengths;
    return out;
  }

  /** dp: (B, D) → dz (B, T, D): spread evenly over the pooled frames, 0 on padding. */
  backward(dp: Float32Array, dz: Float32Array): Float32Array {
    const { B, T, D, lengths } = this;
    for (let b = 0; b < B; b++) {
      const len = lengths ? lengths[b]! : T;
      for (let t = 0; t < T; t++) for (let e = 0; e < D; e++) dz[(b * T + t) * D + e] = t < len ? dp[b * D + e]! / len : 0;
    }
    return dz;
  }
}
