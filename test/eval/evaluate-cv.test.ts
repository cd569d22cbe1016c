import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { train } from '../../src/train/train.js';
import { evaluate } from '../../src/eval/evaluate.js';
import { crossValidate } from '../../src/eval/cv.js';
import { makeToneDataset, TINY_FEATURES, TINY_HYPER, tmpDir } from '../train/fixtures.js';

const cacheDir = tmpDir('affexion-cache-');
const trainData = makeToneDataset({ perClass: 8, seed: 1 });
const model = tmpDir();
const ready = train({ data: trainData, out: model, features: TINY_FEATURES, cacheDir, report: false, hyper: { ...TINY_HYPER, epochs: 8 } });

test('evaluate: learns the tones; unknown labels counted apart; figures in the JSON shape of issue #4', async () => {
  await ready;
  const evalData = makeToneDataset({ classes: ['boredom', 'panic', 'excitement'], perClass: 5, seed: 99 });
  const r = await evaluate({ model, data: evalData, cacheDir, predictions: true });
  assert.equal(r.n, 10);
  assert.deepEqual(r.unknown_labels, { excitement: 5 });
  assert.deepEqual(r.confusion.labels, ['boredom', 'panic']);
  assert.ok(r.accuracy >= 0.8, `accuracy ${r.accuracy}`);
  for (const k of ['accuracy', 'balanced_accuracy', 'macro_precision', 'macro_recall', 'macro_f1', 'n'] as const)
    assert.equal(typeof r[k], 'number');
  assert.equal(r.predictions?.length, 10);
  assert.equal(
    r.confusion.matrix.flat().reduce((a, b) => a + b, 0),
    10,
  );
});

test('evaluate: a class missing from the data is reported; a label map brings labels in', async () => {
  await ready;
  const only = makeToneDataset({ classes: ['panic'], perClass: 3, seed: 5 });
  const r = await evaluate({ model, data: only, cacheDir });
  assert.deepEqual(r.missing_classes, ['boredom']);
  assert.equal(r.per_class[0].support, 0);
  const renamed = makeToneDataset({ classes: ['panic'], perClass: 2, seed: 6 });
  await assert.rejects(
    evaluate({ model, data: renamed, cacheDir, labelMap: 'panic=fear' }),
    /data: none of the clips .* has a label the model knows \(model: boredom, panic; data: fear\)/,
  );
});

test('evaluate: a model directory from another (newer) format version is refused clearly', async () => {
  await ready;
  const copy = tmpDir();
  for (const f of ['config.json', 'weights.safetensors']) writeFileSync(path.join(copy, f), readFileSync(path.join(model, f)));
  const cfg = JSON.parse(readFileSync(path.join(copy, 'config.json'), 'utf8'));
  cfg.format_version = 99;
  writeFileSync(path.join(copy, 'config.json'), JSON.stringify(cfg));
  await assert.rejects(evaluate({ model: copy, data: trainData, cacheDir }), /format version 99 is newer than this Affexion supports/);
  await assert.rejects(evaluate({ model: tmpDir(), data: trainData, cacheDir }), /is not a model directory: config.json is missing/);
});

test('cv: grouped folds by speaker, per-fold + mean ± std, finished folds reused on re-run', async () => {
  const out = tmpDir();
  const data = makeToneDataset({ perClass: 6, seed: 3 }); // speakers spk0..spk2
  const opts = {
    data,
    out,
    folds: 3,
    groupBy: 'speaker' as const,
    features: TINY_FEATURES,
    cacheDir,
    report: false,
    hyper: { ...TINY_HYPER, epochs: 2 },
  };
  // File names spk<k>_<i>.wav carry no known layout: grouping needs a manifest column.
  await assert.rejects(crossValidate(opts), /groupBy: speaker: 12 clip\(s\) have no speaker/);
  const manifest = path.join(data, 'labels.csv');
  const rows = ['path,label,speaker'];
  for (const c of ['boredom', 'panic']) for (let i = 0; i < 6; i++) rows.push(`${c}/spk${i % 3}_${i}.wav,${c},spk${i % 3}`);
  writeFileSync(manifest, rows.join('\n'));
  const r = await crossValidate(opts);
  assert.equal(r.folds.length, 3);
  assert.ok(r.folds.every((f) => f.n_val === 4 && f.n_train === 8 && !f.reused));
  assert.ok(Number.isFinite(r.summary.accuracy.mean) && Number.isFinite(r.summary.accuracy.std));
  assert.equal(r.pooled.n, 12);
  assert.ok(existsSync(path.join(out, 'cv.json')));
  const again = await crossValidate(opts);
  assert.ok(again.folds.every((f) => f.reused));
  assert.deepEqual(again.summary, r.summary);
  // Other settings would replace the earlier run's fold models: only with force.
  const other = { ...opts, hyper: { ...opts.hyper, epochs: 1 } };
  await assert.rejects(crossValidate(other), /out: .*: fold-01 holds a fold of a cross-validation with other settings .*force/);
  const forced = await crossValidate({ ...other, force: true });
  assert.ok(forced.folds.every((f) => !f.reused && f.history.length === 1));
});

test('cv: plain k-fold warns about speaker leaks; too few clips / one class are clear errors', async () => {
  const data = tmpDir();
  mkdirSync(data, { recursive: true });
  makeToneDataset({ perClass: 4, seed: 8, dir: data });
  const rows = ['path,label,speaker'];
  for (const c of ['boredom', 'panic']) for (let i = 0; i < 4; i++) rows.push(`${c}/spk${i % 3}_${i}.wav,${c},spk${i % 3}`);
  writeFileSync(path.join(data, 'labels.csv'), rows.join('\n'));
  const r = await crossValidate({
    data,
    out: tmpDir(),
    folds: 2,
    features: TINY_FEATURES,
    cacheDir,
    report: false,
    hyper: { ...TINY_HYPER, epochs: 1 },
  });
  assert.ok(
    r.warnings.some((w) => /plain k-fold: \d speakers? .* use --group-by speaker/.test(w)),
    r.warnings.join('\n'),
  );
  await assert.rejects(
    crossValidate({ data, out: tmpDir(), folds: 9, features: TINY_FEATURES, cacheDir, report: false }),
    /folds: 9: the dataset has only 8 clips/,
  );
  const one = makeToneDataset({ classes: ['panic'], perClass: 4 });
  await assert.rejects(
    crossValidate({ data: one, out: tmpDir(), folds: 2, features: TINY_FEATURES, cacheDir, report: false }),
    /only one class \("panic"\).*at least two/,
  );
});

test('evaluate: a raw-feature model directory (no feature parameters) is refused with a pointer to --features', async () => {
  const { AffexionNet } = await import('../../src/model/network.js');
  const { saveModelDir } = await import('../../src/model/io.js');
  const dir = tmpDir();
  const net = new AffexionNet({
    n_features: 6,
    conv_channels: 2,
    kernel_sizes: [3],
    lstm_hidden: 2,
    lstm_layers: 1,
    fc_hidden: 2,
    n_classes: 2,
    dropout_conv: 0,
    dropout_fc: 0,
    mask_padding: false,
  });
  saveModelDir(dir, { net, labels: ['a', 'b'], featureParams: null, normalization: null });
  await assert.rejects(evaluate({ model: dir, data: trainData, cacheDir }), /takes raw feature matrices .* use predict --features/);
});

test('cv: a clip listed twice in the manifest is never on both sides of a fold', async () => {
  const data = makeToneDataset({ perClass: 6, seed: 8, speakers: true });
  const manifest = path.join(data, 'labels.csv');
  const lines = readFileSync(manifest, 'utf8').trim().split('\n');
  writeFileSync(manifest, [...lines, ...lines.slice(1, 5)].join('\n') + '\n'); // 4 clips listed twice
  const r = await crossValidate({
    data,
    out: tmpDir(),
    folds: 3,
    features: TINY_FEATURES,
    cacheDir,
    report: false,
    hyper: { ...TINY_HYPER, epochs: 1 },
  });
  assert.equal(r.pooled.n, 12);
  assert.ok(
    r.folds.every((f) => f.n_train + f.n_val === 12),
    JSON.stringify(r.folds.map((f) => [f.n_train, f.n_val])),
  );
});

test('cv --ensemble: an unfinished fold resumes with the same settings and is protected from other settings', async () => {
  const data = makeToneDataset({ perClass: 6, seed: 9, speakers: true });
  const out = tmpDir();
  const opts = { data, out, folds: 2, features: TINY_FEATURES, cacheDir, report: false, hyper: { ...TINY_HYPER, epochs: 1, ensemble: 2 } };
  await crossValidate(opts);
  rmSync(path.join(out, 'fold-01', 'result.json')); // as if interrupted after its members' checkpoints
  const again = await crossValidate(opts);
  assert.equal(again.folds[0]!.reused, undefined);
  rmSync(path.join(out, 'fold-01', 'result.json'));
  await assert.rejects(
    crossValidate({ ...opts, hyper: { ...opts.hyper, lr: 0.02 } }),
    /fold-01 holds a fold of a cross-validation with other settings/,
  );
});
