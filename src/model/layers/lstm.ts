/**
 * Stacked bidirectional LSTM (PyTorch nn.LSTM(bidirectional=True, batch_first=True), no inter-layer
 * dropout). Parameter names lstm.weight_ih_l{n}[_reverse] etc.; each layer runs through the kernel's
 * whole-sequence bidirectional LSTM, with packed-sequence semantics when lengths are given.
 */
import type { Kernels, LstmDirection } from '../../engine/kernels.js';
import type { Rng } from '../../engine/rng.js';
import { ensure, uniformParam, type Param } from './param.js';

interface DirParams {
  wih: Param;
  whh: Param;
  bih: Param;
  bhh: Param;
}

const values = (d: DirParams): LstmDirection => ({ wih: d.wih.value, whh: d.whh.value, bih: d.bih.value, bhh: d.bhh.value });
const grads = (d: DirParams): LstmDirection => ({ wih: d.wih.grad, whh: d.whh.grad, bih: d.bih.grad, bhh: d.bhh.grad });

export class BiLSTM {
  readonly layers: { fwd: DirParams; rev: DirParams; inSize: number }[] = [];
  private acts: { x: Float32Array; out: Float32Array | undefined; cache: Float32Array | undefined; dx: Float32Array | undefined }[] = [];
  private B = 0;
  private T = 0;
  private lengths: Int32Array | null = null;

  /** PyTorch's default init: every weight and bias uniform in ±1/√H. */
  constructor(
    readonly name: string,
    readonly inputSize: number,
    readonly hidden: number,
    readonly numLayers: number,
    rng: Rng,
    private readonly kernels: Kernels,
  ) {
    const H = hidden,
      bound = 1 / Math.sqrt(H);
    for (let l = 0; l < numLayers; l++) {
      const inSize = l === 0 ? inputSize : 2 * H;
      const dir = (suffix: string): DirParams => ({
        wih: uniformParam(`${name}.weight_ih_l${l}${suffix}`, [4 * H, inSize], bound, rng),
        whh: uniformParam(`${name}.weight_hh_l${l}${suffix}`, [4 * H, H], bound, rng),
        bih: uniformParam(`${name}.bias_ih_l${l}${suffix}`, [4 * H], bound, rng),
        bhh: uniformParam(`${name}.bias_hh_l${l}${suffix}`, [4 * H], bound, rng),
      });
      this.layers.push({ fwd: dir(''), rev: dir('_reverse'), inSize });
      this.acts.push({ x: new Float32Array(0), out: undefined, cache: undefined, dx: undefined });
    }
  }

  /** Drops the activations and caches kept for backward (they are re-allocated by the next forward). */
  releaseActivations(): void {
    this.acts = this.acts.map(() => ({ x: new Float32Array(0), out: undefined, cache: undefined, dx: undefined }));
  }

  /** x: (B, T, inputSize) → (B, T, 2H); padded frames (t ≥ lengths[b]) are 0. */
  forward(x: Float32Array, B: number, T: number, lengths: Int32Array | null): Float32Array {
    const H = this.hidden;
    let h = x;
    this.layers.forEach((layer, l) => {
      const a = this.acts[l]!;
      a.x = h;
      a.out = ensure(a.out, B * T * 2 * H);
      a.cache = ensure(a.cache, this.kernels.lstmCacheSize(B, T, H));
      this.kernels.lstmForward(h, B, T, layer.inSize, H, values(layer.fwd), values(layer.rev), lengths, a.out, a.cache);
      h = a.out;
    });
    this.B = B;
    this.T = T;
    this.lengths = lengths;
    return h;
  }

  /** dOut: (B, T, 2H). Accumulates parameter gradients; returns the input gradient (B, T, inputSize). */
  backward(dOut: Float32Array): Float32Array {
    const { B, T, hidden: H } = this;
    let d = dOut;
    for (let l = this.layers.length - 1; l >= 0; l--) {
      const layer = this.layers[l]!,
        a = this.acts[l]!;
      if (!a.out || !a.cache) throw new Error(`${this.name}: backward() before forward()`);
      a.dx = ensure(a.dx, B * T * layer.inSize);
      this.kernels.lstmBackward(
        a.x,
        B,
        T,
        layer.inSize,
        H,
        values(layer.fwd),
        values(layer.rev),
        this.lengths,
        a.out,
        a.cache,
        d,
        a.dx,
        grads(layer.fwd),
        grads(layer.rev),
      );
      d = a.dx;
    }
    return d;
  }

  params(): Param[] {
    return this.layers.flatMap((L) => [L.fwd.wih, L.fwd.whh, L.fwd.bih, L.fwd.bhh, L.rev.wih, L.rev.whh, L.rev.bih, L.rev.bhh]);
  }
}
