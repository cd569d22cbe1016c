/**
 * The functional head in the monitor (docs/monitor.md, "The functional head"): what the server
 * (src/monitor/model.ts, its functionals in the inference pool's workers) and the on-device page
 * (web/on-device: its functionals in the page's Web Worker) share, so both fuse the head the same way —
 * the trailing context, the speech threshold, the reference from the enrolment speech, the fusion.
 * No Node imports: the page bundles this module.
 */
import { NoSpeechError, speechSamples } from '../audio/speech.js';
import type { FeatureSettings } from '../data/features.js';
import { samplesFunctionals, withoutLongPauses } from '../data/speech-functionals.js';
import { finiteMeans, fuseProbabilities, headProbabilities, type FunctionalHead } from '../model/functional-head.js';
import type { MonitorHead } from './core.js';

/**
 * Seconds of trailing audio the functional head scores at each refresh point (core `headHop`). Why 6: the head was fitted on whole
 * clips of 2–4 s of speech (RAVDESS/TESS-like), and its functionals (F0 range, pause ratio, rate of voiced
 * segments) need seconds of speech to settle, while a longer context would let speech from half a minute
 * ago decide what the speaker sounds like now; 6 s of audio holds 3–5 s of speech in normal conversation
 * (pauses over 0.3 s are left out as predict leaves them out), and it bounds the head's cost per refresh
 * (the F0 tracker's cost grows with the audio; see docs/monitor.md for the measured time).
 */
export const HEAD_CONTEXT_SECONDS = 6;
/** Below this much speech (long pauses removed) in the context, a window stays the network's alone: the functionals of a word or two are noise. */
export const HEAD_MIN_SPEECH_SECONDS = 2;

/**
 * The functionals of the trailing audio the head scores, as predict computes them for a file (trimmed as
 * the model's settings say, long pauses left out); null when it holds less than {@link HEAD_MIN_SPEECH_SECONDS}
 * of speech.
 */
export function contextFunctionals(settings: FeatureSettings, context: Float32Array): number[] | null {
  let speech: Float32Array;
  try {
    speech = speechSamples(context, settings, 'monitor context');
  } catch (err) {
    if (err instanceof NoSpeechError) return null;
    throw err;
  }
  const sr = settings.params.sr;
  if (withoutLongPauses(speech, sr).length < HEAD_MIN_SPEECH_SECONDS * sr) return null;
  return samplesFunctionals(speech, settings);
}

/**
 * The head's reference from the speaker's enrolment speech: the mean functionals of the clips (the core
 * passes all of the enrolment as one clip: the network's short reference clips are too short for
 * functionals); null when none holds speech (then the head falls back to the training population).
 */
export function enrolmentFunctionals(settings: FeatureSettings, clips: readonly Float32Array[]): number[] | null {
  const vs: number[][] = [];
  for (const c of clips) {
    try {
      vs.push(samplesFunctionals(speechSamples(c, settings, 'enrolment speech'), settings));
    } catch (err) {
      if (!(err instanceof NoSpeechError)) throw err;
    }
  }
  return vs.length ? finiteMeans(vs) : null;
}

/** Where the head's functionals are computed: in this thread, or handed to a worker (async). */
export interface HeadFunctionals {
  /** {@link contextFunctionals} of a window's trailing audio. */
  context(context: Float32Array): number[] | null | Promise<number[] | null>;
  /** {@link enrolmentFunctionals} of the enrolment speech. */
  reference(clips: Float32Array[]): number[] | null | Promise<number[] | null>;
}

/** The functionals computed in this thread. */
export function localHeadFunctionals(settings: FeatureSettings): HeadFunctionals {
  return { context: (c) => contextFunctionals(settings, c), reference: (clips) => enrolmentFunctionals(settings, clips) };
}

/**
 * A functional head as the core's `MonitorHead`: each window's network probabilities fused by the head's
 * own mode with the head's on {@link HEAD_CONTEXT_SECONDS} of audio ending at the head's latest refresh point
 * (the core's `headHop`, src/monitor/core.ts `headPoint`), relative to the speaker's reference functionals
 * (from their enrolment speech, or reference files) or, without one, the training population's — as predict.
 */
export function functionalMonitorHead(
  head: FunctionalHead,
  classes: readonly string[],
  sampleRate: number,
  functionals: HeadFunctionals,
): MonitorHead {
  return {
    contextSamples: Math.round(HEAD_CONTEXT_SECONDS * sampleRate),
    reference: (clips) => functionals.reference(clips),
    async score(context, reference) {
      const v = await functionals.context(context);
      return v ? headProbabilities(head, [v], [(reference as number[] | null) ?? null]) : null;
    },
    fuse: (probs, opinion) => fuseProbabilities(probs, opinion as Float32Array, classes, head.fusion, head.priors),
  };
}
