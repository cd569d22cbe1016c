/**
 * The live speech gate: the project's speech detector (src/audio/speech.ts) run on a stream. Offline,
 * `detectSpeech` sees a whole clip; live, each 10 ms frame is judged against the last `historySec` of
 * frame levels with the same `speechThresholdDb` rule (within rangeDb of the loudest, snrDb above the
 * noise floor, above digital silence) and the same modulation test (the level swings by ≥ modulationDb
 * within ±modulationSec — steady noise does not). Gaps up to bridgeSec are held, and padSec is kept
 * before onsets, as offline. Decisions are final `modulationSec + bridgeSec` after a frame; until then a
 * frame counts provisionally by its level alone, so a window's speech share is known the moment its
 * last sample arrives (no added latency). Agreement with `detectSpeech` is measured in docs/monitor.md.
 *
 * Why not Silero VAD: the same code (and thresholds) as training's silence trimming, no model download
 * or ONNX runtime in the page, and a few µs per frame. Pure TypeScript (no Node imports).
 */
import { DEFAULT_SPEECH_DETECT, speechThresholdDb, type SpeechDetectOptions } from '../audio/speech.js';

export interface GateOptions extends SpeechDetectOptions {
  /** Seconds of frame levels the threshold is computed over (rolling). */
  historySec?: number;
}

export class SpeechGate {
  readonly hop: number;
  private readonly frame: number;
  private readonly o: Required<SpeechDetectOptions>;
  private readonly historyFrames: number;
  private readonly radius: number;
  private readonly padFrames: number;
  private readonly hangFrames: number;
  /** Samples not yet consumed by a full frame (absolute index of pending[0] = pendingStart). */
  private pending: Float32Array = new Float32Array(0);
  private pendingStart = 0;
  /** Per frame (absolute index): level dB, above-threshold flag, final decision. Ring-free: trimmed arrays. */
  private levels: number[] = [];
  private above: number[] = [];
  private base = 0; // absolute frame index of levels[0]
  private core: number[] = []; // core decision (above && modulated) per frame, from coreBase
  private coreBase = 0;
  private lastCore = -Infinity;
  /** Final speech flags of decided frames not yet taken by `takeDecided`. */
  private decidedQueue: { frame: number; speech: boolean }[] = [];
  private nextDecide = 0;
  private threshold = Infinity;

  constructor(
    readonly sampleRate: number,
    opts: GateOptions = {},
  ) {
    this.o = { ...DEFAULT_SPEECH_DETECT, ...opts };
    this.hop = Math.max(1, Math.round(this.o.hopSec * sampleRate));
    this.frame = Math.max(1, Math.round(this.o.frameSec * sampleRate));
    this.historyFrames = Math.max(1, Math.round((opts.historySec ?? 10) / this.o.hopSec));
    this.radius = Math.round(this.o.modulationSec / this.o.hopSec);
    this.padFrames = Math.round(this.o.padSec / this.o.hopSec);
    this.hangFrames = Math.round(this.o.bridgeSec / this.o.hopSec);
  }

  /** What the gate holds (frames of levels, decisions kept): bounded however long the stream. */
  get retainedFrames(): number {
    return Math.max(this.levels.length, this.decided.size, this.core.length);
  }

  /** Frames with a level so far. */
  get frames(): number {
    return this.base + this.levels.length;
  }

  /** Feeds samples (at `sampleRate`); decides every frame whose look-ahead is complete. */
  push(x: Float32Array): void {
    const all = new Float32Array(this.pending.length + x.length);
    all.set(this.pending);
    all.set(x, this.pending.length);
    let off = 0;
    while (all.length - off >= this.frame) {
      let ss = 0;
      for (let j = off; j < off + this.frame; j++) ss += all[j]! * all[j]!;
      const db = 10 * Math.log10(Math.max(ss / this.frame, 1e-12));
      this.levels.push(db);
      // The threshold moves slowly (10 s of history): recomputed every 5 frames (50 ms), not every frame.
      if (this.levels.length % 5 === 1 || this.levels.length < 50) {
        this.threshold = speechThresholdDb(this.levels.slice(Math.max(0, this.levels.length - this.historyFrames)), this.o);
      }
      this.above.push(db >= this.threshold ? 1 : 0);
      off += this.hop;
    }
    this.pending = all.slice(off);
    this.pendingStart += off;
    this.decide(false);
    this.trim();
  }

  /** End of stream: decide the remaining frames (no more look-ahead will come). */
  finish(): void {
    this.decide(true);
  }

  /** Frames decided since the last call, in order. */
  takeDecided(): { frame: number; speech: boolean }[] {
    const q = this.decidedQueue;
    this.decidedQueue = [];
    return q;
  }

  /**
   * Share of speech among frames [a, b) (absolute frame indices): decided frames by their decision,
   * the newest (undecided) ones by their level alone.
   */
  speechShare(a: number, b: number): number {
    if (b <= a) return 0;
    let n = 0,
      s = 0;
    for (let f = Math.max(a, this.base); f < Math.min(b, this.frames); f++) {
      n++;
      s += this.isSpeech(f) ? 1 : 0;
    }
    return n ? s / n : 0;
  }

  private decided = new Map<number, boolean>();

  private isSpeech(f: number): boolean {
    const d = this.decided.get(f);
    if (d !== undefined) return d;
    return this.above[f - this.base] === 1 || f - this.lastCore <= this.padFrames;
  }

  /**
   * Whether frame f's level swings by ≥ modulationDb within ±radius — looking only inside f's run of
   * above-threshold frames (gaps up to `bridge` belong to the run), as detectSpeech does; null while
   * the look-ahead is incomplete.
   */
  private modulated(f: number, final: boolean): boolean | null {
    if (!final && f + this.radius >= this.frames) return null;
    let mn = this.levels[f - this.base]!,
      mx = mn;
    for (const dir of [-1, 1]) {
      let gap = 0;
      for (let g = f + dir; Math.abs(g - f) <= this.radius && g >= this.base && g < this.frames; g += dir) {
        if (this.above[g - this.base] === 1) gap = 0;
        else if (++gap > this.hangFrames) break;
        const v = this.levels[g - this.base]!;
        if (v < mn) mn = v;
        if (v > mx) mx = v;
      }
    }
    return mx - mn >= this.o.modulationDb;
  }

  private decide(final: boolean): void {
    // Core decisions (above threshold and modulated) as far as the look-ahead allows …
    while (this.coreBase + this.core.length < this.frames) {
      const f = this.coreBase + this.core.length;
      const m = this.modulated(f, final);
      if (m === null) break;
      const c = this.above[f - this.base] === 1 && m;
      this.core.push(c ? 1 : 0);
      if (c) this.lastCore = f;
    }
    // … then final flags: within padSec of a core frame, or in a gap of ≤ bridgeSec between two.
    const coreKnown = this.coreBase + this.core.length;
    const ahead = Math.max(this.padFrames, this.hangFrames);
    while (this.nextDecide < this.frames && (final || this.nextDecide + ahead < coreKnown)) {
      const f = this.nextDecide;
      const isCore = (g: number): boolean => g >= this.coreBase && g < coreKnown && this.core[g - this.coreBase] === 1;
      let before = -Infinity,
        after = Infinity;
      for (let g = f; g >= Math.max(this.coreBase, f - this.hangFrames - this.padFrames); g--)
        if (isCore(g)) {
          before = g;
          break;
        }
      for (let g = f; g <= Math.min(coreKnown - 1, f + ahead); g++)
        if (isCore(g)) {
          after = g;
          break;
        }
      const sp = f - before <= this.padFrames || after - f <= this.padFrames || after - before <= this.hangFrames;
      this.decided.set(f, sp);
      this.decidedQueue.push({ frame: f, speech: sp });
      this.nextDecide++;
    }
  }

  /** Keeps only what the history, modulation look-back and open windows need (bounded memory). */
  private trim(): void {
    const keep = Math.max(this.historyFrames, 2000);
    const drop = this.levels.length - keep;
    if (drop > 500) {
      this.levels.splice(0, drop);
      this.above.splice(0, drop);
      this.base += drop;
      const cdrop = Math.min(this.core.length, this.base - this.coreBase - this.hangFrames);
      if (cdrop > 0) {
        this.core.splice(0, cdrop);
        this.coreBase += cdrop;
      }
      for (const k of this.decided.keys()) if (k < this.base) this.decided.delete(k);
    }
  }
}
