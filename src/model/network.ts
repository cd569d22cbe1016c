/**
 * AffexionNet: the network of /work/shared/reference/affexion_torch.py, layer for layer, with PyTorch's
 * parameter names and layouts so weights move between the two unchanged.
 *
 *   x (B, T, F) → [Conv1d_k + ReLU]_k concat → BatchNorm1d → Dropout → BiLSTM × L → Q/K/V self-attention
 *   → mean over time → Linear + ReLU → Dropout → Linear → logits (B, n_classes)
 */
import type { Kernels } from '../engine/kernels.js';
import { Rng } from '../engine/rng.js';
import { getKernels } from '../engine/index.js';
import { parseConfig, type AffexionConfig } from './config.js';
import { SelfAttention } from './layers/attention.js';
import { BatchNorm1d } from './layers/batchnorm.js';
import { MultiScaleConv } from './layers/conv.js';
import { Dropout } from './layers/dropout.js';
import { Linear } from './layers/linear.js';
import { BiLSTM } from './layers/lstm.js';
import { ensure, type Param } from './layers/param.js';
import { MeanPool } from './layers/pooling.js';

/** Options of AffexionNet.forward. */
export interface ForwardOptions {
  /** true: BatchNorm on batch statistics (and running-stat update), dropout active; false: eval mode. */
  train: boolean;
  /**
   * Valid frames per clip (B values in [1, T]). Used when the config's mask_padding is true or
   * `applyLengths` is set; then padded frames are ignored by the LSTM (packed sequences), attention keys
   * and pooling, as in the reference's forward(x, lengths). BatchNorm always sees every frame, as in the reference.
   */
  lengths?: Int32Array | null;
  /**
   * Apply `lengths` even when the config's mask_padding is false: the reference's forward masks
   * whenever lengths are passed (raw-feature inference on imported models follows that).
   */
  applyLengths?: boolean;
  /** Random source for dropout; defaults to the network's own generator (seeded by opts.seed). */
  rng?: Rng;
}

/** The Affexion network with forward/backward on a pluggable kernel backend. */
export class AffexionNet {
  readonly config: AffexionConfig;
  readonly kernels: Kernels;
  /** The generator used for dropout when forward() is given none. */
  readonly rng: Rng;
  private readonly conv: MultiScaleConv;
  private readonly bn: BatchNorm1d;
  private readonly dropConv: Dropout;
  private readonly lstm: BiLSTM;
  private readonly attn: SelfAttention;
  private readonly pool: MeanPool;
  private readonly fc1: Linear;
  private readonly dropFc: Dropout;
  private readonly fc2: Linear;
  private readonly params: Param[];
  private last: { B: number; T: number; train: boolean } | null = null;
  private relu: Float32Array | undefined;
  private buf: Record<string, Float32Array | undefined> = {};

  /**
   * @param cfg architecture (validated; see parseConfig)
   * @param opts.seed seeds the initial weights (PyTorch's default init distributions) and dropout; default 0
   * @param opts.kernels compute backend; default the engine's backend
   */
  constructor(cfg: AffexionConfig, opts: { seed?: number; kernels?: Kernels } = {}) {
    this.config = Object.freeze(parseConfig(cfg, 'AffexionNet config'));
    this.kernels = opts.kernels ?? getKernels(); // resolved here, not at import: importing the model code never requires the addon
    const c = this.config;
    const init = new Rng(opts.seed ?? 0);
    this.conv = new MultiScaleConv(c.n_features, c.conv_channels, c.kernel_sizes, init, this.kernels);
    this.bn = new BatchNorm1d('bn', this.conv.outChannels);
    this.dropConv = new Dropout(c.dropout_conv);
    this.lstm = new BiLSTM('lstm', this.conv.outChannels, c.lstm_hidden, c.lstm_layers, init, this.kernels);
    const D = 2 * c.lstm_hidden;
    this.pool = new MeanPool(this.kernels);
    this.attn = new SelfAttention(D, init, this.kernels);
    this.fc1 = new Linear('fc1', D, c.fc_hidden, init, this.kernels);
    this.dropFc = new Dropout(c.dropout_fc);
    this.fc2 = new Linear('fc2', c.fc_hidden, c.n_classes, init, this.kernels);
    // state_dict order of the reference module
    this.params = [
      ...this.conv.params(),
      ...this.bn.params(),
      ...this.lstm.params(),
      ...this.attn.params(),
      ...this.fc1.params(),
      ...this.fc2.params(),
    ];
    this.rng = new Rng(((opts.seed ?? 0) ^ 0x5eed) >>> 0);
  }

  /**
   * x: (B, T, n_features) row-major; returns logits (B, n_classes) (a fresh array).
   * Activations are kept for backward() after a train-mode call, and so are references to `x` and
   * `lengths`: do not overwrite them (e.g. by refilling a reused batch buffer) before backward().
   */
  forward(x: Float32Array, B: number, T: number, opts: ForwardOptions): Float32Array {
    const c = this.config;
    if (!Number.isInteger(B) || !Number.isInteger(T) || B < 1 || T < 1) throw new RangeError(`forward: bad batch shape B=${B}, T=${T}`);
    if (x.length !== B * T * c.n_features) {
      throw new RangeError(`forward: input has ${x.length} values, expected B·T·F = ${B}·${T}·${c.n_features} = ${B * T * c.n_features}`);
    }
    const lens = (c.mask_padding || opts.applyLengths) && opts.lengths ? checkLengths(opts.lengths, B, T) : null;
    const rng = opts.rng ?? this.rng;
    const train = opts.train;
    const D = 2 * c.lstm_hidden;

    const h1 = this.conv.forward(x, B, T);
    const h2 = this.bn.forward(h1, B * T, train);
    const h3 = this.dropConv.forward(h2, train, rng);
    const h4 = this.lstm.forward(h3, B, T, lens);
    const z = this.attn.forward(h4, B, T, lens);
    const pooled = this.pool.forward(z, B, T, D, lens);
    const f1 = this.fc1.forward(pooled, B);
    const r = (this.relu = ensure(this.relu, B * c.fc_hidden));
    for (let i = 0; i < r.length; i++) r[i] = f1[i]! > 0 ? f1[i]! : 0;
    const r2 = this.dropFc.forward(r, train, rng);
    const logits = this.fc2.forward(r2, B).slice();
    this.last = { B, T, train };
    return logits;
  }

  /** Back-propagates dLogits (B, n_classes) through the last train-mode forward; accumulates every .grad. */
  backward(dLogits: Float32Array): void {
    const last = this.last;
    if (!last || !last.train) throw new Error('backward: needs a preceding train-mode forward()');
    const c = this.config,
      { B, T } = last,
      D = 2 * c.lstm_hidden;
    if (dLogits.length !== B * c.n_classes)
      throw new RangeError(`backward: dLogits has ${dLogits.length} values, expected ${B * c.n_classes}`);
    const dr = (this.buf.dr = ensure(this.buf.dr, B * c.fc_hidden));
    this.fc2.backward(dLogits, dr);
    this.dropFc.backward(dr);
    const r = this.relu!;
    for (let i = 0; i < dr.length; i++) if (!(r[i]! > 0)) dr[i] = 0;
    const dp = (this.buf.dp = ensure(this.buf.dp, B * D));
    this.fc1.backward(dr, dp);
    const dz = (this.buf.dz = ensure(this.buf.dz, B * T * D));
    this.pool.backward(dp, dz);
    const dh4 = this.attn.backward(dz);
    const dh3 = this.lstm.backward(dh4);
    this.dropConv.backward(dh3);
    const dh1 = (this.buf.dh1 = ensure(this.buf.dh1, B * T * this.conv.outChannels));
    this.bn.backward(dh3, dh1);
    this.conv.backward(dh1);
  }

  /**
   * Sets BatchNorm's running statistics to the exact mean and unbiased variance of its inputs over
   * `batches` (the convolution outputs of every frame, as train mode sees them). Needed after weight
   * averaging: no running statistics were ever accumulated for the averaged weights. Deterministic.
   */
  recomputeBatchNormStats(batches: Iterable<{ x: Float32Array; B: number; T: number }>): void {
    const C = this.conv.outChannels;
    const sum = new Float64Array(C),
      sq = new Float64Array(C);
    let n = 0;
    for (const b of batches) {
      const h = this.conv.forward(b.x, b.B, b.T);
      for (let o = 0; o < b.B * b.T * C; o += C) {
        for (let c = 0; c < C; c++) {
          const v = h[o + c]!;
          sum[c]! += v;
          sq[c]! += v * v;
        }
      }
      n += b.B * b.T;
    }
    if (n < 2) throw new Error('recomputeBatchNormStats: needs at least two frames');
    for (let c = 0; c < C; c++) {
      const mu = sum[c]! / n;
      this.bn.runningMean[c] = mu;
      this.bn.runningVar[c] = Math.max(sq[c]! - n * mu * mu, 0) / (n - 1);
    }
  }

  /** Trainable parameters in PyTorch's named_parameters() order (live arrays). */
  parameters(): { name: string; shape: number[]; value: Float32Array; grad: Float32Array }[] {
    return this.params;
  }

  /** Sets every gradient to zero. */
  zeroGrad(): void {
    for (const p of this.params) p.grad.fill(0);
  }

  /**
   * Frees the activations every layer keeps between forward and backward (hundreds of MB for the
   * paper-size network at batch 32). The network stays usable: the next forward allocates them again.
   * Trainers call it when a network is done training, so finished ensemble members and folds do not
   * hold their training buffers.
   */
  releaseActivations(): void {
    for (const l of [this.conv, this.bn, this.dropConv, this.lstm, this.attn, this.fc1, this.dropFc, this.fc2]) l.releaseActivations();
  }

  /** Total number of trainable values. */
  numParameters(): number {
    return this.params.reduce((a, p) => a + p.value.length, 0);
  }

  /** Parameters and buffers by PyTorch state_dict name, in state_dict order (live arrays). */
  stateDict(): Map<string, Float32Array> {
    const sd = new Map<string, Float32Array>();
    for (const p of this.params) {
      sd.set(p.name, p.value);
      if (p.name === 'bn.bias') {
        sd.set('bn.running_mean', this.bn.runningMean);
        sd.set('bn.running_var', this.bn.runningVar);
        sd.set('bn.num_batches_tracked', this.bn.numBatchesTracked);
      }
    }
    return sd;
  }

  /** Shape of every state_dict entry (num_batches_tracked is a scalar, shape []). */
  stateShapes(): Map<string, number[]> {
    const shapes = new Map<string, number[]>();
    const byName = new Map(this.params.map((p) => [p.name, p.shape]));
    for (const name of this.stateDict().keys()) {
      shapes.set(name, byName.get(name) ?? (name === 'bn.num_batches_tracked' ? [] : [this.bn.channels]));
    }
    return shapes;
  }

  /**
   * Copy values into the network. Every state_dict name must be present with the right number of
   * values and no unknown names may appear; all problems are listed in one error.
   * bn.num_batches_tracked may be missing (older checkpoints): it is then left unchanged.
   */
  loadStateDict(sd: Map<string, Float32Array>, source = 'state dict'): void {
    const own = this.stateDict();
    const shapes = this.stateShapes();
    const problems: string[] = [];
    for (const [name, dst] of own) {
      const src = sd.get(name);
      if (!src) {
        if (name !== 'bn.num_batches_tracked') problems.push(`missing '${name}' [${shapes.get(name)}]`);
        continue;
      }
      if (src.length !== dst.length)
        problems.push(`'${name}' has ${src.length} values, the architecture needs [${shapes.get(name)}] = ${dst.length}`);
    }
    for (const name of sd.keys()) if (!own.has(name)) problems.push(`unexpected '${name}'`);
    if (problems.length) throw new Error(`${source} does not fit this architecture: ${problems.join('; ')}`);
    for (const [name, dst] of own) {
      const src = sd.get(name);
      if (src) dst.set(src);
    }
  }
}

function checkLengths(lengths: Int32Array, B: number, T: number): Int32Array {
  if (lengths.length !== B) throw new RangeError(`forward: lengths has ${lengths.length} values, expected one per clip (B = ${B})`);
  for (let b = 0; b < B; b++) {
    const l = lengths[b]!;
    if (!(Number.isInteger(l) && l >= 1 && l <= T)) throw new RangeError(`forward: lengths[${b}] = ${l} must be in [1, T = ${T}]`);
  }
  return lengths;
}
