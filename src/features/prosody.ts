/**
 * Measured per-clip prosodic statistics (duration, level, F0, pauses). Used by the synth datasheet, to
 * check that generated emotions differ as intended, and by conversion / the prosodic front-end.
 */
import { trackPitch, type PitchOptions } from './pitch.js';
import { percentile, wholeFrameLevelsDb } from './frame-stats.js';

/** Prosodic summary of one clip. F0 fields are NaN when fewer than 10 frames are voiced. */
export interface ProsodyStats {
  durationSec: number;
  /** Whole-clip RMS level in dBFS (full scale = 1.0). */
  rmsDb: number;
  /** Mean F0 over voiced frames, Hz. */
  f0MeanHz: number;
  /** Median F0 over voiced frames, Hz. */
  f0MedianHz: number;
  /** Robust F0 range: 95th minus 5th percentile of voiced F0, in semitones. */
  f0RangeSt: number;
  /** Fraction of 10 ms frames voiced. */
  voicedRatio: number;
  /** Fraction of the speech span (first to last active frame) that is silent (≥ 30 dB below the loud frames). */
  pauseRatio: number;
}

/**
 * Measures prosodic statistics of a mono clip.
 * @param samples mono samples in [-1, 1]
 * @param sr sample rate, Hz
 */
export function measureProsody(samples: Float32Array, sr: number, pitchOpts: PitchOptions = {}): ProsodyStats {
  const durationSec = samples.length / sr;
  let ss = 0;
  for (let i = 0; i < samples.length; i++) ss += samples[i]! * samples[i]!;
  const rmsDb = 10 * Math.log10(Math.max(ss / Math.max(1, samples.length), 1e-12));

  // Pauses: 25 ms frames every 10 ms; "silent" relative to the 95th-percentile frame level, so the
  // measure does not depend on the clip's overall gain.
  const levels = wholeFrameLevelsDb(samples, sr);
  const nF = levels.length;
  let pauseRatio = NaN;
  if (nF > 0) {
    const loud = percentile(Float64Array.from(levels).sort(), 0.95);
    const thr = loud - 30;
    let first = -1,
      last = -1;
    for (let f = 0; f < nF; f++)
      if (levels[f]! >= thr) {
        if (first < 0) first = f;
        last = f;
      }
    if (first >= 0) {
      let silent = 0;
      for (let f = first; f <= last; f++) if (levels[f]! < thr) silent++;
      pauseRatio = silent / (last - first + 1);
    }
  }

  const track = trackPitch(samples, sr, pitchOpts);
  const vals: number[] = [];
  for (let i = 0; i < track.f0.length; i++) if (track.voiced[i]) vals.push(track.f0[i]!);
  const voicedRatio = track.f0.length ? vals.length / track.f0.length : 0;
  let f0MeanHz = NaN,
    f0MedianHz = NaN,
    f0RangeSt = NaN;
  if (vals.length >= 10) {
    const sorted = Float64Array.from(vals).sort();
    f0MeanHz = vals.reduce((a, b) => a + b, 0) / vals.length;
    f0MedianHz = percentile(sorted, 0.5);
    f0RangeSt = 12 * Math.log2(percentile(sorted, 0.95) / percentile(sorted, 0.05));
  }
  return { durationSec, rmsDb, f0MeanHz, f0MedianHz, f0RangeSt, voicedRatio, pauseRatio };
}
