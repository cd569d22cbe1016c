// Study aid (issue 13 item 6, the no-reference fallback): a user with several clips of one speaker but no
// labelled neutral speech. Instead of the training population's neutral speech, normalise each clip with
// statistics of the speaker's own clips in the call ("session"):
//   session-all     every clip of the speaker (the session's mean is then partly emotional speech);
//   session-calm-F  the fraction F of the speaker's clips the population fallback finds calmest (highest
//                   p(neutral)) — a self-enrolment that needs some calm speech in the session.
// Scored like experiment real-speech (the speaker's labelled reference half is never used or scored).
//
//   npx tsx bench/session-reference.ts RUN [--calm 0.25,0.5]
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { FeatureCache, defaultCacheDir } from '../src/data/cache.js';
import { applySpeakerReference, parseReferenceLabels, speakerReferences } from '../src/data/reference.js';
import { finiteMeans, fuseProbabilities, headProbabilities } from '../src/model/functional-head.js';
import { loadTrainedModel, modelProbabilities } from '../src/model/model-dir.js';
import { calmFalseAlarms, signalScores } from '../src/workflows/experiment/real-metrics.js';
import { scoredCorpusClips } from './scored-clips.js';

const run = process.argv[2]!;
const ci = process.argv.indexOf('--calm');
const fractions = (ci > 0 ? process.argv[ci + 1]! : '0.25,0.5').split(',').map(Number);
const results = JSON.parse(readFileSync(path.join(run, 'results.json'), 'utf8')) as { corpora: string[]; seeds: number[] };
const cache = new FeatureCache(defaultCacheDir());

const out: Record<string, { ba: number[]; fa: number[] }> = {};
const push = (k: string, ba: number, fa: number | null): void => {
  const o = (out[k] ??= { ba: [], fa: [] });
  o.ba.push(ba);
  o.fa.push(fa ?? NaN);
};

for (const seed of results.seeds) {
  const m = loadTrainedModel(path.join(run, `seed-${seed}`, 'model'));
  const head = m.functionalHead!;
  const K = m.classes.length;
  const neutral = m.classes.indexOf('neutral');
  const refLabels = parseReferenceLabels(m.hyper.speaker_reference ?? '');
  const pop = m.populationReference!;
  for (const corpus of results.corpora) {
    const clips = await scoredCorpusClips(m, corpus, refLabels, cache);
    const { feats, funcs, labels } = clips;
    // A clip without a speaker is its own session.
    const speakers = clips.speakers.map((s, i) => s ?? `clip ${i}`);
    // refOf(i): the clip indices whose statistics normalise clip i (null: the population fallback).
    const score = async (name: string, refOf: (i: number) => number[] | null): Promise<Float32Array> => {
      const normed = feats.map((f, i) => {
        const sel = refOf(i);
        if (!sel) return applySpeakerReference(f, pop);
        const mats = sel.map((j) => feats[j]!);
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
          const sel = refOf(i);
          return sel ? finiteMeans(sel.map((j) => funcs[j]!)) : null;
        }),
      );
      const fp = fuseProbabilities(np, hp, m.classes, head.fusion, head.priors);
      const clips = labels.map((l, i) => ({ label: l, probs: fp.subarray(i * K, (i + 1) * K) }));
      push(`${corpus} ${name}`, signalScores(clips, m.classes).balanced_accuracy, calmFalseAlarms(clips, m.classes).rate);
      return fp;
    };
    const popProbs = await score('population', () => null);
    const bySpeaker = new Map<string, number[]>();
    speakers.forEach((s, i) => (bySpeaker.get(s) ?? bySpeaker.set(s, []).get(s)!).push(i));
    await score('session-all', (i) => bySpeaker.get(speakers[i]!)!);
    for (const f of fractions) {
      const calmest = new Map<string, number[]>();
      for (const [s, idx] of bySpeaker) {
        const n = Math.max(2, Math.round(f * idx.length));
        calmest.set(s, [...idx].sort((a, b) => popProbs[b * K + neutral]! - popProbs[a * K + neutral]!).slice(0, n));
      }
      await score(`session-calm-${f}`, (i) => calmest.get(speakers[i]!)!);
    }
  }
  console.error(`seed ${seed} done`);
}
const avg = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
for (const [k, v] of Object.entries(out))
  console.log(`${k.padEnd(34)} BA ${(100 * avg(v.ba)).toFixed(1)}  calm FA ${(100 * avg(v.fa)).toFixed(1)}`);
