// `npm run bench:sweep [-- --jobs-per-trial 3 --epochs 3]`: a small sweep run three ways in one go —
// in this process (anchor), on the BullMQ queue with 1 worker process, and with 2 — printing one JSON
// line: wall times, the 2-vs-1-worker speed-up and the queue's overhead per job (queue with 1 worker
// minus in-process, per job). Needs /usr/bin/redis-server (started on a free loopback port, stopped at
// the end). Figures under other load are indicative only: load_avg is printed with them.
import { spawn, type ChildProcess } from 'node:child_process';
import { cpus, loadavg } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { sweep } from '../src/workflows/sweep/sweep.js';
// The tests' tone dataset and Redis launcher: the same small fixtures, not a second copy of them.
import { makeToneDataset, TINY_FEATURES, TINY_HYPER, tmpDir } from '../test/train/fixtures.js';
import { startRedis } from '../test/workflows/sweep/redis.js';

const { values } = parseArgs({
  options: {
    folds: { type: 'string', default: '3' },
    epochs: { type: 'string', default: '5' },
    'per-class': { type: 'string', default: '20' },
  },
});
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const cacheDir = tmpDir('affexion-bench-cache-');
const data = makeToneDataset({ perClass: Number(values['per-class']), seed: 5, speakers: true });
const opts = {
  data,
  vary: ['channels=2,4,6,8'],
  folds: Number(values.folds),
  groupBy: 'speaker' as const,
  seeds: 1,
  hyper: { ...TINY_HYPER, epochs: Number(values.epochs) },
  features: TINY_FEATURES,
  cacheDir,
  report: false,
};

function startWorkerProcess(url: string): Promise<ChildProcess> {
  const p = spawn(
    process.execPath,
    ['--import', 'tsx', path.join(root, 'src/cli/main.ts'), 'worker', '--queue', url, '--cache', cacheDir],
    { cwd: root, env: { ...process.env, AFFEXION_THREADS: process.env.AFFEXION_THREADS ?? '1' }, stdio: ['ignore', 'ignore', 'pipe'] },
  );
  return new Promise((resolve) =>
    p.stderr!.on('data', (d: Buffer) => {
      if (d.toString().includes('waiting for jobs')) resolve(p);
    }),
  );
}

async function timed(f: () => Promise<unknown>): Promise<number> {
  const t0 = performance.now();
  await f();
  return (performance.now() - t0) / 1000;
}

const load_before = loadavg();
await sweep({ ...opts, out: tmpDir() }); // warms the feature cache, so every run below trains only
const jobs = 4 * opts.folds;
const local_s = await timed(() => sweep({ ...opts, out: tmpDir() }));
const redis = await startRedis();
const results: Record<string, number> = {};
try {
  for (const n of [1, 2]) {
    const ws = await Promise.all(Array.from({ length: n }, () => startWorkerProcess(redis.url)));
    results[`queue_${n}_worker_s`] = await timed(() => sweep({ ...opts, out: tmpDir(), queue: redis.url }));
    for (const w of ws) w.kill('SIGTERM');
  }
} finally {
  await redis.stop();
}
const q1 = results.queue_1_worker_s!,
  q2 = results.queue_2_worker_s!;
process.stdout.write(
  `${JSON.stringify({
    bench: 'sweep',
    jobs,
    folds: opts.folds,
    epochs: opts.hyper.epochs,
    clips: 2 * Number(values['per-class']),
    local_in_process_s: +local_s.toFixed(3),
    queue_1_worker_s: +q1.toFixed(3),
    queue_2_workers_s: +q2.toFixed(3),
    speedup_2_vs_1_workers: +(q1 / q2).toFixed(3),
    queue_overhead_ms_per_job: +((1000 * (q1 - local_s)) / jobs).toFixed(1),
    cpus: cpus().length,
    load_avg_before: load_before,
    load_avg: loadavg(),
    note: 'same-run ratios; indicative only under other load (see load_avg)',
  })}\n`,
);
