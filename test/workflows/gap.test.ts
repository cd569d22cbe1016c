/**
 * Plumbing of `runGapExperiment` on tiny tone datasets (tiny network, 1 epoch): the table's structure,
 * resumability, and that no real evaluation clip ever reaches a training set.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { runGapExperiment } from '../../src/workflows/experiment/run.js';
import { assertNoRealClips, recipeClips } from '../../src/workflows/experiment/data.js';
import { scoreReal } from '../../src/workflows/experiment/fit.js';
import { scanDataset } from '../../src/data/dataset.js';
import { makeToneDataset, TINY_FEATURES, tmpDir } from '../train/fixtures.js';

const CLASSES = ['boredom', 'panic', 'excitement', 'uncertainty'];
const TINY = {
  epochs: 1,
  batch_size: 4,
  max_len: 24,
  conv_channels: 4,
  kernel_sizes: [3],
  lstm_hidden: 4,
  lstm_layers: 1,
  fc_hidden: 8,
  lr: 0.01,
};

/** A class-folder dataset turned into a manifest with a speaker column (path,label,speaker). */
function withManifest(dir: string, speakers: string[], relabel: Record<string, string> = {}): string {
  const ds = scanDataset(dir);
  const rows = ds.items.map((it, i) => `${path.relative(dir, it.path)},${relabel[it.label] ?? it.label},${speakers[i % speakers.length]}`);
  writeFileSync(path.join(dir, 'labels.csv'), `path,label,speaker\n${rows.join('\n')}\n`);
  return dir;
}

function fixtures() {
  const synthetic = withManifest(makeToneDataset({ classes: CLASSES, perClass: 4, seed: 1 }), ['espeak-a', 'espeak-b', 'flite-c']);
  const converted = withManifest(makeToneDataset({ classes: CLASSES, perClass: 3, seed: 2 }), ['13', '14', '15']);
  // Real: RAVDESS-like labels; panic/excitement tones under their RAVDESS names, boredom tones as "neutral" (out of set).
  const real = withManifest(makeToneDataset({ classes: ['panic', 'excitement', 'boredom'], perClass: 3, seed: 3 }), ['01', '02'], {
    panic: 'fearful',
    excitement: 'happy',
    boredom: 'neutral',
  });
  // The neutral speech the converted set was made from: each converted speaker's reference.
  const neutral = withManifest(makeToneDataset({ classes: ['neutral'], perClass: 3, seed: 4 }), ['13', '14', '15']);
  return { synthetic, converted, real, neutral };
}

const RECIPES = ['paper', 'a-cmvn', 'b-masked', 'c-paper', 'c-paper-es', 'd-prosodic', 'c-reference'];

test('gap experiment: table rows in recipe order (paper first), figures in range, resumable, no real clip in any training set', async () => {
  const f = fixtures();
  const out = path.join(tmpDir(), 'run');
  const logs: string[] = [];
  const opts = {
    out,
    synthetic: f.synthetic,
    converted: f.converted,
    neutral: f.neutral,
    real: f.real,
    recipes: RECIPES,
    hyper: TINY,
    features: TINY_FEATURES,
    augmentCopies: 1,
    cacheDir: null,
    seed: 3,
    events: { log: (m: string) => logs.push(m) },
  };
  const r = await runGapExperiment(opts);
  assert.deepEqual(
    r.rows.map((x) => x.id),
    RECIPES,
  );
  assert.equal(r.rows[0]!.loudness, 'none', "paper's recipe keeps levels as recorded");
  for (const row of r.rows) {
    for (const k of ['balanced_accuracy', 'macro_f1', 'recall_panic', 'recall_excitement', 'out_of_set_as_target'] as const) {
      assert.ok(row[k] >= 0 && row[k] <= 1, `${row.id}.${k} = ${row[k]}`);
    }
    assert.equal(row.balanced_accuracy, (row.recall_panic + row.recall_excitement) / 2, 'balanced accuracy = mean recall of the two');
  }
  // Training set sizes follow the recipes: b has augmented copies, c only converted clips, d both.
  const n = Object.fromEntries(r.rows.map((x) => [x.id, x.n_train]));
  assert.equal(n.paper, 16);
  assert.equal(n['c-paper'], 12, 'all 12 converted clips (no early stopping by default)');
  assert.equal(n['c-paper-es'], 8, '12 converted clips minus the 4 of one held-out speaker (early stopping)');
  assert.ok(n['b-masked']! > n['a-cmvn']!, 'augmented copies are added');
  assert.ok(n['d-prosodic']! > n['b-masked']!, '(d) adds the converted clips');
  for (const res of r.results) {
    assert.deepEqual(res.classes, [...CLASSES].sort(), 'the model keeps all four classes');
    assert.deepEqual(res.real.confusion.labels, [...CLASSES].sort());
    assert.deepEqual(Object.keys(res.real.out_of_set), ['neutral'], 'neutral is reported apart');
  }
  const prosodic = r.results.find((x) => x.recipe.id === 'd-prosodic')!;
  assert.equal(prosodic.features.kind, 'mfcc+prosodic');
  assert.equal(prosodic.hyper.normalization, 'utterance');
  // The reference row: same data as c-paper, speaker reference normalisation on, so other real-set probabilities.
  const ref = r.results.find((x) => x.recipe.id === 'c-reference')!;
  assert.equal(ref.hyper.speaker_reference, 'neutral,calm');
  assert.equal(ref.n_train, 12);
  assert.notDeepEqual(
    readFileSync(path.join(out, 'recipes', 'c-reference', 'seed-3', 'real-probs.json'), 'utf8'),
    readFileSync(path.join(out, 'recipes', 'c-paper', 'seed-3', 'real-probs.json'), 'utf8'),
  );
  // Without the converted speakers' neutral speech the reference row cannot run, and says why.
  await assert.rejects(
    runGapExperiment({ ...opts, out: tmpDir(), recipes: ['c-reference'], neutral: f.real }),
    /no reference clip \(label neutral or calm\) for speakers converted:13, converted:14, converted:15/,
  );
  assert.ok(existsSync(r.report) && existsSync(path.join(out, 'table.md')));
  assert.match(readFileSync(path.join(out, 'table.md'), 'utf8'), /^\| recipe \| balanced acc\./);

  // No real clip in any training or early-stopping list.
  const realFiles = new Set(scanDataset(f.real).items.map((it) => it.path));
  for (const id of RECIPES) {
    const lines = readFileSync(path.join(out, 'recipes', id, 'seed-3', 'training-clips.txt'), 'utf8')
      .trim()
      .split('\n');
    assert.ok(lines.length >= 1);
    for (const l of lines) assert.ok(!realFiles.has(l.split('\t')[2]!), `${id}: real clip ${l} in training`);
    // Per-clip real-set probabilities: one row per real clip, each a distribution over the classes.
    const probs = JSON.parse(readFileSync(path.join(out, 'recipes', id, 'seed-3', 'real-probs.json'), 'utf8'));
    assert.equal(probs.clips.length, realFiles.size);
    for (const c of probs.clips) assert.ok(Math.abs(c.probs.reduce((a: number, b: number) => a + b, 0) - 1) < 1e-4);
  }

  // Re-running reuses every finished recipe and gives the same table.
  logs.length = 0;
  const again = await runGapExperiment(opts);
  assert.equal(logs.filter((l) => l.includes('reused')).length, RECIPES.length);
  assert.deepEqual(
    again.rows.map((x) => x.balanced_accuracy),
    r.rows.map((x) => x.balanced_accuracy),
  );
});

test('gap experiment refuses real clips in training data: same file, same audio copied, real speakers converted', async () => {
  const f = fixtures();
  const real = scanDataset(f.real, { labelMap: 'fearful=panic,happy=excitement' });
  // A copy of a real clip smuggled into the synthetic set.
  const smuggled = path.join(f.synthetic, 'panic', 'copied.wav');
  cpSync(real.items[0]!.path, smuggled);
  writeFileSync(
    path.join(f.synthetic, 'labels.csv'),
    `${readFileSync(path.join(f.synthetic, 'labels.csv'), 'utf8')}panic/copied.wav,panic,espeak-a\n`,
  );
  await assert.rejects(
    runGapExperiment({
      out: tmpDir(),
      synthetic: f.synthetic,
      converted: f.converted,
      real: f.real,
      recipes: ['paper'],
      hyper: TINY,
      features: TINY_FEATURES,
      cacheDir: null,
    }),
    /synthetic: .*copied\.wav has the same audio as real evaluation clip/,
  );
  assert.throws(
    () => assertNoRealClips([{ file: real.items[1]!.path, label: 'panic', speaker: 'x' }], real, 'recipe x'),
    /recipe x: .* is a clip of the real evaluation set/,
  );
  // A converted set made from a real-set speaker.
  const conv = withManifest(makeToneDataset({ classes: CLASSES, perClass: 2, seed: 5 }), ['02']);
  await assert.rejects(
    runGapExperiment({
      out: tmpDir(),
      converted: conv,
      real: f.real,
      recipes: ['c-paper'],
      hyper: TINY,
      features: TINY_FEATURES,
      cacheDir: null,
    }),
    /converted: .* was converted from speaker 02, who is in the real evaluation set/,
  );
});

test('recipe clips: augmented copies only of the training side, held-out speakers never trained on', () => {
  const clip = (spk: string, i: number) => ({ file: `/x/${spk}_${i}.wav`, label: i % 2 ? 'panic' : 'excitement', speaker: spk });
  const synthetic = ['v1', 'v2', 'v3', 'v4', 'v5', 'v6'].flatMap((s) => [clip(s, 0), clip(s, 1)]);
  const converted = ['c1', 'c2', 'c3'].flatMap((s) => [clip(s, 0), clip(s, 1)]);
  const r = recipeClips('synthetic+aug+converted', { synthetic, converted, augmentSpec: 'gain', augmentCopies: 2, seed: 1, holdOut: true });
  const valSpeakers = new Set(r.val.map((c) => c.speaker));
  assert.ok(valSpeakers.size >= 2, 'a speaker held out of each source');
  assert.ok(
    r.train.every((c) => !valSpeakers.has(c.speaker)),
    'no held-out speaker on the training side (copies included)',
  );
  assert.ok(
    r.val.every((c) => !c.augment),
    'validation clips are originals',
  );
  const originals = r.train.filter((c) => !c.augment && c.speaker.startsWith('v')).length;
  assert.equal(r.train.filter((c) => c.augment).length, 2 * originals, 'two copies of each synthetic training clip, none of converted');
});

test('scoreReal: balanced accuracy over panic/excitement with 4-class predictions; out-of-set tallied apart', () => {
  const classes = ['boredom', 'excitement', 'panic', 'uncertainty'];
  const oneHot = (k: number) => classes.map((_, j) => (j === k ? 1 : 0));
  // panic ×2: predicted panic, boredom; excitement ×2: excitement, excitement; neutral ×1: predicted panic.
  const probs = Float32Array.from([...oneHot(2), ...oneHot(0), ...oneHot(1), ...oneHot(1), ...oneHot(2)]);
  const s = scoreReal(probs, ['panic', 'panic', 'excitement', 'excitement', 'neutral'], classes);
  assert.equal(s.balanced_accuracy, 0.75);
  assert.equal(s.n, 4);
  assert.deepEqual(s.recall, { excitement: 1, panic: 0.5 });
  assert.deepEqual(s.out_of_set, { neutral: { boredom: 0, excitement: 0, panic: 1, uncertainty: 0 } });
  // macro F1 over the two present classes: panic P=1 R=.5 → .667; excitement P=1 R=1 → 1.
  assert.ok(Math.abs(s.macro_f1 - (2 / 3 + 1) / 2) < 1e-12);
  assert.throws(() => scoreReal(Float32Array.from(oneHot(0)), ['calm'], classes), /no clip is labelled with one of the model's classes/);
});

test('default recipes: the paper first, every data recipe × front-end once; unknown ids name --recipes', async () => {
  const { defaultRecipes, selectRecipes, frontEndFits, DATA_RECIPES, FRONT_ENDS } =
    await import('../../src/workflows/experiment/recipes.js');
  const all = defaultRecipes();
  assert.equal(all[0]!.id, 'paper');
  assert.deepEqual(
    { data: all[0]!.data, fe: all[0]!.frontEnd, loudness: all[0]!.loudness, maxLen: all[0]!.hyper.max_len, patience: all[0]!.patience },
    { data: 'synthetic', fe: 'paper', loudness: 'none', maxLen: 1000, patience: 0 },
  );
  // Speaker references exist for converted speakers only: the reference front-end is a converted row.
  const fitting = DATA_RECIPES.flatMap((d) => FRONT_ENDS.filter((fe) => frontEndFits(fe, d)).map((fe) => [d, fe] as const));
  assert.equal(fitting.length, DATA_RECIPES.length * (FRONT_ENDS.length - 1) + 1);
  assert.equal(all.length, 1 + fitting.length);
  assert.equal(new Set(all.map((r) => r.id)).size, all.length);
  for (const [d, fe] of fitting) assert.ok(all.some((r) => r.data === d && r.frontEnd === fe && r.id !== 'paper'));
  assert.ok(!all.some((r) => r.frontEnd === 'reference' && r.data !== 'converted'));
  assert.deepEqual(
    selectRecipes(all, ['c-cmvn', 'paper']).map((r) => r.id),
    ['c-cmvn', 'paper'],
  );
  assert.throws(() => selectRecipes(all, ['nope']), /recipes: unknown recipe "nope" \(known: paper, a-paper, .*a-paper-es, .*paper-peak/);
  const [es] = selectRecipes(all, ['c-paper-es']);
  assert.deepEqual(
    { ...es, id: 'c-paper', label: '', patience: 0 },
    { ...all.find((r) => r.id === 'c-paper')!, label: '' },
    'an ablation changes one ingredient',
  );
  assert.equal(es!.patience, 3);
  // The grid's converted row with speaker references is the default training recipe of reproduce and
  // demo, one ensemble member per seed (the table's seed-ensemble column is the recipe's ensemble),
  // without the neutral class (the grid's data recipes hold the four signals only) and without the
  // functional head (the grid measures the network; `experiment real-speech --fusion` measures the head).
  const { RECIPE_SETTINGS } = await import('../../src/workflows/recipe.js');
  const { resolveHyperparameters } = await import('../../src/model/hyperparameters.js');
  const c = all.find((r) => r.id === 'c-reference')!;
  assert.ok(RECIPE_SETTINGS.converted.hyper.ensemble! > 1);
  assert.equal(RECIPE_SETTINGS.converted.hyper.speaker_reference, 'neutral,calm');
  assert.deepEqual(
    { loudness: c.loudness, hyper: resolveHyperparameters(c.hyper), patience: c.patience, data: c.data, fe: c.frontEnd },
    {
      loudness: RECIPE_SETTINGS.converted.loudness,
      hyper: resolveHyperparameters({ ...RECIPE_SETTINGS.converted.hyper, ensemble: 1, neutral_class: false, functional_fusion: 'none' }),
      patience: 0,
      data: 'converted',
      fe: 'reference',
    },
  );
  // The other converted rows differ from it in the front-end only.
  assert.equal(resolveHyperparameters(all.find((r) => r.id === 'c-paper')!.hyper).speaker_reference, '');
});

test("gap experiment with several seeds: mean ± sd per recipe, and the ensemble scored from the mean of the seeds' probabilities", async () => {
  const f = fixtures();
  const out = path.join(tmpDir(), 'run');
  const opts = {
    out,
    converted: f.converted,
    real: f.real,
    recipes: ['c-paper'],
    hyper: TINY,
    features: TINY_FEATURES,
    cacheDir: null,
    seeds: [4, 5, 6],
  };
  const r = await runGapExperiment(opts);
  assert.equal(r.rows.length, 1);
  assert.equal(r.results.length, 3);
  const row = r.rows[0]!;
  assert.deepEqual(row.seeds, [4, 5, 6]);
  const per = r.results.map((x) => x.real.balanced_accuracy);
  assert.deepEqual(row.balanced_accuracy_per_seed, per);
  assert.ok(Math.abs(row.balanced_accuracy - (per[0]! + per[1]! + per[2]!) / 3) < 1e-12);
  const m = row.balanced_accuracy;
  assert.ok(Math.abs(row.balanced_accuracy_sd - Math.sqrt(per.reduce((a, b) => a + (b - m) ** 2, 0) / 2)) < 1e-12);
  // The ensemble, recomputed from the saved per-seed probabilities.
  const files = [4, 5, 6].map((sd) =>
    JSON.parse(readFileSync(path.join(out, 'recipes', 'c-paper', `seed-${sd}`, 'real-probs.json'), 'utf8')),
  );
  const classes: string[] = files[0].classes;
  const avg = Float32Array.from(
    files[0].clips.flatMap((_: unknown, j: number) =>
      classes.map((__, k) => (files[0].clips[j].probs[k] + files[1].clips[j].probs[k] + files[2].clips[j].probs[k]) / 3),
    ),
  );
  const e = scoreReal(
    avg,
    files[0].clips.map((c: { label: string }) => c.label),
    classes,
  );
  assert.equal(row.ensemble_balanced_accuracy, e.balanced_accuracy);
  assert.match(r.table, /± .* \(seeds 4, 5, 6: /);
  // Seeds train different weights.
  assert.notDeepEqual(
    files[0].clips.map((c: { probs: number[] }) => c.probs),
    files[1].clips.map((c: { probs: number[] }) => c.probs),
  );
  // Re-running reuses every seed and gives the same ensemble.
  const again = await runGapExperiment(opts);
  assert.equal(again.rows[0]!.ensemble_balanced_accuracy, row.ensemble_balanced_accuracy);
  await assert.rejects(runGapExperiment({ ...opts, seeds: [1, 1] }), /seeds: 1,1 repeats a seed/);
  await assert.rejects(
    runGapExperiment({ ...opts, hyper: { ensemble: 3 } }),
    /ensemble: the experiment trains one network per recipe and seed/,
  );
});

test('prepareSynthetic for a mix: every offline voice, one sentence pool, neutral readings as a class with the voice as speaker', async () => {
  const { prepareSynthetic, OFFLINE_VOICE_IDS } = await import('../../src/workflows/experiment/data.js');
  const out = path.join(tmpDir(), 'mix');
  const ds = await prepareSynthetic({
    out,
    perClass: OFFLINE_VOICE_IDS.length,
    seed: 3,
    allOfflineVoices: true,
    textMode: 'shared',
    classes: ['panic', 'neutral'],
  });
  assert.deepEqual(ds.classes, ['neutral', 'panic']);
  assert.equal(OFFLINE_VOICE_IDS.length, 10);
  for (const label of ds.classes) {
    // Voices rotate within a class: one clip of each voice per class, so each voice has a neutral reading (its reference).
    assert.deepEqual(
      ds.items
        .filter((it) => it.label === label)
        .map((it) => it.speaker)
        .sort(),
      [...OFFLINE_VOICE_IDS].sort(),
    );
  }
  assert.match(readFileSync(path.join(out, 'datasheet.md'), 'utf8'), /every class draws from one shared pool of sentences/);
});
