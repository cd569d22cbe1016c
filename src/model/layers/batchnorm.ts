/**
 * BatchNorm1d over the channels of (B, T, C) activations, PyTorch semantics: train mode normalises with
 * the batch's biased variance and updates running_mean / running_var (unbiased variance) with momentum
 * 0.1 and counts num_batches_tracked; eval mode uses the running statistics. eps 1e-5.
 */
import { constParam, ensure, type Param } from './param.js';

export class BatchNorm1d {
  readonly weight: Param;
  readonly bias: Param;
  readonly runningMean: Float32Array;
  readonly runningVar: Float32Array;
  /** Length-1 array (kept as float so the state dict is uniform; written as I64 to safetensors). */
  readonly numBatchesTracked = new Float32Array(1);
  private x: Float32Array | undefined;
  private mean = new Float64Array(0);
  private invStd = new Float64Array(0);
  private y: Float32Array | undefined;
  private n = 0;
  private trained = false;

  constructor(
    readonly name: string,
    readonly channels: number,
    readonly momentum = 0.1,
    readonly eps = 1e-5,
  ) {
    this.weight = constParam(`${name}.weight`, [channels], 1);
    this.bias = constParam(`${name}.bias`, [channels], 0);
    this.runningMean = new Float32Array(channels);
    this.runningVar = new Float32Array(channels).fill(1);
  }

  /** Drops the activations kept for backward (they are re-allocated by the next forward). */
  releaseActivations(): void {
    this.x = undefined;
    this.y = undefined;
  }

  /** x: (n, C) rows → normalised (n, C). Keeps a reference to x for backward. */
  forward(x: Float32Array, n: number, train: boolean): Float32Array {
    const C = this.channels;
    const y = (this.y = ensure(this.y, n * C));
    const mean = new Float64Array(C),
      inv = new Float64Array(C);
    if (train) {
      if (n < 2) throw new Error(`${this.name}: train mode needs more than one value per channel (got batch·frames = ${n})`);
      // One pass for Σx and Σx² in float64: exact enough here (|mean| and std are of the same order)
      // and a full pass over the activations cheaper than the two-pass form.
      const sq = new Float64Array(C);
      for (let o = 0; o < n * C; o += C) {
        for (let c = 0; c < C; c++) {
          const v = x[o + c]!;
          mean[c]! += v;
          sq[c]! += v * v;
        }
      }
      const m = this.momentum;
      for (let c = 0; c < C; c++) {
        const mu = mean[c]! / n;
        const ss = Math.max(sq[c]! - n * mu * mu, 0); // Σ(x − μ)²
        mean[c] = mu;
        inv[c] = 1 / Math.sqrt(ss / n + this.eps);
        this.runningMean[c] = (1 - m) * this.runningMean[c]! + m * mu;
        this.runningVar[c] = (1 - m) * this.runningVar[c]! + m * (ss / (n - 1));
      }
      this.numBatchesTracked[0]! += 1;
    } else {
      for (let c = 0; c < C; c++) {
        mean[c] = this.runningMean[c]!;
        inv[c] = 1 / Math.sqrt(this.runningVar[c]! + this.eps);
      }
    }
    // y = γ (x − μ)/σ + β = x·scale + shift
    const gamma = this.weight.value,
      beta = this.bias.value;
    const scale = new Float32Array(C),
      shift = new Float32Array(C);
    for (let c = 0; c < C; c++) {
      scale[c] = gamma[c]! * inv[c]!;
      shift[c] = beta[c]! - mean[c]! * gamma[c]! * inv[c]!;
    }
    for (let o = 0; o < n * C; o += C) for (let c = 0; c < C; c++) y[o + c] = x[o + c]! * scale[c]! + shift[c]!;
    this.x = x;
    this.mean = mean;
    this.invStd = inv;
    this.n = n;
    this.trained = train;
    return y;
  }

  /** Backward of the last train-mode forward: accumulates γ/β gradients and writes dx (n, C). */
  backward(dy: Float32Array, dx: Float32Array): void {
    if (!this.trained || !this.x) throw new Error(`${this.name}: backward() needs a train-mode forward()`);
    const C = this.channels,
      n = this.n,
      x = this.x,
      mean = this.mean,
      inv = this.invStd,
      gamma = this.weight.value;
    // x̂ is recomputed from x rather than stored: one activation-sized buffer less.
    const sumDy = new Float64Array(C),
      sumDyX = new Float64Array(C);
    for (let o = 0; o < n * C; o += C) {
      for (let c = 0; c < C; c++) {
        const g = dy[o + c]!;
        sumDy[c]! += g;
        sumDyX[c]! += g * x[o + c]!;
      }
    }
    // Σ dy·x̂ = (Σ dy·x − μ Σ dy)/σ.  dx = γ/σ · (dy − mean(dy) − x̂ · mean(dy·x̂)) = a·dy + b·x + d
    const a = new Float32Array(C),
      b = new Float32Array(C),
      d = new Float32Array(C);
    for (let c = 0; c < C; c++) {
      const sdxh = (sumDyX[c]! - mean[c]! * sumDy[c]!) * inv[c]!;
      this.weight.grad[c]! += sdxh;
      this.bias.grad[c]! += sumDy[c]!;
      const k = gamma[c]! * inv[c]!;
      const coefXhat = (-k * sdxh) / n; // multiplies x̂ = (x − μ)·inv
      a[c] = k;
      b[c] = coefXhat * inv[c]!;
      d[c] = (-k * sumDy[c]!) / n - coefXhat * inv[c]! * mean[c]!;
    }
    for (let o = 0; o < n * C; o += C) for (let c = 0; c < C; c++) dx[o + c] = a[c]! * dy[o + c]! + b[c]! * x[o + c]! + d[c]!;
  }

  params(): Param[] {
    return [this.weight, this.bias];
  }
}
