/**
 * Speaker reference normalisation: the statistics, the data path (train → model → evaluate / predict /
 * cv), and the errors when a speaker has no reference.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { applySpeakerReference, parseReferenceLabels, speakerReferences } from '../../src/data/reference.js';
import { FeatureCache } from '../../src/data/cache.js';
import { datasetFeatures, resolveFeatureSettings } from '../../src/data/features.js';
import { scanDataset } from '../../src/data/dataset.js';
import type { FeatureMatrix } from '../../src/features/index.js';
import { train } from '../../src/train/train.js';
import { loadSplit } from '../../src/data/split.js';
import { evaluate } from '../../src/eval/evaluate.js';
import { predictFiles } from '../../src/eval/predict.js';
import { crossValidate } from '../../src/eval/cv.js';
import { loadTrainedModel, modelProbabilities } from '../../src/model/model-dir.js';
import { makeToneDataset, TINY_FEATURES, TINY_HYPER, tmpDir } from '../train/fixtures.js';

const mat = (rows: number, frames: number, f: (r: number, t: number) => number): FeatureMatrix => ({
  rows,
  frames,
  data: Float32Array.from({ length: rows * frames }, (_, k) => f(Math.floor(k / frames), k % frames)),
});

test('parseReferenceLabels: comma list, lower-cased, de-duplicated; empty = off; an empty entry names the option', () => {
  assert.deepEqual(parseReferenceLabels(''), []);
  assert.deepEqual(parseReferenceLabels(' Neutral, calm ,neutral'), ['neutral', 'calm']);
  assert.throws(() => parseReferenceLabels('neutral,,calm'), /speaker_reference: expected labels like neutral,calm, got "neutral,,calm"/);
});

test('speakerReferences: per-speaker, per-channel mean and population std over the first maxLen frames of the reference clips', () => {
  // Speaker a: two clips; with maxLen 3 the 4th frame of the first clip does not count.
  const a1 = mat(2, 4, (r, t) => (r === 0 ? [1, 2, 3, 100][t]! : 10 * t));
  const a2 = mat(2, 2, (r, t) => (r === 0 ? [4, 5][t]! : -t));
  const b1 = mat(2, 3, () => 7); // constant: std floored, not zero
  const refs = speakerReferences([a1, a2, b1], ['a', 'a', 'b'], 3);
  const a = refs.get('a')!;
  const row0 = [1, 2, 3, 4, 5];
  const row1 = [0, 10, 20, 0, -1];
  const mean = (v: number[]) => v.reduce((s, x) => s + x, 0) / v.length;
  const std = (v: number[]) => Math.sqrt(mean(v.map((x) => (x - mean(v)) ** 2)));
  assert.equal(a.clips, 2);
  assert.equal(a.frames, 5);
  assert.ok(Math.abs(a.mean[0]! - mean(row0)) < 1e-12 && Math.abs(a.std[0]! - std(row0)) < 1e-12);
  assert.ok(Math.abs(a.mean[1]! - mean(row1)) < 1e-12 && Math.abs(a.std[1]! - std(row1)) < 1e-12);
  const b = refs.get('b')!;
  assert.equal(b.mean[0], 7);
  assert.ok(b.std[0]! > 0 && b.std[0]! < 1e-6);
  // Applying it z-scores every frame of a clip (all frames, not only the first maxLen).
  const z = applySpeakerReference(a1, a);
  assert.ok(Math.abs(z.data[3]! - (100 - mean(row0)) / std(row0)) < 1e-4);
  assert.ok(Math.abs(z.data[4 + 2]! - (20 - mean(row1)) / std(row1)) < 1e-5);
  assert.equal(a1.data[3], 100, 'the input is not modified');
  assert.throws(
    () =>
      applySpeakerReference(
        mat(3, 2, () => 0),
        a,
      ),
    /statistics for 2 feature rows, clip has 3/,
  );
});

/** Tones of three speakers: classes a and b, plus each speaker's neutral clips (the references). */
function dataset(seed: number): string {
  return makeToneDataset({ classes: ['boredom', 'panic', 'neutral'], perClass: 6, seed, speakers: true });
}
const hyper = { ...TINY_HYPER, epochs: 2, speaker_reference: 'neutral' };

test("train → evaluate → predict: clips are z-scored with their own speaker's neutral clips, which are neither trained on nor scored", async () => {
  const data = dataset(11);
  const out = tmpDir();
  const r = await train({ data, out, hyper, features: TINY_FEATURES, cacheDir: null, report: false });
  assert.deepEqual(r.classes, ['boredom', 'panic'], 'the reference label is not a class');
  const model = loadTrainedModel(out);
  assert.equal(model.hyper.speaker_reference, 'neutral', 'stored with the model');

  // Evaluate, then recompute its probabilities independently: features, per-speaker statistics of that
  // speaker's neutral clips (written out here, not through the module), z-score, the networks.
  const test = dataset(12);
  const ev = await evaluate({ model, data: test, cacheDir: null, predictions: true });
  assert.equal(ev.n, 12);
  assert.deepEqual(ev.reference_labels, { neutral: 6 });
  assert.deepEqual(ev.unknown_labels, {});
  const ds = scanDataset(test);
  const settings = resolveFeatureSettings({ params: TINY_FEATURES, loudness: 'peak' });
  const { features } = await datasetFeatures(
    ds.items.map((it) => it.path),
    settings,
    new FeatureCache(null),
  );
  const stats = new Map<string, { mean: number[]; std: number[] }>();
  for (const spk of ['spk0', 'spk1', 'spk2']) {
    const refs = ds.items
      .map((it, i) => [it, features[i]!] as const)
      .filter(([it]) => it.label === 'neutral' && it.speaker === spk)
      .map(([, m]) => m);
    assert.equal(refs.length, 2);
    const rows = refs[0]!.rows;
    const mean: number[] = [];
    const std: number[] = [];
    for (let r0 = 0; r0 < rows; r0++) {
      const v = refs.flatMap((m) => Array.from(m.data.subarray(r0 * m.frames, r0 * m.frames + Math.min(m.frames, hyper.max_len))));
      const mu = v.reduce((s, x) => s + x, 0) / v.length;
      mean.push(mu);
      std.push(Math.sqrt(v.reduce((s, x) => s + (x - mu) ** 2, 0) / v.length));
    }
    stats.set(spk, { mean, std });
  }
  const scored = ds.items.map((it, i) => [it, features[i]!] as const).filter(([it]) => it.label !== 'neutral');
  const normalised = scored.map(([it, m]) => {
    const s = stats.get(it.speaker!)!;
    return { ...m, data: m.data.map((v, k) => (v - s.mean[Math.floor(k / m.frames)]!) / s.std[Math.floor(k / m.frames)]!) };
  });
  const expected = await modelProbabilities(model, normalised);
  assert.equal(ev.predictions!.length, 12);
  ev.predictions!.forEach((p, i) =>
    p.probs.forEach((v, k) => assert.ok(Math.abs(v - expected[i * 2 + k]!) < 1e-5, `clip ${i} class ${k}: ${v} vs ${expected[i * 2 + k]}`)),
  );

  // predict: the speaker's calm clips as --reference give the same probabilities as evaluate (one window: the whole clip).
  const spk0 = ds.items.filter((it) => it.speaker === 'spk0');
  const target = spk0.find((it) => it.label === 'panic')!;
  const [pred] = await predictFiles(model, [target.path], {
    window: 10,
    reference: spk0.filter((it) => it.label === 'neutral').map((it) => it.path),
  });
  const fromEval = ev.predictions!.find((p) => path.resolve(p.file) === target.path)!;
  assert.ok(Math.abs(pred!.probs.panic! - fromEval.probs[1]!) < 1e-5);
  // No reference: population normalisation (one file = the utterance's own statistics), with a warning naming the fallback.
  const warnings: string[] = [];
  const [fallback] = await predictFiles(model, [target.path], { window: 10, onWarning: (w) => warnings.push(w) });
  assert.equal(fallback!.reference, 'population');
  assert.equal(pred!.reference, 'speaker');
  assert.ok(!fallback!.error && Math.abs(Object.values(fallback!.probs).reduce((a, b) => a + b, 0) - 1) < 1e-5);
  assert.match(warnings.join('\n'), /falling back to population normalisation \(the neutral speech of all its training speakers\)/);
  assert.equal(loadTrainedModel(model.dir).populationReference!.clips, model.populationReference!.clips);
  // A model saved without a population reference (older versions): the session's statistics.
  const [session] = await predictFiles({ ...model, populationReference: undefined }, [target.path], { window: 10 });
  assert.equal(session!.reference, 'session');
  await assert.rejects(
    predictFiles(model, [target.path], { reference: [path.join(path.dirname(target.path), 'missing.wav')] }),
    /reference: .*missing\.wav/,
  );
});

test('missing references are named; --reference supplies them from another dataset; cv and other models refuse nonsense', async () => {
  const data = dataset(13);
  const out = tmpDir();
  await train({ data, out, hyper: { ...hyper, epochs: 1 }, features: TINY_FEATURES, cacheDir: null, report: false });
  const model = loadTrainedModel(out);
  // Test data whose neutral clips are mapped away: no reference for any speaker.
  await assert.rejects(
    evaluate({ model, data: dataset(14), labelMap: 'neutral=', cacheDir: null }),
    /data: no reference clip \(label neutral\) for speakers spk0, spk1, spk2; keep each speaker's neutral clips in the data .* or give them as extra reference data/,
  );
  // The same clips with the references in a separate dataset.
  const refs = dataset(14);
  const ok = await evaluate({ model, data: refs, labelMap: 'neutral=', reference: refs, cacheDir: null });
  const same = await evaluate({ model, data: refs, cacheDir: null });
  assert.deepEqual(ok.confusion, same.confusion);
  // A clip without a speaker id.
  const noSpeaker = makeToneDataset({ classes: ['boredom', 'panic', 'neutral'], perClass: 3, seed: 15 });
  await assert.rejects(evaluate({ model, data: noSpeaker, cacheDir: null }), /data: .*spk0_0\.wav has no speaker id/);
  // --reference with a model trained without references; training with only the reference class left.
  const plain = tmpDir();
  await train({ data, out: plain, hyper: { ...TINY_HYPER, epochs: 1 }, features: TINY_FEATURES, cacheDir: null, report: false });
  await assert.rejects(
    evaluate({ model: plain, data, reference: refs, cacheDir: null }),
    /reference: the model in .* was trained without speaker reference normalisation/,
  );
  await assert.rejects(
    train({ data, out: tmpDir(), hyper: { ...hyper, speaker_reference: 'neutral,boredom' }, features: TINY_FEATURES, cacheDir: null }),
    /data: only one class \("panic"\) besides the speaker reference labels \(neutral, boredom\)/,
  );
  await assert.rejects(
    train({ data, out: tmpDir(), reference: refs, hyper: { ...TINY_HYPER, epochs: 1 }, features: TINY_FEATURES, cacheDir: null }),
    /reference: only used with speaker_reference/,
  );
  // cv: folds by speaker, every clip normalised with its own speaker's references.
  const cv = await crossValidate({
    data,
    out: tmpDir(),
    folds: 3,
    groupBy: 'speaker',
    hyper: { ...hyper, epochs: 1 },
    features: TINY_FEATURES,
    cacheDir: null,
    report: false,
  });
  assert.deepEqual(cv.classes, ['boredom', 'panic']);
  assert.equal(
    cv.folds.reduce((s, f) => s + f.n_val, 0),
    12,
  );
});

test("online augmentation re-extracts features with the clip's own speaker reference", async () => {
  const ds = scanDataset(dataset(17));
  const settings = resolveFeatureSettings({ params: TINY_FEATURES, loudness: 'peak' });
  const split = await loadSplit(ds, {
    classes: ['boredom', 'panic'],
    settings,
    cache: new FeatureCache(null),
    reference: { labels: 'neutral', maxLen: 24 },
  });
  assert.equal(split.features.length, 12);
  assert.deepEqual(split.referenceLabels, { neutral: 6 });
  assert.equal(split.referenceFiles.length, 6);
  // Un-augmented samples through the online path give exactly the stored (referenced) features.
  for (const i of [0, 5, 11]) {
    const again = split.audio!.features(await split.audio!.load(i), i);
    assert.deepEqual(again.data, split.features[i]!.data);
  }
  // Another speaker's statistics give other features (the index selects the speaker).
  const other = split.itemIndex.findIndex((item) => ds.items[item]!.speaker !== ds.items[split.itemIndex[0]!]!.speaker);
  assert.notDeepEqual(split.audio!.features(await split.audio!.load(0), other).data, split.features[0]!.data);
});
