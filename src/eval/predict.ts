/**
 * Prediction on audio files: class probabilities per file, and for files longer than the model's
 * MAX_LEN (or than --window) a timeline over sliding windows plus an overall result (the mean of the
 * windows' probabilities).
 */
import { loadAudio } from '../audio/load.js';
import { featuresFromSamples, speechSamples } from '../data/features.js';
import { cropFrames, windowStarts as frameWindowStarts } from '../data/windows.js';
import { modelWindowSettings, windowHopFrames } from '../model/hyperparameters.js';
import type { FeatureMatrix } from '../features/index.js';
import { applySpeakerReference, speakerReferences, type SpeakerReference } from '../data/reference.js';
import { loadTrainedModel, modelProbabilities, type TrainedModel } from '../model/model-dir.js';
import { ParamError } from '../engine/errors.js';
import { samplesFunctionals } from '../data/functional-features.js';
import { finiteMeans, fuseProbabilities, headProbabilities } from '../model/functional-head.js';

/** One window of a timeline. */
export interface TimelineWindow {
  start: number;
  end: number;
  label: string;
  probs: Record<string, number>;
}

/** Prediction for one file. */
export interface FilePrediction {
  file: string;
  /** Duration in seconds. */
  duration: number;
  /** Most probable class (overall). */
  label: string;
  /** Class probabilities (overall), in the model's class order. */
  probs: Record<string, number>;
  /** Sliding-window predictions, for files longer than the window. */
  timeline?: TimelineWindow[];
  /** Set instead of the fields above' meaning when the file could not be read (or holds no speech). */
  error?: string;
  /** Set when the speech is shorter than the model's window: scored once, padding masked. */
  short?: boolean;
  /**
   * How a model trained with speaker reference normalisation was referenced: 'speaker' (the --reference
   * clips); without them 'population' (the neutral speech of all training speakers, stored with the
   * model) or, for models saved without it, 'session' (the statistics of all the files predicted
   * together — one file: the utterance itself). Absent for models without speaker references.
   */
  reference?: 'speaker' | 'population' | 'session';
  /**
   * The functional head's fusion when the model has one (src/model/functional-head.ts): the overall
   * probabilities are the network's fused with the head's, computed on the whole (trimmed) file; the
   * timeline's windows stay the network's alone (the head's functionals need seconds of speech).
   */
  fusion?: 'product' | 'gate';
}

/** Options of {@link predictFiles}. */
export interface PredictOptions {
  /** Window length in seconds (default: the model's MAX_LEN, e.g. 1000 frames × 10 ms = 10 s). */
  window?: number;
  /** Hop between windows in seconds (default: half the window). */
  hop?: number;
  batchSize?: number;
  /**
   * The speaker's neutral reference: audio files of the same speaker's calm speech, required by a model
   * trained with speaker reference normalisation (all `files` are taken to be that speaker).
   */
  reference?: readonly string[];
  /** Called with warnings (e.g. the no-reference fallback); default: none. */
  onWarning?: (message: string) => void;
}

/**
 * The functional head's reference of one speaker from audio files: the mean functionals of the clips
 * (each trimmed as the model's settings say); null (= the training population's) when none has speech.
 * The monitor's replay uses it too.
 */
export async function headReferenceFromFiles(m: TrainedModel, files: readonly string[]): Promise<number[] | null> {
  const vs: number[][] = [];
  for (const f of files) {
    try {
      vs.push(
        samplesFunctionals(
          speechSamples((await loadAudio(f, { sr: m.featureSettings.params.sr })).samples, m.featureSettings, f),
          m.featureSettings,
        ),
      );
    } catch {
      // a reference clip without speech: the network's reference skips nothing, but it adds no functionals either
    }
  }
  return vs.length ? finiteMeans(vs) : null;
}

/** Reference statistics of one speaker from audio files (decoder errors name the file). The monitor's replay uses it too. */
export async function referenceFromFiles(m: TrainedModel, files: readonly string[]): Promise<SpeakerReference> {
  const clips: Float32Array[] = [];
  for (const f of files) {
    let samples: Float32Array;
    try {
      samples = (await loadAudio(f, { sr: m.featureSettings.params.sr })).samples;
    } catch (err) {
      throw new ParamError('reference', (err as Error).message, { cause: err });
    }
    if (samples.length === 0) throw new ParamError('reference', `${f}: no feature frames (empty audio)`);
    clips.push(samples);
  }
  return referenceFromSamples(m, clips);
}

/**
 * A speaker's reference statistics from clips of their calm speech (samples at the model's rate), for
 * models trained with speaker reference normalisation. Shared by file prediction and the live monitor
 * (which passes `features` memoised per clip: its session reference is rebuilt as speech accumulates).
 */
export function referenceFromSamples(
  m: TrainedModel,
  clips: readonly Float32Array[],
  features: (clip: Float32Array) => FeatureMatrix = (c) => featuresFromSamples(c, m.featureSettings),
): SpeakerReference {
  if (clips.length === 0) throw new Error('reference: no clips');
  const mats = clips.map(features);
  return speakerReferences(
    mats,
    mats.map(() => 'speaker'),
    m.hyper.max_len,
  ).get('speaker')!;
}

/**
 * Class probabilities of audio windows (samples at the model's rate): row w of the result holds window
 * w's K probabilities in the model's class order. The one function that batch prediction and the live
 * monitor share, so a window scores the same on both paths. `ref` is one reference for every window or
 * one per window (the monitor batches windows of several sessions, each with its own speaker).
 *
 * An audio window of a window model's own length is one network window: its centred framing gives one
 * frame more than the window's frame count (n samples → 1 + n/hop frames), which would otherwise make it
 * two network windows one frame apart — twice the work for the same answer. That frame is dropped, as
 * the exported ONNX path's truncation to max_len does.
 */
export async function windowProbabilities(
  m: TrainedModel,
  windows: readonly Float32Array[],
  ref: SpeakerReference | null | readonly (SpeakerReference | null)[],
  batchSize = m.hyper.batch_size,
): Promise<Float32Array> {
  if (Array.isArray(ref) && ref.length !== windows.length)
    throw new RangeError(`windowProbabilities: ${ref.length} references for ${windows.length} windows`);
  const W = m.hyper.max_len;
  const windowModel = windowHopFrames(m.hyper) > 0;
  const mats: FeatureMatrix[] = windows.map((w, i) => {
    const r = Array.isArray(ref) ? ((ref as readonly (SpeakerReference | null)[])[i] ?? null) : (ref as SpeakerReference | null);
    let mat = featuresFromSamples(w, m.featureSettings);
    if (windowModel && mat.frames === W + 1) mat = cropFrames(mat, 0, W);
    return r ? applySpeakerReference(mat, r) : mat;
  });
  return modelProbabilities(m, mats, batchSize);
}

/** The model's MAX_LEN in seconds. */
export function modelWindowSeconds(m: TrainedModel): number {
  return (m.hyper.max_len * m.featureSettings.params.hopLength) / m.featureSettings.params.sr;
}

/** Start samples of windows of `win` samples every `hop` samples covering n samples (last one flush with the end). */
export const windowStarts = frameWindowStarts;

function toRecord(classes: readonly string[], p: ArrayLike<number>, off: number): Record<string, number> {
  return Object.fromEntries(classes.map((c, k) => [c, p[off + k]]));
}

function argmaxLabel(classes: readonly string[], rec: Record<string, number>): string {
  return classes.reduce((best, c) => (rec[c] > rec[best] ? c : best), classes[0]);
}

/**
 * Predicts every file. A file that cannot be read gets `error` (the decoder's message, naming the
 * file) and the others still run.
 */
export async function predictFiles(
  model: string | TrainedModel,
  files: readonly string[],
  opts: PredictOptions = {},
): Promise<FilePrediction[]> {
  const m = typeof model === 'string' ? loadTrainedModel(model) : model;
  const sr = m.featureSettings.params.sr;
  const trained = modelWindowSettings(m.hyper);
  // A window model scores the windows it was trained on, on features of the whole (trimmed) clip —
  // exactly what training and evaluation see; `window` picks audio windows of another length instead.
  const frameWindows = trained !== undefined && opts.window === undefined && opts.hop === undefined;
  const winSec = opts.window ?? trained?.seconds ?? modelWindowSeconds(m);
  const hopSec = opts.hop ?? (opts.window === undefined ? trained?.hopSeconds : undefined) ?? winSec / 2;
  if (!(winSec > 0)) throw new ParamError('window', `expected a positive number of seconds, got ${opts.window}`);
  if (!(hopSec > 0)) throw new ParamError('hop', `expected a positive number of seconds, got ${opts.hop}`);
  const win = Math.max(1, Math.round(winSec * sr));
  const hop = Math.max(1, Math.round(hopSec * sr));
  const batchSize = opts.batchSize ?? m.hyper.batch_size;
  const refFiles = opts.reference ?? [];
  if (!m.hyper.speaker_reference && refFiles.length)
    throw new ParamError('reference', `the model in ${m.dir} was trained without speaker reference normalisation`);
  const ref = refFiles.length ? await referenceFromFiles(m, refFiles) : null;
  // One entry per file, in the order given.
  const out: FilePrediction[] = new Array(files.length);
  const loaded: { i: number; file: string; samples: Float32Array; speech: Float32Array }[] = [];
  for (const [i, file] of files.entries()) {
    let samples: Float32Array;
    try {
      samples = (await loadAudio(file, { sr })).samples;
    } catch (err) {
      out[i] = { file, duration: 0, label: '', probs: {}, error: (err as Error).message };
      continue;
    }
    try {
      loaded.push({ i, file, samples, speech: speechSamples(samples, m.featureSettings, file) });
    } catch (err) {
      out[i] = { file, duration: samples.length / sr, label: '', probs: {}, error: (err as Error).message };
    }
  }
  // No reference for a model that expects one: the neutral speech of all training speakers (stored with
  // the model) — measured far better than the utterance's own statistics, which make every clip look
  // neutral (docs/experiment.md); older models: the session's statistics (one file = the utterance).
  // Either way a new user with one clip still gets an answer, with a warning.
  let fallbackRef: SpeakerReference | null = null;
  let refKind: FilePrediction['reference'] = m.hyper.speaker_reference ? 'speaker' : undefined;
  if (m.hyper.speaker_reference && !ref && loaded.length) {
    refKind = m.populationReference ? 'population' : 'session';
    fallbackRef =
      m.populationReference ??
      referenceFromSamples(
        m,
        loaded.map((l) => l.speech),
      );
    opts.onWarning?.(
      `no --reference clips: the model in ${m.dir} was trained to compare speech with the speaker's neutral speech; ` +
        (refKind === 'population'
          ? 'falling back to population normalisation (the neutral speech of all its training speakers)'
          : `falling back to session normalisation (the statistics of the ${loaded.length} file(s) predicted together)`) +
        ", which is less accurate — give a few clips of the speaker's calm speech as reference files (predict --reference FILE)",
    );
  }
  const useRef = ref ?? fallbackRef;
  // The head's reference: the mean functionals of the --reference clips; without them the training population's.
  const headRef = m.functionalHead && refFiles.length ? await headReferenceFromFiles(m, refFiles) : null;
  const K = m.classes.length;
  for (const { i, file, samples, speech } of loaded) {
    // Everything after decoding is per file too: a failure names the file and the others still run.
    try {
      let probs: Float32Array;
      let spans: [number, number][];
      let short = false;
      if (frameWindows) {
        const mat0 = featuresFromSamples(speech, m.featureSettings);
        if (mat0.frames === 0) throw new Error('no feature frames (empty audio)');
        const mat = useRef ? applySpeakerReference(mat0, useRef) : mat0;
        const W = m.hyper.max_len;
        const starts = frameWindowStarts(mat.frames, W, windowHopFrames(m.hyper));
        short = mat.frames < W;
        probs = await modelProbabilities(
          m,
          starts.map((s) => cropFrames(mat, s, W)),
          batchSize,
        );
        const hopLen = m.featureSettings.params.hopLength;
        const offset =
          speech.byteOffset >= samples.byteOffset && speech.buffer === samples.buffer ? (speech.byteOffset - samples.byteOffset) / 4 : 0;
        spans = starts.map((s) => [offset + s * hopLen, offset + Math.min(speech.length, (s + W) * hopLen)]);
      } else {
        const starts = windowStarts(speech.length, win, hop);
        short = trained !== undefined && speech.length < win;
        probs = await windowProbabilities(
          m,
          starts.map((s) => speech.subarray(s, Math.min(s + win, speech.length))),
          useRef,
          batchSize,
        );
        spans = starts.map((s) => [s, Math.min(s + win, speech.length)]);
      }
      let overall = new Array<number>(K).fill(0);
      for (let w = 0; w < spans.length; w++) for (let k = 0; k < K; k++) overall[k] += probs[w * K + k] / spans.length;
      const head = m.functionalHead;
      if (head) {
        const hp = headProbabilities(head, [samplesFunctionals(speech, m.featureSettings)], [headRef]);
        overall = Array.from(fuseProbabilities(Float32Array.from(overall), hp, m.classes, head.fusion, head.priors));
      }
      const rec = toRecord(m.classes, overall, 0);
      const p: FilePrediction = { file, duration: samples.length / sr, label: argmaxLabel(m.classes, rec), probs: rec };
      if (short) p.short = true;
      if (refKind) p.reference = refKind;
      if (head) p.fusion = head.fusion;
      if (spans.length > 1) {
        p.timeline = spans.map(([a, b], w) => {
          const r = toRecord(m.classes, probs, w * K);
          return { start: a / sr, end: b / sr, label: argmaxLabel(m.classes, r), probs: r };
        });
      }
      out[i] = p;
    } catch (err) {
      out[i] = { file, duration: samples.length / sr, label: '', probs: {}, error: `${file}: ${(err as Error).message}` };
    }
  }
  return out;
}

/** Human-readable lines for predictions. */
export function formatPredictions(ps: readonly FilePrediction[]): string {
  const lines: string[] = [];
  const fmtProbs = (r: Record<string, number>): string =>
    Object.entries(r)
      .map(([c, v]) => `${c} ${v.toFixed(3)}`)
      .join('  ');
  for (const p of ps) {
    if (p.error) {
      lines.push(`${p.file}: error: ${p.error}`);
      continue;
    }
    lines.push(`${p.file}: ${p.label}  (${fmtProbs(p.probs)})${p.timeline ? `  overall of ${p.timeline.length} windows` : ''}`);
    for (const w of p.timeline ?? [])
      lines.push(`  ${w.start.toFixed(2).padStart(8)}–${w.end.toFixed(2).padEnd(8)} s  ${w.label.padEnd(12)} (${fmtProbs(w.probs)})`);
  }
  return lines.join('\n');
}
