/**
 * Query-key-value self-attention as in the reference: Q, K, V = Linear(D → D) each, A = softmax(Q Kᵀ/√D)
 * over keys (keys t ≥ length masked when lengths are given), Z = A V.
 */
import type { Kernels } from '../../engine/kernels.js';
import type { Rng } from '../../engine/rng.js';
import { Linear } from './linear.js';
import { ensure, type Param } from './param.js';

export class SelfAttention {
  readonly query: Linear;
  readonly key: Linear;
  readonly value: Linear;
  private q: Float32Array | undefined;
  private k: Float32Array | undefined;
  private v: Float32Array | undefined;
  private probs: Float32Array | undefined;
  private z: Float32Array | undefined;
  private dq: Float32Array | undefined;
  private dk: Float32Array | undefined;
  private dv: Float32Array | undefined;
  private dx: Float32Array | undefined;
  private B = 0;
  private T = 0;
  private lengths: Int32Array | null = null;

  constructor(
    readonly dim: number,
    rng: Rng,
    private readonly kernels: Kernels,
  ) {
    this.query = new Linear('query', dim, dim, rng, kernels);
    this.key = new Linear('key', dim, dim, rng, kernels);
    this.value = new Linear('value', dim, dim, rng, kernels);
  }

  /** Drops the activations kept for backward (they are re-allocated by the next forward). */
  releaseActivations(): void {
    this.q = this.k = this.v = this.probs = this.z = this.dq = this.dk = this.dv = this.dx = undefined;
    for (const l of [this.query, this.key, this.value]) l.releaseActivations();
  }

  /** x: (B, T, D) → Z (B, T, D). */
  forward(x: Float32Array, B: number, T: number, lengths: Int32Array | null): Float32Array {
    const D = this.dim,
      n = B * T;
    this.q = this.query.forward(x, n, ensure(this.q, n * D));
    this.k = this.key.forward(x, n, ensure(this.k, n * D));
    this.v = this.value.forward(x, n, ensure(this.v, n * D));
    this.probs = ensure(this.probs, B * T * T);
    this.z = ensure(this.z, n * D);
    this.kernels.attentionForward(this.q, this.k, this.v, B, T, D, lengths, this.probs, this.z);
    this.B = B;
    this.T = T;
    this.lengths = lengths;
    return this.z;
  }

  /** dz: (B, T, D). Accumulates Q/K/V gradients; returns the input gradient (B, T, D). */
  backward(dz: Float32Array): Float32Array {
    const { B, T, dim: D } = this,
      n = B * T;
    if (!this.probs) throw new Error('attention: backward() before forward()');
    this.dq = ensure(this.dq, n * D);
    this.dk = ensure(this.dk, n * D);
    this.dv = ensure(this.dv, n * D);
    this.kernels.attentionBackward(this.q!, this.k!, this.v!, B, T, D, this.lengths, this.probs, dz, this.dq, this.dk, this.dv);
    const dx = (this.dx = ensure(this.dx, n * D));
    this.query.backward(this.dq, dx, false);
    this.key.backward(this.dk, dx, true);
    this.value.backward(this.dv, dx, true);
    return dx;
  }

  params(): Param[] {
    return [...this.query.params(), ...this.key.params(), ...this.value.params()];
  }
}
