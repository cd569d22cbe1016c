/**
 * The feature pipeline: power spectrogram → mel → log-mel → MFCC, plus delta and delta-delta, stacked
 * as librosa's (3·n_mfcc, frames) matrix.
 */
import { powerSpectrogram } from './stft.js';
import { nativeMfccFrontEnd } from './native-frontend.js';
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

const AMIN = 1e-10; // librosa.power_to_db defaults
const TOP_DB = 80;

/** Which implementation computes STFT → MFCC: 'auto' = native when built (default), 'js' = the reference. */
export type FeatureBackend = 'auto' | 'js';

/** Runs the pipeline and keeps every stage (costs a copy of the power spectrogram). */
export function extractFeatureStages(
  samples: Float32Array,
  params: Partial<FeatureParams> = {},
  opts: { backend?: FeatureBackend } = {},
): FeatureStages {
  return run(samples, params, opts.backend ?? 'auto', true) as FeatureStages;
}

function run(
  samples: Float32Array,
  params: Partial<FeatureParams>,
  backend: FeatureBackend,
  keepStages: boolean,
): FeatureStages | FeatureMatrix {
  const p = resolveFeatureParams(params);
  checkSignal(samples);
  const n = p.nMfcc;
  const fb = cachedFilterbank(p);
  const dct = cachedDct(n, p.nMels);
  let data = new Float32Array(0);
  const alloc = (frames: number) => (data = new Float32Array(3 * n * frames)).subarray(0, n * frames);
  let stages: { frames: number; power: Float32Array | null; melPower: Float32Array; logMel: Float32Array } | null = null;
  if (backend === 'auto') stages = nativeMfccFrontEnd(samples, p.nFft, p.hopLength, fb, dct, n, AMIN, TOP_DB, keepStages, alloc);
  if (!stages) {
    const { data: power, frames } = powerSpectrogram(samples, p.nFft, p.hopLength);
    const melPower = applyMel(power, frames, fb);
    const logMel = powerToDbInPlace(Float32Array.from(melPower), AMIN, TOP_DB);
    logMelToMfcc(logMel, frames, p.nMels, dct, n, alloc(frames));
    stages = { frames, power, melPower, logMel };
  }
  const { frames } = stages;
  const mfcc = data.subarray(0, n * frames);
  deltaRows(mfcc, n, frames, p.deltaWidth, 1, data.subarray(n * frames, 2 * n * frames));
  deltaRows(mfcc, n, frames, p.deltaWidth, 2, data.subarray(2 * n * frames));
  const features: FeatureMatrix = { rows: 3 * n, frames, data };
  if (!keepStages) return features;
  return { params: p, frames, power: stages.power!, melPower: stages.melPower, logMel: stages.logMel, features };
}

/**
 * MFCC + delta + delta-delta of a mono signal sampled at `params.sr`, numerically librosa 0.10's
 * `np.vstack([mfcc, delta(mfcc), delta(mfcc, order=2)])`. frames = 1 + ⌊len / hopLength⌋.
 * A silent signal is valid (log-mel −100 dB everywhere); an empty or non-finite one throws RangeError.
 */
export function extractFeatures(
  samples: Float32Array,
  params: Partial<FeatureParams> = {},
  opts: { backend?: FeatureBackend } = {},
): FeatureMatrix {
  return run(samples, params, opts.backend ?? 'auto', false) as FeatureMatrix;
}
