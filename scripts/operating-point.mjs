#!/usr/bin/env node
// Re-reads the per-clip probability files of an `affexion experiment real-speech` RUN folder
// (seed-<s>/probs-<corpus>.json) with p(neutral) multiplied by e^b, for a range of b: balanced accuracy of
// panic vs excitement (5-way) and calm false alarms per corpus, mean over seeds and for the ensemble of the
// seeds. The table of docs/experiment.md, eighth round. A study aid: b read off the dev corpora is shown,
// not chosen (see there).
//
//   node scripts/operating-point.mjs RUN [--b -1.5,-1,-0.5,0,0.5,1,1.5,2]
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import path from 'node:path';

const run = process.argv[2];
if (!run || !existsSync(path.join(run, 'results.json'))) {
  console.error('usage: node scripts/operating-point.mjs RUN [--b LIST]   (RUN: a finished experiment real-speech folder)');
  process.exit(2);
}
const bi = process.argv.indexOf('--b');
const bs = (bi > 0 ? process.argv[bi + 1] : '-1.5,-1,-0.5,0,0.5,1,1.5,2,2.5,3').split(',').map(Number);
const seeds = readdirSync(run).filter((d) => /^seed-\d+$/.test(d)).sort((a, b) => Number(a.slice(5)) - Number(b.slice(5)));
const corpora = readdirSync(path.join(run, seeds[0])).filter((f) => /^probs-.+\.json$/.test(f)).map((f) => f.slice(6, -5));
if (!corpora.length) { console.error(`${run}: no probs-<corpus>.json files (re-run the experiment on the folder to write them)`); process.exit(1); }
const load = (s, c) => JSON.parse(readFileSync(path.join(run, s, `probs-${c}.json`), 'utf8'));

function score(d, b) {
  const K = d.classes.length, n = d.classes.indexOf('neutral');
  const rec = { panic: [0, 0], excitement: [0, 0] };
  let calm = 0, fa = 0;
  for (const c of d.clips) {
    const p = c.probs.slice();
    if (n >= 0) p[n] *= Math.exp(b);
    let a = 0;
    for (let k = 1; k < K; k++) if (p[k] > p[a]) a = k;
    if (c.label in rec) { rec[c.label][1]++; if (d.classes[a] === c.label) rec[c.label][0]++; }
    else if (c.label === 'neutral') { calm++; if (a !== n) fa++; }
  }
  return { ba: (rec.panic[0] / rec.panic[1] + rec.excitement[0] / rec.excitement[1]) / 2, fa: calm ? fa / calm : NaN };
}
const pct = (x) => (100 * x).toFixed(1);
const line = (b, rows) => `b=${b.toFixed(2).padStart(5)}  ${rows.map((r, i) => `${corpora[i]} BA ${pct(r.ba)} FA ${pct(r.fa)}`).join(' | ')}` +
  ` | mean BA ${pct(rows.reduce((a, r) => a + r.ba, 0) / rows.length)} FA ${pct(rows.reduce((a, r) => a + r.fa, 0) / rows.length)}`;

console.log(`${run}: ${seeds.length} seeds, mean over seeds`);
for (const b of bs) {
  console.log(line(b, corpora.map((c) => {
    const xs = seeds.map((s) => score(load(s, c), b));
    return { ba: xs.reduce((a, x) => a + x.ba, 0) / xs.length, fa: xs.reduce((a, x) => a + x.fa, 0) / xs.length };
  })));
}
console.log('ensemble of the seeds (mean probability per clip)');
for (const b of bs) {
  console.log(line(b, corpora.map((c) => {
    const ds = seeds.map((s) => load(s, c));
    const clips = ds[0].clips.map((cl, i) => ({ label: cl.label, probs: cl.probs.map((_, k) => ds.reduce((a, x) => a + x.clips[i].probs[k], 0) / ds.length) }));
    return score({ classes: ds[0].classes, clips }, b);
  })));
}
