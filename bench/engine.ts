// `npm run bench:engine [-- --batch 32 --frames 1000 --steps 3 --window-frames 400 --skip-torch]`: the
// engine's benchmark, one JSON line each:
//   {"bench":"peak"}    the FMA peak, measured once at the start with the load average (flagged > 0.5);
//   {"bench":"train"}   per batch size (default 8 and 32): training step, batched inference per clip and
//                       batch-1 latency, and the same figures of the PyTorch reference measured in this run;
//   {"bench":"window"}  batch-1 latency of one live window (default 400 frames = 4 s) for the paper-size
//                       network and the demo's small one, against PyTorch in this run and the targets.
// PyTorch (bench/torch-reference.py, Debian's python3-torch) runs at 1 and 2 intra-op threads with the
// BLAS threads pinned to 1; the faster of the two is the anchor, and both are printed. Without torch the
// lines say `anchor_missing` with the reason: there are no stored anchor figures to fall back on.
// On a loaded machine every wall time is inflated (PyTorch's more than ours): the lines carry load_avg.
import { parseArgs } from 'node:util';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { loadavg } from 'node:os';
import { measurePeak, runTrainBenchmark, runWindowBenchmark } from '../src/model/bench.js';
import { PAPER_CONFIG, type AffexionConfig } from '../src/model/config.js';
import { DEMO_HYPERPARAMETERS } from '../src/workflows/demo.js';

const { values } = parseArgs({
  options: {
    batch: { type: 'string', multiple: true },
    frames: { type: 'string', default: '1000' },
    steps: { type: 'string', default: '3' },
    'infer-runs': { type: 'string', default: '3' },
    'window-frames': { type: 'string', default: '400' },
    'window-runs': { type: 'string', default: '20' },
    masked: { type: 'boolean', default: false },
    'skip-torch': { type: 'boolean', default: false },
    'skip-window': { type: 'boolean', default: false },
    'torch-threads': { type: 'string', default: '1,2' },
    python: { type: 'string', default: process.env.AFFEXION_TORCH_PYTHON ?? '/usr/bin/python3' },
  },
});

const round = (v: number, d = 2) => Math.round(v * 10 ** d) / 10 ** d;
const load = () => round(loadavg()[0]!);

/** The demo's small network (workflows/demo.ts), the one the live monitor runs as an ensemble. */
const DEMO_CONFIG: AffexionConfig = {
  ...PAPER_CONFIG,
  conv_channels: DEMO_HYPERPARAMETERS.conv_channels!,
  lstm_hidden: DEMO_HYPERPARAMETERS.lstm_hidden!,
  fc_hidden: DEMO_HYPERPARAMETERS.fc_hidden!,
};
/** Targets of issue 17 for one 4 s window at batch 1. */
const WINDOW_TARGET_MS = { paper: 10, demo: 3 } as const;

interface TorchRun {
  threads: number;
  infer_ms_batch1: number;
  median_step_ms?: number;
  median_step_cpu_ms?: number;
  infer_ms_per_clip?: number;
}
interface TorchResult {
  backend: string;
  openblas_core: string | null;
  blas_check_rel_err: number;
  runs: TorchRun[];
}

/** Runs the PyTorch reference once per call (all thread counts in one process); a reason string when it cannot. */
function runTorch(args: { batch: number; frames: number; steps: number; config?: Partial<AffexionConfig> }): TorchResult | string {
  if (values['skip-torch']) return '--skip-torch';
  const script = fileURLToPath(new URL('./torch-reference.py', import.meta.url));
  const threads = values['torch-threads']!;
  const maxThreads = String(Math.max(...threads.split(',').map(Number)));
  // BLAS threads pinned (else OpenBLAS's own threads fight PyTorch's on 2 cores); OPENBLAS_CORETYPE and
  // OPENBLAS_L2_SIZE removed so OpenBLAS uses this CPU's own kernel (the script checks its results).
  const env: NodeJS.ProcessEnv = { ...process.env, OPENBLAS_NUM_THREADS: '1', MKL_NUM_THREADS: '1', OMP_NUM_THREADS: maxThreads };
  delete env.OPENBLAS_CORETYPE;
  delete env.OPENBLAS_L2_SIZE;
  const r = spawnSync(
    values.python!,
    [
      script,
      '--batch',
      String(args.batch),
      '--frames',
      String(args.frames),
      '--steps',
      String(args.steps),
      '--threads',
      threads,
      '--infer-runs',
      values['infer-runs']!,
      '--config',
      JSON.stringify(args.config ?? {}),
    ],
    { encoding: 'utf8', env },
  );
  if (r.error) return `${values.python}: ${r.error.message}`;
  if (r.status !== 0) {
    const err = (r.stderr || '').trim().split('\n').pop() ?? '';
    return /No module named 'torch'/.test(r.stderr)
      ? `${values.python} cannot import torch (apt-get install python3-torch)`
      : `${script} failed: ${err}`;
  }
  const out = JSON.parse(r.stdout.trim().split('\n').pop()!) as TorchResult;
  if (!(out.blas_check_rel_err < 1e-4))
    return `OpenBLAS kernel ${out.openblas_core} gives wrong GEMM results (rel. error ${out.blas_check_rel_err})`;
  return out;
}

/** The fastest run of a metric over PyTorch's thread counts, with every run's figure. */
function best(t: TorchResult, key: keyof TorchRun): { ms: number; threads: number; byThreads: Record<string, number> } {
  const runs = t.runs.filter((r) => typeof r[key] === 'number');
  const byThreads = Object.fromEntries(runs.map((r) => [String(r.threads), r[key] as number]));
  const fastest = runs.reduce((a, b) => ((b[key] as number) < (a[key] as number) ? b : a));
  return { ms: fastest[key] as number, threads: fastest.threads, byThreads };
}

/** torch_<name>_ms (best), torch_<name>_ms_by_threads, torch_<name>_threads and ours/torch as speedup_<name>. */
function anchorFields(t: TorchResult, key: keyof TorchRun, name: string, ours: number): Record<string, unknown> {
  const b = best(t, key);
  return {
    [`torch_${name}`]: b.ms,
    [`torch_${name}_by_threads`]: b.byThreads,
    [`torch_${name}_threads`]: b.threads,
    [`speedup_${name}`]: round(b.ms / ours),
  };
}

const emit = (o: object) => process.stdout.write(`${JSON.stringify(o)}\n`);

const peak = measurePeak();
emit({
  bench: 'peak',
  ...peak,
  note: peak?.under_load
    ? 'measured with load average > 0.5: other processes shared the cores, the figure is low'
    : 'idle enough (load average ≤ 0.5)',
});

const frames = Number(values.frames),
  steps = Number(values.steps),
  inferRuns = Number(values['infer-runs']);
for (const batch of (values.batch ?? ['8', '32']).map(Number)) {
  const r = runTrainBenchmark({ batch, frames, steps, inferRuns, masked: values.masked, peak });
  const t = runTorch({ batch, frames, steps });
  const anchors =
    typeof t === 'string'
      ? { anchor_missing: t }
      : {
          torch: t.backend,
          torch_openblas_core: t.openblas_core,
          // Debian's python3-torch falls back to the reference BLAS when no OpenBLAS is installed: ~8× slower
          // steps, an anchor far from its best (measured here: 14.9 s per batch-8 step vs 1.8 s with OpenBLAS).
          ...(t.openblas_core === null
            ? {
                torch_note:
                  'PyTorch does not load OpenBLAS (reference BLAS?): the anchor is not in its best configuration — install libopenblas0-pthread',
              }
            : {}),
          ...anchorFields(t, 'median_step_ms', 'step_ms', r.median_step_ms),
          ...anchorFields(t, 'infer_ms_per_clip', 'infer_ms_per_clip', r.infer_ms_per_clip),
          ...anchorFields(t, 'infer_ms_batch1', 'infer_ms_batch1', r.infer_ms_batch1),
        };
  emit({ bench: 'train', ...r, ...anchors, load_avg: load() });
}

if (!values['skip-window']) {
  const wf = Number(values['window-frames']);
  for (const [network, config] of [
    ['paper', PAPER_CONFIG],
    ['demo', DEMO_CONFIG],
  ] as const) {
    const w = runWindowBenchmark({ config, frames: wf, runs: Number(values['window-runs']) });
    const t = runTorch({ batch: 1, frames: wf, steps: 0, config });
    const anchors =
      typeof t === 'string'
        ? { anchor_missing: t }
        : { torch: t.backend, ...anchorFields(t, 'infer_ms_batch1', 'infer_ms_batch1', w.infer_ms_batch1) };
    emit({
      bench: 'window',
      network,
      ...w,
      target_ms: WINDOW_TARGET_MS[network],
      meets_target: w.infer_ms_batch1 <= WINDOW_TARGET_MS[network],
      ...anchors,
      load_avg: load(),
    });
  }
}
