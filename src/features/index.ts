/**
 * Features (layer: features): librosa-exact MFCC + delta + delta-delta (native front end when
 * available, JS otherwise), pitch, prosodic rows and per-clip functionals (see docs/audio-features.md).
 * Defaults once, in DEFAULT_FEATURE_PARAMS (16 kHz, 25 MFCC, nFft 2048, hop 160, 128 mels);
 * `resolveFeatureParams` checks every value up front (ParamError naming it).
 *
 * ```ts
 * const m = await extractFeaturesFromFile('clip.wav');            // { rows: 75, frames, data } row-major
 * const same = extractFeatures(samples16k, { nMfcc: 25 });        // from samples already at params.sr
 * ```
 */
import { loadAudio } from '../audio/load.js';
import { extractFeatures, type FeatureMatrix } from './extract.js';
import { resolveFeatureParams, type FeatureParams } from './params.js';

export { DEFAULT_FEATURE_PARAMS, resolveFeatureParams, type FeatureParams, type ResolvedFeatureParams } from './params.js';
export { extractFeatures, extractFeatureStages, type FeatureMatrix, type FeatureStages, type FeatureBackend } from './extract.js';
export { nativeFrontEndAvailable } from './native-frontend.js';
export { clipFunctionals, functionalVector, FUNCTIONAL_NAMES, FUNCTIONAL_UNITS, type Functionals } from './functionals.js';

/** Loads `file` (any supported format), resamples it to `params.sr` and extracts its features. */
export async function extractFeaturesFromFile(file: string, params: Partial<FeatureParams> = {}): Promise<FeatureMatrix> {
  const p = resolveFeatureParams(params);
  const audio = await loadAudio(file, { sr: p.sr });
  return extractFeatures(audio.samples, p);
}
