/**
 * Fixed-length windows of feature matrices: the random training window of window training and the
 * scored windows of a clip (hyper `window` / `window_hop`, src/model/hyperparameters.ts). Training,
 * evaluation, `predict` and the live monitor all score windows of the same length, so no path can read
 * a clip's length from the input.
 */
import type { FeatureMatrix } from '../features/index.js';

/** Start indices of windows of `win` every `hop` covering n (last one flush with the end); one start at 0 when n ≤ win. */
export function windowStarts(n: number, win: number, hop: number): number[] {
  if (n <= win) return [0];
  const starts: number[] = [];
  for (let s = 0; s + win < n; s += hop) starts.push(s);
  starts.push(n - win);
  return [...new Set(starts)];
}

/** Frames [start, start + len) of a matrix (a copy; fewer when the matrix ends first). */
export function cropFrames(m: FeatureMatrix, start: number, len: number): FeatureMatrix {
  const a = Math.max(0, Math.min(start, m.frames));
  const b = Math.min(m.frames, a + len);
  const T = b - a;
  const data = new Float32Array(m.rows * T);
  for (let r = 0; r < m.rows; r++) data.set(m.data.subarray(r * m.frames + a, r * m.frames + b), r * T);
  return { rows: m.rows, frames: T, data };
}

/** splitmix-style 32-bit mix of integers: an independent stream per (seed, epoch, clip). */
function mix(...xs: number[]): number {
  let h = 0x9e3779b9;
  for (const x of xs) {
    h = Math.imul(h ^ (x >>> 0), 0x85ebca6b) >>> 0;
    h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35) >>> 0;
    h = (h ^ (h >>> 16)) >>> 0;
  }
  return h;
}

/**
 * The training window of clip `clip` in epoch `epoch`: `win` frames at a position drawn from
 * (seed, epoch, clip) only — so order, batch size and resuming never change it. Clips of at most `win`
 * frames are returned whole (padded and masked by the batch).
 */
export function randomWindow(m: FeatureMatrix, win: number, seed: number, epoch: number, clip: number): FeatureMatrix {
  if (m.frames <= win) return m;
  const start = mix(seed, epoch, clip) % (m.frames - win + 1);
  return cropFrames(m, start, win);
}

/** Every scored window of each clip: `windows` in clip order and `owner[w]` = the clip of window w. */
export function clipWindows(mats: readonly FeatureMatrix[], win: number, hop: number): { windows: FeatureMatrix[]; owner: Int32Array } {
  const windows: FeatureMatrix[] = [];
  const owner: number[] = [];
  mats.forEach((m, i) => {
    for (const s of windowStarts(m.frames, win, hop)) {
      windows.push(m.frames <= win ? m : cropFrames(m, s, win));
      owner.push(i);
    }
  });
  return { windows, owner: Int32Array.from(owner) };
}

/** Mean of window probabilities per clip: (W, K) rows → (N, K). */
export function averageWindows(probs: Float32Array, owner: Int32Array, n: number, K: number): Float32Array {
  const out = new Float32Array(n * K);
  const count = new Int32Array(n);
  for (let w = 0; w < owner.length; w++) {
    const i = owner[w]!;
    count[i]++;
    for (let k = 0; k < K; k++) out[i * K + k] += probs[w * K + k]!;
  }
  for (let i = 0; i < n; i++) for (let k = 0; k < K; k++) out[i * K + k] /= Math.max(1, count[i]!);
  return out;
}
