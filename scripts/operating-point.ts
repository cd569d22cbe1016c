// Re-reads the per-clip probability files of an `affexion experiment real-speech` RUN folder
// (seed-<s>/probs-<corpus>.json) with the neutral bias b applied (applyNeutralBias: p(neutral) × e^b), for a
// range of b: balanced accuracy of panic vs excitement (5-way, signalScores) and calm false alarms
// (calmFalseAlarms) per corpus, mean over seeds and for the ensemble of the seeds — the library's own
// definitions, as the experiment reports them. The table of docs/experiment.md, eighth round. A study aid:
// b read off the dev corpora is shown, not chosen (see there).
//
//   npx tsx scripts/operating-point.ts RUN [RUN2 …] [--b -1.5,-1,-0.5,0,0.5,1,1.5,2]
// Several RUNs (same corpora, same classes): their seeds' networks together, e.g. the ensemble of two recipes.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { applyNeutralBias } from '../src/model/calibration.js';
import { calmFalseAlarms, signalScores, type ScoredClip } from '../src/workflows/experiment/real-metrics.js';

interface ProbsFile {
  classes: string[];
  clips: { file: string; label: string; probs: number[] }[];
}

const bi = process.argv.indexOf('--b');
const args = process.argv.slice(2);
const runs = args.filter((a, i) => !a.startsWith('--') && args[i - 1] !== '--b');
if (!runs.length || runs.some((r) => !existsSync(path.join(r, 'results.json')))) {
  console.error('usage: npx tsx scripts/operating-point.ts RUN [RUN2 …] [--b LIST]   (RUN: a finished experiment real-speech folder)');
  process.exit(2);
}
const bs = (bi > 0 ? process.argv[bi + 1]! : '-1.5,-1,-0.5,0,0.5,1,1.5,2,2.5,3').split(',').map(Number);
// Every seed folder of every run: seed-<s> paths (a network each).
const seeds = runs.flatMap((run) =>
  readdirSync(run)
    .filter((d) => /^seed-\d+$/.test(d))
    .sort((a, b) => Number(a.slice(5)) - Number(b.slice(5)))
    .map((d) => path.join(run, d)),
);
const corpora = seeds.length
  ? readdirSync(seeds[0]!)
      .filter((f) => /^probs-.+\.json$/.test(f))
      .map((f) => f.slice(6, -5))
  : [];
if (!corpora.length) {
  console.error(`${runs.join(', ')}: no seed-<s>/probs-<corpus>.json files (re-run the experiment on the folder to write them)`);
  process.exit(1);
}
const load = (s: string, c: string): ProbsFile => JSON.parse(readFileSync(path.join(s, `probs-${c}.json`), 'utf8')) as ProbsFile;

/** Balanced accuracy and calm false alarms of one file's clips, or of several files' mean probabilities (the ensemble). */
function score(files: ProbsFile[], b: number): { ba: number; fa: number } {
  const { classes, clips } = files[0]!;
  const K = classes.length;
  const mean = Float32Array.from(
    { length: clips.length * K },
    (_, j) => files.reduce((a, f) => a + f.clips[Math.floor(j / K)]!.probs[j % K]!, 0) / files.length,
  );
  const n = classes.indexOf('neutral');
  const p = n >= 0 ? applyNeutralBias(mean, K, n, b) : mean;
  const scored: ScoredClip[] = clips.map((c, i) => ({ label: c.label, probs: p.subarray(i * K, (i + 1) * K) }));
  return { ba: signalScores(scored, classes).balanced_accuracy, fa: calmFalseAlarms(scored, classes).rate ?? NaN };
}

const pct = (x: number): string => (100 * x).toFixed(1);
const avg = (xs: number[]): number => xs.reduce((a, x) => a + x, 0) / xs.length;
const line = (b: number, rows: { ba: number; fa: number }[]): string =>
  `b=${b.toFixed(2).padStart(5)}  ` +
  `${rows.map((r, i) => `${corpora[i]} BA ${pct(r.ba)} FA ${pct(r.fa)}`).join(' | ')} | mean BA ${pct(avg(rows.map((r) => r.ba)))} FA ${pct(avg(rows.map((r) => r.fa)))}`;

console.log(`${runs.join(' + ')}: ${seeds.length} networks, mean over them`);
for (const b of bs) {
  console.log(
    line(
      b,
      corpora.map((c) => {
        const xs = seeds.map((s) => score([load(s, c)], b));
        return { ba: avg(xs.map((x) => x.ba)), fa: avg(xs.map((x) => x.fa)) };
      }),
    ),
  );
}
console.log('ensemble of the seeds (mean probability per clip)');
for (const b of bs)
  console.log(
    line(
      b,
      corpora.map((c) =>
        score(
          seeds.map((s) => load(s, c)),
          b,
        ),
      ),
    ),
  );
