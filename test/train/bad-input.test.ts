import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { train } from '../../src/train/train.js';
import { resolveHyperparameters } from '../../src/model/hyperparameters.js';
import { makeToneDataset, TINY_FEATURES, TINY_HYPER, tmpDir } from './fixtures.js';

const base = { features: TINY_FEATURES, cacheDir: null, report: false, hyper: { ...TINY_HYPER, epochs: 1 } };

test('empty class folder: clear error, no model directory created', async () => {
  const data = makeToneDataset({ perClass: 2 });
  mkdirSync(path.join(data, 'uncertainty'));
  const out = path.join(tmpDir(), 'model');
  await assert.rejects(train({ ...base, data, out }), /data: class "uncertainty" has no clips in .* \(remove the folder or add audio\)/);
  assert.ok(!existsSync(out), 'nothing half-written');
});

test('one-class dataset and a dataset with no usable clips: clear errors', async () => {
  await assert.rejects(
    train({ ...base, data: makeToneDataset({ classes: ['panic'], perClass: 2 }), out: tmpDir() }),
    /only one class \("panic"\)/,
  );
  const empty = tmpDir();
  mkdirSync(path.join(empty, 'a'));
  writeFileSync(path.join(empty, 'a', 'notes.txt'), 'x');
  await assert.rejects(train({ ...base, data: empty, out: tmpDir() }), /data: no usable clips .*notes\.txt: not an audio file/);
});

test('undecodable files are skipped with their reason; training goes on', async () => {
  const data = makeToneDataset({ perClass: 3 });
  writeFileSync(path.join(data, 'panic', 'broken.wav'), 'not really a wav');
  const logs: string[] = [];
  const r = await train({ ...base, data, out: tmpDir(), events: { log: (m) => logs.push(m) } });
  const s = r.skipped.find((x) => x.file.endsWith('broken.wav'));
  assert.ok(s, 'broken.wav listed as skipped');
  assert.match(s.reason, /broken\.wav/);
  assert.ok(logs.some((l) => l.includes('skipped') && l.includes('broken.wav')));
  assert.equal(r.history.length, 1);
});

test('a class whose every file fails to decode is an error, not a silent 1-class model', async () => {
  const data = makeToneDataset({ classes: ['panic'], perClass: 2 });
  mkdirSync(path.join(data, 'boredom'));
  writeFileSync(path.join(data, 'boredom', 'x.wav'), 'garbage');
  await assert.rejects(train({ ...base, data, out: tmpDir() }), /no clip of class "boredom" could be decoded/);
});

test('validation data with no known class, and bad hyper-parameters, name the option', async () => {
  const data = makeToneDataset({ perClass: 2 });
  const val = makeToneDataset({ classes: ['excitement'], perClass: 2 });
  await assert.rejects(train({ ...base, data, out: tmpDir(), val }), /val: none of its clips has one of the training classes/);
  assert.throws(() => resolveHyperparameters({ epochs: 0 }), /epochs: expected a positive integer, got 0/);
  assert.throws(() => resolveHyperparameters({ kernel_sizes: [4] }), /kernel_sizes: expected odd positive integers/);
  assert.throws(() => resolveHyperparameters({ dropout_fc: 1 }), /dropout_fc: expected a number in \[0, 1\)/);
  assert.throws(() => resolveHyperparameters({ lr: -1 }), /lr: expected a positive number/);
});

test('demo sentence split: held-out sentences never appear in the training file', async () => {
  const { splitSentences } = await import('../../src/workflows/demo.js');
  const { train: t, heldOut } = splitSentences(['boredom', 'panic']);
  const rows = (s: string) => s.trim().split('\n').slice(1);
  const tr = new Set(rows(t));
  const ho = rows(heldOut);
  assert.ok(ho.length > 0 && tr.size > ho.length);
  assert.ok(ho.every((r) => !tr.has(r)));
  assert.ok(ho.some((r) => r.startsWith('boredom,')) && ho.some((r) => r.startsWith('panic,')));
});
