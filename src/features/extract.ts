/**
 * The feature pipeline: power spectrogram → mel → log-mel → MFCC, plus delta and delta-delta, stacked
 * as librosa's (3·n_mfcc, frames) matrix.
 */
import { powerSpectrogram } from './stft.js';
import { applyMel, melFilterbank, type MelFilterbank } from './mel.js';
import { dctMatrix, logMelToMfcc, powerToDbInPlace } from './cepstrum.js';
import { deltaRows } from './delta.js';
import { resolveFeatureParams, type FeatureParams, type ResolvedFeatureParams } from './params.js';

/** librosa-layout matrix: rows = 3·nMfcc (MFCC, delta, delta-delta), row-major data[row * frames + frame]. */
export interface FeatureMatrix {
  rows: number;
  frames: number;
  data: Float32Array;
}

/** Every intermediate stage, for tests and diagnostics (time-major spectra, librosa-layout cepstra). */
export interface FeatureStages {
  params: ResolvedFeatureParams;
  frames: number;
  /** |STFT|², frames × (nFft/2 + 1). */
  power: Float32Array;
  /** Mel power, frames × nMels. */
  melPower: Float32Array;
  /** power_to_db of melPower, frames × nMels. */
  logMel: Float32Array;
  features: FeatureMatrix;
}

const filterbanks = new Map<string, MelFilterbank>();
const dcts = new Map<string, Float64Array>();

/** Filterbank for these parameters, built once per process (it only depends on the parameters). */
export function cachedFilterbank(p: ResolvedFeatureParams): MelFilterbank {
  const key = `${p.sr}/${p.nFft}/${p.nMels}/${p.fmin}/${p.fmax}`;
  let fb = filterbanks.get(key);
  if (!fb) filterbanks.set(key, (fb = melFilterbank(p.sr, p.nFft, p.nMels, p.fmin, p.fmax)));
  return fb;
}

function cachedDct(nMfcc: number, nMels: number): Float64Array {
  const key = `${nMfcc}/${nMels}`;
  let m = dcts.get(key);
  if (!m) dcts.set(key, (m = dctMatrix(nMfcc, nMels)));
  return m;
}

/** Rejects signals the pipeline cannot give meaning to (empty, NaN/Inf samples). */
export function checkSignal(samples: Float32Array): void {
  if (!(samples instanceof Float32Array)) throw new TypeError('extractFeatures: samples must be a Float32Array');
  if (samples.length === 0) throw new RangeError('extractFeatures: the signal is empty (0 samples)');
  for (let i = 0; i < samples.length; i++) {
    if (!Number.isFinite(samples[i])) throw new RangeError(`extractFeatures: sample ${i} is not finite (${samples[i]})`);
  }
}

/** From a power spectrogram on: mel, log-mel, MFCC and deltas (shared by the JS and native front-ends). */
export function featuresFromPower(power: Float32Array, frames: number, p: ResolvedFeatureParams): Omit<FeatureStages, 'power' | 'params' | 'frames'> {
  const fb = cachedFilterbank(p);
  const melPower = applyMel(power, frames, fb);
  const logMel = powerToDbInPlace(Float32Array.from(melPower));
  const n = p.nMfcc;
  const data = new Float32Array(3 * n * frames);
  const mfcc = data.subarray(0, n * frames);
  logMelToMfcc(logMel, frames, p.nMels, cachedDct(n, p.nMels), n, mfcc);
  deltaRows(mfcc, n, frames, p.deltaWidth, 1, data.subarray(n * frames, 2 * n * frames));
  deltaRows(mfcc, n, frames, p.deltaWidth, 2, data.subarray(2 * n * frames));
  return { melPower, logMel, features: { rows: 3 * n, frames, data } };
}

/** Runs the pipeline and keeps every stage (slower: use extractFeatures unless you need the stages). */
export function extractFeatureStages(samples: Float32Array, params: Partial<FeatureParams> = {}): FeatureStages {
  const p = resolveFeatureParams(params);
  checkSignal(samples);
  const { data: power, frames } = powerSpectrogram(samples, p.nFft, p.hopLength);
  return { params: p, frames, power, ...featuresFromPower(power, frames, p) };
}

/**
 * MFCC + delta + delta-delta of a mono signal sampled at `params.sr`, numerically librosa 0.10's
 * `np.vstack([mfcc, delta(mfcc), delta(mfcc, order=2)])`. frames = 1 + ⌊len / hopLength⌋.
 * A silent signal is valid (log-mel −100 dB everywhere); an empty or non-finite one throws RangeError.
 */
export function extractFeatures(samples: Float32Array, params: Partial<FeatureParams> = {}): FeatureMatrix {
  return extractFeatureStages(samples, params).features;
}
