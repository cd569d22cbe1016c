/**
 * One live session on the server: the client's messages checked and fed to its own core, events sent
 * back (and recorded with --record). Anything malformed closes this session only, with a reason.
 *
 * Protocol (WebSocket): the client sends `{"type":"start","sampleRate":48000,"enrol":true}` first, then
 * binary frames of little-endian float32 mono PCM (20–100 ms each; 5–250 ms accepted), and control
 * messages `{"type":"skip-enrolment"}`, `{"type":"redo-enrolment"}`,
 * `{"type":"threshold","label":"panic","enter":0.6,"leave":0.4}`, `{"type":"stop"}`. The server sends
 * `{"type":"hello",…}` then the core's events (src/monitor/core.ts) as JSON text, and after stop
 * `{"type":"report",…}` when a report was written.
 */
import { createWriteStream, mkdirSync, readFileSync, rmSync, type WriteStream } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { writeWav16 } from '../audio/wav-write.js';
import type { SpeakerReference } from '../data/reference.js';
import { createMonitor, type Monitor, type MonitorEvent, type MonitorModel, type MonitorOptions } from './core.js';
import { writeSessionReportOffThread } from './session-report.js';

export interface SessionLimits {
  /** Longest session, seconds of audio (default 2 h). */
  maxSessionSeconds: number;
  /** How far the audio received may run ahead of the wall clock, seconds (a flood guard; default 3). */
  maxAheadSeconds: number;
  /** Seconds the client has to send `start` and between frames once started (default 60). */
  idleSeconds: number;
}

export const DEFAULT_LIMITS: SessionLimits = { maxSessionSeconds: 7200, maxAheadSeconds: 3, idleSeconds: 60 };
export const MIN_FRAME_SEC = 0.005;
export const MAX_FRAME_SEC = 0.25;
export const MAX_FRAME_BYTES = Math.ceil(192000 * MAX_FRAME_SEC) * 4;

const Start = z
  .object({ type: z.literal('start'), sampleRate: z.number().int().min(8000).max(192000), enrol: z.boolean().optional() })
  .strict();
const Control = z.discriminatedUnion('type', [
  z.object({ type: z.literal('skip-enrolment') }).strict(),
  z.object({ type: z.literal('redo-enrolment') }).strict(),
  z.object({ type: z.literal('stop') }).strict(),
  z
    .object({ type: z.literal('threshold'), label: z.string().max(64), enter: z.number().min(0).max(1), leave: z.number().min(0).max(1) })
    .strict(),
]);

/** What a session needs from the WebSocket (the `ws` API, narrowed so tests can fake it). */
export interface SessionSocket {
  send(data: string): void;
  close(code: number, reason: string): void;
}

export interface SessionConfig {
  id: string;
  model: MonitorModel<SpeakerReference>;
  modelDir: string;
  monitor: Omit<MonitorOptions<SpeakerReference>, 'model' | 'onEvent'>;
  limits: SessionLimits;
  recordDir?: string;
  recordAudio?: boolean;
  onClose: (id: string) => void;
}

export class LiveSession {
  private mon: Monitor | null = null;
  private rate = 0;
  private samplesIn = 0;
  private startedAt = 0;
  private closed = false;
  private stopping = false;
  /** The one way a session ends (client's stop, socket gone, server shutting down), run once. */
  private finishing: Promise<void> | null = null;
  private readonly events: MonitorEvent[] = [];
  private events_out: WriteStream | null = null;
  private audio_out: WriteStream | null = null;
  private idle: ReturnType<typeof setTimeout> | null = null;
  private readonly dir: string | null;

  constructor(
    private readonly sock: SessionSocket,
    private readonly cfg: SessionConfig,
  ) {
    this.dir = cfg.recordDir ? path.join(cfg.recordDir, cfg.id) : null;
    this.touch();
  }

  private touch(): void {
    if (this.idle) clearTimeout(this.idle);
    this.idle = setTimeout(() => this.fail(`idle for ${this.cfg.limits.idleSeconds} s`), this.cfg.limits.idleSeconds * 1000);
    this.idle.unref?.();
  }

  private send(msg: object): void {
    if (!this.closed) this.sock.send(JSON.stringify(msg));
  }

  private onEvent = (e: MonitorEvent): void => {
    if (this.events.length < 200_000) this.events.push(e); // bounded (2 h at 2 windows/s is ~15 000)
    if (this.events_out && !this.events_out.writableEnded) this.events_out.write(JSON.stringify(e) + '\n');
    this.send(e);
  };

  /** Closes this session with a reason (the client sees it in the close frame and an `error` message). */
  fail(reason: string): void {
    if (this.closed) return;
    this.send({ type: 'error', message: reason });
    this.shutdown(1008, reason);
  }

  private shutdown(code: number, reason: string): void {
    if (this.closed) return;
    this.closed = true;
    if (this.idle) clearTimeout(this.idle);
    this.events_out?.end();
    this.audio_out?.end();
    this.sock.close(code, reason.slice(0, 120));
    this.cfg.onClose(this.cfg.id);
  }

  /** One WebSocket message. */
  async message(data: Buffer, isBinary: boolean): Promise<void> {
    if (this.closed || this.stopping) return;
    this.touch();
    try {
      if (isBinary) this.audio(data);
      else await this.control(data.toString('utf8'));
    } catch (err) {
      this.fail((err as Error).message);
    }
  }

  private audio(data: Buffer): void {
    if (!this.mon) throw new Error('audio before start: send {"type":"start","sampleRate":…} first');
    if (data.length % 4 !== 0) throw new Error(`frame of ${data.length} bytes is not float32 samples`);
    const n = data.length / 4;
    const sec = n / this.rate;
    if (sec < MIN_FRAME_SEC || sec > MAX_FRAME_SEC) {
      throw new Error(
        `frame of ${n} samples (${(sec * 1000).toFixed(1)} ms at ${this.rate} Hz); expected ${MIN_FRAME_SEC * 1000}–${MAX_FRAME_SEC * 1000} ms`,
      );
    }
    const x = new Float32Array(n);
    for (let i = 0; i < n; i++) {
      const v = data.readFloatLE(i * 4);
      if (!Number.isFinite(v) || Math.abs(v) > 4) throw new Error(`frame sample ${i} is ${v}; expected finite samples in [-1, 1]`);
      x[i] = v;
    }
    this.samplesIn += n;
    const audioSec = this.samplesIn / this.rate;
    if (audioSec > this.cfg.limits.maxSessionSeconds) throw new Error(`session longer than ${this.cfg.limits.maxSessionSeconds} s`);
    const wallSec = (performance.now() - this.startedAt) / 1000;
    if (audioSec - wallSec > this.cfg.limits.maxAheadSeconds)
      throw new Error(`flood: ${audioSec.toFixed(1)} s of audio in ${wallSec.toFixed(1)} s; send in real time`);
    this.audio_out?.write(Buffer.from(x.buffer));
    this.mon.push(x, this.rate);
  }

  private async control(text: string): Promise<void> {
    if (text.length > 4096) throw new Error('control message longer than 4096 characters');
    let msg: unknown;
    try {
      msg = JSON.parse(text);
    } catch {
      throw new Error('control message is not JSON');
    }
    if (!this.mon) {
      const s = Start.safeParse(msg);
      if (!s.success) throw new Error(`expected {"type":"start","sampleRate":8000–192000}: ${s.error.issues[0]?.message ?? 'bad message'}`);
      this.begin(s.data.sampleRate, s.data.enrol ?? true);
      return;
    }
    const c = Control.safeParse(msg);
    if (!c.success) throw new Error(`unknown control message: ${c.error.issues[0]?.message ?? 'bad message'}`);
    const m = c.data;
    if (m.type === 'skip-enrolment') this.mon.skipEnrolment();
    else if (m.type === 'redo-enrolment') this.mon.redoEnrolment();
    else if (m.type === 'threshold') {
      this.mon.setThreshold(m.label, { enter: m.enter, leave: m.leave });
      this.send({ type: 'thresholds', thresholds: this.mon.thresholds });
    } else await this.stop();
  }

  private begin(rate: number, enrol: boolean): void {
    this.rate = rate;
    this.startedAt = performance.now();
    if (this.dir) {
      mkdirSync(this.dir, { recursive: true });
      this.events_out = createWriteStream(path.join(this.dir, 'events.jsonl'));
      if (this.cfg.recordAudio) this.audio_out = createWriteStream(path.join(this.dir, 'audio.f32'));
    }
    this.mon = createMonitor({
      ...this.cfg.monitor,
      model: this.cfg.model,
      onEvent: this.onEvent,
      onError: (err) => this.fail(`classifier failed: ${(err as Error).message}`),
    });
    const o = this.cfg.monitor;
    this.send({
      type: 'hello',
      session: this.cfg.id,
      classes: this.cfg.model.classes,
      sampleRate: rate,
      window: o.window ?? this.cfg.model.window?.seconds ?? 2,
      hop: o.hop ?? this.cfg.model.window?.hopSeconds ?? 0.5,
      enrolSeconds: this.cfg.model.makeReference ? (o.enrolSeconds ?? 8) : 0,
      thresholds: this.mon.thresholds,
      limits: { maxSessionSeconds: this.cfg.limits.maxSessionSeconds, minFrameMs: MIN_FRAME_SEC * 1000, maxFrameMs: MAX_FRAME_SEC * 1000 },
    });
    if (!enrol) this.mon.skipEnrolment();
  }

  /** Client's stop (or the socket went away): flush, summary, report; then close normally. */
  stop(): Promise<void> {
    this.finishing ??= this.finish();
    return this.finishing;
  }

  private async finish(): Promise<void> {
    if (this.closed || !this.mon) {
      this.shutdown(1000, 'stopped');
      return;
    }
    const mon = this.mon;
    this.stopping = true;
    if (this.idle) clearTimeout(this.idle); // the client is waiting for its report now, not idle
    await mon.end();
    if (this.dir) {
      await new Promise<void>((r) => (this.events_out ? this.events_out.end(r) : r()));
      this.events_out = null;
      if (this.audio_out) {
        await new Promise<void>((r) => this.audio_out!.end(r));
        this.audio_out = null;
        const raw = path.join(this.dir, 'audio.f32');
        const b = readFileSync(raw);
        writeWav16(path.join(this.dir, 'audio.wav'), new Float32Array(b.buffer, b.byteOffset, b.length / 4), this.rate);
        rmSync(raw);
      }
      try {
        const html = await writeSessionReportOffThread(this.dir, this.events, {
          model: this.cfg.modelDir,
          config: { session: this.cfg.id },
        });
        this.send({ type: 'report', session: this.cfg.id, url: `sessions/${this.cfg.id}/report.html`, file: html });
      } catch (err) {
        this.send({ type: 'error', message: `report: ${(err as Error).message}` });
      }
    }
    this.shutdown(1000, 'stopped');
  }

  /** The socket closed under us: finish quietly (recording kept, report written). */
  async abandoned(): Promise<void> {
    if (this.finishing) return this.finishing;
    if (this.closed) return;
    this.closed = true;
    if (this.idle) clearTimeout(this.idle);
    const mon = this.mon;
    this.mon = null;
    if (mon) await mon.end().catch(() => undefined);
    this.events_out?.end();
    this.audio_out?.end();
    if (this.dir && this.events.length)
      await writeSessionReportOffThread(this.dir, this.events, { model: this.cfg.modelDir }).catch(() => undefined);
    this.cfg.onClose(this.cfg.id);
  }
}
