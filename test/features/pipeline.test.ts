/**
 * The pipeline's parts against independent references (scipy values computed once and written here),
 * and its behaviour on inputs librosa refuses or that could go wrong: short, silent, empty, non-finite.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { savgolWeights, deltaRows } from '../../src/features/delta.js';
import { RealDft, hannWindow, frameCount } from '../../src/features/stft.js';
import { extractFeatures, extractFeatureStages, nativeFrontEndAvailable, DEFAULT_FEATURE_PARAMS } from '../../src/features/index.js';

const close = (a: number, b: number, tol: number, what: string) => assert.ok(Math.abs(a - b) <= tol, `${what}: ${a} vs ${b}`);

test('Savitzky–Golay weights equal scipy.signal.savgol_coeffs(9, p, deriv=p, use="dot")', () => {
  const d2 = [
    0.0606060606060606, 0.015151515151515171, -0.017316017316017302, -0.03679653679653677, -0.04329004329004327, -0.03679653679653677,
    -0.017316017316017288, 0.015151515151515162, 0.06060606060606061,
  ];
  const w2 = savgolWeights(9, 2, 2, 4);
  d2.forEach((c, i) => close(w2[i], c, 1e-12, `order 2 weight ${i}`));
  const w1 = savgolWeights(9, 1, 1, 4);
  for (let i = 0; i < 9; i++) close(w1[i], (i - 4) / 60, 1e-12, `order 1 weight ${i}`);
});

test("deltas equal scipy.signal.savgol_filter(x, 9, p, deriv=p, mode='interp'), edges included", () => {
  const x = Float32Array.from([3, -1, 4, 1, -5, 9, 2, -6, 5, 3, 5, -8]);
  const want1 = [-0.05, -0.05, -0.05, -0.05, -0.05, 0.2, 0.25, -0.25, -0.25, -0.25, -0.25, -0.25];
  const want2 = [
    0.12337662337662325, 0.12337662337662325, 0.12337662337662325, 0.12337662337662325, 0.1233766233766237, 0.06493506493506503,
    0.4090909090909092, -0.6298701298701295, -0.6298701298701308, -0.6298701298701308, -0.6298701298701308, -0.6298701298701308,
  ];
  const out = new Float32Array(12);
  deltaRows(x, 1, 12, 9, 1, out);
  want1.forEach((w, i) => close(out[i], w, 1e-6, `delta frame ${i}`));
  deltaRows(x, 1, 12, 9, 2, out);
  want2.forEach((w, i) => close(out[i], w, 1e-6, `delta2 frame ${i}`));
});

test('clips shorter than the delta window: whole-clip polynomial fit, exact on polynomials, never NaN', () => {
  for (let frames = 1; frames < 9; frames++) {
    const q = Float32Array.from({ length: frames }, (_, t) => 2 + 3 * t + 0.5 * t * t);
    const d1 = new Float32Array(frames);
    const d2 = new Float32Array(frames);
    deltaRows(q, 1, frames, 9, 1, d1);
    deltaRows(q, 1, frames, 9, 2, d2);
    for (let t = 0; t < frames; t++) {
      assert.ok(Number.isFinite(d1[t]) && Number.isFinite(d2[t]), `finite at ${frames} frames`);
      if (frames >= 3) close(d2[t], 1, 1e-4, `second derivative of 0.5t² with ${frames} frames`);
      if (frames === 1) assert.equal(d1[t], 0);
    }
    // A straight line's slope is found exactly from 2 frames on.
    const line = Float32Array.from({ length: frames }, (_, t) => 7 - 2 * t);
    deltaRows(line, 1, frames, 9, 1, d1);
    if (frames >= 2) for (let t = 0; t < frames; t++) close(d1[t], -2, 1e-5, `slope with ${frames} frames`);
  }
});

test('FFT: Bluestein path (non-power-of-two sizes) agrees with a direct DFT', () => {
  for (const n of [6, 15, 400, 1000]) {
    const x = Float64Array.from({ length: n }, (_, i) => Math.sin(i * 0.37) + 0.25 * Math.cos(i * 1.91) + (i % 7) / 7);
    const X = new RealDft(n).forward(x);
    for (let k = 0; k <= n / 2; k++) {
      let re = 0;
      let im = 0;
      for (let j = 0; j < n; j++) {
        re += x[j] * Math.cos((-2 * Math.PI * j * k) / n);
        im += x[j] * Math.sin((-2 * Math.PI * j * k) / n);
      }
      close(X[2 * k], re, 1e-9 * n, `n ${n} bin ${k} re`);
      close(X[2 * k + 1], im, 1e-9 * n, `n ${n} bin ${k} im`);
    }
  }
});

test('window and framing follow librosa (periodic Hann, 1 + len // hop frames)', () => {
  const w = hannWindow(8);
  close(w[0], 0, 0, 'w[0]');
  close(w[4], 1, 1e-15, 'w[4]');
  close(w[2], 0.5, 1e-15, 'w[2]');
  assert.equal(frameCount(16000, 2048, 160), 101);
  assert.equal(frameCount(1, 2048, 160), 1);
  assert.equal(frameCount(159, 2048, 160), 1);
  assert.equal(frameCount(160, 2048, 160), 2);
});

test("defaults are the paper's: 75 rows, 1000 frames for 10 s at 16 kHz", () => {
  assert.deepEqual(
    { ...DEFAULT_FEATURE_PARAMS },
    { sr: 16000, nMfcc: 25, nFft: 2048, hopLength: 160, nMels: 128, fmin: 0, fmax: null, deltaWidth: 9 },
  );
  const y = new Float32Array(16000 * 10 - 1).map((_, i) => Math.sin(i / 7) * 0.1);
  const F = extractFeatures(y);
  assert.deepEqual([F.rows, F.frames], [75, 1000]);
});

test('very short clips (1 sample, 5 frames) give finite features', () => {
  for (const n of [1, 100, 700]) {
    const y = Float32Array.from({ length: n }, (_, i) => Math.sin(i / 3) * 0.3);
    const F = extractFeatures(y);
    assert.equal(F.frames, 1 + Math.floor(n / 160));
    assert.ok(F.data.every(Number.isFinite), `all finite for ${n} samples`);
  }
});

test('silence is well defined: log-mel −100 dB, so MFCC 0 is −100·√nMels and the rest are 0', () => {
  const F = extractFeatures(new Float32Array(3200));
  for (let t = 0; t < F.frames; t++) {
    close(F.data[t], -100 * Math.sqrt(128), 1e-3, 'c0');
    for (let r = 1; r < F.rows; r++) close(F.data[r * F.frames + t], 0, 1e-3, `row ${r}`);
  }
});

test('bad input and bad parameters raise clear errors', () => {
  assert.throws(() => extractFeatures(new Float32Array(0)), /signal is empty/);
  assert.throws(() => extractFeatures(Float32Array.from([0, NaN, 0])), /sample 1 is not finite/);
  assert.throws(() => extractFeatures(new Float32Array(100), { nFft: 0 }), /nFft/);
  assert.throws(() => extractFeatures(new Float32Array(100), { hopLength: 1.5 }), /hopLength/);
  assert.throws(() => extractFeatures(new Float32Array(100), { nMfcc: 200 }), /nMfcc/);
  assert.throws(() => extractFeatures(new Float32Array(100), { deltaWidth: 4 }), /deltaWidth/);
  assert.throws(() => extractFeatures(new Float32Array(100), { fmax: 9000, sr: 16000, fmin: 9500 }), /fmax/);
});

test('every parameter changes the output shape as librosa would', () => {
  const y = Float32Array.from({ length: 8000 }, (_, i) => Math.sin(i / 5) * 0.2 + Math.sin(i / 2.1) * 0.1);
  const F = extractFeatures(y, { nMfcc: 13, nFft: 1000, hopLength: 256, nMels: 40, fmin: 50, fmax: 7000 });
  assert.deepEqual([F.rows, F.frames], [39, 1 + Math.floor(8000 / 256)]);
  assert.ok(F.data.every(Number.isFinite));
});

test(
  'native front end equals the JS reference (power, mel, log-mel, features) across sizes',
  { skip: !nativeFrontEndAvailable(2048) && 'native addon not built' },
  () => {
    let seed = 12345;
    const rand = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32) * 2 - 1;
    for (const [nFft, hop, len, nMels, nMfcc] of [
      [2048, 160, 20011, 128, 25],
      [512, 128, 7000, 40, 13],
      [4096, 1000, 30000, 64, 20],
      [8, 3, 41, 4, 3],
      [1024, 256, 100, 128, 25],
    ]) {
      const y = Float32Array.from({ length: len }, (_, i) => 0.3 * Math.sin(i / 9) + 0.05 * rand());
      const p = { nFft, hopLength: hop, nMels, nMfcc };
      const a = extractFeatureStages(y, p, { backend: 'auto' });
      const b = extractFeatureStages(y, p, { backend: 'js' });
      const label = `nFft ${nFft} hop ${hop}`;
      assert.equal(a.frames, b.frames, label);
      const rel = (x: Float32Array, r: Float32Array, what: string, tol: number) => {
        assert.equal(x.length, r.length, `${label} ${what} length`);
        for (let i = 0; i < x.length; i++)
          if (!(Math.abs(x[i] - r[i]) <= tol * Math.abs(r[i]) + 1e-30)) assert.fail(`${label} ${what}[${i}]: ${x[i]} vs ${r[i]}`);
      };
      rel(a.power, b.power, 'power', 1e-6);
      rel(a.melPower, b.melPower, 'mel power', 1e-6);
      for (let i = 0; i < a.logMel.length; i++) close(a.logMel[i], b.logMel[i], 1e-4, `${label} log-mel ${i}`);
      for (let i = 0; i < a.features.data.length; i++) close(a.features.data[i], b.features.data[i], 1e-4, `${label} features ${i}`);
    }
  },
);
