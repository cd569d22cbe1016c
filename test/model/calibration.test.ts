import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyTemperature, expectedCalibrationError, fitTemperature } from '../../src/model/calibration.js';
import { loadTrainedModel, modelProbabilities, saveTemperature } from '../../src/model/model-dir.js';
import { Rng } from '../../src/engine/rng.js';
import { train } from '../../src/train/train.js';
import { makeToneDataset, TINY_FEATURES, TINY_HYPER, tmpDir } from '../train/fixtures.js';

test('temperature scaling: recovers the temperature that made over-confident probabilities; ECE falls; classes never change', () => {
  // Calibrated 3-class probabilities, then sharpened with T = 1/3 (over-confident).
  const rng = new Rng(2);
  const K = 3, N = 3000;
  const probs = new Float32Array(N * K);
  const targets: number[] = [];
  for (let i = 0; i < N; i++) {
    const logits = [rng.normal(), rng.normal(), rng.normal()];
    const z = logits.reduce((a, l) => a + Math.exp(l), 0);
    const p = logits.map((l) => Math.exp(l) / z);
    const u = rng.next();
    targets.push(u < p[0]! ? 0 : u < p[0]! + p[1]! ? 1 : 2);
    p.forEach((v, k) => (probs[i * K + k] = v));
  }
  const sharp = applyTemperature(probs, K, 1 / 3);
  const T = fitTemperature(sharp, targets, K);
  assert.ok(Math.abs(T - 3) < 0.4, `T = ${T}`);
  const before = expectedCalibrationError(sharp, targets, K);
  const after = expectedCalibrationError(applyTemperature(sharp, K, T), targets, K);
  assert.ok(before > 0.1 && after < 0.04, `ECE ${before} → ${after}`);
  const back = applyTemperature(sharp, K, T);
  for (let i = 0; i < N; i++) {
    const am = (p: Float32Array): number => [0, 1, 2].reduce((b, k) => (p[i * K + k]! > p[i * K + b]! ? k : b), 0);
    assert.equal(am(back), am(sharp));
  }
});

test('a stored temperature is applied on every load; a bad one is refused naming the file', async () => {
  const data = makeToneDataset({ perClass: 4, seed: 8 });
  const out = tmpDir();
  await train({ data, out, features: TINY_FEATURES, cacheDir: null, report: false, hyper: { ...TINY_HYPER, epochs: 1 } });
  const m = loadTrainedModel(out);
  const x = [{ rows: 24, frames: 20, data: Float32Array.from({ length: 480 }, (_, i) => Math.sin(i)) }];
  const p1 = await modelProbabilities(m, x);
  saveTemperature(out, 2, 'test');
  const m2 = loadTrainedModel(out);
  assert.equal(m2.temperature, 2);
  const p2 = await modelProbabilities(m2, x);
  assert.deepEqual(Array.from(p2).map((v) => v.toFixed(5)), Array.from(applyTemperature(p1, 2, 2)).map((v) => v.toFixed(5)));
  assert.throws(() => saveTemperature(out, -1, 'test'), /temperature: expected a positive number/);
});
