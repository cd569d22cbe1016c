import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  applyNeutralBias,
  applyTemperature,
  expectedCalibrationError,
  fitNeutralBias,
  fitTemperature,
} from '../../src/model/calibration.js';
import { loadTrainedModel, modelProbabilities, saveCalibration } from '../../src/model/model-dir.js';
import { Rng } from '../../src/engine/rng.js';
import { train } from '../../src/train/train.js';
import { makeToneDataset, TINY_FEATURES, TINY_HYPER, tmpDir } from '../train/fixtures.js';

test('temperature scaling: recovers the temperature that made over-confident probabilities; ECE falls; classes never change', () => {
  // Calibrated 3-class probabilities, then sharpened with T = 1/3 (over-confident).
  const rng = new Rng(2);
  const K = 3,
    N = 3000;
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
  saveCalibration(out, { temperature: 2 }, 'test');
  const m2 = loadTrainedModel(out);
  assert.equal(m2.temperature, 2);
  const p2 = await modelProbabilities(m2, x);
  assert.deepEqual(
    Array.from(p2).map((v) => v.toFixed(5)),
    Array.from(applyTemperature(p1, 2, 2)).map((v) => v.toFixed(5)),
  );
  assert.throws(() => saveCalibration(out, { temperature: -1 }, 'test'), /temperature: expected a positive number/);
});

test('neutral operating point: the bias that best balances the recalls is found; signals keep their order', () => {
  // 3 classes, neutral = 1. Neutral clips carry p(neutral) ≈ 0.3 (the model under-calls neutral), signals p(neutral) ≈ 0.1.
  const K = 3,
    rng = new Rng(5),
    probs: number[] = [],
    targets: number[] = [];
  for (let i = 0; i < 600; i++) {
    const t = i % 3;
    const pn = t === 1 ? 0.2 + 0.2 * rng.next() : 0.05 + 0.1 * rng.next();
    const own = t === 1 ? (1 - pn) * (0.4 + 0.2 * rng.next()) : (1 - pn) * (0.6 + 0.3 * rng.next());
    const p = t === 0 ? [own, pn, 1 - pn - own] : t === 2 ? [1 - pn - own, pn, own] : [own, pn, 1 - pn - own];
    probs.push(...p);
    targets.push(t);
  }
  const P = Float32Array.from(probs);
  const r = fitNeutralBias(P, targets, K, 1);
  // Raising p(neutral) by e^b with b ≈ 1 lifts every neutral clip above the signals; none of the signals cross.
  assert.ok(r.bias > 0.5 && r.bias < 2.5, `bias ${r.bias}`);
  assert.ok(r.before < 0.85 && r.after > 0.95, `balanced accuracy ${r.before} → ${r.after}`);
  const B = applyNeutralBias(P, K, 1, r.bias);
  for (let i = 0; i < 600; i++) {
    assert.ok(Math.abs(B[i * K]! + B[i * K + 1]! + B[i * K + 2]! - 1) < 1e-5);
    assert.equal(B[i * K]! > B[i * K + 2]!, P[i * K]! > P[i * K + 2]!, 'signals keep their order');
  }
  // Already balanced: the bias stays 0 (ties go to 0).
  const one = Float32Array.from([0.8, 0.1, 0.1, 0.1, 0.8, 0.1, 0.1, 0.1, 0.8]);
  assert.equal(fitNeutralBias(one, [0, 1, 2], 3, 1).bias, 0);
});

test('a stored neutral bias is applied after the temperature on every load; refused without a class neutral or when not finite', async () => {
  const data = makeToneDataset({ classes: ['panic', 'neutral'], perClass: 4, seed: 9 });
  const out = tmpDir();
  await train({ data, out, features: TINY_FEATURES, cacheDir: null, report: false, hyper: { ...TINY_HYPER, epochs: 1 } });
  const m = loadTrainedModel(out);
  const x = [{ rows: 24, frames: 20, data: Float32Array.from({ length: 480 }, (_, i) => Math.cos(i)) }];
  const p1 = await modelProbabilities(m, x);
  saveCalibration(out, { temperature: 2, neutralBias: 1.5 }, 'test');
  const m2 = loadTrainedModel(out);
  assert.equal(m2.neutralBias, 1.5);
  const n = m2.classes.indexOf('neutral');
  const want = applyNeutralBias(applyTemperature(p1, 2, 2), 2, n, 1.5);
  assert.deepEqual(
    Array.from(await modelProbabilities(m2, x)).map((v) => v.toFixed(5)),
    Array.from(want).map((v) => v.toFixed(5)),
  );
  assert.throws(() => saveCalibration(out, { temperature: 1, neutralBias: NaN }, 'test'), /neutralBias: expected a finite number/);
  const other = tmpDir();
  await train({
    data: makeToneDataset({ perClass: 4, seed: 8 }),
    out: other,
    features: TINY_FEATURES,
    cacheDir: null,
    report: false,
    hyper: { ...TINY_HYPER, epochs: 1 },
  });
  saveCalibration(other, { temperature: 1, neutralBias: 1 }, 'test');
  assert.throws(() => loadTrainedModel(other), /neutral_bias is set but the model has no class neutral/);
});
