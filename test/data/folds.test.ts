import { test } from 'node:test';
import assert from 'node:assert/strict';
import { stratifiedKFold, stratifiedGroupKFold, foldLeaks, trainIndices } from '../../src/data/folds.js';

function checkPartition(folds: number[][], n: number): void {
  const all = folds.flat().sort((a, b) => a - b);
  assert.deepEqual(
    all,
    Array.from({ length: n }, (_, i) => i),
    'every clip in exactly one validation fold',
  );
}

test('stratified k-fold: partition, per-class balance within one, seeded', () => {
  const labels = [...Array(20).fill(0), ...Array(13).fill(1), ...Array(7).fill(2)];
  const folds = stratifiedKFold(labels, 7, 1);
  checkPartition(folds, labels.length);
  for (const c of [0, 1, 2]) {
    const per = folds.map((f) => f.filter((i) => labels[i] === c).length);
    assert.ok(Math.max(...per) - Math.min(...per) <= 1, `class ${c}: ${per}`);
  }
  const sizes = folds.map((f) => f.length);
  assert.ok(Math.max(...sizes) - Math.min(...sizes) <= 1);
  assert.deepEqual(stratifiedKFold(labels, 7, 1), folds);
  assert.notDeepEqual(stratifiedKFold(labels, 7, 2), folds);
  assert.equal(trainIndices(labels.length, folds[0]).length, labels.length - folds[0].length);
});

test('grouped k-fold: no group on both sides, classes spread, every fold non-empty', () => {
  // 10 speakers × 2 classes × 3 clips
  const labels: number[] = [];
  const groups: string[] = [];
  for (let s = 0; s < 10; s++)
    for (let c = 0; c < 2; c++)
      for (let r = 0; r < 3; r++) {
        labels.push(c);
        groups.push(`spk${s}`);
      }
  const folds = stratifiedGroupKFold(labels, groups, 5, 3);
  checkPartition(folds, labels.length);
  assert.ok(folds.every((f) => f.length > 0));
  assert.ok(foldLeaks(folds, groups).every((l) => l.length === 0));
  for (const f of folds) assert.equal(f.filter((i) => labels[i] === 0).length, f.filter((i) => labels[i] === 1).length);
});

test('plain k-fold over speakers leaks; foldLeaks names them', () => {
  const labels = [0, 0, 1, 1, 0, 1];
  const groups = ['a', 'a', 'a', 'b', 'b', 'b'];
  const leaks = foldLeaks(stratifiedKFold(labels, 2, 0), groups);
  assert.ok(leaks.some((l) => l.length > 0));
  assert.deepEqual(
    foldLeaks(
      [
        [0, 1, 2],
        [3, 4, 5],
      ],
      groups,
    ),
    [[], []],
  );
});

test('too few clips or groups for the folds: clear errors', () => {
  assert.throws(() => stratifiedKFold([0, 1, 0], 7, 0), /folds: 7: the dataset has only 3 clips/);
  assert.throws(() => stratifiedKFold([0, 1, 0], 1, 0), /folds: need an integer ≥ 2/);
  assert.throws(() => stratifiedGroupKFold([0, 1, 0, 1], ['a', 'a', 'b', 'b'], 3, 0, 'speakers'), /only 2 distinct speakers/);
});
