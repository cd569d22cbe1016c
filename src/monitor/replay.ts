/**
 * File replay: a recording streamed through the same core as the live page, in 100 ms chunks at its
 * own sample rate (so the streaming resampler and gate run exactly as live), as fast as the model
 * goes or in real time (`realtime`). Nothing is dropped when not real time: each chunk waits for the
 * classifier.
 */
import { loadAudio } from '../audio/load.js';
import type { SpeakerReference } from '../data/reference.js';
import { headReferenceFromFiles, referenceFromFiles as referenceFromFilesOf } from '../eval/predict.js';
import type { TrainedModel } from '../model/model-dir.js';
import { createMonitor, type MonitorEvent, type MonitorOptions, type SummaryEvent } from './core.js';
import { monitorModel } from './model.js';
import { ParamError } from '../engine/errors.js';

export interface ReplayOptions extends Omit<MonitorOptions<SpeakerReference>, 'model' | 'onEvent' | 'reference'> {
  /** Clips of the speaker's calm speech (instead of enrolling from the file's first seconds of speech). */
  reference?: readonly string[];
  /** Stream at the recording's own pace (live-like lag and drops) instead of as fast as possible. */
  realtime?: boolean;
  /** No enrolment: windows are normalised with the session's own speech so far (the no-reference fallback). */
  skipEnrolment?: boolean;
  /** Chunk length, seconds (default 0.1, the page's frame size). */
  chunkSeconds?: number;
  onEvent: (e: MonitorEvent) => void;
}

/** Reference statistics from calm clips given as files (ParamErrors about `reference` name the file). */
export async function referenceFromFiles(m: TrainedModel, files: readonly string[]): Promise<SpeakerReference> {
  if (!m.hyper.speaker_reference)
    throw new ParamError('reference', `the model in ${m.dir} was trained without speaker reference normalisation`);
  return referenceFromFilesOf(m, files);
}

export async function replayFile(m: TrainedModel, file: string, opts: ReplayOptions): Promise<SummaryEvent> {
  const audio = await loadAudio(file, { sr: null });
  if (audio.samples.length === 0) throw new Error(`${file}: empty audio`);
  const reference = opts.reference?.length ? await referenceFromFiles(m, opts.reference) : null;
  // The head's reference from the same files (without them: the training population's, as predict).
  const headReference = m.functionalHead && opts.reference?.length ? await headReferenceFromFiles(m, opts.reference) : null;
  const mon = createMonitor({
    ...opts,
    model: monitorModel(m),
    reference,
    ...(m.functionalHead ? { headReference } : {}),
    maxPending: opts.realtime ? (opts.maxPending ?? 1) : Infinity,
    onEvent: opts.onEvent,
  });
  if (opts.skipEnrolment) mon.skipEnrolment();
  const chunk = Math.max(1, Math.round((opts.chunkSeconds ?? 0.1) * audio.sampleRate));
  const t0 = performance.now();
  for (let s = 0; s < audio.samples.length; s += chunk) {
    mon.push(audio.samples.subarray(s, Math.min(s + chunk, audio.samples.length)), audio.sampleRate);
    if (opts.realtime) {
      const due = t0 + ((s + chunk) / audio.sampleRate) * 1000;
      const wait = due - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    } else {
      await mon.drain();
    }
  }
  return mon.end();
}
