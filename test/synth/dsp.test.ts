import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyEffort, applyTremor, finalRise, setLevel, activeLevelDb, trimAtQuietPoint } from '../../src/synth/dsp.js';
import { trackPitch } from '../../src/features/pitch.js';
import { Rng } from '../../src/engine/rng.js';

function speechLike(sr: number, seconds: number): Float32Array {
  const rng = new Rng(3);
  const x = new Float32Array(Math.round(sr * seconds));
  for (let i = 0; i < x.length; i++) {
    const t = i / sr;
    x[i] =
      0.3 * Math.sin(2 * Math.PI * 180 * t) +
      0.2 * Math.sin(2 * Math.PI * 1230 * t) +
      0.1 * Math.sin(2 * Math.PI * 3100 * t) +
      0.02 * (rng.next() - 0.5);
  }
  return x;
}

test('tremor modulates pitch by the requested depth at the requested rate', () => {
  const sr = 16000;
  const x = new Float32Array(sr * 2);
  for (let i = 0; i < x.length; i++) x[i] = 0.4 * Math.sin((2 * Math.PI * 200 * i) / sr);
  const y = applyTremor(x, sr, 5, 1.0, 0, 0); // ±1 semitone at 5 Hz
  const tr = trackPitch(y, sr);
  const v = Array.from(tr.f0.slice(20, -20)).filter((f) => f > 0);
  const hi = Math.max(...v),
    lo = Math.min(...v);
  assert.ok(Math.abs(12 * Math.log2(hi / 200) - 1) < 0.2, `upper deviation ${12 * Math.log2(hi / 200)} st`);
  assert.ok(Math.abs(12 * Math.log2(200 / lo) - 1) < 0.2, `lower deviation ${12 * Math.log2(200 / lo)} st`);
  // Zero depth is the identity.
  assert.equal(applyTremor(x, sr, 5, 0, 0), x);
});

test('setLevel hits the target active level; trimAtQuietPoint cuts in the pause', () => {
  const sr = 16000;
  const x = speechLike(sr, 1);
  setLevel(x, sr, -30);
  assert.ok(Math.abs(activeLevelDb(x, sr) + 30) < 0.01);
  // 3 s tone, 0.3 s gap at 2.5 s, tone again to 5 s: cut to ≤ 4 s lands in the gap.
  const y = new Float32Array(sr * 5);
  for (let i = 0; i < y.length; i++) if (i < 2.5 * sr || i > 2.8 * sr) y[i] = 0.3 * Math.sin(i * 0.1);
  const cut = trimAtQuietPoint(y, sr, 2, 4);
  assert.ok(cut.length / sr > 2.5 && cut.length / sr <= 2.81, `cut at ${cut.length / sr}`);
});

test('effort tilts the spectrum: brighter above 0, duller below, identity at 0', () => {
  const sr = 16000;
  // Energy of the 3 kHz component relative to the 200 Hz one, after the tilt.
  const ratioDb = (effort: number): number => {
    const n = sr;
    const x = new Float32Array(n);
    for (let i = 0; i < n; i++) x[i] = 0.3 * Math.sin((2 * Math.PI * 200 * i) / sr) + 0.3 * Math.sin((2 * Math.PI * 3000 * i) / sr);
    applyEffort(x, effort);
    const amp = (f: number): number => {
      let re = 0,
        im = 0;
      for (let i = 0; i < n; i++) {
        re += x[i]! * Math.cos((2 * Math.PI * f * i) / sr);
        im += x[i]! * Math.sin((2 * Math.PI * f * i) / sr);
      }
      return Math.hypot(re, im);
    };
    return 20 * Math.log10(amp(3000) / amp(200));
  };
  assert.ok(Math.abs(ratioDb(0)) < 0.01);
  assert.ok(ratioDb(0.8) > 3, `effort 0.8: ${ratioDb(0.8)} dB`);
  assert.ok(ratioDb(-0.5) < -3, `effort -0.5: ${ratioDb(-0.5)} dB`);
});

test('finalRise glides the end of the speech up by the requested semitones and keeps trailing silence', () => {
  const sr = 16000;
  const x = new Float32Array(Math.round(1.3 * sr)); // 1 s of 150 Hz, then 0.3 s of silence
  for (let i = 0; i < sr; i++) x[i] = 0.4 * Math.sin((2 * Math.PI * 150 * i) / sr);
  const y = finalRise(x, sr, 5, 0.35);
  const tr = trackPitch(y, sr);
  const voiced = Array.from(tr.f0).map((f, i) => (tr.voiced[i] ? f : 0));
  const lastVoiced = voiced
    .map((f, i) => (f > 0 ? i : -1))
    .filter((i) => i >= 0)
    .pop()!;
  const endSt = 12 * Math.log2(voiced[lastVoiced - 3]! / 150);
  assert.ok(endSt > 3.5 && endSt < 5.5, `end of glide at +${endSt.toFixed(2)} st`);
  assert.ok(Math.abs(voiced[40]! - 150) < 2, 'before the glide: unchanged');
  const shortening = (x.length - y.length) / sr;
  assert.ok(shortening > 0.02 && shortening < 0.08, `glide shortened the clip by ${shortening} s`);
  // Trailing silence kept.
  assert.equal(Math.max(...Array.from(y.subarray(y.length - Math.round(0.25 * sr))).map(Math.abs)), 0);
  assert.equal(finalRise(x, sr, 0), x);
});
