/**
 * Features for a dataset: decode → optional loudness normalisation → MFCC + deltas, through the cache.
 * Files that cannot be decoded are reported with the decoder's reason, never dropped silently.
 */
import { readFileSync } from 'node:fs';
import { loadAudio } from '../audio/load.js';
import { speechSamples } from '../audio/speech.js';
import {
  DEFAULT_FEATURE_PARAMS,
  extractFeatures,
  resolveFeatureParams,
  type FeatureMatrix,
  type FeatureParams,
} from '../features/index.js';
import { PROSODIC_ROWS, prosodicFeatures, stackFeatureRows } from '../features/prosodic.js';
import { FeatureCache, settingsHash } from './cache.js';
import { normalizePeak } from './loudness.js';
import type { SkippedFile } from './dataset.js';
import { ParamError } from '../engine/errors.js';

/**
 * Loudness step before features. 'peak' scales each clip so its peak is {@link PEAK_TARGET} (real
 * recordings vary by 20 dB or more between speakers, which shifts MFCC c0 and hurts transfer from
 * synthetic speech); 'none' keeps levels as recorded (the paper's pipeline).
 */
export type LoudnessMode = 'none' | 'peak';
export const LOUDNESS_MODES: readonly LoudnessMode[] = ['none', 'peak'];
/** The loudness step when none is given: peak-normalise each clip. */
export const DEFAULT_LOUDNESS: LoudnessMode = 'peak';
// The peak step itself has no Node imports (the browser bundles it): data/loudness.ts.
export { normalizePeak, PEAK_TARGET } from './loudness.js';

/** What determines a clip's features (stored with a model so prediction uses the same). */
export interface FeatureSettings {
  params: FeatureParams;
  loudness: LoudnessMode;
  /** Leading/trailing silence removed before features (hyper `trim_silence`); absent = false. */
  trimSilence?: boolean;
  /** The prosodic rows appended to the MFCC rows (hyper `prosodic_rows`); absent = false. */
  prosodicRows?: boolean;
}

/** Rows of a clip's feature matrix: MFCC, Δ and ΔΔ, and the prosodic rows when on. */
export function featureRowCount(nMfcc: number, prosodicRows = false): number {
  return 3 * nMfcc + (prosodicRows ? PROSODIC_ROWS.length : 0);
}

/** Full feature settings from partial ones (defaults: the paper's parameters, peak loudness). */
export function resolveFeatureSettings(
  s: { params?: Partial<FeatureParams>; loudness?: LoudnessMode; trimSilence?: boolean; prosodicRows?: boolean } = {},
): FeatureSettings {
  const loudness = s.loudness ?? DEFAULT_LOUDNESS;
  if (!LOUDNESS_MODES.includes(loudness))
    throw new ParamError('loudness', `expected one of ${LOUDNESS_MODES.join(', ')}, got "${loudness}"`);
  const params = { ...DEFAULT_FEATURE_PARAMS, ...(s.params ?? {}) };
  resolveFeatureParams(params); // once, up front: a bad value is one clear error, not one per clip
  // Only present when on: settings (and cache keys) of untrimmed runs stay as they were.
  return { params, loudness, ...(s.trimSilence ? { trimSilence: true } : {}), ...(s.prosodicRows ? { prosodicRows: true } : {}) };
}

/** Features of raw samples (already at `settings.params.sr`), loudness step included. */
export function featuresFromSamples(samples: Float32Array, settings: FeatureSettings): FeatureMatrix {
  const x = settings.loudness === 'peak' ? normalizePeak(Float32Array.from(samples)) : samples;
  const mfcc = extractFeatures(x, settings.params);
  if (!settings.prosodicRows) return mfcc;
  const { sr, hopLength, nFft } = settings.params;
  return stackFeatureRows([mfcc, prosodicFeatures(x, sr, { hopLength, nFft, f0Scale: 'absolute' })]);
}

// The speech a clip's features are computed from (silence trimmed) is audio work: audio/speech.ts.
export { NoSpeechError, speechSamples } from '../audio/speech.js';

/** Features of one file through the cache. Throws the decoder's error (which names the file). */
export async function fileFeatures(file: string, settings: FeatureSettings, cache: FeatureCache): Promise<FeatureMatrix> {
  const key = FeatureCache.key(
    readFileSync(file),
    settingsHash({
      ...settings.params,
      loudness: settings.loudness,
      ...(settings.trimSilence ? { trim: 1 } : {}),
      ...(settings.prosodicRows ? { prosodic: 1 } : {}),
    }),
  );
  return cache.getOrCompute(key, async () => {
    const audio = await loadAudio(file, { sr: settings.params.sr });
    return featuresFromSamples(speechSamples(audio.samples, settings, file), settings);
  });
}

/** Result of {@link datasetFeatures}: features aligned with the input files (null where skipped). */
export interface DatasetFeatures {
  features: (FeatureMatrix | null)[];
  skipped: SkippedFile[];
}

/**
 * Features for many files, in order. A file that fails to decode or gives no frames is `null` and
 * listed in `skipped`. `onProgress(done, total)` is called after each file.
 */
export async function datasetFeatures(
  files: readonly string[],
  settings: FeatureSettings,
  cache: FeatureCache,
  onProgress?: (done: number, total: number) => void,
): Promise<DatasetFeatures> {
  const features: (FeatureMatrix | null)[] = [];
  const skipped: SkippedFile[] = [];
  for (let i = 0; i < files.length; i++) {
    try {
      const m = await fileFeatures(files[i], settings, cache);
      if (m.frames === 0) throw new Error('no feature frames (empty audio)');
      features.push(m);
    } catch (err) {
      features.push(null);
      const msg = (err as Error).message;
      skipped.push({ file: files[i], reason: msg.includes(files[i]) ? msg : `${msg}` });
    }
    onProgress?.(i + 1, files.length);
  }
  return { features, skipped };
}
