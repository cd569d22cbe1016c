import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { FeatureCache } from '../../src/data/cache.js';
import { fileFunctionals, samplesFunctionals, withoutLongPauses } from '../../src/data/functional-features.js';
import { resolveFeatureSettings, speechSamples } from '../../src/data/features.js';
import { loadAudio } from '../../src/audio/load.js';
import { FUNCTIONAL_NAMES } from '../../src/features/functionals.js';
import {
  FUNCTIONAL_HEAD_FILE,
  finiteMeans,
  fitFunctionalHead,
  fuseProbabilities,
  headProbabilities,
} from '../../src/model/functional-head.js';
import { readFunctionalHead, saveFunctionalHead } from '../../src/model/functional-head-file.js';
import { resolveHyperparameters } from '../../src/model/hyperparameters.js';
import { loadTrainedModel } from '../../src/model/model-dir.js';
import { train } from '../../src/train/train.js';
import { evaluate } from '../../src/eval/evaluate.js';
import { predictFiles } from '../../src/eval/predict.js';
import { Rng } from '../../src/engine/rng.js';
import { makeToneDataset, TINY_FEATURES, TINY_HYPER, tmpDir } from '../train/fixtures.js';

const D = FUNCTIONAL_NAMES.length;

test('fuseProbabilities: product and gate equal a hand computation; gate needs a neutral class', () => {
  const classes = ['boredom', 'neutral', 'panic'];
  const net = Float32Array.from([0.2, 0.5, 0.3]);
  const head = Float32Array.from([0.1, 0.3, 0.6]);
  const prod = fuseProbabilities(net, head, classes, 'product');
  const z = 0.2 * 0.1 + 0.5 * 0.3 + 0.3 * 0.6;
  [0.02 / z, 0.15 / z, 0.18 / z].forEach((v, k) => assert.ok(Math.abs(prod[k]! - v) < 1e-6, `product ${k}: ${prod[k]} vs ${v}`));
  // The training prior both experts learned is divided out once: p ∝ net · head / prior.
  const withPrior = fuseProbabilities(net, head, classes, 'product', [0.5, 0.25, 0.25]);
  const zp = 0.02 / 0.5 + 0.15 / 0.25 + 0.18 / 0.25;
  [0.04 / zp, 0.6 / zp, 0.72 / zp].forEach((v, k) =>
    assert.ok(Math.abs(withPrior[k]! - v) < 1e-6, `product with prior ${k}: ${withPrior[k]} vs ${v}`),
  );
  const gate = fuseProbabilities(net, head, classes, 'gate');
  // neutral from the head (0.3); the signals share the rest in the network's proportions 0.2 : 0.3.
  [0.7 * 0.4, 0.3, 0.7 * 0.6].forEach((v, k) => assert.ok(Math.abs(gate[k]! - v) < 1e-6, `gate ${k}: ${gate[k]} vs ${v}`));
  assert.equal(fuseProbabilities(net, head, classes, 'none'), net);
  assert.throws(() => fuseProbabilities(net, head, ['a', 'b', 'c'], 'gate'), /functional_fusion: gate needs a class "neutral"/);
});

/** Clips of 3 speakers: class 1 has functional 0 raised by 3 reference sds over the speaker's own level. */
function toyData(seed: number): Parameters<typeof fitFunctionalHead>[0] {
  const rng = new Rng(seed);
  const level = { a: 0, b: 10, c: -10 } as Record<string, number>;
  const vec = (spk: string, shift: number): number[] =>
    Array.from({ length: D }, (_, d) => (d === 0 ? level[spk]! + shift : 0) + rng.normal());
  const vectors: number[][] = [],
    targets: number[] = [],
    speakers: string[] = [],
    refVectors: number[][] = [],
    refSpeakers: string[] = [];
  for (const spk of ['a', 'b', 'c']) {
    for (let i = 0; i < 20; i++) {
      vectors.push(vec(spk, i % 2 ? 3 : 0));
      targets.push(i % 2);
      speakers.push(spk);
    }
    for (let i = 0; i < 6; i++) {
      refVectors.push(vec(spk, 0));
      refSpeakers.push(spk);
    }
  }
  return { classes: ['neutral', 'panic'], vectors, targets, speakers, refVectors, refSpeakers, fusion: 'product' };
}

test("fitFunctionalHead: speaker-relative (a speaker's level does not decide), deterministic, errors name the speaker", () => {
  const data = toyData(3);
  const head = fitFunctionalHead(data);
  assert.deepEqual(fitFunctionalHead(data), head, 'same data, same head');
  assert.deepEqual(head.priors, [0.5, 0.5], 'the training share of each class');
  // A high-level speaker's calm clip is neutral once compared with that speaker's references.
  const p = headProbabilities(
    head,
    [
      [10, ...new Array(D - 1).fill(0)],
      [13, ...new Array(D - 1).fill(0)],
    ],
    [
      [10, ...new Array(D - 1).fill(0)],
      [10, ...new Array(D - 1).fill(0)],
    ],
  );
  assert.ok(p[0]! > 0.8 && p[3]! > 0.8, `calm → neutral, raised → panic: ${Array.from(p)}`);
  // Without a reference, the population mean (about 0) stands in: the same calm clip now looks raised.
  assert.ok(headProbabilities(head, [[10, ...new Array(D - 1).fill(0)]], [null])[1]! > 0.9);
  assert.throws(
    () => fitFunctionalHead({ ...data, refSpeakers: data.refSpeakers.map((s) => (s === 'b' ? 'x' : s)) }),
    /functional_fusion: speaker b: no reference clips/,
  );
  assert.throws(
    () => fitFunctionalHead({ ...data, fusion: 'gate', classes: ['boredom', 'panic'] }),
    /functional_fusion: gate needs a class "neutral"/,
  );
});

test('functional head: save / read round trip (NaN kept), a mismatched file is an error naming it', () => {
  const dir = tmpDir();
  const data = toyData(5);
  // A functional no reference measures: its scale is NaN, which JSON cannot hold.
  data.refVectors.forEach((v) => {
    v[3] = NaN;
  });
  const head = fitFunctionalHead(data);
  assert.ok(Number.isNaN(head.reference_std[3]));
  saveFunctionalHead(dir, head);
  const back = readFunctionalHead(dir, head.classes)!;
  assert.ok(Number.isNaN(back.reference_std[3]!));
  const x = [data.vectors[0]!, data.vectors[1]!];
  assert.deepEqual(Array.from(headProbabilities(back, x, [null, null])), Array.from(headProbabilities(head, x, [null, null])));
  assert.equal(readFunctionalHead(tmpDir(), ['a']), undefined, 'no file: no head');
  assert.throws(() => readFunctionalHead(dir, ['boredom', 'panic']), new RegExp(`${FUNCTIONAL_HEAD_FILE}: classes neutral,panic differ`));
  writeFileSync(path.join(dir, FUNCTIONAL_HEAD_FILE), '{"format":"x"}');
  assert.throws(() => readFunctionalHead(dir, head.classes), /functional-head\.json: not a functional head/);
});

test('functional_fusion is validated: mode, speaker references, gate needs the neutral class', () => {
  assert.equal(resolveHyperparameters({}).functional_fusion, 'none');
  assert.throws(
    () => resolveHyperparameters({ functional_fusion: 'mean' as never }),
    /functional_fusion: expected one of none, product, gate/,
  );
  assert.throws(() => resolveHyperparameters({ functional_fusion: 'product' }), /functional_fusion: .*speaker reference labels/);
  assert.throws(
    () => resolveHyperparameters({ functional_fusion: 'gate', speaker_reference: 'neutral' }),
    /functional_fusion: gate .*neutral_class/,
  );
  assert.equal(
    resolveHyperparameters({ functional_fusion: 'gate', speaker_reference: 'neutral', neutral_class: true }).functional_fusion,
    'gate',
  );
});

test('train fits the head into the model folder; evaluate and predict fuse it (with and without a reference) exactly as a hand fusion', async () => {
  const data = makeToneDataset({ classes: ['boredom', 'neutral', 'panic'], perClass: 9, seconds: 0.5, speakers: true, seed: 8 });
  const out = tmpDir();
  const hyper = { ...TINY_HYPER, epochs: 1, speaker_reference: 'neutral', neutral_class: true };
  await train({ data, out, features: TINY_FEATURES, cacheDir: null, report: false, hyper: { ...hyper, functional_fusion: 'gate' } });
  const m = loadTrainedModel(out);
  assert.equal(m.functionalHead?.fusion, 'gate');
  assert.deepEqual(m.functionalHead.classes, m.classes);
  const { functionalHead: head, ...net } = m;

  const clip = path.join(data, 'panic', 'spk0_0.wav');
  const ref = path.join(data, 'neutral', 'spk0_0.wav');
  const v = samplesFunctionals(speechSamples((await loadAudio(clip, { sr: 16000 })).samples, m.featureSettings, clip), m.featureSettings);
  assert.deepEqual(
    await fileFunctionals(clip, m.featureSettings, new FeatureCache(null)),
    Array.from(Float32Array.from(v)),
    'file = samples path (float32)',
  );
  const refV = samplesFunctionals(speechSamples((await loadAudio(ref, { sr: 16000 })).samples, m.featureSettings, ref), m.featureSettings);
  for (const [reference, refMean] of [
    [[ref], finiteMeans([refV])],
    [[], null],
  ] as const) {
    const [fusedP] = await predictFiles(m, [clip], { reference });
    const [netP] = await predictFiles(net, [clip], { reference });
    assert.equal(fusedP!.fusion, 'gate');
    assert.equal(netP!.fusion, undefined);
    const want = fuseProbabilities(
      Float32Array.from(m.classes.map((c) => netP!.probs[c]!)),
      headProbabilities(head, [v], [refMean]),
      m.classes,
      'gate',
      head.priors,
    );
    m.classes.forEach((c, k) =>
      assert.ok(
        Math.abs(fusedP!.probs[c]! - want[k]!) < 1e-5,
        `${reference.length ? 'with' : 'without'} reference, ${c}: ${fusedP!.probs[c]} vs ${want[k]}`,
      ),
    );
  }
  // evaluate: the fused probabilities differ from the network's alone (the head is used), and the file says so.
  const a = await evaluate({ model: m, data, predictions: true, cacheDir: null });
  const b = await evaluate({ model: net, data, predictions: true, cacheDir: null });
  assert.notDeepEqual(
    a.predictions!.map((p) => p.probs),
    b.predictions!.map((p) => p.probs),
  );
  // Retrained without fusion, the same folder holds no head (the network is resumed, not retrained).
  await train({ data, out, features: TINY_FEATURES, cacheDir: null, report: false, resume: 'auto', hyper });
  assert.ok(!existsSync(path.join(out, FUNCTIONAL_HEAD_FILE)));
  assert.equal(loadTrainedModel(out).functionalHead, undefined);
});

test('functionals leave long pauses out: a clip joined with itself across 1.5 s of silence measures like the clip', () => {
  const sr = 16000;
  const rng = new Rng(2);
  // 1 s of a gliding "voice" (150–190 Hz with harmonics, syllable-rate amplitude modulation).
  const voice = Float32Array.from({ length: sr }, (_, t) => {
    const f = 150 + 40 * (t / sr);
    const am = 0.5 + 0.5 * Math.sin((2 * Math.PI * 4 * t) / sr);
    return am * (0.3 * Math.sin((2 * Math.PI * f * t) / sr) + 0.1 * Math.sin((4 * Math.PI * f * t) / sr)) + 0.003 * rng.normal();
  });
  const joined = new Float32Array(voice.length * 2 + 1.5 * sr);
  joined.set(voice);
  joined.set(voice, voice.length + 1.5 * sr);
  assert.ok(withoutLongPauses(joined, sr).length < 2.4 * sr, 'the 1.5 s gap is gone');
  const settings = loadTrainedSettings();
  const a = samplesFunctionals(voice, settings),
    b = samplesFunctionals(joined, settings);
  const pause = FUNCTIONAL_NAMES.indexOf('pauseRatio');
  assert.ok(Math.abs(a[pause]! - b[pause]!) < 0.05, `pause ratio ${a[pause]} vs ${b[pause]} (joined across the gap it would be ≈ 0.4)`);
  const f0 = FUNCTIONAL_NAMES.indexOf('f0MeanSt');
  assert.ok(Math.abs(a[f0]! - b[f0]!) < 0.5, `F0 mean ${a[f0]} vs ${b[f0]}`);
});

function loadTrainedSettings(): Parameters<typeof samplesFunctionals>[1] {
  return resolveFeatureSettings({ params: TINY_FEATURES, trimSilence: true });
}
