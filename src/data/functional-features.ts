/**
 * A clip's eGeMAPS-style functionals (src/features/functionals.ts) as the models use them: on the
 * same samples as the network's features — loudness step and silence trimming of the model's feature
 * settings — through the feature cache (a 16 × 1 matrix per clip; the F0 tracker costs a few hundred
 * milliseconds per clip, so a second run must not pay it again).
 */
import { readFileSync } from 'node:fs';
import { loadAudio } from '../audio/load.js';
import { detectSpeech } from '../audio/speech.js';
import { clipFunctionals, functionalVector, FUNCTIONAL_NAMES } from '../features/functionals.js';
import { FeatureCache, settingsHash } from './cache.js';
import { normalizePeak, speechSamples, type FeatureSettings } from './features.js';

/** Bumped when the functionals' computation changes (cache entries of another version are not reused). */
export const FUNCTIONALS_VERSION = 3;

/**
 * The speech of a clip without its long pauses: the speech detector's segments (src/audio/speech.ts;
 * gaps under 0.3 s are bridged, every segment keeps 20 ms around it) joined end to end. Why: a
 * pause of a second or more inside a clip says how it was cut (two utterances in one file, a gap in a
 * recording), not how the voice sounds — with it, the pause ratio, voiced-segment rate and loudness
 * mean of two clips joined differed from both clips' and the join probe changed every agreeing pair on
 * ravdess-dev (docs/experiment.md, sixth round). Short pauses, part of a speaker's rhythm, stay.
 */
export function withoutLongPauses(speech: Float32Array, sr: number): Float32Array {
  // Tight padding (20 ms): the detector's usual 0.1 s around each segment would put 0.2 s of silence at every junction.
  const segs = detectSpeech(speech, sr, { padSec: 0.02 });
  if (segs.length <= 1) return segs.length ? speech.subarray(segs[0]!.start, segs[0]!.end) : speech;
  const out = new Float32Array(segs.reduce((a, s) => a + s.end - s.start, 0));
  let at = 0;
  for (const s of segs) { out.set(speech.subarray(s.start, s.end), at); at += s.end - s.start; }
  return out;
}

/** Functionals of speech samples (already trimmed when the settings trim) at `settings.params.sr`, long pauses left out; NaN = not measurable. */
export function samplesFunctionals(speech: Float32Array, settings: FeatureSettings): number[] {
  const x0 = withoutLongPauses(speech, settings.params.sr);
  const x = settings.loudness === 'peak' ? normalizePeak(Float32Array.from(x0)) : x0;
  return functionalVector(clipFunctionals(x, settings.params.sr));
}

/** Functionals of one audio file (trimmed as the settings say), cached. Throws the decoder's / NoSpeechError's message, naming the file. */
export async function fileFunctionals(file: string, settings: FeatureSettings, cache: FeatureCache): Promise<number[]> {
  const key = FeatureCache.key(readFileSync(file), settingsHash({ functionals: FUNCTIONALS_VERSION, sr: settings.params.sr, loudness: settings.loudness,
    ...(settings.trimSilence ? { trim: 1 } : {}) }));
  const m = await cache.getOrCompute(key, async () => {
    const audio = await loadAudio(file, { sr: settings.params.sr });
    const v = samplesFunctionals(speechSamples(audio.samples, settings, file), settings);
    return { rows: FUNCTIONAL_NAMES.length, frames: 1, data: Float32Array.from(v) };
  });
  return Array.from(m.data);
}
