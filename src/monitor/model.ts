/**
 * The Node side of the monitor's model: a trained model directory (single or ensemble) as the core's
 * injected `MonitorModel` — windows scored by `windowProbabilities` (the path `affexion predict` uses)
 * and the reference built by `referenceFromSamples`. Windows from all sessions that ask within the same
 * event-loop turn are scored together (one batch per distinct reference), which keeps latency flat as
 * sessions are added.
 */
import { resample } from '../audio/resample.js';
import type { SpeakerReference } from '../data/reference.js';
import { referenceFromSamples, windowProbabilities } from '../eval/predict.js';
import { loadTrainedModel, type TrainedModel } from '../model/model-dir.js';
import { modelWindowSettings } from '../model/hyperparameters.js';
import type { MonitorModel } from './core.js';

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
 * A `MonitorModel` over a trained model, shared by every session of a server (so their windows batch
 * together). `maxBatch` bounds one forward pass.
 */
export function monitorModel(m: TrainedModel, opts: { maxBatch?: number } = {}): MonitorModel<SpeakerReference> {
  const maxBatch = opts.maxBatch ?? 32;
  let queue: Request[] = [];
  let scheduled = false;
  let running: Promise<void> = Promise.resolve();

  async function run(batch: Request[]): Promise<void> {
    const groups = new Map<SpeakerReference | null, Request[]>();
    for (const r of batch) {
      const g = groups.get(r.ref);
      if (g) g.push(r);
      else groups.set(r.ref, [r]);
    }
    for (const [ref, reqs] of groups) {
      const windows = reqs.flatMap((r) => r.windows);
      try {
        const probs = await windowProbabilities(m, windows, ref, Math.min(maxBatch, windows.length));
        const K = m.classes.length;
        let off = 0;
        for (const r of reqs) {
          r.resolve(probs.slice(off * K, (off + r.windows.length) * K));
          off += r.windows.length;
        }
      } catch (err) {
        for (const r of reqs) r.reject(err);
      }
    }
  }

  function flush(): void {
    scheduled = false;
    const batch = queue;
    queue = [];
    running = running.then(() => run(batch));
  }

  return {
    classes: m.classes,
    sampleRate: m.featureSettings.params.sr,
    window: modelWindow(m),
    resample: (x, from, to) => resample(x, from, to),
    classify(windows, ref) {
      return new Promise<Float32Array>((resolve, reject) => {
        queue.push({ windows, ref, resolve, reject });
        if (!scheduled) {
          scheduled = true;
          setImmediate(flush);
        }
      });
    },
    ...(m.hyper.speaker_reference
      ? {
        makeReference: (clips: Float32Array[]) => referenceFromSamples(m, clips),
        referenceClipSamples: m.hyper.max_len * m.featureSettings.params.hopLength,
      }
      : {}),
  };
}
