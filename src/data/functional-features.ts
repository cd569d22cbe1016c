/**
 * A clip's eGeMAPS-style functionals (src/features/functionals.ts) as the models use them: on the
 * same samples as the network's features — loudness step and silence trimming of the model's feature
 * settings — through the feature cache (a 16 × 1 matrix per clip; the F0 tracker costs a few hundred
 * milliseconds per clip, so a second run must not pay it again).
 */
import { readFileSync } from 'node:fs';
import { loadAudio } from '../audio/load.js';
import { FUNCTIONAL_NAMES } from '../features/functionals.js';
import { FeatureCache, settingsHash } from './cache.js';
import { speechSamples, type FeatureSettings } from './features.js';
import { samplesFunctionals } from './speech-functionals.js';

// The functionals of samples have no Node imports (the on-device page bundles them): data/speech-functionals.ts.
export { samplesFunctionals, withoutLongPauses } from './speech-functionals.js';

/** Bumped when the functionals' computation changes (cache entries of another version are not reused). */
export const FUNCTIONALS_VERSION = 3;

/** Functionals of one audio file (trimmed as the settings say), cached. Throws the decoder's / NoSpeechError's message, naming the file. */
export async function fileFunctionals(file: string, settings: FeatureSettings, cache: FeatureCache): Promise<number[]> {
  const key = FeatureCache.key(
    readFileSync(file),
    settingsHash({
      functionals: FUNCTIONALS_VERSION,
      sr: settings.params.sr,
      loudness: settings.loudness,
      ...(settings.trimSilence ? { trim: 1 } : {}),
    }),
  );
  const m = await cache.getOrCompute(key, async () => {
    const audio = await loadAudio(file, { sr: settings.params.sr });
    const v = samplesFunctionals(speechSamples(audio.samples, settings, file), settings);
    return { rows: FUNCTIONAL_NAMES.length, frames: 1, data: Float32Array.from(v) };
  });
  return Array.from(m.data);
}
