/**
 * Which cues cross corpora? (issue 13 item 5) A cheap measurement, no network training:
 *   1. speaker-relative eGeMAPS-style functionals (src/features/functionals.ts) of converted sets (the
 *      converted speakers' references are the neutral-pool clips they were made from) and of the real
 *      dev corpora ravdess-dev and tess-dev (references: each speaker's neutral/calm clips);
 *   2. per functional, the effect size (Cohen's d) of panic vs excitement and of high arousal vs
 *      boredom in each converted set, next to fearful vs happy and fearful/happy vs neutral/calm in each
 *      real corpus: does the conversion move a cue the way real speakers do?
 *   3. a multinomial logistic regression (4 classes) trained on each converted set and scored on both
 *      corpora: balanced accuracy of panic (fearful) vs excitement (happy), predicting among the two and
 *      among all four; the arousal axis as a binary model (boredom vs panic + excitement) scored by
 *      AUC on real fearful/happy vs neutral/calm (the neutral/calm clips made relative to their
 *      speaker's *other* reference clips, so they are not compared with themselves);
 *   4. the same with duration alone (the length-only baseline; it should sit near chance), and with
 *      two groups fixed in advance: prosody (F0, loudness, timing) and voice quality (spectral
 *      slopes, alpha ratio, Hammarberg index, jitter, shimmer, HNR);
 *   5. directions: the mean speaker-relative value of every functional per class (z against the
 *      speaker's neutral references; the neutral/calm rows of the real corpora are leave-one-out).
 * Nothing is tuned: one fixed regulariser, no feature selection; the real corpora are only scored.
 * Prints JSON. Functionals are cached per file (path, size, mtime) in --cache.
 *
 *   npx tsx bench/functionals-transfer.ts --converted DIR[,DIR…] [--names a,b] [--neutral DIR]
 *     [--cache FILE] [--out FILE]
 *
 * Make the converted sets with `affexion convert ../shared/data/neutral-pool --out DIR --seed 1`.
 */
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import os from 'node:os';
import { scanDataset, type DatasetItem } from '../src/data/dataset.js';
import { loadAudio } from '../src/audio/load.js';
import { clipFunctionals, functionalVector, FUNCTIONAL_NAMES } from '../src/features/functionals.js';
import { fitFunctionalReference, relativeToSpeaker } from '../src/data/functional-reference.js';

function arg(name: string, dflt: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1]! : dflt;
}
const SHARED = process.env.AFFEXION_SHARED_DIR ?? path.resolve(import.meta.dirname, '../../shared');
const convertedDirs = arg('converted', '').split(',').filter(Boolean);
if (convertedDirs.length === 0) throw new Error('--converted DIR[,DIR…] is required (outputs of affexion convert)');
const names = arg('names', convertedDirs.map((d) => path.basename(d)).join(',')).split(',');
const neutralDir = arg('neutral', path.join(SHARED, 'data/neutral-pool'));
const cacheFile = arg('cache', path.join(os.tmpdir(), 'affexion-functionals-cache.json'));
const CLASSES = ['boredom', 'panic', 'excitement', 'uncertainty'];
const REAL_TO_CLASS: Record<string, string> = { fearful: 'panic', happy: 'excitement' };
const REFERENCE = new Set(['neutral', 'calm']);

// ---- functionals, cached per file -------------------------------------------------------------
type Entry = { key: string; v: number[]; dur: number };
const cache: Record<string, Entry> = existsSync(cacheFile) ? JSON.parse(readFileSync(cacheFile, 'utf8')) : {};
let computed = 0;
async function functionalsOf(file: string): Promise<Entry> {
  const st = statSync(file);
  const key = `${st.size}|${st.mtimeMs}`;
  const hit = cache[file];
  if (hit && hit.key === key) return hit;
  const a = await loadAudio(file);
  const e = {
    key,
    v: functionalVector(clipFunctionals(a.samples, 16000)).map((x) => (Number.isFinite(x) ? x : NaN)),
    dur: a.samples.length / 16000,
  };
  cache[file] = e;
  if (++computed % 100 === 0) {
    writeFileSync(cacheFile, JSON.stringify(cache));
    process.stderr.write(`functionals: ${computed} computed\n`);
  }
  return e;
}

interface Clip {
  item: DatasetItem;
  raw: number[];
  dur: number;
  rel: number[];
}

/** Speaker-relative vectors; reference clips are made relative to their speaker's other references. */
function relative(clips: Omit<Clip, 'rel'>[], isRef: boolean[]): Clip[] {
  const spk = clips.map((c) => c.item.speaker ?? 'unknown');
  const all = fitFunctionalReference(
    clips.map((c) => c.raw),
    spk,
    isRef,
  );
  return clips.map((c, i) => {
    if (!isRef[i]) return { ...c, rel: relativeToSpeaker(all, c.raw, spk[i]!) };
    const others = fitFunctionalReference(
      clips.map((d) => d.raw),
      spk,
      isRef.map((r, j) => r && j !== i),
    );
    return { ...c, rel: relativeToSpeaker({ means: others.means, std: all.std }, c.raw, spk[i]!) };
  });
}

async function load(dir: string): Promise<Omit<Clip, 'rel'>[]> {
  const out: Omit<Clip, 'rel'>[] = [];
  for (const item of scanDataset(dir).items) {
    const e = await functionalsOf(item.path);
    out.push({ item, raw: e.v, dur: e.dur });
  }
  return out;
}

// ---- a small multinomial logistic regression (full-batch gradient descent, L2) ---------------
interface Model {
  mu: number[];
  sd: number[];
  W: number[][];
  K: number;
}
function fit(X: number[][], y: number[], K: number, l2 = 1e-2, iters = 800, lr = 0.5): Model {
  const D = X[0]!.length,
    n = X.length;
  const mu = Array.from({ length: D }, (_, d) => X.reduce((a, x) => a + x[d]!, 0) / n);
  const sd = Array.from({ length: D }, (_, d) => Math.sqrt(X.reduce((a, x) => a + (x[d]! - mu[d]!) ** 2, 0) / n) || 1);
  const Z = X.map((x) => x.map((v, d) => (v - mu[d]!) / sd[d]!));
  const W = Array.from({ length: K }, () => new Array<number>(D + 1).fill(0));
  for (let it = 0; it < iters; it++) {
    const G = Array.from({ length: K }, () => new Array<number>(D + 1).fill(0));
    Z.forEach((z, i) => {
      const p = softmax(W.map((w) => w[D]! + z.reduce((a, v, d) => a + v * w[d]!, 0)));
      for (let k = 0; k < K; k++) {
        const g = p[k]! - (k === y[i] ? 1 : 0);
        for (let d = 0; d < D; d++) G[k]![d]! += g * z[d]!;
        G[k]![D]! += g;
      }
    });
    for (let k = 0; k < K; k++) for (let d = 0; d <= D; d++) W[k]![d]! -= lr * (G[k]![d]! / n + (d < D ? l2 * W[k]![d]! : 0));
  }
  return { mu, sd, W, K };
}
function softmax(l: number[]): number[] {
  const m = Math.max(...l),
    e = l.map((v) => Math.exp(v - m)),
    s = e.reduce((a, b) => a + b);
  return e.map((v) => v / s);
}
function logits(m: Model, x: number[]): number[] {
  const D = x.length;
  return m.W.map((w) => w[D]! + x.reduce((a, v, d) => a + ((v - m.mu[d]!) / m.sd[d]!) * w[d]!, 0));
}

/** Area under the ROC curve of `pos` scores over `neg` scores (ties count half). */
function auc(pos: number[], neg: number[]): number {
  let s = 0;
  for (const p of pos) for (const q of neg) s += p > q ? 1 : p === q ? 0.5 : 0;
  return s / (pos.length * neg.length);
}
/** Cohen's d of a vs b (pooled sd). */
function cohenD(a: number[], b: number[]): number {
  const m = (v: number[]): number => v.reduce((x, y) => x + y, 0) / v.length;
  const va = a.reduce((x, y) => x + (y - m(a)) ** 2, 0),
    vb = b.reduce((x, y) => x + (y - m(b)) ** 2, 0);
  const s = Math.sqrt((va + vb) / (a.length + b.length - 2));
  return s > 0 ? (m(a) - m(b)) / s : 0;
}
const r3 = (v: number): number => Math.round(v * 1000) / 1000;

// ---- load everything --------------------------------------------------------------------------
const neutral = await load(neutralDir);
const realSets: Record<string, Clip[]> = {};
for (const corpus of ['ravdess-dev', 'tess-dev']) {
  const raw = await load(path.join(SHARED, 'data', corpus));
  realSets[corpus] = relative(
    raw,
    raw.map((c) => REFERENCE.has(c.item.label)),
  );
}
const converted = [];
for (const dir of convertedDirs) {
  const conv = await load(dir);
  // Converted clips are relative to the neutral-pool clips of their speaker (the sources).
  const both = relative([...neutral, ...conv], [...neutral.map(() => true), ...conv.map(() => false)]);
  converted.push(both.slice(neutral.length));
}
writeFileSync(cacheFile, JSON.stringify(cache));

// ---- per-cue effect sizes ---------------------------------------------------------------------
const pick = (clips: Clip[], labels: string[], f: (c: Clip) => number): number[] =>
  clips.filter((c) => labels.includes(c.item.label)).map(f);
const cues = FUNCTIONAL_NAMES.map((name, d) => {
  const row: Record<string, unknown> = { cue: name };
  converted.forEach((conv, s) => {
    row[`${names[s]}_panic_vs_excitement_d`] = r3(
      cohenD(
        pick(conv, ['panic'], (c) => c.rel[d]!),
        pick(conv, ['excitement'], (c) => c.rel[d]!),
      ),
    );
    row[`${names[s]}_high_vs_boredom_d`] = r3(
      cohenD(
        pick(conv, ['panic', 'excitement'], (c) => c.rel[d]!),
        pick(conv, ['boredom'], (c) => c.rel[d]!),
      ),
    );
  });
  for (const [corpus, clips] of Object.entries(realSets)) {
    row[`${corpus}_fearful_vs_happy_d`] = r3(
      cohenD(
        pick(clips, ['fearful'], (c) => c.rel[d]!),
        pick(clips, ['happy'], (c) => c.rel[d]!),
      ),
    );
    row[`${corpus}_high_vs_neutral_d`] = r3(
      cohenD(
        pick(clips, ['fearful', 'happy'], (c) => c.rel[d]!),
        pick(clips, ['neutral', 'calm'], (c) => c.rel[d]!),
      ),
    );
  }
  return row;
});

// ---- directions: mean speaker-relative value (z re the speaker's neutral references) per class ----
const meanRel = (clips: Clip[], label: string): Record<string, number> => {
  const sel = clips.filter((c) => c.item.label === label);
  return Object.fromEntries(FUNCTIONAL_NAMES.map((name, d) => [name, r3(sel.reduce((a, c) => a + c.rel[d]!, 0) / sel.length)]));
};
const directions: Record<string, Record<string, Record<string, number>>> = {};
converted.forEach((conv, s2) => {
  directions[names[s2]!] = Object.fromEntries(CLASSES.map((c) => [c, meanRel(conv, c)]));
});
for (const [corpus, clips] of Object.entries(realSets)) {
  directions[corpus] = Object.fromEntries([...new Set(clips.map((c) => c.item.label))].sort().map((l) => [l, meanRel(clips, l)]));
}

// ---- classifiers --------------------------------------------------------------------------------
type Features = (c: Clip) => number[];
/** Groups fixed in advance (not chosen on the corpora): prosody (F0, loudness, timing) and voice quality (spectrum, perturbation). */
const PROSODY = [
  'f0MeanSt',
  'f0SdSt',
  'f0RangeSt',
  'loudnessMean',
  'loudnessCv',
  'voicedSegmentsPerSec',
  'voicedSegmentSec',
  'unvoicedSegmentSec',
  'pauseRatio',
];
const dimsOf = (names2: string[]): number[] => names2.map((n) => FUNCTIONAL_NAMES.indexOf(n as (typeof FUNCTIONAL_NAMES)[number]));
const prosodyDims = dimsOf(PROSODY);
const qualityDims = FUNCTIONAL_NAMES.map((_, d) => d).filter((d) => !prosodyDims.includes(d));
const FEATURE_SETS: Record<string, Features> = {
  functionals: (c) => c.rel,
  prosody_only: (c) => prosodyDims.map((d) => c.rel[d]!),
  voice_quality_only: (c) => qualityDims.map((d) => c.rel[d]!),
  length_only: (c) => [Math.log(c.dur)],
};
function score(conv: Clip[], feats: Features): Record<string, unknown> {
  const model = fit(
    conv.map(feats),
    conv.map((c) => CLASSES.indexOf(c.item.label)),
    CLASSES.length,
  );
  const high = conv.filter((c) => c.item.label !== 'uncertainty');
  const arousal = fit(
    high.map(feats),
    high.map((c) => (c.item.label === 'boredom' ? 0 : 1)),
    2,
  );
  const out: Record<string, unknown> = {};
  const bal2s: number[] = [],
    aucs: number[] = [];
  for (const [corpus, clips] of Object.entries(realSets)) {
    const test = clips.filter((c) => REAL_TO_CLASS[c.item.label]);
    const rec2: number[] = [],
      rec4: number[] = [];
    const confusion: Record<string, number> = {};
    for (const cls of ['panic', 'excitement']) {
      const t = test.filter((c) => REAL_TO_CLASS[c.item.label] === cls);
      const k = CLASSES.indexOf(cls);
      let ok2 = 0,
        ok4 = 0;
      for (const c of t) {
        const l = logits(model, feats(c));
        const p4 = l.indexOf(Math.max(...l));
        const p2 = l[1]! >= l[2]! ? 1 : 2;
        ok2 += p2 === k ? 1 : 0;
        ok4 += p4 === k ? 1 : 0;
        const key = `${c.item.label}->${CLASSES[p4]}`;
        confusion[key] = (confusion[key] ?? 0) + 1;
      }
      rec2.push(ok2 / t.length);
      rec4.push(ok4 / t.length);
    }
    const aScore = (c: Clip): number => {
      const l = logits(arousal, feats(c));
      return l[1]! - l[0]!;
    };
    const a = auc(pick(clips, ['fearful', 'happy'], aScore), pick(clips, ['neutral', 'calm'], aScore));
    const bal2 = (rec2[0]! + rec2[1]!) / 2;
    bal2s.push(bal2);
    aucs.push(a);
    out[corpus] = {
      balanced_accuracy_2way: r3(bal2),
      recall_panic_2way: r3(rec2[0]!),
      recall_excitement_2way: r3(rec2[1]!),
      balanced_accuracy_4way: r3((rec4[0]! + rec4[1]!) / 2),
      confusion_4way: confusion,
      arousal_auc: r3(a),
      n: test.length,
    };
  }
  out.mean = { balanced_accuracy_2way: r3((bal2s[0]! + bal2s[1]!) / 2), arousal_auc: r3((aucs[0]! + aucs[1]!) / 2) };
  return out;
}
const results: Record<string, unknown> = {};
converted.forEach((conv, s) => {
  results[names[s]!] = Object.fromEntries(Object.entries(FEATURE_SETS).map(([fs, f]) => [fs, score(conv, f)]));
  const dur = (label: string): number => {
    const d = conv.filter((c) => c.item.label === label).map((c) => c.dur);
    return r3(d.reduce((a, b) => a + b, 0) / d.length);
  };
  (results[names[s]!] as Record<string, unknown>).mean_duration_sec = Object.fromEntries(CLASSES.map((c) => [c, dur(c)]));
});

const report = {
  bench: 'functionals-transfer',
  converted: Object.fromEntries(names.map((n, i) => [n, convertedDirs[i]])),
  neutral: neutralDir,
  clips: {
    neutral_pool: neutral.length,
    ...Object.fromEntries(Object.entries(realSets).map(([k, v]) => [k, v.length])),
    converted: converted.map((c) => c.length),
  },
  functionals_computed: computed,
  results,
  cues,
  directions,
};
const json = JSON.stringify(report, null, 1);
if (process.argv.includes('--out')) writeFileSync(arg('out', ''), json);
process.stdout.write(`${json}\n`);
