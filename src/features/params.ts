/**
 * Feature parameters (librosa names in camelCase) and their validation.
 */
import { ParamError } from '../engine/errors.js';

/** Parameters of the MFCC + delta + delta-delta pipeline. */
export interface FeatureParams {
  /** Sample rate of the input signal in Hz (audio is resampled to it when loaded from a file). */
  sr: number;
  /** Number of cepstral coefficients kept (rows of each block). */
  nMfcc: number;
  /** FFT size (= window length) in samples. */
  nFft: number;
  /** Hop between frames in samples. */
  hopLength: number;
  /** Number of mel bands. */
  nMels: number;
  /** Lowest mel-band edge in Hz (default 0). */
  fmin?: number;
  /** Highest mel-band edge in Hz (default / null: sr / 2). */
  fmax?: number | null;
  /** Savitzky–Golay window of the deltas, odd, ≥ 3 (default 9). */
  deltaWidth?: number;
}

/** The paper's defaults: 16 kHz, 25 MFCC, n_fft 2048, hop 160 (10 ms), 128 mel bands, delta width 9. */
export const DEFAULT_FEATURE_PARAMS: FeatureParams = Object.freeze({
  sr: 16000,
  nMfcc: 25,
  nFft: 2048,
  hopLength: 160,
  nMels: 128,
  fmin: 0,
  fmax: null,
  deltaWidth: 9,
});

/** Fully resolved parameters (no optional fields). */
export interface ResolvedFeatureParams {
  sr: number;
  nMfcc: number;
  nFft: number;
  hopLength: number;
  nMels: number;
  fmin: number;
  fmax: number;
  deltaWidth: number;
}

/** Upper bounds: beyond any speech front-end, low enough that a typo cannot allocate gigabytes per frame. */
export const FEATURE_PARAM_LIMITS = Object.freeze({ sr: 384000, nFft: 65536, nMels: 1024, hopLength: 65536, deltaWidth: 99 });

function positiveInt(name: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v <= 0) {
    throw new ParamError(name, `must be a positive integer, got ${String(v)}`);
  }
  return v;
}

/** Merges `params` over the defaults and checks every value; throws a ParamError naming the bad parameter. */
export function resolveFeatureParams(params: Partial<FeatureParams> = {}): ResolvedFeatureParams {
  const p = { ...DEFAULT_FEATURE_PARAMS, ...stripUndefined(params) };
  const sr = positiveInt('sr', p.sr);
  const nFft = positiveInt('nFft', p.nFft);
  const nMels = positiveInt('nMels', p.nMels);
  const nMfcc = positiveInt('nMfcc', p.nMfcc);
  const hopLength = positiveInt('hopLength', p.hopLength);
  const deltaWidth = positiveInt('deltaWidth', p.deltaWidth ?? 9);
  if (nFft < 2) throw new ParamError('nFft', `must be ≥ 2, got ${nFft}`);
  for (const [name, v] of Object.entries({ sr, nFft, nMels, hopLength, deltaWidth }) as [keyof typeof FEATURE_PARAM_LIMITS, number][]) {
    if (v > FEATURE_PARAM_LIMITS[name]) throw new ParamError(name, `must be at most ${FEATURE_PARAM_LIMITS[name]}, got ${v}`);
  }
  if (hopLength > nFft) throw new ParamError('hopLength', `${hopLength} must not exceed nFft (${nFft}): frames would skip samples`);
  if (nMfcc > nMels) throw new ParamError('nMfcc', `${nMfcc} must not exceed nMels (${nMels})`);
  if (deltaWidth < 3 || deltaWidth % 2 === 0) {
    throw new ParamError('deltaWidth', `must be an odd integer ≥ 3, got ${deltaWidth}`);
  }
  const fmin = p.fmin ?? 0;
  const fmax = p.fmax ?? sr / 2;
  if (!Number.isFinite(fmin) || fmin < 0) throw new ParamError('fmin', `must be ≥ 0, got ${fmin}`);
  if (!Number.isFinite(fmax) || fmax <= fmin) {
    throw new ParamError('fmax', `must be > fmin (${fmin}), got ${fmax}`);
  }
  if (fmax > sr / 2) throw new ParamError('fmax', `${fmax} must not exceed sr / 2 (${sr / 2} Hz): no signal above the Nyquist frequency`);
  return { sr, nMfcc, nFft, hopLength, nMels, fmin, fmax, deltaWidth };
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  const out: Partial<T> = {};
  for (const [k, v] of Object.entries(o)) if (v !== undefined) (out as Record<string, unknown>)[k] = v;
  return out;
}
