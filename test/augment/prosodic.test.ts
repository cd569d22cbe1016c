import { test } from 'node:test';
import assert from 'node:assert/strict';
import { prosodicFeatures, stackFeatureRows, PROSODIC_ROWS } from '../../src/features/prosodic.js';
import { extractFeatures } from '../../src/features/index.js';
import { SR, syntheticVowel, readWav16, REAL_CLIP } from './helpers.js';

const row = (m: { frames: number; data: Float32Array }, r: number): Float32Array => m.data.subarray(r * m.frames, (r + 1) * m.frames);

test('frames align with the MFCC matrix for any length', () => {
  for (const n of [4000, 16000, 16001, 23457]) {
    const x = syntheticVowel(n / SR, () => 140);
    const p = prosodicFeatures(x, SR);
    assert.equal(p.rows, PROSODIC_ROWS.length);
    assert.equal(p.frames, extractFeatures(x).frames, `n=${n}`);
  }
});

test('F0 row is semitones re 100 Hz (absolute) or re the median (relative); voicing marks speech', () => {
  // 0.3 s silence, 0.6 s vowel at 150 Hz, 0.3 s silence.
  const x = new Float32Array(Math.round(1.2 * SR));
  x.set(
    syntheticVowel(0.6, () => 150),
    Math.round(0.3 * SR),
  );
  const p = prosodicFeatures(x, SR);
  const f0 = row(p, 0),
    v = row(p, 1);
  const mid = Math.round((0.6 * SR) / 160);
  assert.ok(Math.abs(f0[mid]! - 12 * Math.log2(1.5)) < 0.15, `f0 ${f0[mid]}`);
  assert.equal(v[mid], 1);
  assert.equal(v[5], 0);
  assert.equal(v[p.frames - 5], 0);
  // Flat extrapolation into the silences keeps the contour continuous.
  assert.ok(Math.abs(f0[5]! - f0[mid]!) < 0.3);
  const rel = prosodicFeatures(x, SR, { f0Scale: 'relative' });
  assert.ok(Math.abs(row(rel, 0)[mid]!) < 0.15);
});

test('energy row is the RMS level in dB; silence is far below', () => {
  const amp = 0.5;
  const x = Float32Array.from({ length: SR }, (_, i) => amp * Math.sin((2 * Math.PI * 200 * i) / SR));
  const e = row(prosodicFeatures(x, SR), 2);
  assert.ok(Math.abs(e[50]! - 20 * Math.log10(amp / Math.SQRT2)) < 0.1, `energy ${e[50]}`);
  const quiet = new Float32Array(SR);
  quiet.set(x.subarray(0, SR / 2));
  const eq = row(prosodicFeatures(quiet, SR), 2);
  assert.ok(eq[80]! < -90);
});

test('deltas follow a glide: ΔF0 ≈ the contour slope per frame', () => {
  // Exponential glide 120 → 240 Hz over 1 s = 12 semitones / 100 frames.
  const x = syntheticVowel(1.0, (t) => 120 * Math.pow(2, t));
  const p = prosodicFeatures(x, SR);
  const d = row(p, 3);
  const mid = d.subarray(30, 70);
  const mean = mid.reduce((a, b) => a + b, 0) / mid.length;
  assert.ok(Math.abs(mean - 0.12) < 0.01, `Δf0 ${mean}`);
});

test('real speech: values are finite, voicing covers part of the clip; stacking with MFCCs', () => {
  const x = readWav16(REAL_CLIP);
  const p = prosodicFeatures(x, SR);
  assert.ok(p.data.every(Number.isFinite));
  const v = row(p, 1).reduce((a, b) => a + b, 0) / p.frames;
  assert.ok(v > 0.1 && v < 0.6, `voiced fraction ${v}`);
  const m = extractFeatures(x);
  const all = stackFeatureRows([m, p]);
  assert.equal(all.rows, 81);
  assert.deepEqual(all.data.subarray(75 * all.frames, 76 * all.frames), row(p, 0));
  assert.throws(() => stackFeatureRows([m, prosodicFeatures(x.subarray(0, 8000), SR)]), /frame counts differ/);
  assert.throws(() => prosodicFeatures(new Float32Array(0), SR), /empty/);
});
