/**
 * One inference worker of the monitor's pool (src/monitor/pool.ts): loads the model directory once, then
 * scores windows with `windowProbabilities` — the function `affexion predict` uses — over the ensemble
 * members it is asked for, in the order the requests arrive.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { SpeakerReference } from '../data/reference.js';
import { windowProbabilities } from '../eval/predict.js';
import { loadTrainedModel } from '../model/model-dir.js';
import { contextFunctionals } from './head.js';

export type PoolRequest =
  | { id: number; windows: Float32Array[]; ref: SpeakerReference | null | (SpeakerReference | null)[]; members: [number, number] }
  /** The functional head's input: functionals of a refresh point's trailing audio (src/monitor/head.ts contextFunctionals). */
  | { id: number; context: Float32Array };
export type PoolReply = { id: number; probs: Float32Array } | { id: number; functionals: number[] | null } | { id: number; error: string };

const m = loadTrainedModel((workerData as { dir: string }).dir);
// Sub-models per member range, made once (the nets are shared, not copied).
const subs = new Map<string, typeof m>();
function sub(a: number, b: number): typeof m {
  const key = `${a}:${b}`;
  let s = subs.get(key);
  // A part of the members is left uncalibrated: the pool calibrates the mean of all parts (as modelProbabilities does).
  if (!s)
    subs.set(
      key,
      (s =
        a === 0 && b === m.members.length ? m : { ...m, members: m.members.slice(a, b), temperature: undefined, neutralBias: undefined }),
    );
  return s;
}

// Requests are handled strictly one after another (windowProbabilities yields to the event loop between
// members, so without this chain a later request could overtake an earlier one).
let chain: Promise<void> = Promise.resolve();
parentPort!.on('message', (req: PoolRequest) => {
  chain = chain.then(async () => {
    try {
      if ('context' in req) {
        parentPort!.postMessage({ id: req.id, functionals: contextFunctionals(m.featureSettings, req.context) } satisfies PoolReply);
        return;
      }
      const probs = await windowProbabilities(sub(req.members[0], req.members[1]), req.windows, req.ref, Math.max(1, req.windows.length));
      parentPort!.postMessage({ id: req.id, probs } satisfies PoolReply, [probs.buffer as ArrayBuffer]);
    } catch (err) {
      parentPort!.postMessage({ id: req.id, error: (err as Error).message } satisfies PoolReply);
    }
  });
});
parentPort!.postMessage({ ready: true });
