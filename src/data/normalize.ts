/**
 * Z-score normalisation per feature channel and conversion of FeatureMatrix (rows, frames) into the
 * model's time-major input (B, T, F), padded with zeros after normalisation or truncated to `maxLen`.
 */
import type { FeatureMatrix } from '../features/index.js';

/**
 * 'global': per-channel mean/std from the training set (stored with the model);
 * 'utterance': each clip is standardised with its own per-channel statistics.
 */
export type Normalization = { mode: 'global'; mean: number[]; std: number[] } | { mode: 'utterance' };

/** Floor for standard deviations so constant channels do not divide by zero. */
const STD_FLOOR = 1e-8;

/**
 * Per-channel mean and (population) std over every frame of every clip, counting only the first
 * `maxLen` frames of each clip — the frames the model sees. Accumulated in float64.
 */
export function fitNormalization(mats: readonly FeatureMatrix[], maxLen = Infinity): Normalization & { mode: 'global' } {
  if (mats.length === 0) throw new Error('fitNormalization: no clips to compute statistics from');
  const rows = mats[0].rows;
  const sum = new Float64Array(rows);
  const sq = new Float64Array(rows);
  let n = 0;
  for (const m of mats) {
    if (m.rows !== rows) throw new Error(`fitNormalization: clips have ${rows} and ${m.rows} feature rows`);
    const T = Math.min(m.frames, maxLen);
    for (let r = 0; r < rows; r++) {
      const off = r * m.frames;
      let s = 0;
      let s2 = 0;
      for (let t = 0; t < T; t++) {
        const v = m.data[off + t];
        s += v;
        s2 += v * v;
      }
      sum[r] += s;
      sq[r] += s2;
    }
    n += T;
  }
  const mean: number[] = [];
  const std: number[] = [];
  for (let r = 0; r < rows; r++) {
    const mu = sum[r] / n;
    mean.push(mu);
    std.push(Math.max(Math.sqrt(Math.max(sq[r] / n - mu * mu, 0)), STD_FLOOR));
  }
  return { mode: 'global', mean, std };
}

/** Checks a stored normalisation against the feature row count; throws a clear error. */
export function validateNormalization(norm: Normalization, rows: number, where = 'normalization'): void {
  if (norm.mode === 'utterance') return;
  if (norm.mode !== 'global' || !Array.isArray(norm.mean) || !Array.isArray(norm.std)) {
    throw new Error(`${where}: expected {mode: "global", mean, std} or {mode: "utterance"}`);
  }
  if (norm.mean.length !== rows || norm.std.length !== rows) {
    throw new Error(`${where}: statistics for ${norm.mean.length} channels, features have ${rows}`);
  }
}

function utteranceStats(m: FeatureMatrix, T: number): { mean: Float64Array; std: Float64Array } {
  const mean = new Float64Array(m.rows);
  const std = new Float64Array(m.rows);
  for (let r = 0; r < m.rows; r++) {
    let s = 0;
    let s2 = 0;
    for (let t = 0; t < T; t++) {
      const v = m.data[r * m.frames + t];
      s += v;
      s2 += v * v;
    }
    const mu = s / T;
    mean[r] = mu;
    std[r] = Math.max(Math.sqrt(Math.max(s2 / T - mu * mu, 0)), STD_FLOOR);
  }
  return { mean, std };
}

/** A batch in the model's layout. */
export interface ModelBatch {
  /** (B, T, F) row-major, time-major: x[(b·T + t)·F + f]. */
  x: Float32Array;
  B: number;
  T: number;
  F: number;
  /** True (unpadded, untruncated-to-T) frame counts, 1 ≤ len ≤ T. */
  lengths: Int32Array;
}

/**
 * Normalises, transposes and pads/truncates clips to exactly `maxLen` frames (the paper pads every clip
 * to MAX_LEN; zeros are the channel mean after z-scoring).
 */
export function toModelBatch(mats: readonly FeatureMatrix[], norm: Normalization, maxLen: number): ModelBatch {
  if (mats.length === 0) throw new Error('toModelBatch: empty batch');
  const F = mats[0].rows;
  validateNormalization(norm, F);
  const B = mats.length;
  const T = maxLen;
  const x = new Float32Array(B * T * F);
  const lengths = new Int32Array(B);
  for (let b = 0; b < B; b++) {
    const m = mats[b];
    if (m.rows !== F) throw new Error(`toModelBatch: clips have ${F} and ${m.rows} feature rows`);
    const len = Math.min(m.frames, T);
    lengths[b] = Math.max(len, 1);
    let mean: ArrayLike<number>;
    let std: ArrayLike<number>;
    if (norm.mode === 'global') ({ mean, std } = norm);
    else ({ mean, std } = utteranceStats(m, Math.max(len, 1)));
    const base = b * T * F;
    for (let f = 0; f < F; f++) {
      const mu = mean[f];
      const inv = 1 / std[f];
      const src = f * m.frames;
      for (let t = 0; t < len; t++) x[base + t * F + f] = (m.data[src + t] - mu) * inv;
    }
  }
  return { x, B, T, F, lengths };
}
