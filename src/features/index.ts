/**
 * Features: librosa-exact MFCC + delta + delta-delta (see docs/audio-features.md).
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
