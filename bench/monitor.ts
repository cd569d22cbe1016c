/**
 * `npm run bench:monitor [-- --model DIR|demo-shaped] [--streams 1,4,16] [--seconds 20] [--workers 0,1,2] [--head-hop S]`: the live monitor under
 * load. Starts `affexion monitor MODEL --port 0` as its own process, then for each level opens N
 * WebSocket sessions on loopback that send real speech (RAVDESS dev actors, 48 kHz, 50 ms frames) in
 * real time, as the page does. Per level: p50/p95 latency from sending the frame that holds a window's
 * last sample to receiving that window's event, windows classified and dropped, and the server's
 * real-time factor (its CPU seconds / seconds of audio received). Anchors, same run: one window scored
 * by the model in this process, and a batch of 16 sessions' windows per window (what the server's
 * cross-session batching buys). Bounded: each level runs `seconds` of audio, then stops. Prints JSON.
 *
 * Sessions skip enrolment (enrolment only delays the first labels), so every speech window is scored,
 * normalised with the session's own speech (the no-reference fallback, rebuilt as speech accumulates).
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import WebSocket from 'ws';
import { loadAudio } from '../src/audio/load.js';
import { windowProbabilities } from '../src/eval/predict.js';
import { loadTrainedModel } from '../src/model/model-dir.js';
import { modelWindow, sessionReference } from '../src/monitor/model.js';
import { demoShapedModel } from './monitor-model.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const arg = (name: string, def: string): string => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1]! : def;
};
const levels = arg('streams', '1,4,16').split(',').map(Number);
const seconds = Number(arg('seconds', '20'));
const shared = process.env.AFFEXION_SHARED_DIR ?? path.resolve(root, '..', 'shared');
const ravdess = path.join(shared, 'data', 'ravdess-dev');
// The demo's trained ensemble when there is one; else (or with --model demo-shaped) an ensemble of the
// same shapes trained one epoch on tones (bench/monitor-model.ts): latency depends on shapes, not weights.
const demoDir = path.join(root, 'affexion-demo', 'model');
const modelArg = arg('model', existsSync(demoDir) ? demoDir : 'demo-shaped');
const modelDir =
  modelArg === 'demo-shaped' ? await demoShapedModel(path.join(os.tmpdir(), 'affexion-bench-monitor-model')) : path.resolve(modelArg);
if (!existsSync(modelDir)) {
  process.stderr.write(`bench:monitor: no model at ${modelDir}; pass --model DIR (or --model demo-shaped)\n`);
  process.exit(1);
}
const RATE = 48000,
  FRAME = RATE / 20;

/** One actor's clips back to back at 48 kHz (the browser's usual device rate), at least `sec` long. */
async function speech(actor: string, sec: number): Promise<Float32Array> {
  const rows = readFileSync(path.join(ravdess, 'labels.csv'), 'utf8')
    .trim()
    .split('\n')
    .slice(1)
    .map((l) => l.split(','));
  const parts: Float32Array[] = [];
  let n = 0;
  for (const r of rows.filter((x) => x[2] === actor)) {
    if (n >= sec * RATE) break;
    const { samples } = await loadAudio(path.join(ravdess, r[0]!), { sr: RATE });
    parts.push(samples);
    n += samples.length;
  }
  const out = new Float32Array(n);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

function cpuSeconds(pid: number): number {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(f[11]) + Number(f[12])) / 100; // utime + stime, clock ticks (100 Hz)
}

function quantile(xs: number[], q: number): number {
  if (!xs.length) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))]!;
}

async function session(
  url: string,
  audio: Float32Array,
  sec: number,
): Promise<{ lat: number[]; classified: number; dropped: number; windows: number }> {
  const u = new URL(url);
  const ws = new WebSocket(`ws://${u.host}/ws`, { headers: { origin: `http://${u.host}` } });
  await new Promise((r, j) => {
    ws.once('open', r);
    ws.once('error', j);
  });
  const sentAt: number[] = [];
  const lat: number[] = [];
  let classified = 0,
    dropped = 0,
    windows = 0;
  const done = new Promise<void>((resolve) => {
    ws.on('message', (d) => {
      const e = JSON.parse(d.toString()) as { type: string; t1?: number; probs?: unknown; skipped?: boolean; dropped?: number };
      if (e.type === 'window') {
        windows++;
        dropped = e.dropped ?? dropped;
        if (e.probs) {
          classified++;
          const frame = Math.ceil((e.t1! * RATE) / FRAME) - 1; // the frame holding the window's last sample
          if (sentAt[frame] !== undefined) lat.push(performance.now() - sentAt[frame]!);
        }
      }
    });
    // Done when the server closes the session (after its summary and report): the next level must not
    // start while this one's reports are still being written.
    ws.on('close', () => resolve());
  });
  ws.send(JSON.stringify({ type: 'start', sampleRate: RATE, enrol: false }));
  const frames = Math.min(Math.floor(audio.length / FRAME), Math.round((sec * RATE) / FRAME));
  const t0 = performance.now();
  for (let k = 0; k < frames; k++) {
    const due = t0 + (k * FRAME * 1000) / RATE;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    sentAt[k] = performance.now();
    ws.send(audio.subarray(k * FRAME, (k + 1) * FRAME).slice().buffer);
  }
  ws.send(JSON.stringify({ type: 'stop' }));
  await done;
  ws.close();
  return { lat, classified, dropped, windows };
}

const model = loadTrainedModel(modelDir);
// The windows the server scores: the model's own (hyper window/window_hop), else the monitor's default 2 s / 0.5 s.
const win = modelWindow(model) ?? { seconds: 2, hopSeconds: 0.5 };
// Anchors, same run: one window through the model in this process (the function the server calls), and
// 16 windows of 16 sessions (each its own reference) in one forward pass, per window — the server's batching.
const anchorAudio = (await speech('01', win.seconds + 1)).subarray(0, Math.round(win.seconds * RATE));
const w16 = (await import('../src/audio/resample.js')).resample(anchorAudio, RATE, 16000);
const refs = model.hyper.speaker_reference ? actorsRefs(w16) : Array.from({ length: 16 }, () => null);
await windowProbabilities(model, [w16], refs[0]!);
const a0 = performance.now();
for (let i = 0; i < 10; i++) await windowProbabilities(model, [w16], refs[0]!, 1);
const anchorMs = (performance.now() - a0) / 10;
const b0 = performance.now();
for (let i = 0; i < 3; i++)
  await windowProbabilities(
    model,
    refs.map(() => w16),
    refs,
    16,
  );
const batch16Ms = (performance.now() - b0) / 48;
function actorsRefs(w: Float32Array) {
  return Array.from({ length: 16 }, (_, i) =>
    sessionReference(model, [w.map((v, j) => v * (1 + 0.01 * i) + 1e-4 * Math.sin(j * (i + 1)))]),
  );
}

// --url: measure a server started elsewhere (e.g. under node --cpu-prof); its CPU is then not measured.
// --workers 0,2: one server per value, the same levels each (same-run comparison; the first is the headline).
const external = arg('url', '');
const workerSettings = arg('workers', 'default').split(',');
// The functional head's refresh interval passed to the server (`affexion monitor --head-hop`; default: the server's).
const headHop = arg('head-hop', '');
function startServer(workers: string): { child: ReturnType<typeof spawn>; url: Promise<string> } {
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      path.join(root, 'src/cli/main.ts'),
      'monitor',
      modelDir,
      '--port',
      '0',
      '--max-sessions',
      '32',
      ...(workers === 'default' ? [] : ['--workers', workers]),
      ...(headHop ? ['--head-hop', headHop] : []),
    ],
    { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const url = new Promise<string>((resolve, reject) => {
    let buf = '';
    child.stdout!.on('data', (d: Buffer) => {
      buf += d.toString();
      const m = /^monitor: (http:\/\/\S+)\n/.exec(buf);
      if (m) resolve(m[1]!);
    });
    child.once('exit', (c) => reject(new Error(`monitor exited with ${c}`)));
  });
  return { child, url };
}
const actors = [...Array(12).keys()].map((i) => String(i + 1).padStart(2, '0'));
const audios = await Promise.all(actors.map((a) => speech(a, seconds)));
type Result = {
  workers: string;
  streams: number;
  latency_ms: { p50: number; p95: number; max: number };
  dropped: number;
  [k: string]: unknown;
};
const results: Result[] = [];
for (const workers of external ? ['external'] : workerSettings) {
  const srv = external ? null : startServer(workers);
  const child = srv?.child ?? null;
  const url = srv ? await srv.url : external;
  for (const n of levels) {
    const cpu0 = child ? cpuSeconds(child.pid!) : NaN;
    const rs = await Promise.all([...Array(n).keys()].map((i) => session(url, audios[i % audios.length]!, seconds)));
    const cpu = child ? cpuSeconds(child.pid!) - cpu0 : NaN;
    const lat = rs.flatMap((r) => r.lat);
    results.push({
      workers,
      streams: n,
      seconds_per_stream: seconds,
      windows: rs.reduce((s, r) => s + r.windows, 0),
      classified: rs.reduce((s, r) => s + r.classified, 0),
      dropped: rs.reduce((s, r) => s + r.dropped, 0),
      latency_ms: { p50: +quantile(lat, 0.5).toFixed(1), p95: +quantile(lat, 0.95).toFixed(1), max: +quantile(lat, 1).toFixed(1) },
      real_time_factor: +(cpu / (n * seconds)).toFixed(4),
      server_cpu_s: +cpu.toFixed(2),
      server_cpu_ms_per_classified_window: +(
        (cpu * 1000) /
        Math.max(
          1,
          rs.reduce((s, r) => s + r.classified, 0),
        )
      ).toFixed(1),
      load_average_1min: +os.loadavg()[0]!.toFixed(1),
    });
  }
  if (child) {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
  }
}
const targets = { p95_ms_1_stream: 150, p95_ms_16_streams: 500, dropped_4_streams: 0 };
const at = (n: number) => results.find((r) => r.streams === n); // the first --workers setting
process.stdout.write(
  JSON.stringify(
    {
      bench: 'monitor',
      model: modelDir,
      load_avg: os.loadavg().map((v) => +v.toFixed(2)),
      cpus: os.cpus().length,
      members: model.members.length,
      window_s: win.seconds,
      hop_s: win.hopSeconds,
      head_hop_s: headHop ? Number(headHop) : 'default',
      window_frames: model.hyper.max_len,
      frame_ms: 50,
      device_rate: RATE,
      anchor_one_window_ms: +anchorMs.toFixed(2),
      anchor_batch16_per_window_ms: +batch16Ms.toFixed(2),
      batch16_over_single: +(batch16Ms / anchorMs).toFixed(2),
      results,
      targets,
      met: {
        p95_1_stream: at(1) ? at(1)!.latency_ms.p95 <= 150 : null,
        p95_16_streams: at(16) ? at(16)!.latency_ms.p95 <= 500 : null,
        no_drops_4_streams: at(4) ? at(4)!.dropped === 0 : null,
      },
    },
    null,
    2,
  ) + '\n',
);
