// `npm run bench:engine [-- --batch 32 --frames 1000 --steps 3 --torch]`: the training benchmark of the
// engine, one JSON line per batch size (default: the anchors' batch sizes 8 and 32). With --torch, the
// PyTorch reference (bench/torch-reference.py, Debian's python3-torch) is timed right after each run
// under the same conditions, and the line gains torch_run_* fields and the measured speed-ups.
import { parseArgs } from 'node:util';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { runTrainBenchmark } from '../src/model/bench.js';

const { values } = parseArgs({
  options: {
    batch: { type: 'string', multiple: true },
    frames: { type: 'string', default: '1000' },
    steps: { type: 'string', default: '3' },
    masked: { type: 'boolean', default: false },
    torch: { type: 'boolean', default: false },
    python: { type: 'string', default: '/usr/bin/python3' },
  },
});

interface TorchRun { median_step_ms: number; median_step_cpu_ms: number; infer_ms_per_clip: number }

function runTorch(batch: number, frames: number, steps: number, threads: number): TorchRun {
  const script = fileURLToPath(new URL('./torch-reference.py', import.meta.url));
  const r = spawnSync(values.python!, [script, '--batch', String(batch), '--frames', String(frames), '--steps', String(steps),
    '--threads', String(threads)], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`--torch: ${values.python} ${script} failed: ${r.stderr || r.error?.message}`);
  return JSON.parse(r.stdout.trim().split('\n').pop()!) as TorchRun;
}

const batches = (values.batch ?? ['8', '32']).map(Number);
for (const batch of batches) {
  const frames = Number(values.frames), steps = Number(values.steps);
  const r = runTrainBenchmark({ batch, frames, steps, masked: values.masked });
  let extra = {};
  if (values.torch) {
    const t = runTorch(batch, frames, steps, r.threads ?? 1);
    extra = {
      torch_run_step_ms: t.median_step_ms, torch_run_step_cpu_ms: t.median_step_cpu_ms,
      torch_run_infer_ms_per_clip: t.infer_ms_per_clip,
      speedup_vs_torch_run: Math.round((t.median_step_ms / r.median_step_ms) * 100) / 100,
      infer_speedup_vs_torch_run: Math.round((t.infer_ms_per_clip / r.infer_ms_per_clip) * 100) / 100,
    };
  }
  process.stdout.write(`${JSON.stringify({ ...r, ...extra })}\n`);
}
