/**
 * Feature-level augmentation: SpecAugment-style time and frequency masking (Park et al. 2019) and
 * mixup (Zhang et al. 2018).
 */
import { type RandomSource } from './random.js';

/**
 * A feature block in the librosa layout used by src/features (`FeatureMatrix`): rows = features,
 * row-major `data[row * frames + frame]`.
 */
export interface FeatureBlock {
  rows: number;
  frames: number;
  data: Float32Array;
}

export interface SpecAugmentOptions {
  /** Number of time masks (default 2). */
  timeMasks?: number;
  /** Maximum width of a time mask in frames (default 40 = 0.4 s at hop 160; also capped at 20 % of the clip). */
  maxTimeWidth?: number;
  /** Number of frequency masks (default 2). */
  freqMasks?: number;
  /** Maximum height of a frequency mask in coefficients (default 5). */
  maxFreqWidth?: number;
  /**
   * Feature blocks are stacked as `groups` equal bands (e.g. 3 for MFCC, Δ, ΔΔ); a frequency mask hides
   * the same coefficients in every band, otherwise the deltas would give the masked cepstra away.
   * Default 3 when rows is a multiple of 3, else 1.
   */
  groups?: number;
}

/** Where masks were put (for tests and the chart). */
export interface MaskRecord {
  time: [number, number][];
  freq: [number, number][];
}

/**
 * Returns a copy with masked regions set to each row's mean over the clip (0 after z-scoring, and a
 * neutral value before it, unlike a literal 0 in un-normalised cepstra).
 */
export function specAugment(x: FeatureBlock, rng: RandomSource, opts: SpecAugmentOptions = {}, record?: MaskRecord): FeatureBlock {
  const { rows, frames } = x;
  const data = Float32Array.from(x.data);
  const mean = new Float32Array(rows);
  for (let r = 0; r < rows; r++) {
    let s = 0;
    for (let t = 0; t < frames; t++) s += data[r * frames + t];
    mean[r] = frames ? s / frames : 0;
  }
  const groups = opts.groups ?? (rows % 3 === 0 ? 3 : 1);
  const band = Math.floor(rows / groups);
  const maxT = Math.min(opts.maxTimeWidth ?? 40, Math.floor(0.2 * frames));
  for (let m = 0; m < (opts.timeMasks ?? 2) && maxT > 0; m++) {
    const w = Math.floor(rng.next() * (maxT + 1));
    const t0 = Math.floor(rng.next() * (frames - w + 1));
    record?.time.push([t0, w]);
    for (let r = 0; r < rows; r++) data.fill(mean[r], r * frames + t0, r * frames + t0 + w);
  }
  const maxF = Math.min(opts.maxFreqWidth ?? 5, band);
  for (let m = 0; m < (opts.freqMasks ?? 2) && maxF > 0; m++) {
    const w = Math.floor(rng.next() * (maxF + 1));
    const f0 = Math.floor(rng.next() * (band - w + 1));
    record?.freq.push([f0, w]);
    for (let g = 0; g < groups; g++) {
      for (let r = g * band + f0; r < g * band + f0 + w; r++) data.fill(mean[r], r * frames, (r + 1) * frames);
    }
  }
  return { rows, frames, data };
}

/** A mixup draw for one batch: the partner of each example and the weight of the original. */
export interface MixupPlan {
  lambda: number;
  partner: Int32Array;
}

/**
 * Plans mixup for a batch of B examples: λ ~ Beta(α, α) (folded to ≥ 0.5 so the original dominates)
 * and a random permutation of partners. Train with
 *   loss = λ · CE(logits, y) + (1 − λ) · CE(logits, y[partner]),
 * i.e. dLogits = λ·d₁ + (1 − λ)·d₂ from two `softmaxCrossEntropy` calls.
 */
export function planMixup(B: number, alpha: number, rng: RandomSource): MixupPlan {
  if (!(alpha > 0)) throw new Error(`mixup: alpha must be > 0, got ${alpha}`);
  const a = sampleGamma(alpha, rng);
  const b = sampleGamma(alpha, rng);
  let lambda = a + b > 0 ? a / (a + b) : 0.5;
  lambda = Math.max(lambda, 1 - lambda);
  const partner = new Int32Array(B);
  for (let i = 0; i < B; i++) partner[i] = i;
  for (let i = B - 1; i > 0; i--) {
    const j = Math.floor(rng.next() * (i + 1));
    [partner[i], partner[j]] = [partner[j], partner[i]];
  }
  return { lambda, partner };
}

/**
 * Applies a mixup plan to a batch laid out (B, …) with `stride` floats per example:
 * out[i] = λ·x[i] + (1 − λ)·x[partner[i]].
 */
export function applyMixup(x: Float32Array, B: number, stride: number, plan: MixupPlan): Float32Array {
  if (x.length !== B * stride) throw new Error(`mixup: batch has ${x.length} floats, expected ${B}×${stride}`);
  const out = new Float32Array(x.length);
  const l = plan.lambda;
  for (let i = 0; i < B; i++) {
    const p = plan.partner[i];
    for (let j = 0; j < stride; j++) out[i * stride + j] = l * x[i * stride + j] + (1 - l) * x[p * stride + j];
  }
  return out;
}

/** Marsaglia–Tsang gamma sampler (shape k, scale 1), with the k < 1 boost. */
function sampleGamma(k: number, rng: RandomSource): number {
  if (k < 1) return sampleGamma(k + 1, rng) * Math.pow(rng.next() || 1e-12, 1 / k);
  const d = k - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    let x: number;
    let v: number;
    do {
      x = rng.normal();
      v = 1 + c * x;
    } while (v <= 0);
    v = v * v * v;
    const u = rng.next();
    if (u < 1 - 0.0331 * x ** 4) return d * v;
    if (Math.log(u) < 0.5 * x * x + d * (1 - v + Math.log(v))) return d * v;
  }
}
