/**
 * bench:synth — prints JSON: clips per second for each offline provider (espeak, flite, mixed) with one
 * worker per core, on a paper-like mix of short (3–4 s) and long (10–12 s) clips, and the projected
 * time for the paper-sized set (4 classes × 70 clips).
 *
 *   npm run bench:synth [-- --per-class N] [-- --providers espeak,flite] [-- --concurrency N]
 *
 * Timings taken while other processes load the machine are noisy: the JSON carries the load average.
 * Rendering runs on worker processes (src/synth/pool.ts): worker threads holding the WebAssembly
 * engines crashed the process now and then on Node 20.
 */
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { mkdtempSync, rmSync } from 'node:fs';
import path from 'node:path';
import { synthesize } from '../src/synth/index.js';
import type { ProviderName } from '../src/synth/voices.js';

function arg(name: string, dflt: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1]! : dflt;
}

const perClass = Number(arg('per-class', '5'));
const providers = arg('providers', 'espeak,flite').split(',') as ProviderName[];
const concurrency = Number(arg('concurrency', String(availableParallelism())));

const results = [];
for (const provider of providers) {
  const out = mkdtempSync(path.join(tmpdir(), `affexion-bench-synth-${provider}-`));
  try {
    const load0 = loadavg()[0];
    const r = await synthesize({ out, provider, perClass, concurrency, seed: 1 });
    const audioSec = r.records.reduce((a, x) => a + x.duration_s, 0);
    const clipsPerSec = r.records.length / r.seconds;
    results.push({
      provider,
      clips: r.records.length,
      concurrency,
      seconds: +r.seconds.toFixed(2),
      clipsPerSec: +clipsPerSec.toFixed(3),
      audioSecondsPerSec: +(audioSec / r.seconds).toFixed(2),
      projectedPaperSetMinutes: +(280 / clipsPerSec / 60).toFixed(1),
      loadavg1: +((load0 + loadavg()[0]) / 2).toFixed(2),
    });
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}
process.stdout.write(
  `${JSON.stringify({ bench: 'synth', cores: availableParallelism(), perClass, lengths: 'short,long', results }, null, 2)}\n`,
);
