import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { train } from '../../src/train/train.js';
import { ENSEMBLE_FILE, loadTrainedModel } from '../../src/model/model-dir.js';
import { resolveHyperparameters } from '../../src/model/hyperparameters.js';
import { evaluate } from '../../src/eval/evaluate.js';
import { predictFiles } from '../../src/eval/predict.js';
import { crossValidate } from '../../src/eval/cv.js';
import { readSafetensors } from '../../src/model/safetensors.js';
import { makeToneDataset, TINY_FEATURES, TINY_HYPER, tmpDir } from './fixtures.js';

const data = makeToneDataset({ classes: ['boredom', 'panic', 'excitement'], perClass: 6 });
const cacheDir = tmpDir('affexion-cache-');
const base = { data, features: TINY_FEATURES, cacheDir, report: false } as const;

function weightBytes(dir: string): Buffer {
  return readFileSync(path.join(dir, 'weights.safetensors'));
}

// One ensemble of 2 and the two single networks it should consist of (seeds 7 and 8).
const ensembleDir = tmpDir();
const ensembleRun = train({ ...base, out: ensembleDir, hyper: { ...TINY_HYPER, ensemble: 2 } });
const singles = [7, 8].map((seed) => {
  const out = tmpDir();
  return train({ ...base, out, hyper: { ...TINY_HYPER, seed } }).then(() => out);
});

test('--ensemble 2 trains members with seeds seed and seed+1, exactly as two single runs, and writes ensemble.json', async () => {
  const r = await ensembleRun;
  assert.equal(r.members.length, 2);
  const [one, two] = await Promise.all(singles);
  assert.deepEqual(weightBytes(path.join(ensembleDir, 'members', '1')), weightBytes(one!));
  assert.deepEqual(weightBytes(path.join(ensembleDir, 'members', '2')), weightBytes(two!));
  assert.notDeepEqual(weightBytes(one!), weightBytes(two!));
  const manifest = JSON.parse(readFileSync(path.join(ensembleDir, ENSEMBLE_FILE), 'utf8'));
  assert.deepEqual(manifest.members, ['members/1', 'members/2']);
  const m = loadTrainedModel(ensembleDir);
  assert.equal(m.members.length, 2);
  assert.equal(m.hyper.ensemble, 2);
  assert.deepEqual(m.classes, ['boredom', 'excitement', 'panic']);
  // Each member records its own seed.
  assert.deepEqual(
    m.members.map((x) => loadTrainedModel(x.dir).hyper.seed),
    [7, 8],
  );
});

test("an ensemble predicts the mean of its members' class probabilities (evaluate and predict)", async () => {
  await ensembleRun;
  const [one, two] = await Promise.all(singles);
  const probsOf = async (model: string) => (await evaluate({ model, data, cacheDir, predictions: true })).predictions!.map((p) => p.probs);
  const [pe, p1, p2] = await Promise.all([probsOf(ensembleDir), probsOf(one!), probsOf(two!)]);
  let maxDiff = 0,
    spread = 0;
  pe.forEach((row, i) =>
    row.forEach((v, k) => {
      maxDiff = Math.max(maxDiff, Math.abs(v - (p1[i]![k]! + p2[i]![k]!) / 2));
      spread = Math.max(spread, Math.abs(p1[i]![k]! - p2[i]![k]!));
    }),
  );
  assert.ok(maxDiff < 1e-6, `ensemble vs mean of members: ${maxDiff}`);
  assert.ok(spread > 1e-3, 'the members agree exactly, so the test would not see a wrong mean');
  const file = path.join(data, 'panic', readdirSync(path.join(data, 'panic'))[0]!);
  const [fe, f1, f2] = await Promise.all([ensembleDir, one!, two!].map((d) => predictFiles(d, [file])));
  for (const c of Object.keys(fe[0]!.probs)) {
    assert.ok(Math.abs(fe[0]!.probs[c]! - (f1[0]!.probs[c]! + f2[0]!.probs[c]!) / 2) < 1e-6, c);
  }
});

test('an interrupted ensemble is refused until finished; --resume continues member by member, bit-exact', async () => {
  await ensembleRun;
  const out = tmpDir();
  const hyper = { ...TINY_HYPER, ensemble: 2 };
  await train({ ...base, out, hyper: { ...hyper, epochs: 2 } });
  // As if stopped while training member 2: no manifest, member 2 without a model.
  rmSync(path.join(out, ENSEMBLE_FILE));
  rmSync(path.join(out, 'members', '2'), { recursive: true });
  assert.throws(() => loadTrainedModel(out), /ensemble whose training has not finished.*--resume/);
  await assert.rejects(train({ ...base, out, hyper }), /out: .* already holds a model; continue it with resume/);
  await train({ ...base, out, hyper, resume: true });
  for (const k of ['1', '2'])
    assert.deepEqual(weightBytes(path.join(out, 'members', k)), weightBytes(path.join(ensembleDir, 'members', k)), `member ${k}`);
  // --resume with nothing to resume is an error.
  await assert.rejects(train({ ...base, out: tmpDir(), hyper, resume: true }), /resume: no checkpoint/);
});

test('--force replaces an ensemble by a single model (no stale ensemble.json) and vice versa', async () => {
  const out = tmpDir();
  await train({ ...base, out, hyper: { ...TINY_HYPER, epochs: 1, ensemble: 2 } });
  await train({ ...base, out, hyper: { ...TINY_HYPER, epochs: 1 }, force: true });
  assert.ok(!existsSync(path.join(out, ENSEMBLE_FILE)) && !existsSync(path.join(out, 'members')));
  assert.equal(loadTrainedModel(out).members.length, 1);
  await train({ ...base, out, hyper: { ...TINY_HYPER, epochs: 1, ensemble: 2 }, force: true, report: true });
  assert.ok(!existsSync(path.join(out, 'weights.safetensors')));
  assert.equal(loadTrainedModel(out).members.length, 2);
  assert.match(readFileSync(path.join(out, 'report.html'), 'utf8'), /An ensemble of 2 networks \(seeds 7…8/);
});

test('bad ensemble manifests are refused with the reason', async () => {
  await ensembleRun;
  const dir = tmpDir();
  const write = (o: unknown): void => writeFileSync(path.join(dir, ENSEMBLE_FILE), JSON.stringify(o));
  writeFileSync(path.join(dir, ENSEMBLE_FILE), '{ nope');
  assert.throws(() => loadTrainedModel(dir), /ensemble\.json: not valid JSON/);
  write({ format: 'affexion-ensemble', members: [] });
  assert.throws(() => loadTrainedModel(dir), /not an Affexion ensemble manifest/);
  write({ format: 'affexion-ensemble', members: ['missing'] });
  assert.throws(() => loadTrainedModel(dir), /member missing has no config\.json/);
  // Members that take different classes cannot be averaged.
  const other = tmpDir();
  await train({
    data: makeToneDataset({ classes: ['boredom', 'panic'], perClass: 4 }),
    features: TINY_FEATURES,
    cacheDir,
    report: false,
    out: other,
    hyper: { ...TINY_HYPER, epochs: 1 },
  });
  write({ format: 'affexion-ensemble', members: [path.join(ensembleDir, 'members', '1'), other] });
  assert.throws(() => loadTrainedModel(dir), /differ in classes/);
});

test('--ensemble must be a positive integer', () => {
  assert.throws(() => resolveHyperparameters({ ensemble: 0 }), /ensemble: expected a positive integer, got 0/);
  assert.throws(() => resolveHyperparameters({ ensemble: 1.5 }), /ensemble: /);
  assert.equal(resolveHyperparameters({}).ensemble, 1);
});

test('cv --ensemble 2 trains an ensemble per fold and scores it', async () => {
  const out = tmpDir();
  const r = await crossValidate({
    data,
    out,
    folds: 2,
    features: TINY_FEATURES,
    cacheDir,
    report: false,
    hyper: { ...TINY_HYPER, epochs: 1, ensemble: 2 },
  });
  assert.equal(r.folds.length, 2);
  for (const f of ['fold-01', 'fold-02']) {
    assert.equal(loadTrainedModel(path.join(out, f)).members.length, 2);
    assert.ok(readSafetensors(path.join(out, f, 'members', '2', 'weights.safetensors')).tensors.size > 0);
  }
});
