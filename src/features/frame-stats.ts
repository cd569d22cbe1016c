/**
 * Two small helpers the prosody measures share (`measureProsody`, `clipFunctionals`, the conversion check in
 * augment/convert/check.ts and its level charts): a linear-interpolated percentile and frame levels in dB.
 *
 * Why not audio/speech.ts's `frameLevelsDb`: that one is the speech detector's (float32, a partial last
 * frame for short clips); these measures were calibrated on whole frames only with +1e-12 inside the
 * log, and their figures in the docs were measured so.
 */

/** The p-quantile (0–1) of an ascending array, linear between neighbours; NaN when empty. */
export function percentile(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) return NaN;
  const x = (sorted.length - 1) * p;
  const lo = Math.floor(x),
    hi = Math.ceil(x);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (x - lo);
}

/**
 * Mean-square level in dB of whole frames of `frameSec` every `hopSec` (frame f covers samples
 * [f·hop, f·hop + win)); no frame when the clip is shorter than one. Default: 25 ms every 10 ms.
 */
export function wholeFrameLevelsDb(x: Float32Array, sr: number, frameSec = 0.025, hopSec = 0.01): Float64Array {
  const win = Math.round(frameSec * sr),
    hop = Math.round(hopSec * sr);
  const n = x.length >= win ? Math.floor((x.length - win) / hop) + 1 : 0;
  const out = new Float64Array(n);
  for (let f = 0; f < n; f++) {
    let e = 0;
    for (let j = 0; j < win; j++) {
      const v = x[f * hop + j]!;
      e += v * v;
    }
    out[f] = 10 * Math.log10(e / win + 1e-12);
  }
  return out;
}
