import { test } from 'node:test';
import assert from 'node:assert/strict';
import { scanDataset } from '../../src/data/dataset.js';
import { FeatureCache } from '../../src/data/cache.js';
import { resolveFeatureSettings } from '../../src/data/features.js';
import { referenceHalf } from '../../src/data/reference.js';
import { loadSplit, trainingClasses } from '../../src/data/split.js';
import { resolveHyperparameters } from '../../src/model/hyperparameters.js';
import { train } from '../../src/train/train.js';
import { evaluate } from '../../src/eval/evaluate.js';
import { makeToneDataset, TINY_FEATURES, TINY_HYPER, tmpDir } from '../train/fixtures.js';

test('referenceHalf: per speaker every other reference-labelled clip, in path order', () => {
  const items = [
    { path: '/a/3.wav', label: 'neutral', speaker: 's1' },
    { path: '/a/1.wav', label: 'calm', speaker: 's1' },
    { path: '/a/2.wav', label: 'neutral', speaker: 's1' },
    { path: '/b/1.wav', label: 'neutral', speaker: 's2' },
    { path: '/b/2.wav', label: 'panic', speaker: 's2' },
  ];
  assert.deepEqual([...referenceHalf(items, ['neutral', 'calm'])].sort(), ['/a/1.wav', '/a/3.wav', '/b/1.wav']);
});

test("neutral class: half of each speaker's neutral clips are references, the other half the class — never both; label sets without it still work", async () => {
  const data = makeToneDataset({ classes: ['boredom', 'panic', 'neutral'], perClass: 12, speakers: true, seed: 4 });
  const ds = scanDataset(data);
  assert.throws(
    () => resolveHyperparameters({ neutral_class: true, speaker_reference: 'calm' }),
    /neutral_class: .*add neutral to the speaker reference labels/,
  );
  assert.deepEqual(trainingClasses(ds, 'neutral', 'DATA', true), ['boredom', 'neutral', 'panic']);
  assert.deepEqual(trainingClasses(ds, 'neutral'), ['boredom', 'panic']);
  const classes = ['boredom', 'neutral', 'panic'];
  const split = await loadSplit(ds, {
    classes,
    settings: resolveFeatureSettings({ params: TINY_FEATURES }),
    cache: new FeatureCache(null),
    reference: { labels: 'neutral', maxLen: 24 },
  });
  const neutralClips = split.itemIndex.filter((_, i) => split.targets[i] === 1).map((i) => ds.items[i]!.path);
  assert.equal(neutralClips.length, 6);
  assert.equal(split.referenceFiles.length, 6);
  assert.equal(split.referenceLabels.neutral, 6);
  assert.ok(
    neutralClips.every((p) => !split.referenceFiles.includes(p)),
    'no clip is both a reference and a class clip',
  );
  for (const spk of ['spk0', 'spk1', 'spk2'])
    assert.ok(split.referenceFiles.some((f) => ds.items.find((it) => it.path === f)!.speaker === spk));

  const out = tmpDir();
  const r = await train({
    data,
    out,
    features: TINY_FEATURES,
    cacheDir: null,
    report: false,
    hyper: { ...TINY_HYPER, epochs: 2, speaker_reference: 'neutral', neutral_class: true },
  });
  assert.deepEqual(r.classes, classes);
  const ev = await evaluate({ model: out, data, cacheDir: null });
  assert.equal(ev.per_class[1]!.support, 6);
  assert.deepEqual(ev.reference_labels, { neutral: 6 });
});

test('referenceHalf: a clip with a fixed referenceRole keeps it and is left out of the halving', () => {
  const items = [
    { path: '/a/1.wav', label: 'neutral', speaker: 's1', referenceRole: 'reference' as const },
    { path: '/a/2.wav', label: 'neutral', speaker: 's1', referenceRole: 'reference' as const },
    { path: '/z/0.wav', label: 'neutral', speaker: 's1', referenceRole: 'class' as const },
    { path: '/b/1.wav', label: 'neutral', speaker: 's2' },
    { path: '/b/2.wav', label: 'neutral', speaker: 's2' },
  ];
  // Without roles /a/1 and /z/0 would be the references of s1 (path order); with them, the roles decide.
  assert.deepEqual([...referenceHalf(items, ['neutral'])].sort(), ['/a/1.wav', '/a/2.wav', '/b/1.wav']);
});
