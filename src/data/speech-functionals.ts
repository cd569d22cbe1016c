/**
 * The functionals of speech samples as the models use them (src/features/functionals.ts on the speech
 * without its long pauses, after the model's loudness step). No Node imports: the server (through
 * data/functional-features.ts, which adds files and the cache) and the on-device page's worker
 * (src/monitor/head.ts) run this same code.
 */
import { detectSpeech } from '../audio/speech.js';
import { clipFunctionals, functionalVector } from '../features/functionals.js';
import type { FeatureSettings } from './features.js';
import { normalizePeak } from './loudness.js';

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
  for (const s of segs) {
    out.set(speech.subarray(s.start, s.end), at);
    at += s.end - s.start;
  }
  return out;
}

/** Functionals of speech samples (already trimmed when the settings trim) at `settings.params.sr`, long pauses left out; NaN = not measurable. */
export function samplesFunctionals(speech: Float32Array, settings: FeatureSettings): number[] {
  const x0 = withoutLongPauses(speech, settings.params.sr);
  const x = settings.loudness === 'peak' ? normalizePeak(Float32Array.from(x0)) : x0;
  return functionalVector(clipFunctionals(x, settings.params.sr));
}
