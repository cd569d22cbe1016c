/**
 * The multi-scale front end: parallel Conv1d(F → C, k, padding k//2) for each k, each followed by ReLU,
 * concatenated on channels in kernel_sizes order — PyTorch's torch.cat([relu(conv_k(x)) …], dim=1).
 */
import type { Kernels } from '../../engine/kernels.js';
import type { Rng } from '../../engine/rng.js';
import { ensure, uniformParam, type Param } from './param.js';

export class MultiScaleConv {
  readonly convs: { k: number; weight: Param; bias: Param }[];
  readonly outChannels: number;
  private x: Float32Array | undefined;
  private y: Float32Array | undefined;
  private B = 0;
  private T = 0;

  /** PyTorch's default init: weight and bias uniform in ±1/√(F·k). */
  constructor(
    readonly inFeatures: number,
    readonly channels: number,
    readonly kernelSizes: number[],
    rng: Rng,
    private readonly kernels: Kernels,
  ) {
    this.convs = kernelSizes.map((k) => {
      const bound = 1 / Math.sqrt(inFeatures * k);
      return {
        k,
        weight: uniformParam(`conv${k}.weight`, [channels, inFeatures, k], bound, rng),
        bias: uniformParam(`conv${k}.bias`, [channels], bound, rng),
      };
    });
    this.outChannels = channels * kernelSizes.length;
  }

  /** Drops the activations kept for backward (they are re-allocated by the next forward). */
  releaseActivations(): void {
    this.x = undefined;
    this.y = undefined;
  }

  /** x: (B, T, F) → (B, T, nk·C) after ReLU. */
  forward(x: Float32Array, B: number, T: number): Float32Array {
    const y = (this.y = ensure(this.y, B * T * this.outChannels));
    this.convs.forEach((c, i) =>
      this.kernels.conv1dForward(
        x,
        B,
        T,
        this.inFeatures,
        c.weight.value,
        c.bias.value,
        this.channels,
        c.k,
        true,
        y,
        this.outChannels,
        i * this.channels,
      ),
    );
    this.x = x;
    this.B = B;
    this.T = T;
    return y;
  }

  /** dy: (B, T, nk·C) gradient after ReLU. Accumulates parameter gradients (the input needs none). */
  backward(dy: Float32Array): void {
    if (!this.x || !this.y) throw new Error('conv: backward() before forward()');
    this.convs.forEach((c, i) =>
      this.kernels.conv1dBackward(
        this.x!,
        this.B,
        this.T,
        this.inFeatures,
        c.weight.value,
        this.channels,
        c.k,
        true,
        this.y!,
        dy,
        this.outChannels,
        i * this.channels,
        c.weight.grad,
        c.bias.grad,
        null,
      ),
    );
  }

  params(): Param[] {
    return this.convs.flatMap((c) => [c.weight, c.bias]);
  }
}
