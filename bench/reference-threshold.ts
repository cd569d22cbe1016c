// Study aid (issue 13): can each speaker's own reference clips set that speaker's neutral boundary?
// For a finished `affexion experiment real-speech` RUN, every seed and corpus: each reference clip is
// scored leave-one-out (network normalised with the speaker's *other* references, head relative to their
// mean functionals, product fusion), giving the margins m = log p(neutral) − log max p(signal) of known
// neutral speech of that speaker. Rules compared on the scored clips (seed-<s>/probs-<corpus>.json):
//   argmax           the model's own boundary (m ≥ 0 is neutral) — what the experiment reports
//   p(neutral)<0.5   a signal when the signals together outweigh neutral (the best signal named)
//   high arousal     panic and excitement pooled as one group before the argmax, then the larger named
//   conformal α      signal iff m < the ⌊α(n+1)⌋-th smallest leave-one-out margin (split-conformal:
//                    at most ≈ α of the speaker's neutral speech is flagged, whatever the corpus)
//
//   npx tsx bench/reference-threshold.ts RUN [--alpha 0.2] [--json]
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { FeatureCache, defaultCacheDir } from '../src/data/cache.js';
import { scanDataset } from '../src/data/dataset.js';
import { fileFeatures } from '../src/data/features.js';
import { applySpeakerReference, parseReferenceLabels, referenceHalf, speakerReferences } from '../src/data/reference.js';
import { fileFunctionals } from '../src/data/functional-features.js';
import { finiteMeans, fuseProbabilities, headProbabilities } from '../src/model/functional-head.js';
import { loadTrainedModel, modelProbabilities } from '../src/model/model-dir.js';
import { existingSharedData } from '../src/data/shared-data.js';
import { RAVDESS_LABEL_MAP } from '../src/workflows/demo.js';
import { calmFalseAlarms, signalScores, type ScoredClip } from '../src/workflows/experiment/real-metrics.js';

interface ProbsFile {
  classes: string[];
  clips: { file: string; label: string; probs: number[] }[];
}

const run = process.argv[2];
if (!run || !existsSync(path.join(run, 'results.json'))) {
  console.error('usage: npx tsx bench/reference-threshold.ts RUN [--alpha LIST]');
  process.exit(2);
}
const ai = process.argv.indexOf('--alpha');
const alphas = (ai > 0 ? process.argv[ai + 1]! : '0.1,0.2,0.3').split(',').map(Number);
const results = JSON.parse(readFileSync(path.join(run, 'results.json'), 'utf8')) as { corpora: string[]; seeds: number[] };
const cache = new FeatureCache(defaultCacheDir());
const corpusDir = (name: string): string => existingSharedData(name) ?? path.resolve('..', 'shared', 'data', name);

/** The largest probability of a class other than neutral (index n). */
function bestSignal(p: ArrayLike<number>, n: number): number {
  let best = 0;
  for (let k = 0; k < p.length; k++) if (k !== n) best = Math.max(best, p[k]!);
  return best;
}

/** Margin of neutral over the best signal (natural log). */
function margin(p: ArrayLike<number>, n: number): number {
  return Math.log(Math.max(p[n]!, 1e-12)) - Math.log(Math.max(bestSignal(p, n), 1e-12));
}

/** A clip whose neutral probability is set just above (neutral wins) or below the best signal: the rule's decision, scored as the argmax. */
function decided(c: { label: string; probs: Float32Array }, n: number, neutralWins: boolean): ScoredClip {
  const p = Float32Array.from(c.probs);
  const best = bestSignal(p, n);
  p[n] = neutralWins ? best * 1.0001 + 1e-9 : best * 0.9999;
  return { label: c.label, probs: p };
}

/** Neutral wins iff its margin reaches the speaker's threshold. */
function decide(
  clips: { label: string; probs: Float32Array; speaker: string }[],
  n: number,
  threshold: (spk: string) => number,
): ScoredClip[] {
  return clips.map((c) => decided(c, n, margin(c.probs, n) >= threshold(c.speaker)));
}

const rows: Record<string, Record<string, { ba: number[]; fa: number[] }>> = {};
const add = (rule: string, corpus: string, ba: number, fa: number | null): void => {
  const r = ((rows[rule] ??= {})[corpus] ??= { ba: [], fa: [] });
  r.ba.push(ba);
  r.fa.push(fa ?? NaN);
};
const kth = (xs: number[], alpha: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  const k = Math.floor(alpha * (s.length + 1));
  return k < 1 ? -Infinity : s[Math.min(k, s.length) - 1]!;
};
const refMarginsAll: Record<string, number[]> = {};
const scoredMarginsAll: Record<string, Record<string, number[]>> = {};

for (const seed of results.seeds) {
  const m = loadTrainedModel(path.join(run, `seed-${seed}`, 'model'));
  const n = m.classes.indexOf('neutral');
  const K = m.classes.length;
  const refLabels = parseReferenceLabels(m.hyper.speaker_reference ?? '');
  for (const corpus of results.corpora) {
    const dir = corpusDir(corpus);
    const ds = scanDataset(dir, { labelMap: RAVDESS_LABEL_MAP });
    const half = referenceHalf(ds.items, refLabels);
    const speakerOf = new Map(ds.items.map((it) => [path.relative(dir, it.path), it.speaker ?? it.path]));
    const refsBySpeaker = new Map<string, string[]>();
    for (const it of ds.items)
      if (half.has(it.path) && it.speaker)
        (refsBySpeaker.get(it.speaker) ?? refsBySpeaker.set(it.speaker, []).get(it.speaker)!).push(it.path);
    const looMargins = new Map<string, number[]>();
    for (const [spk, refs] of refsBySpeaker) {
      const feats = [];
      const funcs = [];
      for (const r of refs) {
        feats.push(await fileFeatures(r, m.featureSettings, cache));
        funcs.push(await fileFunctionals(r, m.featureSettings, cache));
      }
      const normed = feats.map((f, i) => {
        const others = feats.filter((_, j) => j !== i);
        return applySpeakerReference(
          f,
          speakerReferences(
            others,
            others.map(() => spk),
            m.hyper.max_len,
          ).get(spk)!,
        );
      });
      let probs = await modelProbabilities(m, normed);
      if (m.functionalHead) {
        const hp = headProbabilities(
          m.functionalHead,
          funcs,
          funcs.map((_, i) => finiteMeans(funcs.filter((__, j) => j !== i))),
        );
        probs = fuseProbabilities(probs, hp, m.classes, m.functionalHead.fusion, m.functionalHead.priors);
      }
      looMargins.set(
        spk,
        refs.map((_, i) => margin(probs.subarray(i * K, (i + 1) * K), n)),
      );
    }
    const pf = JSON.parse(readFileSync(path.join(run, `seed-${seed}`, `probs-${corpus}.json`), 'utf8')) as ProbsFile;
    const clips = pf.clips.map((c) => ({ label: c.label, probs: Float32Array.from(c.probs), speaker: speakerOf.get(c.file) ?? c.file }));
    (refMarginsAll[corpus] ??= []).push(...[...looMargins.values()].flat());
    for (const c of clips) ((scoredMarginsAll[corpus] ??= {})[c.label] ??= []).push(margin(c.probs, n));
    const score = (rule: string, sc: ScoredClip[]): void =>
      add(rule, corpus, signalScores(sc, m.classes).balanced_accuracy, calmFalseAlarms(sc, m.classes).rate);
    score('argmax', clips);
    score(
      'p(neutral)<0.5',
      clips.map((c) => decided(c, n, c.probs[n]! >= 0.5)),
    );
    const [ip, ie] = [m.classes.indexOf('panic'), m.classes.indexOf('excitement')];
    if (ip >= 0 && ie >= 0)
      score(
        'high arousal',
        clips.map((c) => {
          const p = Float32Array.from(c.probs);
          const high = p[ip]! + p[ie]!;
          const others = [...p.keys()].filter((k) => k !== ip && k !== ie);
          const bestOther = others.reduce((b, k) => (p[k]! > p[b]! ? k : b), others[0]!);
          // The group wins: its larger member gets the group's mass; otherwise the best other class stays on top.
          if (high > p[bestOther]!) p[p[ip]! > p[ie]! ? ip : ie] = high;
          return { label: c.label, probs: p };
        }),
      );
    for (const a of alphas)
      score(
        `conformal ${a}`,
        decide(clips, n, (spk) => kth(looMargins.get(spk) ?? [], a)),
      );
    // Each speaker's boundary from its references alone (not from the corpus): the median leave-one-out margin minus twice its spread (MAD).
    score(
      'median-2mad',
      decide(clips, n, (spk) => {
        const xs = [...(looMargins.get(spk) ?? [])].sort((a, b) => a - b);
        const med = xs[Math.floor(xs.length / 2)]!;
        const mad = [...xs.map((x) => Math.abs(x - med))].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
        return med - 2 * 1.4826 * mad;
      }),
    );
  }
  console.error(`seed ${seed} done`);
}

const avg = (xs: number[]): number => xs.reduce((a, x) => a + x, 0) / xs.length;
const pct = (x: number): string => (100 * x).toFixed(1);
const quart = (xs: number[]): string => {
  const s = [...xs].sort((a, b) => a - b);
  return [0.1, 0.25, 0.5, 0.75, 0.9].map((q) => s[Math.floor(q * (s.length - 1))]!.toFixed(2)).join(' ');
};
for (const [rule, byCorpus] of Object.entries(rows)) {
  const cs = results.corpora.map((c) => byCorpus[c]!);
  console.log(
    `${rule.padEnd(16)} ${results.corpora.map((c, i) => `${c} BA ${pct(avg(cs[i]!.ba))} FA ${pct(avg(cs[i]!.fa))}`).join(' | ')} | mean BA ${pct(avg(cs.map((c) => avg(c.ba))))} FA ${pct(avg(cs.map((c) => avg(c.fa))))}`,
  );
}
for (const c of results.corpora) {
  console.log(`${c}: leave-one-out reference margins (10/25/50/75/90 %): ${quart(refMarginsAll[c]!)}`);
  for (const [l, xs] of Object.entries(scoredMarginsAll[c]!)) console.log(`  scored ${l}: ${quart(xs)}`);
}
