// Study aid (issue 13 item 6, the no-reference fallback): instead of the pooled neutral speech of *all*
// training speakers (the population reference), normalise a clip without references with the neutral
// speech of the k training speakers whose voices are nearest to it. "Nearest" is measured on the clip's
// mean cepstrum (MFCC 1–12: vocal-tract timbre, little moved by emotion compared with F0 and energy)
// against each training speaker's reference mean, in units of the population's std.
//
//   npx tsx bench/nearest-reference.ts RUN [--k 1,2,3]
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { FeatureCache, defaultCacheDir } from '../src/data/cache.js';
import { scanDataset } from '../src/data/dataset.js';
import { fileFeatures } from '../src/data/features.js';
import { fileFunctionals } from '../src/data/functional-features.js';
import { applySpeakerReference, parseReferenceLabels, referenceHalf, speakerReferences } from '../src/data/reference.js';
import { sharedDataPath } from '../src/data/shared-data.js';
import type { FeatureMatrix } from '../src/features/index.js';
import { finiteMeans, fuseProbabilities, headProbabilities } from '../src/model/functional-head.js';
import { loadTrainedModel, modelProbabilities } from '../src/model/model-dir.js';
import { calmFalseAlarms, signalScores } from '../src/workflows/experiment/real-metrics.js';
import { scoredCorpusClips } from './scored-clips.js';

const run = process.argv[2]!;
const ki = process.argv.indexOf('--k');
const ks = (ki > 0 ? process.argv[ki + 1]! : '1,2,3').split(',').map(Number);
const results = JSON.parse(readFileSync(path.join(run, 'results.json'), 'utf8')) as { corpora: string[]; seeds: number[] };
const cache = new FeatureCache(defaultCacheDir());
const TIMBRE = Array.from({ length: 12 }, (_, i) => i + 1);

function rowMeans(m: FeatureMatrix, rows: readonly number[]): number[] {
  return rows.map((r) => {
    let s = 0;
    for (let t = 0; t < m.frames; t++) s += m.data[r * m.frames + t]!;
    return s / m.frames;
  });
}

const out: Record<string, { ba: number[]; fa: number[] }> = {};
const push = (k: string, ba: number, fa: number | null): void => {
  const o = (out[k] ??= { ba: [], fa: [] });
  o.ba.push(ba);
  o.fa.push(fa ?? NaN);
};
const chosenLog: Record<string, Record<string, number>> = {};

for (const seed of results.seeds) {
  const m = loadTrainedModel(path.join(run, `seed-${seed}`, 'model'));
  const head = m.functionalHead!;
  const K = m.classes.length;
  const refLabels = parseReferenceLabels(m.hyper.speaker_reference ?? '');
  const pool = scanDataset(sharedDataPath('neutral-pool'));
  const half = referenceHalf(pool.items, refLabels);
  const bySpk = new Map<string, { mats: FeatureMatrix[]; funcs: number[][] }>();
  for (const it of pool.items) {
    if (!half.has(it.path) || !it.speaker) continue;
    const g = bySpk.get(it.speaker) ?? bySpk.set(it.speaker, { mats: [], funcs: [] }).get(it.speaker)!;
    g.mats.push(await fileFeatures(it.path, m.featureSettings, cache));
    g.funcs.push(await fileFunctionals(it.path, m.featureSettings, cache));
  }
  const spks = [...bySpk.keys()];
  const pop = m.populationReference!;
  const spkTimbre = spks.map((s) => {
    const r = speakerReferences(
      bySpk.get(s)!.mats,
      bySpk.get(s)!.mats.map(() => s),
      m.hyper.max_len,
    ).get(s)!;
    return TIMBRE.map((row) => r.mean[row]! / pop.std[row]!);
  });
  for (const corpus of results.corpora) {
    const { feats, funcs, labels } = await scoredCorpusClips(m, corpus, refLabels, cache);
    const score = async (name: string, pick: (i: number) => string[] | null): Promise<void> => {
      const normed = feats.map((f, i) => {
        const sel = pick(i);
        if (!sel) return applySpeakerReference(f, pop);
        const mats = sel.flatMap((s) => bySpk.get(s)!.mats);
        return applySpeakerReference(
          f,
          speakerReferences(
            mats,
            mats.map(() => 'x'),
            m.hyper.max_len,
          ).get('x')!,
        );
      });
      const np = await modelProbabilities(m, normed);
      const hp = headProbabilities(
        head,
        funcs,
        funcs.map((_, i) => {
          const sel = pick(i);
          return sel ? finiteMeans(sel.flatMap((s) => bySpk.get(s)!.funcs)) : null;
        }),
      );
      const fp = fuseProbabilities(np, hp, m.classes, head.fusion, head.priors);
      const clips = labels.map((l, i) => ({ label: l, probs: fp.subarray(i * K, (i + 1) * K) }));
      push(`${corpus} ${name}`, signalScores(clips, m.classes).balanced_accuracy, calmFalseAlarms(clips, m.classes).rate);
    };
    await score('population', () => null);
    const order = feats.map((f) => {
      const t = rowMeans(f, TIMBRE).map((v, j) => v / pop.std[TIMBRE[j]!]!);
      return spks
        .map((s, i) => [s, spkTimbre[i]!.reduce((a, v, j) => a + (v - t[j]!) ** 2, 0)] as const)
        .sort((a, b) => a[1] - b[1])
        .map(([s]) => s);
    });
    for (const k of ks) await score(`nearest-${k}`, (i) => order[i]!.slice(0, k));
    for (const o of order) (chosenLog[corpus] ??= {})[o[0]!] = ((chosenLog[corpus] ??= {})[o[0]!] ?? 0) + 1;
  }
  console.error(`seed ${seed} done`);
}
const avg = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
for (const [k, v] of Object.entries(out))
  console.log(`${k.padEnd(32)} BA ${(100 * avg(v.ba)).toFixed(1)}  calm FA ${(100 * avg(v.fa)).toFixed(1)}`);
console.log('nearest speaker chosen (all seeds):', JSON.stringify(chosenLog));
