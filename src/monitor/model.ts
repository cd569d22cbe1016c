/**
 * The Node side of the monitor's model: a trained model directory (single or ensemble) as the core's
 * injected `MonitorModel` — windows scored by `windowProbabilities` (the path `affexion predict` uses)
 * and the reference built by `referenceFromSamples`; without an enrolled reference, the session's own
 * speech so far ({@link sessionReference}). One model is shared by every session of a server.
 *
 * Windows of all sessions are batched: while one forward pass runs, the windows that arrive wait, and
 * the next pass scores all of them at once (each with its own session's reference), up to `maxBatch`.
 * Why: the engine's batched forward costs far less per window than single windows (bench:monitor's
 * anchors: anchor_batch16_per_window_ms vs anchor_one_window_ms), and at one stream the batch is one
 * window, so nothing waits for a batch to fill. The queue is bounded by the sessions: each has at most
 * one window in flight and one waiting (the core drops the older, counted as dropped).
 */
import { resample } from '../audio/resample.js';
import type { SpeakerReference } from '../data/reference.js';
import { featuresFromSamples } from '../data/features.js';
import type { FeatureMatrix } from '../features/index.js';
import { referenceFromSamples, windowProbabilities } from '../eval/predict.js';
import { loadTrainedModel, type TrainedModel } from '../model/model-dir.js';
import { modelWindowSettings } from '../model/hyperparameters.js';
import type { MonitorHead, MonitorModel } from './core.js';
import type { InferencePool } from './pool.js';
import { functionalMonitorHead, localHeadFunctionals } from './head.js';

export { contextFunctionals, HEAD_CONTEXT_SECONDS, HEAD_MIN_SPEECH_SECONDS } from './head.js';

interface Request {
  windows: Float32Array[];
  ref: SpeakerReference | null;
  resolve: (p: Float32Array) => void;
  reject: (e: unknown) => void;
}

/** Windows per forward pass by default: 16 streams' due windows at once (attention memory is B·T², small at T = 150). */
export const DEFAULT_MONITOR_BATCH = 32;

/** Loads a model directory for the monitor; errors name the directory. */
export function loadMonitorModel(dir: string): TrainedModel {
  try {
    return loadTrainedModel(dir);
  } catch (err) {
    const msg = (err as Error).message;
    throw new Error(msg.includes(dir) || msg.includes('/') ? msg : `${dir}: ${msg}`);
  }
}

/**
 * The window the model was trained for (config.json `training.hyperparameters.window` / `window_hop`,
 * seconds, read by the same library helper predict uses), or undefined for a whole-clip model.
 */
export function modelWindow(m: TrainedModel): { seconds: number; hopSeconds: number } | undefined {
  return modelWindowSettings(m.hyper);
}

/**
 * The no-reference fallback of a model trained with speaker references: statistics of the session's own
 * speech so far (clips at the model's rate) stand in for the speaker's calm reference. The one place the
 * monitor decides this — point it at the recogniser's library fallback (utterance/session normalisation)
 * when that exists, and the monitor follows.
 */
export function sessionReference(
  m: TrainedModel,
  speech: readonly Float32Array[],
  features?: (clip: Float32Array) => FeatureMatrix,
): SpeakerReference {
  return referenceFromSamples(m, speech, features);
}

/**
 * Features of clips memoised by the clip object: the core passes a session's complete speech clips as the
 * same objects at every rebuild of its fallback reference, so each rebuild computes only the new clips'
 * features (rebuilding from 30 s of speech cost ~66 ms of the server's main thread per session).
 */
function memoFeatures(m: TrainedModel): (clip: Float32Array) => FeatureMatrix {
  const cache = new WeakMap<Float32Array, FeatureMatrix>();
  return (clip) => {
    let f = cache.get(clip);
    if (!f) cache.set(clip, (f = featuresFromSamples(clip, m.featureSettings)));
    return f;
  };
}

/**
 * The model's functional head as the core's `MonitorHead` (undefined: the model has none; src/monitor/head.ts,
 * which the on-device page shares). With `pool`, the functionals of the head's refresh points are computed by its
 * workers at background priority (the F0 tracker on 6 s: tens of ms each, off the thread that takes every session's audio).
 */
export function monitorHead(m: TrainedModel, pool?: InferencePool): MonitorHead | undefined {
  const head = m.functionalHead;
  if (!head) return undefined;
  const local = localHeadFunctionals(m.featureSettings);
  return functionalMonitorHead(
    head,
    m.classes,
    m.featureSettings.params.sr,
    pool ? { ...local, context: (c) => pool.functionals(c) } : local,
  );
}

/**
 * A `MonitorModel` over a trained model, shared by every session of a server. Up to `maxBatch` queued
 * windows (any sessions, any references) share one forward pass (1: one window at a time). With `pool`,
 * the batches are scored by its worker threads instead of this thread (src/monitor/pool.ts).
 */
export function monitorModel(
  m: TrainedModel,
  opts: { maxBatch?: number; pool?: InferencePool } = {},
): MonitorModel<SpeakerReference> & { warmUp(): Promise<void> } {
  const maxBatch = opts.maxBatch ?? DEFAULT_MONITOR_BATCH;
  if (!(Number.isInteger(maxBatch) && maxBatch >= 1)) throw new Error(`maxBatch: expected a whole number ≥ 1, got ${opts.maxBatch}`);
  const queue: Request[] = [];
  let running = false;
  const K = m.classes.length;
  const sr = m.featureSettings.params.sr;
  const features = memoFeatures(m);

  // Scores queued requests in arrival order, as many as fit a batch per pass; between passes the event
  // loop runs (frames come in, finished windows go out, more windows queue for the next pass).
  const score = ([windows, ref]: [Float32Array[], SpeakerReference | null | (SpeakerReference | null)[]]): Promise<Float32Array> =>
    opts.pool ? opts.pool.classify(windows, ref) : windowProbabilities(m, windows, ref, Math.max(1, Math.min(maxBatch, windows.length)));

  async function run(): Promise<void> {
    running = true;
    while (queue.length) {
      const reqs: Request[] = [];
      let n = 0;
      while (queue.length && (reqs.length === 0 || n + queue[0]!.windows.length <= maxBatch)) {
        const r = queue.shift()!;
        reqs.push(r);
        n += r.windows.length;
      }
      const windows = reqs.flatMap((r) => r.windows);
      const refs = reqs.flatMap((r) => r.windows.map(() => r.ref));
      try {
        const probs = await score([windows, refs]);
        let off = 0;
        for (const r of reqs) {
          r.resolve(probs.slice(off * K, (off + r.windows.length) * K));
          off += r.windows.length;
        }
      } catch (err) {
        // Sessions stay isolated: a batch that fails is scored again request by request, so only the
        // request at fault (e.g. a reference of the wrong size) fails.
        if (reqs.length === 1) reqs[0]!.reject(err);
        else for (const r of reqs) await score([r.windows, r.ref]).then(r.resolve, r.reject);
      }
    }
    running = false;
  }

  return {
    classes: m.classes,
    sampleRate: sr,
    window: modelWindow(m),
    resample: (x, from, to) => resample(x, from, to),
    classify(windows, ref) {
      return new Promise<Float32Array>((resolve, reject) => {
        queue.push({ windows, ref, resolve, reject });
        if (!running) void run();
      });
    },
    /** Scores a few windows of faint noise so the first live window does not pay for first-call set-up. */
    async warmUp() {
      let seed = 1;
      const w = new Float32Array(2 * sr).map(() => {
        seed = (seed * 16807) % 2147483647;
        return 1e-3 * (seed / 2147483647 - 0.5);
      });
      const ref = m.hyper.speaker_reference ? sessionReference(m, [w]) : null;
      for (let i = 0; i < 3; i++) await (opts.pool ? opts.pool.classify([w], ref) : windowProbabilities(m, [w], ref, 1));
    },
    ...(m.functionalHead ? { head: monitorHead(m, opts.pool) } : {}),
    ...(m.hyper.speaker_reference
      ? {
          makeReference: (clips: Float32Array[]) => referenceFromSamples(m, clips),
          fallbackReference: (clips: Float32Array[]) => sessionReference(m, clips, features),
          referenceClipSamples: m.hyper.max_len * m.featureSettings.params.hopLength,
        }
      : {}),
  };
}
