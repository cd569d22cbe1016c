/**
 * `npm run bench:onnx [-- --runs 20] [--net demo|paper] [--max-len N] [--members 5] [--no-browser]`: per-window
 * latency of the network on one window, for one network and the default ensemble (5 networks averaged).
 * Default shapes = the default ensemble the monitor serves: demo-size networks (DEMO_HYPERPARAMETERS) on
 * one window of the default recipe (1.5 s = 150 frames, the exported model's max_len, so neither the
 * page nor the server pads to 400), padding masked as the recipe trains. `--net paper --max-len 400`
 * gives the earlier paper-size figures. Paths:
 *   - native: the project's engine (AffexionNet.forward, the server-side monitor's path),
 *   - ort-web in Node: the exported ONNX graph in onnxruntime-web (WASM SIMD, 1 thread),
 *   - ort-web in Chromium: the on-device page's worker (WASM SIMD), 1 thread and 2 threads
 *     (cross-origin isolated page, as `affexion monitor --on-device --threads 2` serves it).
 * Graph only (features are the same TypeScript on every path and cost ~the same). Weights at random
 * (latency does not depend on the values). Prints one JSON object: p50/p95 ms per path, ratios to native
 * in the same run, and load_avg — figures under load are indicative only.
 *
 * `head`: the functional head's extra work per window (a model with a head, docs/monitor.md): the functionals
 * of the window's trailing 6 s (src/monitor/head.ts contextFunctionals) on real speech (RAVDESS dev, actor 01,
 * when shared/ is beside the repository; else a synthetic voiced signal), in Node (the server's pool worker)
 * and in the page's worker (request to reply), with its ratio to the default ensemble's graph on the same path
 * in the same run (`--no-head` leaves it out).
 */
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as ort from 'onnxruntime-web';
import { chromium } from 'playwright-core';
import { AffexionNet } from '../src/model/network.js';
import { timeCalls, type Latency } from '../src/engine/timing.js';
import { PAPER_CONFIG, type AffexionConfig } from '../src/model/config.js';
import { DEMO_HYPERPARAMETERS } from '../src/workflows/demo.js';
import { WINDOW_HYPER } from '../src/workflows/recipe.js';
import { buildOnnx } from '../src/export/onnx-export.js';
import { checkOnnxModel } from '../src/export/onnx-check.js';
import { startOnDeviceServer } from '../src/monitor/on-device-server.js';
import { onnxFeatureSettings } from '../src/monitor/onnx-model.js';
import { contextFunctionals, HEAD_CONTEXT_SECONDS } from '../src/monitor/head.js';
import { loadAudio } from '../src/audio/load.js';
import { trimSilence } from '../src/audio/speech.js';
import type { OnnxMetadata } from '../src/export/onnx-export.js';
// @ts-expect-error — a plain .mjs build script without types
import { buildOnDeviceWeb } from '../scripts/build-on-device-web.mjs';

const arg = (name: string, def: string): string => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1]! : def;
};
const NET = arg('net', 'demo');
if (NET !== 'demo' && NET !== 'paper') throw new Error(`--net: expected demo or paper, got ${NET}`);
const D = DEMO_HYPERPARAMETERS;
const CONFIG: AffexionConfig =
  NET === 'paper'
    ? { ...PAPER_CONFIG }
    : { ...PAPER_CONFIG, conv_channels: D.conv_channels!, lstm_hidden: D.lstm_hidden!, fc_hidden: D.fc_hidden!, mask_padding: true };
// The default recipe's window in frames (10 ms hop): what withWindowFrames makes its max_len.
const WINDOW_FRAMES = Math.round(WINDOW_HYPER.window! * 100);
const RUNS = Number(arg('runs', '20')),
  T = Number(arg('max-len', String(WINDOW_FRAMES))),
  MEMBERS = Number(arg('members', '5'));
const browser = !process.argv.includes('--no-browser');
const F = CONFIG.n_features;
const labels = ['boredom', 'panic', 'excitement', 'uncertainty'];

/** p50/p95 and the fastest of RUNS calls (src/engine/timing.ts, as the page times its worker), rounded to 0.01 ms. */
async function time(fn: () => unknown): Promise<Latency> {
  const t = await timeCalls(RUNS, fn);
  const r = (v: number) => Math.round(v * 100) / 100;
  return { p50: r(t.p50), p95: r(t.p95), min: r(t.min) };
}

const nets = Array.from({ length: MEMBERS }, (_, i) => new AffexionNet(CONFIG, { seed: i }));
const x = new Float32Array(T * F).map((_, i) => Math.sin(i * 0.37));
const meta = {
  labels,
  feature_params: { sr: 16000, nMfcc: F / 3, nFft: 2048, hopLength: 160, nMels: 128 },
  loudness: 'peak',
  normalization: { mode: 'utterance' as const },
  max_len: T,
  mask_padding: CONFIG.mask_padding,
  speaker_reference: '',
  window: null,
  window_hop: null,
  trim_silence: null,
};
const models = { single: buildOnnx({ nets: nets.slice(0, 1), what: 'bench', meta }), ensemble: buildOnnx({ nets, what: 'bench', meta }) };

const HEAD = !process.argv.includes('--no-head');
/**
 * The head's context: the last 6 s of audio as the monitor hands it over — real speech (RAVDESS dev, actor 01's
 * fearful and happy clips, silence trimmed, 0.15 s pauses between) when the shared corpus is here, else a
 * synthetic voiced signal (pulse train at 110–150 Hz in 0.2 s syllables).
 */
async function headContext(sr: number): Promise<{ x: Float32Array; source: string }> {
  const n = HEAD_CONTEXT_SECONDS * sr;
  const ravdess = path.join(
    process.env.AFFEXION_SHARED_DIR ?? path.resolve(import.meta.dirname, '..', '..', 'shared'),
    'data',
    'ravdess-dev',
  );
  if (existsSync(path.join(ravdess, 'labels.csv'))) {
    const { readFileSync } = await import('node:fs');
    const rows = readFileSync(path.join(ravdess, 'labels.csv'), 'utf8')
      .trim()
      .split('\n')
      .slice(1)
      .map((l) => l.split(','));
    const x = new Float32Array(n);
    let o = 0;
    for (const r of rows.filter((r) => (r[1] === 'fearful' || r[1] === 'happy') && r[2] === '01')) {
      const s = trimSilence((await loadAudio(path.join(ravdess, r[0]!), { sr })).samples, sr)?.samples;
      if (!s) continue;
      x.set(s.subarray(0, Math.max(0, n - o)), o);
      o += s.length + Math.round(0.15 * sr);
      if (o >= n) return { x, source: 'ravdess-dev actor 01 (fearful, happy)' };
    }
  }
  const x = new Float32Array(n);
  let phase = 0;
  for (let i = 0; i < n; i++) {
    const t = i / sr,
      f0 = 130 + 20 * Math.sin(2 * Math.PI * 0.7 * t);
    phase += f0 / sr;
    const on = t % 0.28 < 0.2 ? Math.sin((Math.PI * (t % 0.28)) / 0.2) : 0;
    x[i] = 0.3 * on * (phase % 1 < 0.08 ? 1 : -0.087);
  }
  return { x, source: 'synthetic pulse train' };
}
const headSettings = onnxFeatureSettings(meta as unknown as OnnxMetadata);
const head = HEAD ? await headContext(headSettings.params.sr) : null;
const headResult: Record<string, { p50: number; p95: number; min: number }> = {};
if (head) {
  if (!contextFunctionals(headSettings, head.x)) throw new Error(`head context (${head.source}): under 2 s of speech`);
  headResult.node = await time(() => contextFunctionals(headSettings, head.x));
}

const out: Record<string, unknown> = {
  bench: 'onnx',
  net: NET,
  config: CONFIG,
  window: { B: 1, T, F },
  members: MEMBERS,
  runs: RUNS,
  simd: true,
  cpus: os.cpus().length,
  load_avg_start: os.loadavg(),
};
const result: Record<string, Record<string, { p50: number; p95: number; min: number }>> = { single: {}, ensemble: {} };

for (const which of ['single', 'ensemble'] as const) {
  const ns = which === 'single' ? nets.slice(0, 1) : nets;
  // Lengths fed as the monitor feeds them (a masked model: one length per window; else none).
  const lens = CONFIG.mask_padding ? Int32Array.of(T) : null;
  result[which]!.native = await time(() => {
    for (const n of ns) n.forward(x, 1, T, { train: false, lengths: lens });
  });
  ort.env.wasm.numThreads = 1;
  ort.env.logLevel = 'error';
  const s = await ort.InferenceSession.create(models[which]);
  const feeds = {
    features: new ort.Tensor('float32', x, [1, T, F]),
    lengths: lens ? new ort.Tensor('int64', BigInt64Array.of(BigInt(T)), [1]) : new ort.Tensor('int64', new BigInt64Array(0), [0]),
  };
  result[which]!.ort_node_1thread = await time(() => s.run(feeds));
  await s.release();
}

if (browser) {
  const exe = [process.env.AFFEXION_CHROMIUM, '/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => p && existsSync(p));
  if (!exe) out.chromium = 'not found (apt-get install chromium)';
  else {
    const assets = await buildOnDeviceWeb(path.join(os.tmpdir(), `affexion-bench-onnx-${process.pid}`));
    const b = await chromium.launch({
      executablePath: exe,
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--no-first-run'],
    });
    try {
      for (const which of ['single', 'ensemble'] as const) {
        for (const threads of [1, 2]) {
          const server = await startOnDeviceServer(
            { bytes: models[which], meta: checkOnnxModel(models[which], which) },
            { port: 0, assetsDir: assets, threads },
          );
          const page = await b.newPage();
          await page.goto(server.url);
          await page.waitForSelector('body[data-ready="yes"]', { timeout: 60_000 });
          const r = await page.evaluate(
            (runs) =>
              (
                window as unknown as {
                  __affexionOnDevice: { timeGraph(n: number): Promise<Latency & { threads: string }> };
                }
              ).__affexionOnDevice.timeGraph(runs),
            RUNS,
          );
          const r2 = (v: number) => Math.round(v * 100) / 100;
          result[which]![`chromium_${threads}thread${threads > 1 ? 's' : ''}`] = { p50: r2(r.p50), p95: r2(r.p95), min: r2(r.min) };
          out.chromium_modes ??= {} as Record<string, string>;
          (out.chromium_modes as Record<string, string>)[`${which}_${threads}`] = r.threads;
          if (head && which === 'ensemble' && threads === 1) {
            const h = await page.evaluate(
              ([x, runs]) =>
                (
                  window as unknown as {
                    __affexionOnDevice: {
                      timeHead(x: number[], n: number): Promise<Latency & { values: number[] | null }>;
                    };
                  }
                ).__affexionOnDevice.timeHead(x as number[], runs as number),
              [Array.from(head.x), RUNS] as const,
            );
            if (!h.values) throw new Error("the page's worker found under 2 s of speech in the head context");
            headResult.chromium_worker_1thread = { p50: r2(h.p50), p95: r2(h.p95), min: r2(h.min) };
          }
          await page.close();
          await server.close();
        }
      }
    } finally {
      await b.close();
    }
  }
}

/** Multiply-adds of one network on one window: conv, both LSTM directions per layer, Q/K/V, QKᵀ and AV. */
function gflopPerWindow(): number {
  const c = CONFIG,
    H = c.lstm_hidden,
    D = 2 * H,
    Cc = c.conv_channels * c.kernel_sizes.length;
  let macs = T * c.conv_channels * F * c.kernel_sizes.reduce((a, k) => a + k, 0);
  for (let l = 0; l < c.lstm_layers; l++) macs += 2 * T * (4 * H * (l === 0 ? Cc : D) + 4 * H * H);
  macs += 3 * T * D * D + 2 * T * T * D + D * c.fc_hidden + c.fc_hidden * c.n_classes;
  return (2 * macs) / 1e9;
}
const gflop = gflopPerWindow();
const ratios: Record<string, Record<string, number>> = {};
for (const [which, r] of Object.entries(result)) {
  ratios[which] = Object.fromEntries(
    Object.entries(r)
      .filter(([k]) => k !== 'native')
      .map(([k, v]) => [k, Math.round((v.p50 / r.native!.p50) * 100) / 100]),
  );
}
if (head) {
  const ens = result.ensemble!,
    ratio = (a?: { p50: number }, b?: { p50: number }) => (a && b ? Math.round((a.p50 / b.p50) * 100) / 100 : null);
  out.head = {
    context_seconds: HEAD_CONTEXT_SECONDS,
    audio: head.source,
    latency_ms: headResult,
    ratio_p50_to_ensemble_graph: {
      node: ratio(headResult.node, ens.native),
      chromium_1thread: ratio(headResult.chromium_worker_1thread, ens.chromium_1thread),
    },
    note: "the head's extra work per classified window: the functionals of the trailing context (headProbabilities and the fusion are ~16·K multiply-adds); Node = the server's pool worker, Chromium = the page's worker, request to reply",
  };
}
Object.assign(out, {
  latency_ms: result,
  ratio_p50_to_native: ratios,
  load_avg: os.loadavg(),
  gflop_per_window: { single: Math.round(gflop * 1000) / 1000, ensemble: Math.round(gflop * MEMBERS * 1000) / 1000 },
  gflops_at_p50: Object.fromEntries(
    Object.entries(result).map(([w, r]) => [
      w,
      Object.fromEntries(
        Object.entries(r).map(([k, v]) => [k, Math.round((((w === 'single' ? 1 : MEMBERS) * gflop) / (v.p50 / 1000)) * 10) / 10]),
      ),
    ]),
  ),
  target: 'a window of the default ensemble within 100 ms in Chromium',
  target_met_p50: Object.fromEntries(
    Object.entries(result.ensemble!)
      .filter(([k]) => k.startsWith('chromium'))
      .map(([k, v]) => [k, v.p50 <= 100]),
  ),
  note: 'graph only, one window; figures under the load shown are indicative — compare ratios within this run',
});
process.stdout.write(JSON.stringify(out, null, 1) + '\n');
