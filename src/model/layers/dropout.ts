/** Inverted dropout (PyTorch nn.Dropout): in train mode zero each value with probability p, scale the rest by 1/(1−p). */
import type { Rng } from '../../engine/rng.js';
import { ensure } from './param.js';

export class Dropout {
  private mask: Float32Array | undefined;
  private draws: Uint32Array | undefined;
  private y: Float32Array | undefined;
  private active = false;

  constructor(readonly p: number) {
    // p = 1 is legal, as in PyTorch: every value dropped (the scale is never applied).
    if (!(p >= 0 && p <= 1)) throw new RangeError(`Dropout: p must be in [0, 1], got ${p}`);
  }

  /** Drops the mask and output kept for backward (they are re-allocated by the next forward). */
  releaseActivations(): void {
    this.mask = undefined;
    this.draws = undefined;
    this.y = undefined;
  }

  /** Returns x itself when inactive (eval mode or p = 0), else a new masked copy. */
  forward(x: Float32Array, train: boolean, rng: Rng): Float32Array {
    this.active = train && this.p > 0;
    if (!this.active) return x;
    const n = x.length,
      scale = 1 / (1 - this.p);
    const mask = (this.mask = ensure(this.mask, n));
    const y = (this.y = ensure(this.y, n));
    // u / 2³² < p  ⇔  u < p·2³²: the same decisions as rng.next() < p, drawn in bulk. Compared through
    // an Int32Array view shifted by 2³¹ (u ↦ u ^ 2³¹ as int32 is monotonic), since V8 reads int32
    // faster than uint32 values above 2³¹.
    const threshold = this.p * 4294967296 - 2147483648;
    if (!this.draws || this.draws.length !== n) this.draws = new Uint32Array(n);
    const draws = new Int32Array(rng.fillUint32(this.draws).buffer, 0, n);
    for (let i = 0; i < n; i++) {
      const m = (draws[i]! ^ -2147483648) < threshold ? 0 : scale;
      mask[i] = m;
      y[i] = x[i]! * m;
    }
    return y;
  }

  /** Gradient through the last forward's mask, in place on dy (returned). */
  backward(dy: Float32Array): Float32Array {
    if (!this.active) return dy;
    const mask = this.mask!;
    for (let i = 0; i < dy.length; i++) dy[i]! *= mask[i]!;
    return dy;
  }
}
