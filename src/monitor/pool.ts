/**
 * Inference in worker threads for the monitor's server, so scoring uses every core while the main thread
 * keeps receiving frames and sending events. An ensemble's members are split across the workers (each
 * window is scored by all of them at once: the latency of one stream drops too, not only the throughput of
 * many); a single network is scored whole by the least busy worker. The combined probabilities are the
 * members' mean as in `modelProbabilities`, equal to in-process scoring up to float rounding (≤ 1e-6, tested).
 */
import type { Worker } from 'node:worker_threads';
import type { SpeakerReference } from '../data/reference.js';
import { applyCalibration, type TrainedModel } from '../model/model-dir.js';
import type { PoolReply, PoolRequest } from './inference-worker.js';
import { ParamError } from '../engine/errors.js';
import { startModuleWorker } from './thread.js';

export interface InferencePool {
  readonly size: number;
  /** `ref`: one for all windows, or one per window (a batch of several sessions' windows). */
  classify(windows: Float32Array[], ref: SpeakerReference | null | (SpeakerReference | null)[]): Promise<Float32Array>;
  /**
   * The functional head's functionals of a refresh point's trailing audio (src/monitor/head.ts contextFunctionals),
   * at background priority: handed to a worker only when it has nothing else to do, so a window's scoring waits for
   * at most one of them (the core asks for them a head period before they are needed).
   */
  functionals(context: Float32Array): Promise<number[] | null>;
  close(): Promise<void>;
}

interface Slot {
  worker: Worker;
  busy: number;
  waiting: Map<number, { resolve: (p: Float32Array | number[] | null) => void; reject: (e: Error) => void }>;
}

/** Member ranges [a, b) splitting `members` as evenly as possible over at most `n` workers. */
export function memberRanges(members: number, n: number): [number, number][] {
  const k = Math.max(1, Math.min(n, members));
  return [...Array(k).keys()].map((i) => [Math.floor((i * members) / k), Math.floor(((i + 1) * members) / k)]);
}

/** Omit over each member of a union (TypeScript's Omit would merge the request kinds into one). */
type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

export async function createInferencePool(m: TrainedModel, workers: number): Promise<InferencePool> {
  // The head's functionals waiting for an idle worker (background priority; see InferencePool.functionals).
  const background: { context: Float32Array; resolve: (v: number[] | null) => void; reject: (e: Error) => void }[] = [];
  let slots: Slot[] = [];
  let nextId = 0;
  /** Sends one request to a worker; its reply settles `resolve`/`reject` (the message handler below). */
  function send(slot: Slot, request: DistributiveOmit<PoolRequest, 'id'>, resolve: (v: never) => void, reject: (e: Error) => void): void {
    const id = nextId++;
    slot.busy++;
    slot.waiting.set(id, { resolve: resolve as (p: unknown) => void, reject });
    slot.worker.postMessage({ id, ...request } satisfies PoolRequest);
  }
  function dispatchBackground(): void {
    for (const slot of slots) {
      if (!background.length) return;
      if (slot.busy > 0) continue;
      const job = background.shift()!;
      send(slot, { context: job.context }, job.resolve, job.reject);
    }
  }
  if (!(Number.isInteger(workers) && workers >= 1)) throw new ParamError('workers', `expected a whole number ≥ 1, got ${workers}`);
  slots = await Promise.all(
    [...Array(workers).keys()].map(
      () =>
        new Promise<Slot>((resolve, reject) => {
          const worker = startModuleWorker('inference-worker', { dir: m.dir });
          const slot: Slot = { worker, busy: 0, waiting: new Map() };
          worker.on('message', (msg: PoolReply | { ready: true }) => {
            if ('ready' in msg) {
              resolve(slot);
              return;
            }
            const w = slot.waiting.get(msg.id);
            if (!w) return;
            slot.waiting.delete(msg.id);
            slot.busy--;
            if ('error' in msg) w.reject(new Error(msg.error));
            else w.resolve('probs' in msg ? msg.probs : msg.functionals);
            dispatchBackground();
          });
          const fail = (err: Error): void => {
            reject(err);
            for (const w of slot.waiting.values()) w.reject(new Error(`inference worker failed: ${err.message}`));
            slot.waiting.clear();
            for (const job of background.splice(0)) job.reject(new Error(`inference worker failed: ${err.message}`));
          };
          worker.once('error', fail);
          worker.once('exit', (code) => {
            if (code !== 0) fail(new Error(`inference worker exited with ${code}`));
          });
        }),
    ),
  );
  const K = m.classes.length;
  const M = m.members.length;
  const ranges = memberRanges(M, workers);

  function ask(
    slot: Slot,
    windows: Float32Array[],
    ref: SpeakerReference | null | (SpeakerReference | null)[],
    members: [number, number],
  ): Promise<Float32Array> {
    // The windows are copied (not transferred): the caller may still hold them.
    return new Promise((resolve, reject) => send(slot, { windows, ref, members }, resolve, reject));
  }

  return {
    size: workers,
    async classify(windows, ref) {
      if (ranges.length === 1) {
        const slot = slots.reduce((a, b) => (b.busy < a.busy ? b : a));
        return ask(slot, windows, ref, [0, M]);
      }
      const parts = await Promise.all(ranges.map((r, i) => ask(slots[i]!, windows, ref, r)));
      // Mean over all members from the parts' means, weighted by their member counts.
      const out = new Float32Array(windows.length * K);
      parts.forEach((p, i) => {
        const w = ranges[i]![1] - ranges[i]![0];
        for (let j = 0; j < out.length; j++) out[j] += p[j]! * w;
      });
      for (let j = 0; j < out.length; j++) out[j] /= M;
      return applyCalibration(m, out);
    },
    functionals(context) {
      return new Promise((resolve, reject) => {
        background.push({ context, resolve, reject });
        dispatchBackground();
      });
    },
    async close() {
      await Promise.all(slots.map((s) => s.worker.terminate()));
    },
  };
}
