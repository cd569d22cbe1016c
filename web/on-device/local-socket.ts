// On-device mode of the monitor page: the page (web/monitor/app.js) speaks its WebSocket protocol
// (src/monitor/session.ts) to a LocalSocket instead, whose other end is the monitor core running in
// this page, with the exported model in a Web Worker. So the page, its views and exports are the very
// same as the server-side monitor's, and no audio frame ever leaves the browser: there is no socket.
import { createMonitor, type Monitor, type MonitorEvent, type MonitorOptions } from '../../src/monitor/core.js';
import { onnxMonitorModel } from '../../src/monitor/onnx-model.js';
import type { OnnxMetadata } from '../../src/export/onnx-export.js';
import type { SpeakerReference } from '../../src/data/reference.js';
import type { MonitorModel } from '../../src/monitor/core.js';
import type { HeadFunctionals } from '../../src/monitor/head.js';
import { timeCalls, type Latency } from '../../src/engine/timing.js';

interface OnDeviceInfo {
  meta: OnnxMetadata;
  model: string;
  monitor: Omit<MonitorOptions<SpeakerReference>, 'model' | 'onEvent'>;
  threads: number;
}

/** The model worker: requests by id, each resolved with its probabilities. */
class ModelWorker {
  readonly worker: Worker;
  readonly ready: Promise<{ threads: number; crossOriginIsolated: boolean }>;
  private next = 1;
  private readonly waiting = new Map<number, { resolve: (p: never) => void; reject: (e: Error) => void }>();
  /** Milliseconds the worker spent per request (features + graph), newest last, bounded. */
  readonly times: number[] = [];
  /** Milliseconds the worker spent per functional-head request (the functionals of a context or of the enrolment), newest last, bounded. */
  readonly headTimes: number[] = [];

  constructor(info: OnDeviceInfo) {
    this.worker = new Worker('worker.js', { type: 'module', name: 'affexion-model' });
    this.ready = new Promise((resolve, reject) => {
      this.worker.onmessage = (e: MessageEvent) => {
        const m = e.data as {
          type: string;
          id?: number;
          probs?: Float32Array;
          values?: number[] | null;
          message?: string;
          ms?: number;
          threads?: number;
          crossOriginIsolated?: boolean;
        };
        if (m.type === 'ready') {
          resolve({ threads: m.threads!, crossOriginIsolated: m.crossOriginIsolated! });
          return;
        }
        if (m.type === 'error' && m.id === undefined) {
          reject(new Error(m.message));
          return;
        }
        const w = this.waiting.get(m.id!);
        if (!w) return;
        this.waiting.delete(m.id!);
        if (m.type === 'probs' || m.type === 'functionals') {
          const times = m.type === 'probs' ? this.times : this.headTimes;
          times.push(m.ms!);
          if (times.length > 1000) times.splice(0, 500);
          w.resolve((m.type === 'probs' ? m.probs! : m.values!) as never);
        } else w.reject(new Error(m.message));
      };
      this.worker.onerror = (e) => reject(new Error(`model worker: ${e.message}`));
    });
    this.worker.postMessage({ type: 'init', modelUrl: info.model, meta: info.meta, threads: info.threads });
  }

  request<T = Float32Array>(msg: object, transfer: Transferable[] = []): Promise<T> {
    const id = this.next++;
    return new Promise<T>((resolve, reject) => {
      this.waiting.set(id, { resolve: resolve as (p: never) => void, reject });
      this.worker.postMessage({ ...msg, id }, transfer);
    });
  }

  classify(windows: Float32Array[], ref: SpeakerReference | null): Promise<Float32Array> {
    return this.request({ type: 'classify', windows, ref });
  }

  /** The functional head's functionals, computed in the worker (src/monitor/head.ts, as the server's pool computes them). */
  readonly headFunctionals: HeadFunctionals = {
    context: (context) => this.request<number[] | null>({ type: 'context-functionals', context }),
    reference: (clips) => this.request<number[] | null>({ type: 'reference-functionals', clips }),
  };
}

let shared: Promise<{ info: OnDeviceInfo; worker: ModelWorker; model: MonitorModel<SpeakerReference> }> | null = null;

/** Loads the model description and starts the worker once per page. */
function onDevice(): NonNullable<typeof shared> {
  shared ??= (async () => {
    const r = await fetch('api/on-device', { credentials: 'same-origin' });
    if (!r.ok) throw new Error(`server said ${r.status}: ${await r.text()}`);
    const info = (await r.json()) as OnDeviceInfo;
    const worker = new ModelWorker(info);
    const status = await worker.ready;
    document.body.dataset.onDevice = status.crossOriginIsolated ? `threads-${status.threads}` : 'single-thread';
    return { info, worker, model: onnxMonitorModel(info.meta, (w, ref) => worker.classify(w, ref), worker.headFunctionals) };
  })();
  return shared;
}

type Listener = ((e: { data?: unknown; code?: number; reason?: string }) => void) | null;

/** Median, p95 and fastest ms of `runs` calls of `one` (src/engine/timing.ts, as bench/onnx.ts times Node), with the page's thread mode. */
async function timeRuns(runs: number, one: () => Promise<unknown>): Promise<Latency & { threads: string }> {
  return { ...(await timeCalls(runs, one)), threads: document.body.dataset.onDevice ?? '' };
}

/** What app.js uses of a WebSocket, served by the monitor core in this page. */
export class LocalSocket {
  static readonly CONNECTING = 0;
  static readonly OPEN = 1;
  static readonly CLOSING = 2;
  static readonly CLOSED = 3;
  readyState = LocalSocket.CONNECTING;
  binaryType = 'arraybuffer';
  onopen: Listener = null;
  onmessage: Listener = null;
  onclose: Listener = null;
  onerror: Listener = null;
  private mon: Monitor | null = null;
  private rate = 0;
  private stopping = false;

  constructor(readonly url: string) {
    onDevice().then(
      () => {
        if (this.readyState !== LocalSocket.CONNECTING) return;
        this.readyState = LocalSocket.OPEN;
        this.onopen?.({});
      },
      (err: Error) => this.fail(`on-device model: ${err.message}`),
    );
  }

  private emit(msg: object): void {
    if (this.readyState === LocalSocket.OPEN) this.onmessage?.({ data: JSON.stringify(msg) });
  }

  private fail(reason: string): void {
    this.emit({ type: 'error', message: reason });
    this.close(1008, reason);
  }

  send(data: string | ArrayBuffer): void {
    if (this.readyState !== LocalSocket.OPEN || this.stopping) return;
    try {
      if (typeof data !== 'string') {
        if (!this.mon) throw new Error('audio before start');
        this.mon.push(new Float32Array(data), this.rate);
        return;
      }
      const msg = JSON.parse(data) as {
        type: string;
        sampleRate?: number;
        enrol?: boolean;
        label?: string;
        enter?: number;
        leave?: number;
      };
      if (msg.type === 'start') void this.begin(msg.sampleRate!, msg.enrol ?? true);
      else if (!this.mon) throw new Error('control message before start');
      else if (msg.type === 'skip-enrolment') this.mon.skipEnrolment();
      else if (msg.type === 'redo-enrolment') this.mon.redoEnrolment();
      else if (msg.type === 'threshold') {
        this.mon.setThreshold(msg.label!, { enter: msg.enter!, leave: msg.leave! });
        this.emit({ type: 'thresholds', thresholds: this.mon.thresholds });
      } else if (msg.type === 'stop') void this.finish();
    } catch (err) {
      this.fail((err as Error).message);
    }
  }

  private async begin(rate: number, enrol: boolean): Promise<void> {
    const { info, model } = await onDevice();
    this.rate = rate;
    const o = info.monitor;
    this.mon = createMonitor({
      ...o,
      model,
      onEvent: (e: MonitorEvent) => this.emit(e),
      onError: (err) => this.fail(`classifier failed: ${(err as Error).message}`),
    });
    this.emit({
      type: 'hello',
      session: 'on-device',
      classes: model.classes,
      sampleRate: rate,
      onDevice: true,
      window: o.window ?? model.window?.seconds ?? 2,
      hop: o.hop ?? model.window?.hopSeconds ?? 0.5,
      enrolSeconds: model.makeReference ? (o.enrolSeconds ?? 8) : 0,
      thresholds: this.mon.thresholds,
    });
    if (!enrol) this.mon.skipEnrolment();
  }

  private async finish(): Promise<void> {
    this.stopping = true;
    if (this.mon) await this.mon.end().catch((err: Error) => this.emit({ type: 'error', message: err.message }));
    this.close(1000, 'stopped');
  }

  close(code = 1000, reason = ''): void {
    if (this.readyState === LocalSocket.CLOSED) return;
    this.readyState = LocalSocket.CLOSED;
    this.onclose?.({ code, reason });
  }
}

/**
 * For tests and the benchmark: a file's samples through a fresh core and the same worker, every
 * window awaited (as `affexion monitor --input` replays), and timings of bare graph runs.
 */
export const onDeviceHooks = {
  async replay(input: Float32Array | number[], sampleRate: number, chunkSeconds = 0.1): Promise<MonitorEvent[]> {
    const { info, model } = await onDevice();
    const samples = input instanceof Float32Array ? input : Float32Array.from(input);
    const events: MonitorEvent[] = [];
    const mon = createMonitor({ ...info.monitor, model, maxPending: Infinity, onEvent: (e) => events.push(e) });
    const chunk = Math.max(1, Math.round(chunkSeconds * sampleRate));
    for (let s = 0; s < samples.length; s += chunk) {
      mon.push(samples.subarray(s, Math.min(s + chunk, samples.length)), sampleRate);
      await mon.drain();
    }
    await mon.end();
    return events;
  },
  /**
   * The functional head's functionals of a window's trailing context (samples at the model's rate), computed in the
   * worker as the page's monitor does (null: under 2 s of speech); and the worker's milliseconds for it.
   */
  async functionals(context: number[]): Promise<{ values: number[] | null; ms: number }> {
    const { worker } = await onDevice();
    const values = await worker.headFunctionals.context(Float32Array.from(context));
    return { values, ms: worker.headTimes.at(-1)! };
  },
  /** A bare graph run in the worker: logits (one network) or probabilities (ensemble) of x (B, T, F). */
  async raw(x: number[], B: number, T: number, F: number, lengths: number[] | null): Promise<number[]> {
    const { worker } = await onDevice();
    return Array.from(
      await worker.request({ type: 'raw', x: Float32Array.from(x), B, T, F, lengths: lengths ? Int32Array.from(lengths) : null }),
    );
  },
  /**
   * Median and p95 ms of `runs` graph runs on one window (B = 1, T = max_len; its length fed when the model
   * masks padding, as the monitor does), after ≥ 5 runs and ≥ 2 s of warm-up.
   */
  async timeGraph(runs = 20): Promise<Latency & { threads: string }> {
    const { info, worker } = await onDevice();
    const F = 3 * (info.meta.feature_params as { nMfcc: number }).nMfcc,
      T = info.meta.max_len;
    const lengths = info.meta.mask_padding ? Int32Array.of(T) : null;
    return timeRuns(runs, () =>
      worker.request({ type: 'raw', x: new Float32Array(T * F).map((_, i) => Math.sin(i * 0.37)), B: 1, T, F, lengths }),
    );
  },
  /**
   * Median and p95 ms of `runs` requests for the functional head's functionals of `context` (a window's trailing
   * audio at the model's rate) — the head's extra work per refresh point (every `headHop`), in the worker, request to reply — after the
   * same warm-up; `values` of the last run.
   */
  async timeHead(context: number[], runs = 20): Promise<Latency & { threads: string; values: number[] | null }> {
    const { worker } = await onDevice();
    const x = Float32Array.from(context);
    let values: number[] | null = null;
    const t = await timeRuns(runs, async () => {
      values = await worker.headFunctionals.context(x);
    });
    return { ...t, values };
  },
};
