/**
 * The Node side of the monitor's model: a trained model directory (single or ensemble) as the core's
 * injected `MonitorModel` — windows scored by `windowProbabilities` (the path `affexion predict` uses)
 * and the reference built by `referenceFromSamples`; without an enrolled reference, the session's own
 * speech so far ({@link sessionReference}). One model is shared by every session of a server; its
 * windows are scored one at a time in arrival order, each session's result sent as soon as it is ready.
 * Why not one batch for all sessions' due windows: measured (bench:monitor's anchors), a batch costs as
 * much per window as single windows on this engine, while the batch's first window waits for its last.
 */
import { resample } from '../audio/resample.js';
import type { SpeakerReference } from '../data/reference.js';
import { referenceFromSamples, windowProbabilities } from '../eval/predict.js';
import { loadTrainedModel, type TrainedModel } from '../model/model-dir.js';
import { modelWindowSettings } from '../model/hyperparameters.js';
import type { MonitorModel } from './core.js';
import type { InferencePool } from './pool.js';

interface Request { windows: Float32Array[]; ref: SpeakerReference | null; resolve: (p: Float32Array) => void; reject: (e: unknown) => void }

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
export function sessionReference(m: TrainedModel, speech: readonly Float32Array[]): SpeakerReference {
  return referenceFromSamples(m, speech);
}

/**
 * A `MonitorModel` over a trained model, shared by every session of a server. `maxBatch` windows of the
 * same reference may share one forward pass (default 1: see the file comment). With `pool`, windows are
 * scored by its worker threads instead of this thread (src/monitor/pool.ts).
 */
export function monitorModel(m: TrainedModel, opts: { maxBatch?: number; pool?: InferencePool } = {}): MonitorModel<SpeakerReference> & { warmUp(): Promise<void> } {
  const maxBatch = opts.maxBatch ?? 1;
  const queue: Request[] = [];
  let running = false;
  const K = m.classes.length;
  const sr = m.featureSettings.params.sr;

  // Scores queued requests in arrival order; between forward passes the event loop runs (frames come in,
  // finished windows go out), which predictProbabilities also does between members.
  async function run(): Promise<void> {
    running = true;
    while (queue.length) {
      const ref = queue[0]!.ref;
      const reqs: Request[] = [];
      let n = 0;
      while (queue.length && queue[0]!.ref === ref && (reqs.length === 0 || n + queue[0]!.windows.length <= maxBatch)) {
        const r = queue.shift()!;
        reqs.push(r);
        n += r.windows.length;
      }
      const windows = reqs.flatMap((r) => r.windows);
      try {
        const probs = await windowProbabilities(m, windows, ref, Math.max(1, Math.min(maxBatch, windows.length)));
        let off = 0;
        for (const r of reqs) {
          r.resolve(probs.slice(off * K, (off + r.windows.length) * K));
          off += r.windows.length;
        }
      } catch (err) {
        for (const r of reqs) r.reject(err);
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
      if (opts.pool) return opts.pool.classify(windows, ref);
      return new Promise<Float32Array>((resolve, reject) => {
        queue.push({ windows, ref, resolve, reject });
        if (!running) void run();
      });
    },
    /** Scores a few windows of faint noise so the first live window does not pay for first-call set-up. */
    async warmUp() {
      let seed = 1;
      const w = new Float32Array(2 * sr).map(() => { seed = (seed * 16807) % 2147483647; return 1e-3 * (seed / 2147483647 - 0.5); });
      const ref = m.hyper.speaker_reference ? sessionReference(m, [w]) : null;
      for (let i = 0; i < 3; i++) await (opts.pool ? opts.pool.classify([w], ref) : windowProbabilities(m, [w], ref, 1));
    },
    ...(m.hyper.speaker_reference
      ? {
        makeReference: (clips: Float32Array[]) => referenceFromSamples(m, clips),
        fallbackReference: (clips: Float32Array[]) => sessionReference(m, clips),
        referenceClipSamples: m.hyper.max_len * m.featureSettings.params.hopLength,
      }
      : {}),
  };
}
