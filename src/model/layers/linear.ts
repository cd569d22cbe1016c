/** Linear layer y = x Wᵀ + b over the rows of a (N, in) matrix (PyTorch nn.Linear layout: W is (out, in)). */
import type { Kernels } from '../../engine/kernels.js';
import type { Rng } from '../../engine/rng.js';
import { ensure, ones, uniformParam, type Param } from './param.js';

export class Linear {
  readonly weight: Param;
  readonly bias: Param;
  private x: Float32Array | undefined;
  private n = 0;
  private y: Float32Array | undefined;

  /** PyTorch's default init: weight and bias uniform in ±1/√in. */
  constructor(
    readonly name: string,
    readonly inFeatures: number,
    readonly outFeatures: number,
    rng: Rng,
    private readonly kernels: Kernels,
  ) {
    const bound = 1 / Math.sqrt(inFeatures);
    this.weight = uniformParam(`${name}.weight`, [outFeatures, inFeatures], bound, rng);
    this.bias = uniformParam(`${name}.bias`, [outFeatures], bound, rng);
  }

  /** Drops the activations kept for backward (they are re-allocated by the next forward). */
  releaseActivations(): void {
    this.x = undefined;
    this.y = undefined;
  }

  /**
   * x: (n, in) → (n, out). Keeps a reference to x for backward. Writes into `out` when given, else into
   * a buffer of its own that the next call reuses.
   */
  forward(x: Float32Array, n: number, out?: Float32Array): Float32Array {
    const { inFeatures: I, outFeatures: O } = this;
    const y = out ?? (this.y = ensure(this.y, n * O));
    // y = bias (broadcast to every row), then y += x Wᵀ inside the GEMM (beta = 1)
    const b = this.bias.value;
    for (let r = 0; r < n; r++) y.set(b, r * O);
    this.kernels.gemm(false, true, n, O, I, 1, x, this.weight.value, 1, y);
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
    this.kernels.gemm(true, false, O, 1, n, 1, dy, ones(n), 1, this.bias.grad); // db += column sums of dy
    if (dx) this.kernels.gemm(false, false, n, I, O, 1, dy, this.weight.value, accumulate ? 1 : 0, dx);
  }

  params(): Param[] {
    return [this.weight, this.bias];
  }
}
