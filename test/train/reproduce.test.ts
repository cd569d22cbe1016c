import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { reproduce, PAPER_FIGURES, formatComparison } from '../../src/train/reproduce.js';
import { makeToneDataset, TINY_FEATURES, TINY_HYPER, tmpDir } from './fixtures.js';

test('reproduce: trains, cross-validates, evaluates on "real" data through a label map, writes report + results', async () => {
  const synthetic = makeToneDataset({ classes: ['boredom', 'panic', 'excitement'], perClass: 4, seed: 2 });
  // The "real" set has an out-of-set class ("calm", dropped by the label map) and lacks "excitement".
  const real = makeToneDataset({ classes: ['boredom', 'panic', 'calm'], perClass: 2, seed: 3 });
  const out = tmpDir();
  const r = await reproduce({
    synthetic, real, out, folds: 2, labelMap: 'calm=', features: TINY_FEATURES, cacheDir: null,
    hyper: { ...TINY_HYPER, epochs: 2 },
  });
  assert.equal(r.cv.folds.length, 2);
  assert.equal(r.real.n, 4);
  assert.deepEqual(r.real.missing_classes, ['excitement']);
  assert.equal(r.table.rows.length, 4);
  assert.deepEqual(r.table.rows[0].values, [PAPER_FIGURES.cv.accuracy, PAPER_FIGURES.cv.macro_precision, PAPER_FIGURES.cv.macro_recall, PAPER_FIGURES.cv.macro_f1]);
  assert.equal(r.table.rows[3].values[0], r.real.accuracy);
  assert.match(formatComparison(r.table), /paper: real speech\s+45\.3 %\s+49\.4 %\s+45\.5 %\s+43\.6 %/);
  assert.ok(existsSync(path.join(out, 'report.html')));
  const results = JSON.parse(readFileSync(path.join(out, 'results.json'), 'utf8'));
  assert.equal(results.cv.k, 2);
  assert.ok(existsSync(path.join(out, 'model', 'weights.safetensors')));
  // Re-running resumes: the model and every fold are reused, not retrained.
  const again = await reproduce({ synthetic, real, out, folds: 2, features: TINY_FEATURES, cacheDir: null, hyper: { ...TINY_HYPER, epochs: 2 }, labelMap: 'calm=' });
  assert.ok(again.cv.folds.every((f) => f.reused));
  assert.deepEqual(again.real.confusion, r.real.confusion);
});
