/**
 * `affexion monitor MODEL`: the live monitor's web app, or with `--input FILE` a file streamed through
 * the same core, one JSON event per line. Thin: options → src/monitor.
 */
import path from 'node:path';
import { Option, type Command } from 'commander';
import { loadMonitorModel } from '../../monitor/model.js';
import { replayFile } from '../../monitor/replay.js';
import { startMonitorServer } from '../../monitor/server.js';
import { startOnDeviceServer } from '../../monitor/on-device-server.js';
import { buildOnnx, exportSourceOf } from '../../export/onnx-export.js';
import { checkOnnxModel, readOnnxModel } from '../../export/onnx-check.js';
import type { MonitorEvent } from '../../monitor/core.js';

interface MonitorCliOptions {
  input?: string;
  reference: string[];
  skipEnrolment?: boolean;
  realtime?: boolean;
  json?: boolean;
  window?: string;
  hop?: string;
  smoothing?: string;
  headHop?: string;
  enrolSeconds?: string;
  cooldown?: string;
  host: string;
  port: string;
  token?: string;
  record?: string;
  recordAudio?: boolean;
  maxSessions: string;
  workers?: string;
  onDevice?: boolean;
  onnx?: string;
  threads?: string;
}

/** The ONNX model the on-device page runs: a given file (checked), or the model directory exported in memory. */
function onDeviceModel(
  modelArg: string,
  onnx: string | undefined,
): { bytes: Uint8Array; meta: ReturnType<typeof readOnnxModel>['meta']; name: string } {
  const file = onnx ?? (modelArg.endsWith('.onnx') ? modelArg : undefined);
  if (file) return { ...readOnnxModel(file), name: path.basename(file) };
  const m = loadMonitorModel(modelArg);
  const bytes = buildOnnx(exportSourceOf(m));
  return { bytes, meta: checkOnnxModel(bytes, modelArg), name: path.basename(m.dir) };
}

function positive(name: string, v: string | undefined, opts: { integer?: boolean; zero?: boolean } = {}): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  const ok = Number.isFinite(n) && (opts.zero ? n >= 0 : n > 0) && (!opts.integer || Number.isInteger(n));
  if (!ok)
    throw new Error(`${name}: expected a ${opts.zero ? 'non-negative' : 'positive'} ${opts.integer ? 'integer' : 'number'}, got "${v}"`);
  return n;
}

function formatEvent(e: MonitorEvent): string | null {
  switch (e.type) {
    case 'window':
      return e.label
        ? `${e.t0.toFixed(2).padStart(7)}–${e.t1.toFixed(2).padEnd(7)} s  ${e.label.padEnd(12)} smoothed ${e.smoothedLabel}`
        : null;
    case 'alert':
      return `${e.t.toFixed(2).padStart(7)} s  ALERT ${e.label} ${e.state} (${e.level.toFixed(2)})`;
    case 'enrolled':
      return `${e.t.toFixed(2).padStart(7)} s  ${e.skipped ? `enrolment skipped${e.fallback ? ": normalising with the session's own speech" : ''}` : `enrolled ${e.speechSeconds.toFixed(1)} s of speech`}`;
    case 'utterance':
      return `${e.t0.toFixed(2).padStart(7)}–${e.t1.toFixed(2).padEnd(7)} s  utterance`;
    case 'summary':
      return `summary: ${e.duration.toFixed(1)} s, ${e.speechSeconds.toFixed(1)} s speech, ${e.classified}/${e.windows} windows classified, ${e.dropped} dropped, ${e.alerts} alerts`;
    default:
      return null;
  }
}

export function register(program: Command): void {
  program
    .command('monitor')
    .description("Live monitor: a web page that shows a speaker's signals in real time (or --input FILE: stream a file, print events)")
    .argument('<modelDir>', 'model directory (single or ensemble); with --on-device also an exported .onnx file')
    .option('--input <file>', 'stream this audio file through the monitor instead of serving the page')
    .addOption(
      new Option('--reference <file>', "with --input: a clip of the speaker's calm speech (repeatable) instead of enrolling from the file")
        .argParser((v: string, acc: string[]) => [...acc, v])
        .default([], 'none'),
    )
    .option('--skip-enrolment', "with --input: no enrolment; normalise with the speaker's own speech so far (the no-reference fallback)")
    .option('--realtime', "with --input: stream at the recording's pace (live lag and drops)")
    .option('--json', 'with --input: one JSON event per line')
    .option('--window <s>', "window length in seconds (default: the model's, else 2); bounds the reaction time")
    .option('--hop <s>', "seconds between windows (default: the model's, else 0.5)")
    .option('--smoothing <n>', 'windows in the moving average (default 3)')
    .option(
      '--head-hop <s>',
      "models with a functional head: seconds between the head's refreshes on the last 6 s (default 2, rounded to whole hops)",
    )
    .option('--enrol-seconds <s>', 'seconds of speech enrolled as the speaker reference (default 8; 0: none)')
    .option('--cooldown <s>', 'seconds before an alert of the same signal can start again (default 10)')
    .option('--host <addr>', 'address to listen on (non-loopback needs --token)', '127.0.0.1')
    .option('--port <n>', 'port (0: any free port)', '8080')
    .option('--token <t>', 'secret the page and WebSocket require (open the page with ?token=T)')
    .option('--record <dir>', 'write DIR/<session>/events.jsonl as it goes and report.html at the end')
    .option('--record-audio', "with --record: also keep each session's audio (audio.wav)")
    .option('--max-sessions <n>', 'sessions at once', '16')
    .option('--on-device', 'the page computes features and runs the model itself (ONNX in a Web Worker): no audio leaves the browser')
    .option('--onnx <file>', 'with --on-device: run this exported ONNX file (affexion model export) instead of exporting MODEL')
    .option('--threads <n>', 'with --on-device: onnxruntime-web threads in the page (default 1)')
    .option('--workers <n>', 'inference worker threads (default: one per core but one, 1–4; 0: in the server thread)')
    .action(async (modelDir: string, o: MonitorCliOptions) => {
      if (o.onDevice) {
        if (o.input || o.record || o.recordAudio || o.reference.length)
          throw new Error('--on-device: --input, --record, --record-audio and --reference need the server-side monitor');
        const onnx = onDeviceModel(modelDir, o.onnx); // a broken model or a foreign ONNX file fails here, before anything starts
        const server = await startOnDeviceServer(onnx, {
          host: o.host,
          port: positive('--port', o.port, { integer: true, zero: true }),
          token: o.token,
          modelName: onnx.name,
          threads: positive('--threads', o.threads, { integer: true }),
          monitor: {
            window: positive('--window', o.window),
            hop: positive('--hop', o.hop),
            smoothing: positive('--smoothing', o.smoothing, { integer: true }),
            headHop: positive('--head-hop', o.headHop),
            enrolSeconds: positive('--enrol-seconds', o.enrolSeconds, { zero: true }),
            cooldown: positive('--cooldown', o.cooldown, { zero: true }),
          },
        });
        process.stdout.write(`monitor: ${server.url}\n`);
        if (o.token) process.stdout.write(`open ${server.url}?token=${encodeURIComponent(o.token)}\n`);
        const stop = (): void => {
          void server.close().then(() => process.exit(0));
        };
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
        return;
      }
      if (o.onnx || o.threads) throw new Error(`${o.onnx ? '--onnx' : '--threads'}: only with --on-device`);
      const model = loadMonitorModel(modelDir); // a missing or broken model fails here, before anything starts
      const monitor = {
        window: positive('--window', o.window),
        hop: positive('--hop', o.hop),
        smoothing: positive('--smoothing', o.smoothing, { integer: true }),
        headHop: positive('--head-hop', o.headHop),
        enrolSeconds: positive('--enrol-seconds', o.enrolSeconds, { zero: true }),
        cooldown: positive('--cooldown', o.cooldown, { zero: true }),
      };
      if (o.input) {
        const print = (e: MonitorEvent): void => {
          if (o.json) process.stdout.write(JSON.stringify(e) + '\n');
          else {
            const line = formatEvent(e);
            if (line) process.stdout.write(line + '\n');
          }
        };
        if (o.skipEnrolment && o.reference.length)
          throw new Error('--skip-enrolment: not with --reference (a reference needs no enrolment)');
        await replayFile(model, o.input, {
          ...monitor,
          reference: o.reference,
          skipEnrolment: o.skipEnrolment,
          realtime: o.realtime,
          onEvent: print,
        });
        return;
      }
      if (o.reference.length) throw new Error('--reference: only with --input (the page enrols the speaker)');
      if (o.recordAudio && !o.record) throw new Error('--record-audio: give --record DIR too');
      const server = await startMonitorServer(model, {
        host: o.host,
        port: positive('--port', o.port, { integer: true, zero: true }),
        token: o.token,
        record: o.record,
        recordAudio: o.recordAudio,
        maxSessions: positive('--max-sessions', o.maxSessions, { integer: true }),
        workers: positive('--workers', o.workers, { integer: true, zero: true }),
        monitor,
      });
      process.stdout.write(`monitor: ${server.url}\n`);
      if (o.token) process.stdout.write(`open ${server.url}?token=${encodeURIComponent(o.token)}\n`);
      const stop = (): void => {
        void server.close().then(() => process.exit(0));
      };
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
}
