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
  private xhat: Float32Array | undefined;
  private invStd = new Float64Array(0);
  private y: Float32Array | undefined;
  private n = 0;
  private trained = false;

  constructor(readonly name: string, readonly channels: number, readonly momentum = 0.1, readonly eps = 1e-5) {
    this.weight = constParam(`${name}.weight`, [channels], 1);
    this.bias = constParam(`${name}.bias`, [channels], 0);
    this.runningMean = new Float32Array(channels);
    this.runningVar = new Float32Array(channels).fill(1);
  }

  /** x: (n, C) rows → normalised (n, C). */
  forward(x: Float32Array, n: number, train: boolean): Float32Array {
    const C = this.channels;
    const y = (this.y = ensure(this.y, n * C));
    const gamma = this.weight.value, beta = this.bias.value;
    const mean = new Float64Array(C), inv = new Float64Array(C);
    if (train) {
      if (n < 2) throw new Error(`${this.name}: train mode needs more than one value per channel (got batch·frames = ${n})`);
      for (let r = 0; r < n; r++) for (let c = 0; c < C; c++) mean[c]! += x[r * C + c]!;
      for (let c = 0; c < C; c++) mean[c]! /= n;
      const v = new Float64Array(C);
      for (let r = 0; r < n; r++) for (let c = 0; c < C; c++) { const d = x[r * C + c]! - mean[c]!; v[c]! += d * d; }
      const m = this.momentum;
      for (let c = 0; c < C; c++) {
        const biased = v[c]! / n;
        inv[c] = 1 / Math.sqrt(biased + this.eps);
        this.runningMean[c] = (1 - m) * this.runningMean[c]! + m * mean[c]!;
        this.runningVar[c] = (1 - m) * this.runningVar[c]! + m * (v[c]! / (n - 1));
      }
      this.numBatchesTracked[0]! += 1;
      const xhat = (this.xhat = ensure(this.xhat, n * C));
      for (let r = 0; r < n; r++) for (let c = 0; c < C; c++) {
        const h = (x[r * C + c]! - mean[c]!) * inv[c]!;
        xhat[r * C + c] = h;
        y[r * C + c] = gamma[c]! * h + beta[c]!;
      }
    } else {
      for (let c = 0; c < C; c++) { mean[c] = this.runningMean[c]!; inv[c] = 1 / Math.sqrt(this.runningVar[c]! + this.eps); }
      for (let r = 0; r < n; r++) for (let c = 0; c < C; c++) {
        y[r * C + c] = gamma[c]! * (x[r * C + c]! - mean[c]!) * inv[c]! + beta[c]!;
      }
    }
    this.invStd = inv;
    this.n = n;
    this.trained = train;
    return y;
  }

  /** Backward of the last train-mode forward: accumulates γ/β gradients and writes dx (n, C). */
  backward(dy: Float32Array, dx: Float32Array): void {
    if (!this.trained || !this.xhat) throw new Error(`${this.name}: backward() needs a train-mode forward()`);
    const C = this.channels, n = this.n, xhat = this.xhat, inv = this.invStd, gamma = this.weight.value;
    const sumDy = new Float64Array(C), sumDyXhat = new Float64Array(C);
    for (let r = 0; r < n; r++) for (let c = 0; c < C; c++) {
      const g = dy[r * C + c]!;
      sumDy[c]! += g;
      sumDyXhat[c]! += g * xhat[r * C + c]!;
    }
    for (let c = 0; c < C; c++) { this.weight.grad[c]! += sumDyXhat[c]!; this.bias.grad[c]! += sumDy[c]!; }
    // dx = γ/σ · (dy − mean(dy) − x̂ · mean(dy · x̂))
    for (let r = 0; r < n; r++) for (let c = 0; c < C; c++) {
      dx[r * C + c] = gamma[c]! * inv[c]! * (dy[r * C + c]! - sumDy[c]! / n - xhat[r * C + c]! * sumDyXhat[c]! / n);
    }
  }

  params(): Param[] {
    return [this.weight, this.bias];
  }
}
