/**
 * The 'peak' loudness step (data/features.ts LoudnessMode): scale a clip so its peak is −1 dBFS. Its own
 * module, without Node imports, because the browser bundles it (the on-device page's features and
 * functionals, src/monitor/onnx-model.ts and src/monitor/head.ts).
 */

/** Peak level after 'peak' normalisation (−1 dBFS). */
export const PEAK_TARGET = 0.891;

/** Scales samples in place so the peak magnitude is `target` (silence is left alone). */
export function normalizePeak(samples: Float32Array, target = PEAK_TARGET): Float32Array {
  let peak = 0;
  for (let i = 0; i < samples.length; i++) {
    const a = Math.abs(samples[i]);
    if (a > peak) peak = a;
  }
  if (peak > 0) {
    const g = target / peak;
    for (let i = 0; i < samples.length; i++) samples[i] *= g;
  }
  return samples;
}
