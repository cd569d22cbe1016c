import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { scanDataset } from '../../src/data/dataset.js';
import path from 'node:path';
import { reproduce, PAPER_FIGURES, formatComparison } from '../../src/workflows/reproduce.js';
import { makeToneDataset, TINY_FEATURES, TINY_HYPER, tmpDir } from '../train/fixtures.js';
import { runDemo } from '../../src/workflows/demo.js';
import { loadTrainedModel } from '../../src/model/model-dir.js';
import { RECIPE_SETTINGS } from '../../src/workflows/recipe.js';
import { NEUTRAL_POOL } from '../augment/helpers.js';

test('reproduce: trains, cross-validates, evaluates on "real" data through a label map, writes report + results', async () => {
  const synthetic = makeToneDataset({ classes: ['boredom', 'panic', 'excitement'], perClass: 4, seed: 2 });
  // The "real" set has an out-of-set class ("calm", dropped by the label map) and lacks "excitement".
  const real = makeToneDataset({ classes: ['boredom', 'panic', 'calm'], perClass: 2, seed: 3 });
  const out = tmpDir();
  const r = await reproduce({
    recipe: 'paper',
    synthetic,
    real,
    out,
    folds: 2,
    labelMap: 'calm=',
    features: TINY_FEATURES,
    cacheDir: null,
    hyper: { ...TINY_HYPER, epochs: 2 },
  });
  assert.equal(r.cv.folds.length, 2);
  assert.equal(r.real.n, 4);
  assert.deepEqual(r.real.missing_classes, ['excitement']);
  assert.equal(r.table.rows.length, 4);
  assert.deepEqual(r.table.rows[0].values, [
    PAPER_FIGURES.cv.accuracy,
    PAPER_FIGURES.cv.macro_precision,
    PAPER_FIGURES.cv.macro_recall,
    PAPER_FIGURES.cv.macro_f1,
  ]);
  assert.equal(r.table.rows[3].values[0], r.real.accuracy);
  assert.match(formatComparison(r.table), /paper: real speech\s+45\.3 %\s+49\.4 %\s+45\.5 %\s+43\.6 %/);
  assert.ok(existsSync(path.join(out, 'report.html')));
  const results = JSON.parse(readFileSync(path.join(out, 'results.json'), 'utf8'));
  assert.equal(results.cv.k, 2);
  assert.ok(existsSync(path.join(out, 'model', 'weights.safetensors')));
  // Re-running resumes: the model and every fold are reused, not retrained.
  const again = await reproduce({
    recipe: 'paper',
    synthetic,
    real,
    out,
    folds: 2,
    features: TINY_FEATURES,
    cacheDir: null,
    hyper: { ...TINY_HYPER, epochs: 2 },
    labelMap: 'calm=',
  });
  assert.ok(again.cv.folds.every((f) => f.reused));
  assert.deepEqual(again.real.confusion, r.real.confusion);
});

test("reproduce: the default recipe trains on converted neutral speech (its settings under the user's), CV by speaker, synthetic scored apart", async () => {
  // Speaker reference normalisation (the recipe's): every evaluated speaker has neutral clips, which are not scored.
  const synthetic = makeToneDataset({
    classes: ['boredom', 'panic', 'excitement', 'uncertainty', 'neutral'],
    perClass: 2,
    seed: 4,
    speakers: true,
  });
  const real = makeToneDataset({ classes: ['panic', 'excitement', 'neutral'], perClass: 2, seed: 5, speakers: true });
  const real2 = makeToneDataset({ classes: ['panic', 'excitement', 'neutral'], perClass: 4, seed: 6, speakers: true });
  const out = tmpDir();
  const r = await reproduce({
    neutral: NEUTRAL_POOL,
    convertLimit: 3,
    synthetic,
    real,
    moreReal: [real2],
    out,
    folds: 2,
    features: TINY_FEATURES,
    cacheDir: null,
    // Steady test tones hold no speech for the silence trimmer: trimming is tested on speech-like clips (test/train/window-training.test.ts).
    hyper: { ...TINY_HYPER, epochs: 1, max_len: undefined, trim_silence: false },
  });
  assert.equal(r.recipe, 'converted');
  assert.equal(r.trainingData, path.join(out, 'data', 'converted', 'manifest.csv'));
  assert.deepEqual(r.train.classes, ['boredom', 'excitement', 'neutral', 'panic', 'uncertainty']);
  const pool = scanDataset(NEUTRAL_POOL).items.length;
  assert.equal(
    r.train.dataset.items.length,
    12 + pool,
    '3 neutral clips × 4 emotions, and the neutral speech (half the class neutral, half references)',
  );
  assert.equal(r.cv.groupBy, 'speaker');
  const m = loadTrainedModel(r.modelDir);
  assert.equal(m.hyper.max_len, RECIPE_SETTINGS.converted.hyper.window! * 100, "the recipe's window (in frames) when the user sets none");
  assert.equal(m.featureSettings.loudness, 'peak');
  // The recipe's seed ensemble for the final model; one network per CV fold.
  assert.equal(m.members.length, RECIPE_SETTINGS.converted.hyper.ensemble);
  assert.equal(loadTrainedModel(path.join(out, 'cv', 'fold-01')).members.length, 1);
  assert.ok(
    readFileSync(path.join(out, 'report.html'), 'utf8').includes(`ensemble of ${RECIPE_SETTINGS.converted.hyper.ensemble} networks`),
  );
  assert.ok(r.extra['synthetic speech (not trained on)'], 'synthetic speech is scored, not trained on');
  assert.equal(m.hyper.speaker_reference, 'neutral,calm');
  assert.equal(r.real!.n, 4, 'the neutral clips are references, not scored');
  assert.deepEqual(r.real!.reference_labels, { neutral: 2 });
  assert.deepEqual(r.real!.unknown_labels, {});
  assert.ok(readFileSync(path.join(out, 'report.html'), 'utf8').includes('Speaker reference normalisation'));
  assert.match(r.table.rows[1]!.label, /CV on converted neutral speech/);
  const results = JSON.parse(readFileSync(path.join(out, 'results.json'), 'utf8'));
  assert.equal(results.recipe, 'converted');
  // The neutral class as recorded unless asked (neutralResynthesis, below).
  assert.equal(results.neutral_resynthesis, false);
  assert.ok(r.train.dataset.items.every((it) => it.referenceRole === undefined));
  // Both real corpora, one protocol, and their mean; the held-out half of real2's neutral clips is scored as neutral.
  const corpora = r.realCorpora!.corpora;
  assert.deepEqual(Object.keys(corpora), [path.basename(real), path.basename(real2)]);
  const c2 = corpora[path.basename(real2)]!;
  assert.ok(c2.calm_false_alarm !== null && c2.calm_false_alarm >= 0 && c2.calm_false_alarm <= 1);
  assert.ok(
    Math.abs(r.realCorpora!.mean.balanced_accuracy - (corpora[path.basename(real)]!.balanced_accuracy + c2.balanced_accuracy) / 2) < 1e-9,
  );
  assert.ok(results.real_corpora && results.calibration && results.calibration.temperature > 0);
  assert.ok(loadTrainedModel(r.modelDir).temperature! > 0, 'the temperature of the held-out speakers is stored with the model');
  // The user's settings sit over the recipe's; neutralResynthesis passes the neutral class through the converter.
  const out2 = tmpDir();
  const r2 = await reproduce({
    neutral: NEUTRAL_POOL,
    convertLimit: 3,
    real,
    out: out2,
    folds: 2,
    features: TINY_FEATURES,
    cacheDir: null,
    loudness: 'none',
    hyper: { ...TINY_HYPER, epochs: 1, max_len: 30, window: 0, trim_silence: false },
    neutralResynthesis: true,
  });
  assert.equal(loadTrainedModel(r2.modelDir).hyper.max_len, 30);
  assert.equal(loadTrainedModel(r2.modelDir).featureSettings.loudness, 'none');
  assert.equal(JSON.parse(readFileSync(path.join(out2, 'results.json'), 'utf8')).neutral_resynthesis, true);
  const cls = r2.train.dataset.items.filter((it) => it.referenceRole === 'class');
  const refs = r2.train.dataset.items.filter((it) => it.referenceRole === 'reference');
  assert.equal(cls.length + refs.length, pool, 'every pool clip has its role (none failed to resynthesise)');
  assert.ok(cls.length > 0 && cls.every((it) => it.path.startsWith(path.join(out2, 'data', 'neutral-resynthesised'))));
  assert.ok(refs.length > 0 && refs.every((it) => it.path.startsWith(NEUTRAL_POOL)), 'references stay as recorded');
});

test('reproduce: bad recipe inputs are named; real speech can never be converted into training data', async () => {
  const real = makeToneDataset({ classes: ['panic', 'excitement'], perClass: 2, seed: 6 });
  const base = { real, out: tmpDir(), folds: 2, features: TINY_FEATURES, cacheDir: null, hyper: { ...TINY_HYPER, epochs: 1 } };
  await assert.rejects(reproduce({ ...base, recipe: 'paper' }), /synthetic: the paper recipe trains on synthetic speech/);
  await assert.rejects(reproduce({ ...base, recipe: 'bogus' as never }), /recipe: expected one of converted, paper, got "bogus"/);
  await assert.rejects(
    reproduce({ ...base, recipe: 'paper', neutralResynthesis: true }),
    /neutralResynthesis: .*needs the converted recipe with neutral_class/,
  );
  // The default recipe's speaker references: a real set without speakers or without neutral/calm clips is refused before training.
  await assert.rejects(reproduce({ ...base, neutral: NEUTRAL_POOL, convertLimit: 3 }), /real: .*spk0_0\.wav has no speaker id/);
  const noNeutral = makeToneDataset({ classes: ['panic', 'excitement'], perClass: 2, seed: 7, speakers: true });
  await assert.rejects(
    reproduce({ ...base, real: noNeutral, neutral: NEUTRAL_POOL, convertLimit: 3 }),
    /real: no reference clip \(label neutral or calm\) for speakers spk0, spk1; keep each speaker's neutral\/calm clips/,
  );
  await assert.rejects(
    reproduce({ ...base, neutral: path.join(tmpDir(), 'missing') }),
    /neutral: .*missing does not exist; the default recipe "converted" trains on real neutral speech.*or the paper recipe/,
  );
  // The real set given as the neutral source: refused before anything is converted.
  await assert.rejects(reproduce({ ...base, neutral: real }), /neutral: .* is a clip of the real evaluation set/);
  // A converted set that contains a real clip: refused.
  await assert.rejects(reproduce({ ...base, converted: real }), /converted: .* is a clip of the real evaluation set/);
});

test('demo: default recipe converts neutral speech, tests on synthetic speech; without neutral speech it falls back, and says so', async () => {
  const tiny = { ...TINY_HYPER, epochs: 1, batch_size: 4 };
  const out = tmpDir();
  const r = await runDemo({
    out,
    neutral: NEUTRAL_POOL,
    convertLimit: 3,
    heldOutPerClass: 1,
    folds: 2,
    real: null,
    hyper: tiny,
    cacheDir: null,
  });
  assert.equal(r.recipe, 'converted');
  assert.equal(r.fallback, null);
  assert.equal(
    r.train.dataset.items.length,
    12 + scanDataset(NEUTRAL_POOL).items.length,
    'converted clips and the neutral speech (class neutral + references)',
  );
  assert.ok(r.train.classes.includes('neutral'));
  assert.equal(r.train.members.length, RECIPE_SETTINGS.converted.hyper.ensemble, "the recipe's ensemble");
  assert.equal(r.extra['synthetic speech (not trained on)']!.n, 4);
  assert.ok(existsSync(r.report));

  const prev = process.env.AFFEXION_SHARED_DIR;
  process.env.AFFEXION_SHARED_DIR = tmpDir(); // no data/neutral-pool there
  try {
    const f = await runDemo({ out: tmpDir(), perClass: 2, heldOutPerClass: 1, folds: 2, real: null, hyper: tiny, cacheDir: null });
    assert.equal(f.recipe, 'paper');
    assert.match(f.fallback ?? '', /no real neutral speech to convert/);
    assert.equal(f.train.dataset.items.length, 8);
    assert.equal(f.train.members.length, 1, 'the paper recipe trains one network');
    assert.ok(readFileSync(f.report, 'utf8').includes('Not the default recipe'));
  } finally {
    if (prev === undefined) delete process.env.AFFEXION_SHARED_DIR;
    else process.env.AFFEXION_SHARED_DIR = prev;
  }
});
