/**
 * The live monitor's streaming core: audio in (any rate, any chunk size), events out. It resamples to
 * the model's rate with the project's resampler (StreamResampler: the same filter as `loadAudio`),
 * gates speech with the project's detector (SpeechGate), classifies the last `window` seconds every
 * `hop` seconds while there is speech — the same fixed windows as `affexion predict --window W --hop H`,
 * scored by the same function (the injected `classify`, in Node `windowProbabilities`) — smooths
 * (moving average + a label that only changes by a margin), and raises alerts per signal with enter /
 * leave thresholds (hysteresis) and a cooldown. It enrols the speaker's reference from the first
 * `enrolSeconds` of speech unless given one. A model with a `head` (in Node: the functional head) scores the
 * trailing audio at its own cadence (every `headHop` seconds of stream, after that window's event) and each
 * classified window is fused with the opinion of the refresh point a period back (see {@link headPoint}).
 *
 * Pure TypeScript with no Node imports, so it can run in a browser: the classifier and the reference
 * builder are injected (see src/monitor/model.ts for the Node side). Inference never queues without
 * bound: at most `maxPending` windows wait; older ones are dropped and reported (`dropped`, `lag`).
 *
 * ```ts
 * const mon = createMonitor({ model: await monitorModel('models/m1'), onEvent: (e) => console.log(e) });
 * mon.push(chunk, 48000);         // as audio arrives
 * await mon.end();                // flushes, emits `summary`
 * ```
 */
import { StreamResampler } from './stream-resampler.js';
import { SpeechGate, type GateOptions } from './gate.js';
import { ParamError } from '../engine/errors.js';

/** What the core needs from a model: its classes and rate, a window scorer and a reference builder. */
export interface MonitorModel<R = unknown> {
  classes: readonly string[];
  /** Sample rate the model's features are computed at (Hz). */
  sampleRate: number;
  /** Probabilities (N × K, row-major, the model's class order) of N windows of samples at `sampleRate`. */
  classify(windows: Float32Array[], reference: R | null): Promise<Float32Array>;
  /** The speaker reference from clips of their calm speech (absent: the model takes no reference). */
  makeReference?(clips: Float32Array[]): R;
  /**
   * The model's no-reference fallback: a reference from clips of the session's own speech so far, used when
   * enrolment is skipped (default: `makeReference`).
   */
  fallbackReference?(clips: Float32Array[]): R;
  /** Length (samples) of the clips enrolment speech is cut into for `makeReference` (default: the window). */
  referenceClipSamples?: number;
  /** A whole-block resampler to speed up the streaming one (in Node: the native `resample`); optional. */
  resample?: (x: Float32Array, fromRate: number, toRate: number) => Float32Array;
  /** Window and hop (seconds) the model was trained for, when it says so. */
  window?: { seconds: number; hopSeconds: number };
  /** A second expert on the trailing speech context (in Node: the model's functional head); absent: the windows are the classifier's alone. */
  head?: MonitorHead;
}

/**
 * A second expert fused into each classified window (in Node: the functional head, src/monitor/model.ts).
 * Injected, like the classifier, so the core stays free of Node imports. Its reference and its opinion are
 * opaque to the core.
 */
export interface MonitorHead {
  /** Samples of trailing audio (ending at a refresh point, see {@link headPoint}) it scores. */
  contextSamples: number;
  /**
   * The speaker's head reference from their enrolment speech (one clip: all of it joined); null = the model's
   * fallback. May be a promise (the on-device page computes it in its worker): windows await it before fusing.
   */
  reference(clips: Float32Array[]): unknown;
  /**
   * The head's opinion on `context` (in Node: its class probabilities; null: the head does not take part, e.g.
   * too little speech in the context yet); `reference` null = the model's no-reference fallback. The expensive
   * part (the F0 tracker): the core asks for it once per refresh point, off the windows' critical path.
   */
  score(context: Float32Array, reference: unknown): Promise<unknown>;
  /** A window's probabilities fused with an opinion of `score` (cheap: done for every classified window). */
  fuse(probs: Float32Array, opinion: unknown): Float32Array;
}

/** Seconds of stream between the head's refresh points by default (rounded to whole hops; see {@link headPoint}). */
export const DEFAULT_HEAD_HOP_SECONDS = 2;

/**
 * Which refresh point's head opinion window `k` (0-based: the window ending at `window + k·hop`) is fused with,
 * when the head refreshes every `every` windows: the windows 0, every, 2·every, … are the refresh points (the
 * head scores the `contextSamples` ending where that window ends), and window k takes the newest refresh point
 * at least `every` windows back — −1: none yet (the head does not take part). Why a full period back: the
 * opinion of refresh point g is computed after window g's event, in the `every` hops until window g + every
 * needs it, so no window ever waits for the head (16 streams in step refresh together; a period spreads their
 * work). It depends on the stream position only, so file replay, the server and the on-device page fuse the
 * same opinion into the same window whatever was dropped or how fast the machine is.
 */
export function headPoint(k: number, every: number): number {
  return Math.floor(k / every) * every - every;
}

export interface Threshold {
  enter: number;
  leave: number;
}

export interface MonitorOptions<R = unknown> {
  model: MonitorModel<R>;
  /** Window length, seconds (default: the model's, else 2). Bounds the reaction time. */
  window?: number;
  /** Seconds between windows (default: the model's, else 0.5). */
  hop?: number;
  /** Windows in the moving average (default 3). */
  smoothing?: number;
  /** How much another class must beat the current smoothed label by to replace it (default 0.1). */
  labelMargin?: number;
  /** Alert thresholds per class on the smoothed probability (default enter 0.6 / leave 0.4 for every class
   * except neutral/calm); a class without an entry raises no alerts. */
  thresholds?: Record<string, Threshold>;
  /** Seconds after an alert of a class ends before it can start again (default 10). */
  cooldown?: number;
  /** The speaker reference, when known in advance (then no enrolment). */
  reference?: R | null;
  /** The head's reference from the same clips as `reference` (model.head.reference's kind); absent: the head's fallback. */
  headReference?: unknown;
  /**
   * Seconds of stream between the head's refresh points (models with a head; default {@link DEFAULT_HEAD_HOP_SECONDS},
   * at least the hop): rounded to a whole number of hops. The head summarises seconds of context, so scoring it
   * every hop was mostly repeated work (its F0 tracking on 6 s: over half of a window's CPU).
   */
  headHop?: number;
  /** Seconds of speech enrolled as the reference (default 8; 0 or a model without references: none). */
  enrolSeconds?: number;
  /**
   * Enrolment skipped: the reference is the session's own speech so far, up to this many seconds (default 30;
   * then it stays fixed), rebuilt after each further second of speech; before the first second of speech, the
   * window's own audio (utterance normalisation).
   */
  fallbackSeconds?: number;
  /** A window counts as speech when at least this share of its frames is speech … (default 0.25) */
  minSpeechShare?: number;
  /** … and at least this share of its last hop (default 0.1): no labels once the speaker stopped. */
  minRecentShare?: number;
  /** Windows allowed to wait for the classifier; more → the oldest is dropped (default 1; Infinity for
   * file replay, which awaits `drain()` instead). */
  maxPending?: number;
  gate?: GateOptions;
  /** Clock in ms for `lag` (default performance.now). */
  now?: () => number;
  onEvent: (e: MonitorEvent) => void;
  /** The classifier failed (default: thrown from `drain()` / `end()`). */
  onError?: (err: unknown) => void;
}

export interface WindowEvent {
  type: 'window';
  /** Window span in stream seconds. */
  t0: number;
  t1: number;
  speech: boolean;
  /** Share of the window's 10 ms frames that are speech. */
  speechShare: number;
  /** Class probabilities (null: no speech, still enrolling, or dropped). */
  probs: Record<string, number> | null;
  label: string | null;
  smoothed: Record<string, number> | null;
  smoothedLabel: string | null;
  /** Seconds from the window's last sample arriving to this event. */
  lag: number;
  /** Windows dropped so far in this session because inference was behind. */
  dropped: number;
  /** Set when this window itself was dropped (not classified). */
  skipped?: boolean;
  enrolling?: boolean;
  /** While enrolling: seconds of speech collected so far. */
  enrolledSeconds?: number;
  /**
   * What the window was normalised with, for models that take a speaker reference: the speaker's (enrolled or
   * given), the session's own speech so far (enrolment skipped: the no-reference fallback), or the window itself
   * (skipped, before a second of speech).
   */
  reference?: 'speaker' | 'session' | 'window';
  /** Models with a head (model.head): whether it was fused into `probs` (false: no refresh point yet, or too little speech in its context). */
  head?: boolean;
  /** When the head was fused: the stream second its context ends at (the refresh point, see {@link headPoint}). */
  headT?: number;
}
export interface UtteranceEvent {
  type: 'utterance';
  t0: number;
  t1: number;
}
export interface SpeechEvent {
  type: 'speech';
  t: number;
  speech: boolean;
}
export interface AlertEvent {
  type: 'alert';
  label: string;
  t: number;
  level: number;
  state: 'enter' | 'leave';
}
/** `skipped`: no reference enrolled; windows are normalised with the session's own speech (`fallback`). */
export interface EnrolledEvent {
  type: 'enrolled';
  t: number;
  speechSeconds: number;
  skipped: boolean;
  fallback?: 'session speech';
}
export interface EnrollingEvent {
  type: 'enrolling';
  t: number;
  needSeconds: number;
}
export interface SummaryEvent {
  type: 'summary';
  duration: number;
  speechSeconds: number;
  windows: number;
  classified: number;
  dropped: number;
  /** Mean probabilities over classified windows (as in their events: fused with the head when it took part). */
  meanProbs: Record<string, number>;
  /** Seconds (of hop) each smoothed label was shown. */
  labelSeconds: Record<string, number>;
  alerts: number;
  lagP50: number;
  lagP95: number;
}
export type MonitorEvent = WindowEvent | UtteranceEvent | SpeechEvent | AlertEvent | EnrolledEvent | EnrollingEvent | SummaryEvent;

export interface Monitor {
  /** Feeds audio (mono, [-1, 1], `sampleRate` Hz; the rate must stay the same within a session). */
  push(samples: Float32Array, sampleRate: number): void;
  /** Resolves when every window due so far has been classified (or dropped). */
  drain(): Promise<void>;
  /** End of stream: final decisions, pending windows, `summary`. */
  end(): Promise<SummaryEvent>;
  skipEnrolment(): void;
  redoEnrolment(): void;
  setThreshold(label: string, t: Threshold | null): void;
  readonly thresholds: Readonly<Record<string, Threshold>>;
  /** Stream seconds pushed so far (at the model's rate). */
  readonly seconds: number;
  readonly dropped: number;
  readonly enrolling: boolean;
  /** What the core holds, for checking that memory stays bounded: audio samples buffered (capacity) and gate frames. */
  readonly retained: { audioSamples: number; gateFrames: number; fallbackSamples: number };
}

const NOT_ALERTED = new Set(['neutral', 'calm']);

export function defaultThresholds(classes: readonly string[]): Record<string, Threshold> {
  return Object.fromEntries(classes.filter((c) => !NOT_ALERTED.has(c)).map((c) => [c, { enter: 0.6, leave: 0.4 }]));
}

function checkThreshold(label: string, t: Threshold): void {
  if (!(t.enter >= 0 && t.enter <= 1 && t.leave >= 0 && t.leave <= t.enter)) {
    throw new Error(`thresholds.${label}: expected 0 ≤ leave ≤ enter ≤ 1, got enter ${t.enter}, leave ${t.leave}`);
  }
}

function quantile(xs: number[], q: number): number {
  if (!xs.length) return 0;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))]!;
}

interface DueWindow {
  t0: number;
  t1: number;
  samples: Float32Array;
  share: number;
  arrived: number;
  ref?: 'speaker' | 'session' | 'window';
  /** Index of the window in the stream (0: the one ending at `window`). */
  index: number;
  /** Models with a head: the refresh point it is fused with ({@link headPoint}; held here, so a window that waits long still has it) … */
  headFrom?: HeadPointState;
  /** … and the one it is itself (every `headHop`), whose opinion is asked for after its event. */
  headOwn?: HeadPointState;
}

/** The head's opinion at one refresh point: its trailing audio, and once asked for, the opinion and the reference it was asked with. */
interface HeadPointState {
  index: number;
  context: Float32Array;
  ref?: unknown;
  opinion?: Promise<unknown>;
}

/** A session's timing settings, resolved and checked: what {@link monitorSettings} returns. */
export interface MonitorSettings {
  winSec: number;
  hopSec: number;
  /** Seconds of speech enrolled (models with references). */
  enrolSec: number;
  /** Hops between the head's refresh points. */
  headEvery: number;
  smoothN: number;
  cooldown: number;
}

/**
 * Resolves and checks the timing settings of a session — `window`, `hop`, `headHop`, `smoothing`, `enrolSeconds`,
 * `cooldown` — against the model's window (ParamError naming the setting). createMonitor calls it for every session;
 * the servers call it once at start, so a bad setting fails before a port opens, not when the first page connects.
 */
export function monitorSettings(
  opts: Pick<MonitorOptions, 'window' | 'hop' | 'headHop' | 'smoothing' | 'enrolSeconds' | 'cooldown'>,
  modelWindow?: { seconds: number; hopSeconds: number },
): MonitorSettings {
  const winSec = opts.window ?? modelWindow?.seconds ?? 2;
  const hopSec = opts.hop ?? modelWindow?.hopSeconds ?? 0.5;
  if (!(winSec > 0 && winSec <= 60)) throw new ParamError('window', `expected 0 < seconds ≤ 60, got ${opts.window}`);
  if (!(hopSec > 0 && hopSec <= winSec)) throw new ParamError('hop', `expected 0 < seconds ≤ window (${winSec}), got ${opts.hop}`);
  if (opts.headHop !== undefined && !(opts.headHop >= hopSec && opts.headHop <= 30)) {
    throw new ParamError('headHop', `expected hop (${hopSec}) ≤ seconds ≤ 30, got ${opts.headHop}`);
  }
  const headEvery = Math.max(1, Math.round((opts.headHop ?? Math.max(DEFAULT_HEAD_HOP_SECONDS, hopSec)) / hopSec));
  const smoothN = opts.smoothing ?? 3;
  if (!(Number.isInteger(smoothN) && smoothN >= 1))
    throw new ParamError('smoothing', `expected a whole number of windows ≥ 1, got ${opts.smoothing}`);
  const enrolSec = opts.enrolSeconds ?? 8;
  if (!(enrolSec >= 0)) throw new ParamError('enrolSeconds', `expected ≥ 0 seconds, got ${opts.enrolSeconds}`);
  const cooldown = opts.cooldown ?? 10;
  if (!(cooldown >= 0)) throw new ParamError('cooldown', `expected ≥ 0 seconds, got ${opts.cooldown}`);
  return { winSec, hopSec, enrolSec, headEvery, smoothN, cooldown };
}

export function createMonitor<R>(opts: MonitorOptions<R>): Monitor {
  const { model } = opts;
  const K = model.classes.length;
  const sr = model.sampleRate;
  const { winSec, hopSec, enrolSec, headEvery, smoothN, cooldown } = monitorSettings(opts, model.window);
  const win = Math.max(1, Math.round(winSec * sr));
  const hop = Math.max(1, Math.round(hopSec * sr));
  const head = model.head;
  const ctxLen = head ? Math.max(1, Math.round(head.contextSamples)) : 0;
  const margin = opts.labelMargin ?? 0.1;
  const minShare = opts.minSpeechShare ?? 0.25;
  const minRecent = opts.minRecentShare ?? 0.1;
  const maxPending = opts.maxPending ?? 1;
  const now = opts.now ?? (() => globalThis.performance.now());
  const thresholds: Record<string, Threshold> = { ...(opts.thresholds ?? defaultThresholds(model.classes)) };
  for (const [c, t] of Object.entries(thresholds)) {
    if (!model.classes.includes(c)) throw new Error(`thresholds: unknown class "${c}" (the model's: ${model.classes.join(', ')})`);
    checkThreshold(c, t);
  }
  const emit = opts.onEvent;

  const gate = new SpeechGate(sr, opts.gate);
  let resampler: StreamResampler | null = null;
  // Audio at the model's rate: buf holds samples [bufStart, bufStart + bufLen).
  let buf = new Float32Array(Math.max(win * 2, sr * 4));
  let bufLen = 0,
    bufStart = 0,
    total = 0;
  let nextEnd = win;

  let reference: R | null = opts.reference ?? null;
  let headRef: unknown = opts.headReference ?? null;
  const enrolTarget = model.makeReference ? Math.round(enrolSec * sr) : 0;
  let enrolling = enrolTarget > 0 && opts.reference == null;
  let enrolChunks: Float32Array[] = [];
  let enrolLen = 0;
  let announcedEnrolling = false;
  // The no-reference fallback (enrolment skipped): the session's speech so far, bounded.
  const makeFallback = model.fallbackReference ?? model.makeReference;
  const fallbackCap = Math.round((opts.fallbackSeconds ?? 30) * sr);
  if (!(fallbackCap >= 0)) throw new Error(`fallbackSeconds: expected ≥ 0 seconds, got ${opts.fallbackSeconds}`);
  let fallback = false;
  // The session's speech as the clips a reference is built from: complete clips (kept as the same objects
  // from one rebuild to the next, so the model can reuse their features) and the chunks of the unfinished one.
  const clipLen = model.referenceClipSamples ?? win;
  let sessClips: Float32Array[] = [];
  let sessChunks: Float32Array[] = [];
  let sessTailLen = 0;
  let sessLen = 0;
  let sessRef: R | null = null;
  let sessRefLen = 0;

  // The head's newest two refresh points (windows due from now on need no older one): index → context, opinion.
  const headPoints = new Map<number, HeadPointState>();

  const pending: DueWindow[] = [];
  let busy: Promise<void> | null = null;
  let dropped = 0,
    windows = 0,
    classified = 0,
    alerts = 0;
  const lags: number[] = [];
  const meanSum = new Float64Array(K);
  const labelSeconds: Record<string, number> = {};
  const recent: Float32Array[] = [];
  let smoothedLabel: string | null = null;
  const active = new Map<string, boolean>();
  const lastAlertEnd = new Map<string, number>();
  let uttStart: number | null = null,
    speechFrames = 0,
    lastSpeechEvent = false;
  let ended = false;

  const rec = (p: ArrayLike<number>, off = 0): Record<string, number> => Object.fromEntries(model.classes.map((c, k) => [c, p[off + k]!]));
  const argmax = (p: ArrayLike<number>): number => {
    let b = 0;
    for (let k = 1; k < K; k++) if (p[k]! > p[b]!) b = k;
    return b;
  };

  function append(x: Float32Array): void {
    const keep = Math.max(win, ctxLen) + hop + sr; // the newest window (or head context: sliced when its refresh point falls due), the next one's overlap, and 1 s for enrolment look-back
    if (bufLen + x.length > buf.length) {
      const drop = Math.max(0, bufLen - keep);
      buf.copyWithin(0, drop, bufLen);
      bufLen -= drop;
      bufStart += drop;
      if (bufLen + x.length > buf.length) {
        const g = new Float32Array(2 * (bufLen + x.length));
        g.set(buf.subarray(0, bufLen));
        buf = g;
      }
    }
    buf.set(x, bufLen);
    bufLen += x.length;
    total += x.length;
  }

  function slice(a: number, b: number): Float32Array {
    return buf.slice(Math.max(0, a - bufStart), b - bufStart);
  }

  function endUtterance(t: number): void {
    if (uttStart === null) return;
    emit({ type: 'utterance', t0: uttStart, t1: t });
    uttStart = null;
    recent.length = 0;
    for (const [c, on] of active) {
      if (!on) continue;
      active.set(c, false);
      lastAlertEnd.set(c, t);
      emit({ type: 'alert', label: c, t, level: 0, state: 'leave' });
    }
  }

  function onDecided(): void {
    for (const { frame, speech } of gate.takeDecided()) {
      const t = (frame * gate.hop) / sr;
      if (speech) speechFrames++;
      if (speech !== lastSpeechEvent) {
        lastSpeechEvent = speech;
        emit({ type: 'speech', t, speech });
      }
      if (speech && uttStart === null) uttStart = t;
      if (!speech) endUtterance(t);
      if (enrolling && speech) {
        const a = frame * gate.hop;
        const chunk = slice(a, Math.min(a + gate.hop, total));
        enrolChunks.push(chunk);
        enrolLen += chunk.length;
        if (enrolLen >= enrolTarget) finishEnrolment(t);
      } else if (fallback && speech && sessLen < fallbackCap) {
        const a = frame * gate.hop;
        addSessionSpeech(slice(a, Math.min(a + gate.hop, total)));
      }
    }
  }

  /** Speech chunks joined and cut into the clips a reference is built from. */
  function referenceClips(chunks: readonly Float32Array[]): Float32Array[] {
    const all = joinChunks(chunks);
    const clips: Float32Array[] = [];
    for (let s = 0; s < all.length; s += clipLen) clips.push(all.subarray(s, Math.min(all.length, s + clipLen)));
    return clips;
  }

  function joinChunks(chunks: readonly Float32Array[]): Float32Array {
    const all = new Float32Array(chunks.reduce((n, c) => n + c.length, 0));
    let o = 0;
    for (const c of chunks) {
      all.set(c, o);
      o += c.length;
    }
    return all;
  }

  /** Session speech for the fallback: the same clips as `referenceClips` of all of it, complete ones cut off as they fill. */
  function addSessionSpeech(chunk: Float32Array): void {
    sessChunks.push(chunk);
    sessTailLen += chunk.length;
    sessLen += chunk.length;
    if (sessTailLen < clipLen) return;
    const all = joinChunks(sessChunks);
    let s = 0;
    for (; s + clipLen <= all.length; s += clipLen) sessClips.push(all.subarray(s, s + clipLen));
    sessChunks = s < all.length ? [all.slice(s)] : [];
    sessTailLen = all.length - s;
  }

  /** The session speech's clips so far (complete ones, then the unfinished one). */
  function sessionClips(): Float32Array[] {
    return sessTailLen > 0 ? [...sessClips, joinChunks(sessChunks)] : [...sessClips];
  }

  /** The reference a window is scored with, and what it is (see WindowEvent.reference). */
  function referenceFor(w: DueWindow): R | null {
    if (reference !== null) {
      w.ref = model.makeReference ? 'speaker' : undefined;
      return reference;
    }
    if (!fallback || !makeFallback) return null;
    if (sessLen < sr) {
      w.ref = 'window';
      return makeFallback([w.samples]);
    }
    if (sessRef === null) rebuildFallback();
    w.ref = 'session';
    return sessRef;
  }

  function rebuildFallback(): void {
    sessRef = makeFallback!(sessionClips());
    sessRefLen = sessLen;
    if (sessLen >= fallbackCap) {
      sessClips = [];
      sessChunks = [];
      sessTailLen = 0;
    }
  }

  /**
   * After a window's event: rebuild the fallback reference if the session's speech has grown (by a second,
   * or a quarter once longer: the cost grows with it; fixed once at the cap). Done here, not before scoring,
   * so the rebuild (up to 30 s of features) never delays a window's result; the next window uses it.
   */
  function refreshFallback(): void {
    if (!fallback || sessRef === null) return;
    if (sessLen - sessRefLen >= Math.max(sr, sessRefLen / 4) || (sessLen >= fallbackCap && sessRefLen < fallbackCap)) rebuildFallback();
  }

  function finishEnrolment(t: number): void {
    reference = model.makeReference!(referenceClips(enrolChunks));
    // The head's functionals need seconds of speech: all of the enrolment at once, not the network's short clips.
    if (head) {
      headRef = head.reference([joinChunks(enrolChunks)]);
      // A promise's failure is reported by the window that awaits it (pump), not as an unhandled rejection meanwhile.
      if (headRef instanceof Promise) headRef.catch(() => {});
    }
    enrolling = false;
    enrolChunks = [];
    emit({ type: 'enrolled', t, speechSeconds: enrolLen / sr, skipped: false });
  }

  function windowEvent(w: DueWindow, probs: Float32Array | null, extra: Partial<WindowEvent>): void {
    const lag = (now() - w.arrived) / 1000;
    if (probs) {
      lags.push(lag);
      if (lags.length > 10_000) lags.splice(0, 5_000);
    }
    let p: Record<string, number> | null = null,
      label: string | null = null,
      sm: Record<string, number> | null = null;
    if (probs) {
      classified++;
      for (let k = 0; k < K; k++) meanSum[k] += probs[k]!;
      p = rec(probs);
      label = model.classes[argmax(probs)]!;
      recent.push(probs);
      if (recent.length > smoothN) recent.shift();
      const s = new Float32Array(K);
      for (const r of recent) for (let k = 0; k < K; k++) s[k] += r[k]! / recent.length;
      sm = rec(s);
      const best = model.classes[argmax(s)]!;
      if (smoothedLabel === null || !(smoothedLabel in sm) || sm[best]! >= sm[smoothedLabel]! + margin) smoothedLabel = best;
      labelSeconds[smoothedLabel] = (labelSeconds[smoothedLabel] ?? 0) + hopSec;
      for (const [c, th] of Object.entries(thresholds)) {
        const v = sm[c]!;
        if (!active.get(c) && v >= th.enter && w.t1 - (lastAlertEnd.get(c) ?? -Infinity) >= cooldown) {
          active.set(c, true);
          alerts++;
          emit({ type: 'alert', label: c, t: w.t1, level: v, state: 'enter' });
        } else if (active.get(c) && v < th.leave) {
          active.set(c, false);
          lastAlertEnd.set(c, w.t1);
          emit({ type: 'alert', label: c, t: w.t1, level: v, state: 'leave' });
        }
      }
    }
    emit({
      type: 'window',
      t0: w.t0,
      t1: w.t1,
      speech: w.share >= minShare,
      speechShare: w.share,
      probs: p,
      label,
      smoothed: sm,
      smoothedLabel: probs ? smoothedLabel : null,
      lag,
      dropped,
      ...extra,
    });
  }

  /**
   * The head's opinion at refresh point g (asked for once, with the head reference current then; asked again if
   * the reference has changed since, e.g. enrolment redone). A refresh point whose own window was not classified
   * (silence, dropped) is scored when a window first needs it.
   */
  function headOpinion(p: HeadPointState): Promise<unknown> {
    if (!p.opinion || p.ref !== headRef) {
      p.ref = headRef;
      const ref = headRef;
      p.opinion = (async () => head!.score(p.context, await ref))();
    }
    return p.opinion;
  }

  let failure: unknown = null;
  async function pump(): Promise<void> {
    while (pending.length) {
      const w = pending.shift()!;
      let probs: Float32Array;
      let fused: boolean | undefined;
      let headT: number | undefined;
      try {
        probs = await model.classify([w.samples], referenceFor(w));
        if (probs.length < K) throw new Error(`classifier returned ${probs.length} values for ${K} classes`);
        probs = probs.subarray(0, K);
        if (head) {
          const opinion = w.headFrom ? await headOpinion(w.headFrom) : null;
          fused = opinion !== null;
          if (opinion !== null) {
            probs = head.fuse(probs, opinion);
            headT = (win + w.headFrom!.index * hop) / sr;
          }
        }
      } catch (err) {
        pending.length = 0;
        if (opts.onError) opts.onError(err);
        else failure ??= err;
        return;
      }
      windowEvent(w, probs, {
        ...(w.ref ? { reference: w.ref } : {}),
        ...(fused !== undefined ? { head: fused } : {}),
        ...(headT !== undefined ? { headT } : {}),
      });
      try {
        // A refresh point's opinion is asked for right after its own window's event: ready before the window that needs it.
        if (w.headOwn) void headOpinion(w.headOwn).catch(() => {});
        refreshFallback();
      } catch (err) {
        pending.length = 0;
        if (opts.onError) opts.onError(err);
        else failure ??= err;
        return;
      }
    }
  }

  function schedule(): void {
    if (!busy && pending.length) {
      busy = pump().finally(() => {
        busy = null;
        schedule();
      });
    }
  }

  function dueWindows(): void {
    while (total >= nextEnd) {
      const e = nextEnd,
        s = e - win;
      nextEnd += hop;
      const index = windows++;
      if (head && index % headEvery === 0) {
        // A refresh point: keep its context for the windows of the next period (and this one's predecessor's).
        headPoints.set(index, { index, context: slice(e - ctxLen, e) });
        headPoints.delete(index - 2 * headEvery);
      }
      const fa = Math.floor(s / gate.hop),
        fb = Math.floor(e / gate.hop);
      const share = gate.speechShare(fa, fb);
      const recentShare = gate.speechShare(Math.floor((e - hop) / gate.hop), fb);
      const w: DueWindow = { t0: s / sr, t1: e / sr, samples: new Float32Array(0), share, arrived: now(), index };
      const isSpeech = share >= minShare && recentShare >= minRecent;
      if (!isSpeech || enrolling) {
        windowEvent(w, null, { speech: isSpeech, ...(enrolling ? { enrolling: true, enrolledSeconds: enrolLen / sr } : {}) });
        continue;
      }
      w.samples = slice(s, e);
      if (head) {
        w.headFrom = headPoints.get(headPoint(index, headEvery));
        w.headOwn = index % headEvery === 0 ? headPoints.get(index) : undefined;
      }
      pending.push(w);
      while (pending.length > maxPending) {
        const old = pending.shift()!;
        dropped++;
        windowEvent(old, null, { skipped: true });
      }
    }
    schedule();
  }

  function feed(x: Float32Array): void {
    if (x.length === 0) return;
    append(x);
    gate.push(x);
    onDecided();
    dueWindows();
  }

  return {
    push(samples: Float32Array, sampleRate: number): void {
      if (ended) throw new Error('monitor: push after end');
      if (!resampler) resampler = new StreamResampler(sampleRate, sr, model.resample);
      else if (resampler.fromRate !== sampleRate)
        throw new Error(`monitor: sample rate changed from ${resampler.fromRate} to ${sampleRate} Hz within a session`);
      for (let i = 0; i < samples.length; i++) {
        const v = samples[i]!;
        if (!Number.isFinite(v) || v < -4 || v > 4) throw new Error(`monitor: sample ${i} is ${v}; expected finite samples in [-1, 1]`);
      }
      if (enrolling && !announcedEnrolling) {
        announcedEnrolling = true;
        emit({ type: 'enrolling', t: total / sr, needSeconds: enrolTarget / sr });
      }
      feed(resampler.push(samples));
    },
    async drain(): Promise<void> {
      while (busy) await busy;
      if (failure) throw failure;
    },
    async end(): Promise<SummaryEvent> {
      if (!ended) {
        ended = true;
        if (resampler) {
          const rest = resampler.flush();
          if (rest.length) {
            append(rest);
            gate.push(rest);
          }
        }
        gate.finish();
        onDecided();
        dueWindows();
      }
      while (busy) await busy;
      if (failure) throw failure;
      endUtterance(total / sr);
      const summary: SummaryEvent = {
        type: 'summary',
        duration: total / sr,
        speechSeconds: (speechFrames * gate.hop) / sr,
        windows,
        classified,
        dropped,
        meanProbs: rec(Array.from(meanSum, (v) => (classified ? v / classified : 0))),
        labelSeconds,
        alerts,
        lagP50: quantile(lags, 0.5),
        lagP95: quantile(lags, 0.95),
      };
      emit(summary);
      return summary;
    },
    skipEnrolment(): void {
      if (!enrolling) return;
      enrolling = false;
      // The no-reference fallback starts from the speech enrolment had collected.
      fallback = Boolean(makeFallback) && fallbackCap > 0;
      sessClips = [];
      sessChunks = [];
      sessTailLen = 0;
      sessLen = 0;
      if (fallback) for (const c of enrolChunks) addSessionSpeech(c);
      sessRef = null;
      sessRefLen = 0;
      enrolChunks = [];
      emit({
        type: 'enrolled',
        t: total / sr,
        speechSeconds: 0,
        skipped: true,
        ...(fallback ? { fallback: 'session speech' as const } : {}),
      });
    },
    redoEnrolment(): void {
      if (enrolTarget === 0) return;
      reference = null;
      headRef = null;
      enrolling = true;
      fallback = false;
      sessClips = [];
      sessChunks = [];
      sessTailLen = 0;
      sessLen = 0;
      sessRef = null;
      enrolChunks = [];
      enrolLen = 0;
      recent.length = 0;
      smoothedLabel = null;
      emit({ type: 'enrolling', t: total / sr, needSeconds: enrolTarget / sr });
    },
    setThreshold(label: string, t: Threshold | null): void {
      if (!model.classes.includes(label)) throw new Error(`thresholds: unknown class "${label}"`);
      if (t === null) {
        delete thresholds[label];
        return;
      }
      checkThreshold(label, t);
      thresholds[label] = { enter: t.enter, leave: t.leave };
    },
    get thresholds() {
      return thresholds;
    },
    get seconds() {
      return total / sr;
    },
    get dropped() {
      return dropped;
    },
    get enrolling() {
      return enrolling;
    },
    get retained() {
      return { audioSamples: buf.length, gateFrames: gate.retainedFrames, fallbackSamples: sessClips.length * clipLen + sessTailLen };
    },
  };
}
