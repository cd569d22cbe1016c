/** `affexion bench train …`: the engine's training/inference benchmark (see docs/engine.md). */
import type { Command } from 'commander';
import { runTrainBenchmark, type TrainBenchResult } from '../../model/bench.js';

function int(name: string) {
  return (v: string): number => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < 1) throw new Error(`${name} must be a positive integer (got '${v}')`);
    return n;
  };
}

function human(r: TrainBenchResult): string {
  // No PyTorch figures here: `npm run bench:engine` measures PyTorch in the same run (docs/engine.md).
  return (
    [
      `backend ${r.backend}, ${r.threads ?? 1} threads, batch ${r.batch}, ${r.frames} frames, load average ${r.load_avg}`,
      `training step: median ${r.median_step_ms} ms, ${r.gflops} GFLOP/s` +
        (r.peak_gflops
          ? ` = ${r.pct_of_peak}% of the measured ${r.peak_gflops} GFLOP/s peak` +
            (r.peak_under_load ? ' (peak measured under load: too low)' : '')
          : ''),
      `inference: ${r.infer_ms_per_clip} ms per clip at batch ${r.infer_batch}; one clip alone (batch 1): ${r.infer_ms_batch1} ms`,
      `peak RSS ${r.peak_rss_mb} MB`,
    ].join('\n') + '\n'
  );
}

export function register(program: Command): void {
  const bench = program.command('bench').description('Benchmarks of the compute engine');
  bench
    .command('train')
    .description('Train the paper-size network on random data; report step time, inference time, GFLOP/s, memory')
    .option('--batch <n>', 'clips per training step', int('--batch'), 8)
    .option('--frames <n>', 'frames per clip (1000 = 10 s)', int('--frames'), 1000)
    .option('--steps <n>', 'timed training steps (after one warm-up)', int('--steps'), 3)
    .option('--infer-batch <n>', 'clips per inference call (default: --batch)', int('--infer-batch'))
    .option('--masked', 'random clip lengths with padding masked (mask_padding)')
    .option('--json', 'print one JSON line')
    .action((o: { batch: number; frames: number; steps: number; inferBatch?: number; masked?: boolean; json?: boolean }) => {
      const r = runTrainBenchmark({ batch: o.batch, frames: o.frames, steps: o.steps, inferBatch: o.inferBatch, masked: o.masked });
      process.stdout.write(o.json ? `${JSON.stringify(r)}\n` : human(r));
    });
}
