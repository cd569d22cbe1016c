// Study aid (issue 13): which view of a trained default-recipe model tells real emotional speech from
// calm speech best? For each seed of a finished `affexion experiment real-speech` RUN and each dev corpus:
// the AUC (calm above signal) of p(neutral) from the network alone, the head alone and the product fusion,
// and of "arousal" scores (p(panic)+p(excitement) − p(boredom) …), and the pair accuracy of each view.
//
//   npx tsx bench/neutral-views.ts RUN
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { FeatureCache, defaultCacheDir } from '../src/data/cache.js';
import { scanDataset } from '../src/data/dataset.js';
import { parseReferenceLabels, referenceHalf } from '../src/data/reference.js';
import { existingSharedData } from '../src/data/shared-data.js';
import { clipHeadProbabilities } from '../src/eval/functional-fusion.js';
import { evaluate } from '../src/eval/evaluate.js';
import { fuseProbabilities } from '../src/model/functional-head.js';
import { loadTrainedModel } from '../src/model/model-dir.js';
import { RAVDESS_LABEL_MAP } from '../src/workflows/demo.js';

const run = process.argv[2]!;
const results = JSON.parse(readFileSync(path.join(run, 'results.json'), 'utf8')) as { corpora: string[]; seeds: number[] };
const cache = new FeatureCache(defaultCacheDir());

function auc(pos: number[], neg: number[]): number {
  let w = 0;
  for (const a of pos) for (const b of neg) w += a > b ? 1 : a === b ? 0.5 : 0;
  return w / (pos.length * neg.length);
}

const acc: Record<string, Record<string, number[]>> = {};
for (const seed of results.seeds) {
  const m = loadTrainedModel(path.join(run, `seed-${seed}`, 'model'));
  const { functionalHead: head, ...net } = m;
  const refLabels = parseReferenceLabels(m.hyper.speaker_reference ?? '');
  const K = m.classes.length;
  const ix = (c: string): number => m.classes.indexOf(c);
  for (const corpus of results.corpora) {
    const dir = existingSharedData(corpus)!;
    const ds = scanDataset(dir, { labelMap: RAVDESS_LABEL_MAP });
    const ev = await evaluate({ model: net, data: ds, predictions: true, cacheDir: cache.dir ?? null });
    const byPath = new Map(ds.items.map((it) => [it.path, it]));
    const preds = ev.predictions!.map((p) => ({
      path: path.resolve(p.file),
      label: refLabels.includes(p.label) ? 'neutral' : p.label,
      probs: p.probs,
    }));
    const half = referenceHalf(ds.items, refLabels);
    const refs = ds.items.filter((it) => half.has(it.path)).map((it) => ({ path: it.path, speaker: it.speaker }));
    const hp = await clipHeadProbabilities(
      { ...m, functionalHead: head! },
      preds.map((p) => ({ path: p.path, speaker: byPath.get(p.path)?.speaker ?? null })),
      refs,
      cache,
    );
    const np = Float32Array.from(preds.flatMap((p) => p.probs));
    const fp = fuseProbabilities(np, hp, m.classes, 'product', head!.priors);
    const views: Record<string, Float32Array> = { net: np, head: hp, fused: fp };
    for (const [v, pr] of Object.entries(views)) {
      const row = (i: number): Float32Array => pr.subarray(i * K, (i + 1) * K);
      const calm = preds.map((p, i) => [p, i] as const).filter(([p]) => p.label === 'neutral');
      const sig = preds.map((p, i) => [p, i] as const).filter(([p]) => p.label === 'panic' || p.label === 'excitement');
      const scores: Record<string, (r: Float32Array) => number> = {
        'p(neutral)': (r) => r[ix('neutral')]!,
        'arousal−': (r) => -(r[ix('panic')]! + r[ix('excitement')]!),
        'high/(high+neutral)': (r) => r[ix('neutral')]! / (r[ix('neutral')]! + r[ix('panic')]! + r[ix('excitement')]!),
      };
      for (const [sn, f] of Object.entries(scores)) {
        ((acc[`${corpus} ${v} AUC ${sn}`] ??= {}).x ??= []).push(
          auc(
            calm.map(([, i]) => f(row(i))),
            sig.map(([, i]) => f(row(i))),
          ),
        );
      }
      const pe = sig.map(([p, i]) => (p.label === 'panic') === row(i)[ix('panic')]! > row(i)[ix('excitement')]!);
      const recall = (l: string): number => {
        const xs = sig.map(([p], j) => [p.label, pe[j]] as const).filter(([lab]) => lab === l);
        return xs.filter(([, ok]) => ok).length / xs.length;
      };
      ((acc[`${corpus} ${v} pair`] ??= {}).x ??= []).push((recall('panic') + recall('excitement')) / 2);
    }
  }
  console.error(`seed ${seed} done`);
}
for (const [k, v] of Object.entries(acc))
  console.log(`${k.padEnd(48)} ${((100 * v.x!.reduce((a, b) => a + b, 0)) / v.x!.length).toFixed(1)}`);
