/**
 * Prosodic front-end: per-frame F0, voicing and energy with their deltas, frame-aligned with the MFCC
 * matrix (librosa center=True framing: frame t is centred at t·hop), so the data layer can append the
 * rows to the 75 MFCC/Δ/ΔΔ rows. MFCCs mostly describe the vocal tract; the emotions we target differ
 * as much in pitch level and movement, voicing and loudness, which these rows carry explicitly, and
 * they survive channel changes (microphone, synthetic vs real) better than cepstra.
 *
 * Rows (PROSODIC_ROWS): f0 (semitones), voicing (0/1), energy (dB), and the Δ of each (librosa delta,
 * same width as the MFCC deltas).
 */
import { trackPitch } from './pitch.js';
import { deltaRows } from './delta.js';
import { frameCount } from './stft.js';
import type { FeatureMatrix } from './extract.js';

/** Names of the rows {@link prosodicFeatures} returns, in order. */
export const PROSODIC_ROWS = ['f0_st', 'voicing', 'energy_db', 'd_f0_st', 'd_voicing', 'd_energy_db'] as const;

/** Options for {@link prosodicFeatures}. */
export interface ProsodicOptions {
  /** Hop in samples (default 160, as the MFCCs). */
  hopLength?: number;
  /** FFT size of the MFCC front-end, only used to get the same frame count (default 2048). */
  nFft?: number;
  /**
   * F0 scale: 'absolute' = semitones re 100 Hz; 'relative' = semitones re the clip's median voiced F0
   * (speaker-normalised: keeps the contour's movement, drops the voice's register). Default 'absolute'.
   */
  f0Scale?: 'absolute' | 'relative';
  /** Energy window in seconds (default 0.025). */
  energyWindowSec?: number;
  /** Delta width (odd, ≥ 3; default 9 as librosa). */
  deltaWidth?: number;
  /** Pitch search range, Hz (default 60–600). */
  fmin?: number;
  fmax?: number;
}

/**
 * Computes the prosodic rows for a mono signal. F0 is interpolated linearly through unvoiced frames
 * (held flat before the first and after the last voiced frame) so the contour and its delta stay
 * continuous; the voicing row tells voiced from interpolated frames. A clip with no voicing gets an F0
 * row of 0.
 * @returns rows = 6 (see PROSODIC_ROWS), frames = the MFCC frame count for the same signal and hop
 */
export function prosodicFeatures(samples: Float32Array, sr: number, opts: ProsodicOptions = {}): FeatureMatrix {
  const hop = opts.hopLength ?? 160;
  const nFft = opts.nFft ?? 2048;
  const width = opts.deltaWidth ?? 9;
  if (!(samples instanceof Float32Array) || samples.length === 0) throw new RangeError('prosodicFeatures: the signal is empty (0 samples)');
  if (!Number.isInteger(hop) || hop < 1) throw new RangeError(`prosodicFeatures: hopLength must be a positive integer, got ${hop}`);
  if (!Number.isInteger(width) || width < 3 || width % 2 === 0)
    throw new RangeError(`prosodicFeatures: deltaWidth must be odd and ≥ 3, got ${width}`);
  const frames = frameCount(samples.length, nFft, hop);
  const track = trackPitch(samples, sr, { hopSec: hop / sr, fmin: opts.fmin, fmax: opts.fmax });
  const data = new Float32Array(6 * frames);
  const f0 = data.subarray(0, frames);
  const voicing = data.subarray(frames, 2 * frames);
  const energy = data.subarray(2 * frames, 3 * frames);

  // F0 in semitones at voiced frames, then interpolated through the gaps.
  const voicedSt: number[] = [];
  const known = new Int32Array(frames).fill(-1);
  for (let t = 0; t < frames && t < track.f0.length; t++) {
    if (!track.voiced[t]) continue;
    voicing[t] = 1;
    f0[t] = 12 * Math.log2(track.f0[t]! / 100);
    known[t] = t;
    voicedSt.push(f0[t]!);
  }
  if (voicedSt.length > 0) {
    const ref = opts.f0Scale === 'relative' ? [...voicedSt].sort((a, b) => a - b)[voicedSt.length >> 1]! : 0;
    let prev = -1;
    for (let t = 0; t <= frames; t++) {
      if (t < frames && known[t]! < 0) continue;
      // Fill the gap (prev, t): linear between voiced neighbours, flat at the clip's ends.
      for (let g = prev + 1; g < t; g++) {
        if (prev < 0) f0[g] = f0[t]!;
        else if (t >= frames) f0[g] = f0[prev]!;
        else f0[g] = f0[prev]! + ((f0[t]! - f0[prev]!) * (g - prev)) / (t - prev);
      }
      prev = t;
    }
    if (ref !== 0) for (let t = 0; t < frames; t++) f0[t] -= ref;
  }

  // Energy: RMS in dB over a short window centred on each frame (zero outside the signal, like the STFT's padding).
  const half = Math.max(1, Math.round(((opts.energyWindowSec ?? 0.025) * sr) / 2));
  const cum = new Float64Array(samples.length + 1);
  for (let i = 0; i < samples.length; i++) cum[i + 1] = cum[i]! + samples[i]! * samples[i]!;
  for (let t = 0; t < frames; t++) {
    const c = t * hop;
    const a = Math.max(0, Math.min(samples.length, c - half)),
      b = Math.max(0, Math.min(samples.length, c + half));
    energy[t] = 10 * Math.log10((cum[b]! - cum[a]!) / (2 * half) + 1e-10);
  }

  deltaRows(data.subarray(0, 3 * frames), 3, frames, width, 1, data.subarray(3 * frames));
  return { rows: 6, frames, data };
}

/**
 * Stacks feature blocks with the same frame count (e.g. MFCC/Δ/ΔΔ, then prosodic rows) into one matrix.
 * @throws when frame counts differ
 */
export function stackFeatureRows(blocks: readonly FeatureMatrix[]): FeatureMatrix {
  if (blocks.length === 0) throw new RangeError('stackFeatureRows: no blocks');
  const frames = blocks[0]!.frames;
  for (const b of blocks) if (b.frames !== frames) throw new RangeError(`stackFeatureRows: frame counts differ (${frames} vs ${b.frames})`);
  const rows = blocks.reduce((a, b) => a + b.rows, 0);
  const data = new Float32Array(rows * frames);
  let off = 0;
  for (const b of blocks) {
    data.set(b.data.subarray(0, b.rows * frames), off);
    off += b.rows * frames;
  }
  return { rows, frames, data };
}
