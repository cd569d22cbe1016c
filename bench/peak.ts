// `npx tsx bench/peak.ts [--force] [--seconds 1]`: the fp32 FMA peak of this CPU, measured once per
// pool thread count (1, then all hardware threads) with the load average and the CPU's identity
// (/proc/cpuinfo), as one JSON line. The peak is the denominator of every "% of peak" figure, and
// under load it reads low (issue 17 saw 167–461 GFLOP/s on one machine), so with a 1-minute load
// average above 0.5 it refuses (exit 2) unless --force, and then flags the figure `under_load`.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';

const { values } = parseArgs({
  options: {
    force: { type: 'boolean', default: false },
    seconds: { type: 'string', default: '1' },
    child: { type: 'boolean', default: false },
  },
});

if (values.child) {
  // measured in a child so AFFEXION_THREADS sizes the pool
  const { loadNative } = await import('../src/engine/native.js');
  const a = loadNative();
  process.stdout.write(
    JSON.stringify({ threads: a.threads(), isa: a.isa?.() ?? null, gflops: a.peakGflops(Number(values.seconds)) }) + '\n',
  );
  process.exit(0);
}

function cpuInfo(): Record<string, string> {
  const info: Record<string, string> = {};
  try {
    for (const line of readFileSync('/proc/cpuinfo', 'utf8').split('\n\n')[0]!.split('\n')) {
      const [k, v] = line.split(/\s*:\s*/);
      if (k && v && ['model name', 'cpu family', 'model', 'stepping', 'cpu MHz'].includes(k)) info[k.replace(/ /g, '_')] = v;
    }
  } catch {
    /* not Linux: identity unknown */
  }
  return info;
}

const load = loadavg()[0]!;
const underLoad = load > 0.5;
if (underLoad && !values.force) {
  process.stderr.write(
    `bench/peak.ts: load average ${load.toFixed(2)} > 0.5: other processes would share the cores and the peak would read low. ` +
      'Run it on an idle machine, or pass --force to measure anyway (the JSON then says under_load).\n',
  );
  process.exit(2);
}
const script = fileURLToPath(import.meta.url);
const measure = (threads: number) => {
  const r = spawnSync(process.execPath, ['--import', 'tsx', script, '--child', '--seconds', values.seconds!], {
    encoding: 'utf8',
    env: { ...process.env, AFFEXION_THREADS: String(threads) },
  });
  if (r.status !== 0) throw new Error(`peak child failed: ${r.stderr}`);
  return JSON.parse(r.stdout) as { threads: number; gflops: number; isa?: string };
};
const one = measure(1),
  all = measure(availableParallelism()) as { threads: number; gflops: number; isa?: string };
const r1 = (v: number) => Math.round(v * 10) / 10;
process.stdout.write(
  JSON.stringify({
    bench: 'peak',
    cpu: cpuInfo(),
    cores: availableParallelism(),
    isa: all.isa,
    peak_gflops_1_thread: r1(one.gflops),
    peak_gflops_all_threads: r1(all.gflops),
    threads: all.threads,
    load_avg_before: Math.round(load * 100) / 100,
    load_avg_after: Math.round(loadavg()[0]! * 100) / 100,
    under_load: underLoad,
  }) + '\n',
);
