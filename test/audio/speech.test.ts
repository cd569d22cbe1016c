import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { detectSpeech, trimSilence, loadAudio } from '../../src/audio/index.js';
import { Rng } from '../../src/engine/rng.js';
import { SHARED_DIR } from '../shared-dir.js';

const SR = 16000;
/** A voiced-like burst: a 150 Hz tone with a harmonic, syllable-modulated at 4 Hz, `sec` long. */
function burst(sec: number, peak: number): Float32Array {
  const x = new Float32Array(Math.round(sec * SR));
  for (let i = 0; i < x.length; i++) {
    const env = 0.1 + 0.9 * Math.sin(Math.PI * (((4 * i) / SR) % 1)) ** 2;
    x[i] = peak * env * (0.6 * Math.sin((2 * Math.PI * 150 * i) / SR) + 0.4 * Math.sin((2 * Math.PI * 450 * i) / SR));
  }
  return x;
}
function noise(sec: number, rmsDb: number, seed: number): Float32Array {
  const rng = new Rng(seed),
    a = 10 ** (rmsDb / 20);
  return Float32Array.from({ length: Math.round(sec * SR) }, () => a * rng.normal());
}
const cat = (...xs: Float32Array[]) => {
  const o = new Float32Array(xs.reduce((n, x) => n + x.length, 0));
  let k = 0;
  for (const x of xs) {
    o.set(x, k);
    k += x.length;
  }
  return o;
};

test('trimSilence keeps the speech and a short pad, drops faint noise around it', () => {
  const x = cat(noise(1, -70, 1), burst(1.2, 0.5), noise(0.15, -70, 2), burst(0.5, 0.3), noise(2, -60, 3));
  const t = trimSilence(x, SR)!;
  assert.ok(t, 'speech found');
  // speech spans 1.0 s … 2.85 s; pads of 0.1 s at most
  assert.ok(Math.abs(t.start / SR - 0.9) < 0.03, `start ${t.start / SR}`);
  assert.ok(Math.abs(t.end / SR - 2.95) < 0.04, `end ${t.end / SR}`);
  // the 150 ms pause inside is kept (bridged)
  assert.equal(detectSpeech(x, SR).length, 1);
});

test('the detector is level-invariant: a quiet recording is trimmed like a loud one', () => {
  const loud = cat(noise(0.5, -60, 4), burst(1, 0.5), noise(0.5, -60, 5));
  const quiet = loud.map((v) => v * 0.003); // −50 dB
  assert.deepEqual(detectSpeech(quiet, SR), detectSpeech(loud, SR));
});

test('no speech: digital silence, steady noise and a steady tone return null', () => {
  assert.equal(trimSilence(cat(new Float32Array(SR), noise(1, -60, 8)), SR), null);
  assert.equal(trimSilence(new Float32Array(SR), SR), null);
  assert.equal(trimSilence(noise(2, -30, 6), SR), null);
  assert.equal(trimSilence(new Float32Array(0), SR), null);
});

test('bad options are named', () => {
  assert.throws(() => detectSpeech(burst(1, 0.5), SR, { hopSec: 0 }), /hopSec/);
  assert.throws(() => detectSpeech(burst(1, 0.5), SR, { rangeDb: Number.NaN }), /rangeDb/);
});

test('real clips: every dev clip has speech; appended faint noise is not taken for speech', async () => {
  for (const rel of ['ravdess-dev', 'tess-dev']) {
    const dir = path.join(SHARED_DIR, 'data', rel);
    const { readFileSync } = await import('node:fs');
    const rows = readFileSync(path.join(dir, 'labels.csv'), 'utf8').trim().split('\n').slice(1, 9);
    for (const row of rows) {
      const file = path.join(dir, row.split(',')[0]!);
      const { samples } = await loadAudio(file);
      const t = trimSilence(samples, SR)!;
      assert.ok(t && t.samples.length > 0.5 * SR, `${file}: speech found`);
      // Appended faint noise is not speech: the span still covers the speech and stops within 0.3 s
      // of the recording's end (a noisier floor may let the recording's own background in).
      const t2 = trimSilence(cat(samples, noise(2, -60, 7)), SR)!;
      assert.ok(
        t2.start <= t.start && t2.end >= t.end && t2.end <= samples.length + 0.3 * SR,
        `${file}: [${t.start}, ${t.end}] vs [${t2.start}, ${t2.end}] of ${samples.length}`,
      );
    }
  }
});
