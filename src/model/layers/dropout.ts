/** Inverted dropout (PyTorch nn.Dropout): in train mode zero each value with probability p, scale the rest by 1/(1−p). */
import type { Rng } from '../../engine/rng.js';
import { ensure } from './param.js';

export class Dropout {
  private mask: Float32Array | undefined;
  private y: Float32Array | undefined;
  private active = false;

  constructor(readonly p: number) {
    if (!(p >= 0 && p < 1)) throw new RangeError(`Dropout: p must be in [0, 1), got ${p}`);
  }

  /** Returns x itself when inactive (eval mode or p = 0), else a new masked copy. */
  forward(x: Float32Array, train: boolean, rng: Rng): Float32Array {
    this.active = train && this.p > 0;
    if (!this.active) return x;
    const n = x.length, scale = 1 / (1 - this.p);
    const mask = (this.mask = ensure(this.mask, n));
    const y = (this.y = ensure(this.y, n));
    // u / 2³² < p  ⇔  u < p·2³²: the same draws as rng.next() < p, without the division.
    const threshold = this.p * 4294967296;
    for (let i = 0; i < n; i++) {
      const m = rng.nextUint32() < threshold ? 0 : scale;
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
