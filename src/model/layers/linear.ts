/** Linear layer y = x Wᵀ + b over the rows of a (N, in) matrix (PyTorch nn.Linear layout: W is (out, in)). */
import type { Kernels } from '../../engine/kernels.js';
import type { Rng } from '../../engine/rng.js';
import { ensure, uniformParam, type Param } from './param.js';

export class Linear {
  readonly weight: Param;
  readonly bias: Param;
  private x: Float32Array | undefined;
  private n = 0;
  private y: Float32Array | undefined;

  /** PyTorch's default init: weight and bias uniform in ±1/√in. */
  constructor(readonly name: string, readonly inFeatures: number, readonly outFeatures: number, rng: Rng,
    private readonly kernels: Kernels) {
    const bound = 1 / Math.sqrt(inFeatures);
    this.weight = uniformParam(`${name}.weight`, [outFeatures, inFeatures], bound, rng);
    this.bias = uniformParam(`${name}.bias`, [outFeatures], bound, rng);
  }

  /**
   * x: (n, in) → (n, out). Keeps a reference to x for backward. Writes into `out` when given, else into
   * a buffer of its own that the next call reuses.
   */
  forward(x: Float32Array, n: number, out?: Float32Array): Float32Array {
    const { inFeatures: I, outFeatures: O } = this;
    const y = out ?? (this.y = ensure(this.y, n * O));
    this.kernels.gemm(false, true, n, O, I, 1, x, this.weight.value, 0, y);
    const b = this.bias.value;
    for (let r = 0; r < n; r++) for (let o = 0; o < O; o++) y[r * O + o]! += b[o]!;
    this.x = x;
    this.n = n;
    return y;
  }

  /**
   * dy: (n, out). Accumulates weight/bias gradients. If dx is given, writes (accumulate=false) or adds
   * (accumulate=true) the input gradient (n, in) into it.
   */
  backward(dy: Float32Array, dx: Float32Array | null, accumulate = false): void {
    const { inFeatures: I, outFeatures: O, n } = this;
    if (!this.x) throw new Error(`${this.name}: backward() before forward()`);
    this.kernels.gemm(true, false, O, I, n, 1, dy, this.x, 1, this.weight.grad);
    const db = this.bias.grad;
    for (let r = 0; r < n; r++) for (let o = 0; o < O; o++) db[o]! += dy[r * O + o]!;
    if (dx) this.kernels.gemm(false, false, n, I, O, 1, dy, this.weight.value, accumulate ? 1 : 0, dx);
  }

  params(): Param[] {
    return [this.weight, this.bias];
  }
}
