import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../../src/engine/rng.js';
import { colouredNoise, babbleNoise, mixAtSnr } from '../../src/augment/noise.js';
import { syntheticRir, estimateRt60, applyRir } from '../../src/augment/reverb.js';
import { bandLimit, applyGain } from '../../src/augment/channel.js';
import { specAugment, planMixup, applyMixup, type MaskRecord } from '../../src/augment/specaugment.js';
import { makeAugmenter, parseAugmentSpec } from '../../src/augment/augmenter.js';
import { powerSpectrum, meanPower } from '../../src/augment/spectrum.js';
import { trackPitch } from '../../src/features/pitch.js';
import { SR, syntheticVowel, medianVoiced, readWav16, REAL_CLIP } from './helpers.js';

const speech = readWav16(REAL_CLIP);
const db = (x: number): number => 10 * Math.log10(x);

/** Slope of the power spectrum in dB per decade, least squares over [f1, f2] Hz. */
function slopePerDecade(x: Float32Array, f1: number, f2: number): number {
  const nFft = 4096;
  const psd = powerSpectrum(x, nFft);
  const xs: number[] = [],
    ys: number[] = [];
  for (let k = 1; k < psd.length; k++) {
    const f = (k * SR) / nFft;
    if (f >= f1 && f <= f2) {
      xs.push(Math.log10(f));
      ys.push(db(psd[k]!));
    }
  }
  const mx = xs.reduce((a, b) => a + b, 0) / xs.length,
    my = ys.reduce((a, b) => a + b, 0) / ys.length;
  let num = 0,
    den = 0;
  for (let i = 0; i < xs.length; i++) {
    num += (xs[i]! - mx) * (ys[i]! - my);
    den += (xs[i]! - mx) ** 2;
  }
  return num / den;
}

test('noise colours have the right spectral slope (white 0, pink −10, brown −20 dB/decade)', () => {
  const rng = new Rng(1);
  for (const [color, slope] of [
    ['white', 0],
    ['pink', -10],
    ['brown', -20],
  ] as const) {
    const n = colouredNoise(SR * 4, color, rng);
    assert.ok(Math.abs(meanPower(n) - 1) < 1e-3, `${color} not unit power`);
    const got = slopePerDecade(n, 100, 6000);
    assert.ok(Math.abs(got - slope) < 1.5, `${color}: ${got.toFixed(2)} dB/decade`);
  }
});

test('mixAtSnr hits the requested SNR within 0.05 dB', () => {
  const rng = new Rng(2);
  for (const snr of [0, 5, 12.5, 20]) {
    const y = mixAtSnr(speech, colouredNoise(speech.length, 'pink', rng), snr);
    const added = y.map((v, i) => v - speech[i]!);
    const got = db(meanPower(speech) / meanPower(added));
    assert.ok(Math.abs(got - snr) < 0.05, `SNR ${got.toFixed(3)} vs ${snr}`);
  }
});

test('babble is unit-power, speech-coloured noise built from other clips', () => {
  const b = babbleNoise(SR * 2, [speech, syntheticVowel(1, () => 200)], new Rng(3));
  assert.ok(Math.abs(meanPower(b) - 1) < 1e-3);
  assert.ok(slopePerDecade(b, 300, 6000) < -10, 'babble should fall off like speech');
  assert.throws(() => babbleNoise(100, [], new Rng(1)), /at least one non-silent source/);
});

test('synthetic RIRs decay with the requested RT60 (Schroeder, within 10 %) and DRR (within 0.5 dB)', () => {
  const rng = new Rng(4);
  for (const rt60 of [0.2, 0.5, 0.9]) {
    const h = syntheticRir(SR, { rt60, drrDb: 3 }, rng);
    const est = estimateRt60(h, SR);
    assert.ok(Math.abs(est / rt60 - 1) < 0.1, `RT60 ${est.toFixed(3)} vs ${rt60}`);
    let rev = 0;
    for (let i = 1; i < h.length; i++) rev += h[i]! ** 2;
    assert.ok(Math.abs(db(1 / rev) - 3) < 0.5, `DRR ${db(1 / rev).toFixed(2)}`);
  }
  const y = applyRir(speech, syntheticRir(SR, { rt60: 0.5, drrDb: 0 }, rng));
  assert.equal(y.length, speech.length);
  assert.ok(Math.abs(meanPower(y) / meanPower(speech) - 1) < 1e-3, 'reverb keeps the clip power');
  assert.throws(() => syntheticRir(SR, { rt60: 0, drrDb: 0 }, rng), /rt60 must be > 0/);
});

test('telephone filter keeps 300–3400 Hz and removes the rest (spectrum)', () => {
  const white = colouredNoise(SR * 4, 'white', new Rng(5));
  const y = bandLimit(white, SR, { muLaw: false });
  const nFft = 1024;
  const pin = powerSpectrum(white, nFft),
    pout = powerSpectrum(y, nFft);
  const band = (f1: number, f2: number): number => {
    let a = 0,
      b = 0;
    for (let k = 0; k < pin.length; k++) {
      const f = (k * SR) / nFft;
      if (f >= f1 && f <= f2) {
        a += pout[k]!;
        b += pin[k]!;
      }
    }
    return db(a / b);
  };
  assert.ok(Math.abs(band(600, 3000)) < 1, `passband ${band(600, 3000).toFixed(2)} dB`);
  assert.ok(band(20, 120) < -20, `below ${band(20, 120).toFixed(1)} dB`);
  assert.ok(band(4600, 8000) < -20, `above ${band(4600, 8000).toFixed(1)} dB`);
  // μ-law adds quantisation noise but keeps the level.
  const mu = bandLimit(speech, SR);
  const clean = bandLimit(speech, SR, { muLaw: false });
  assert.ok(Math.abs(db(meanPower(mu) / meanPower(clean))) < 0.5);
  const err = mu.map((v, i) => v - clean[i]!);
  assert.ok(db(meanPower(clean) / meanPower(err)) > 20, `μ-law SNR ${db(meanPower(clean) / meanPower(err)).toFixed(1)} dB`);
});

test('gain multiplies by 10^(dB/20)', () => {
  const y = applyGain(speech, -6);
  assert.ok(Math.abs(db(meanPower(y) / meanPower(speech)) + 6) < 1e-4);
});

test('speed perturbation changes duration by 1/f and pitch by f; pitch perturbation keeps duration', () => {
  const vowel = syntheticVowel(1.0, () => 120);
  const f0 = medianVoiced(trackPitch(vowel, SR).f0);
  const sp = makeAugmenter('speed:factor=1.1:p=1', new Rng(6)).wave(vowel, SR);
  assert.ok(Math.abs(sp.length / (vowel.length / 1.1) - 1) < 0.01, `length ${sp.length}`);
  assert.ok(Math.abs(medianVoiced(trackPitch(sp, SR).f0) / f0 / 1.1 - 1) < 0.02);
  const ps = makeAugmenter('pitch:semitones=2:p=1', new Rng(6)).wave(vowel, SR);
  assert.equal(ps.length, vowel.length);
  assert.ok(Math.abs(medianVoiced(trackPitch(ps, SR).f0) / f0 / Math.pow(2, 2 / 12) - 1) < 0.02);
});

test('online noise via the spec hits the drawn SNR range', () => {
  const aug = makeAugmenter('noise:snr=10:type=brown:p=1', new Rng(7));
  const { samples, applied } = aug.waveWithLog(speech, SR);
  const added = samples.map((v, i) => v - speech[i]!);
  assert.ok(Math.abs(db(meanPower(speech) / meanPower(added)) - 10) < 0.05);
  assert.deepEqual(applied, ['noise(brown,snr=10.0)']);
});

test('SpecAugment masks are present, set to the row mean, and shared across MFCC/Δ/ΔΔ bands', () => {
  const rows = 75,
    frames = 300;
  const data = new Float32Array(rows * frames).map((_, i) => Math.sin(i * 0.37) + (Math.floor(i / frames) % 7));
  const rec: MaskRecord = { time: [], freq: [] };
  const y = specAugment({ rows, frames, data }, new Rng(8), { timeMasks: 2, freqMasks: 2, maxTimeWidth: 30, maxFreqWidth: 5 }, rec);
  assert.equal(rec.time.length, 2);
  assert.equal(rec.freq.length, 2);
  const rowMean = (r: number): number => {
    let s = 0;
    for (let t = 0; t < frames; t++) s += data[r * frames + t]!;
    return s / frames;
  };
  let masked = 0;
  for (const [t0, w] of rec.time)
    for (let t = t0; t < t0 + w; t++) {
      for (const r of [0, 40]) assert.ok(Math.abs(y.data[r * frames + t]! - rowMean(r)) < 1e-5);
      masked += w > 0 ? 1 : 0;
    }
  for (const [f0, w] of rec.freq)
    for (let f = f0; f < f0 + w; f++)
      for (const g of [0, 25, 50]) {
        assert.ok(Math.abs(y.data[(g + f) * frames + 123]! - rowMean(g + f)) < 1e-5, `band ${g} coeff ${f} not masked`);
      }
  assert.ok(rec.time.some(([, w]) => w > 0) || rec.freq.some(([, w]) => w > 0), 'no mask drawn');
  // Unmasked cells are untouched.
  const maskedT = new Set(rec.time.flatMap(([t0, w]) => Array.from({ length: w }, (_, i) => t0 + i)));
  const maskedF = new Set(rec.freq.flatMap(([f0, w]) => Array.from({ length: w }, (_, i) => f0 + i)));
  const row = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10].find((r) => !maskedF.has(r))!;
  let kept = 0;
  for (let t = 0; t < frames; t++)
    if (!maskedT.has(t)) {
      assert.equal(y.data[row * frames + t], data[row * frames + t]);
      kept++;
    }
  assert.ok(kept > 0 && masked > 0 === rec.time.some(([, w]) => w > 0));
});

test('mixup: λ ≥ 0.5, partners form a permutation, output is the convex mix', () => {
  const B = 6,
    stride = 4;
  const x = Float32Array.from({ length: B * stride }, (_, i) => i);
  const plan = planMixup(B, 0.4, new Rng(9));
  assert.ok(plan.lambda >= 0.5 && plan.lambda <= 1);
  assert.deepEqual([...plan.partner].sort(), [0, 1, 2, 3, 4, 5]);
  const y = applyMixup(x, B, stride, plan);
  for (let i = 0; i < B; i++)
    for (let j = 0; j < stride; j++) {
      const want = plan.lambda * x[i * stride + j]! + (1 - plan.lambda) * x[plan.partner[i]! * stride + j]!;
      assert.ok(Math.abs(y[i * stride + j]! - want) < 1e-4);
    }
  assert.throws(() => planMixup(4, 0, new Rng(1)), /alpha must be > 0/);
});

test('seeded determinism: same seed → identical augmentation, different seed → different', () => {
  const spec = 'default,pitch:p=0.5';
  const run = (seed: number): Float32Array => {
    const aug = makeAugmenter(spec, new Rng(seed), { babbleSources: [speech] });
    aug.wave(speech, SR);
    return aug.wave(speech, SR);
  };
  assert.deepEqual(run(10), run(10));
  assert.notDeepEqual(run(10), run(11));
});

test('spec parsing: defaults, overrides and clear errors', () => {
  const ops = parseAugmentSpec('noise:snr=0..10,reverb:p=0.5,specaugment');
  assert.deepEqual(
    ops.map((o) => o.name),
    ['noise', 'reverb', 'specaugment'],
  );
  assert.deepEqual(ops[0]!.params.snr, { kind: 'range', lo: 0, hi: 10 });
  assert.deepEqual(ops[1]!.params.p, { kind: 'num', v: 0.5 });
  assert.deepEqual(ops[1]!.params.rt60, { kind: 'range', lo: 0.2, hi: 0.8 });
  assert.throws(() => parseAugmentSpec('echo'), /unknown operation 'echo'/);
  assert.throws(() => parseAugmentSpec('noise:snr=a..b'), /noise:snr=a\.\.b is not a number/);
  assert.throws(() => parseAugmentSpec('noise:level=3'), /noise takes p=, snr=, type=/);
  assert.throws(() => parseAugmentSpec('gain:p=2'), /gain:p must be a number in \[0, 1\]/);
  assert.throws(() => makeAugmenter('noise:type=babble', new Rng(1)), /needs other clips/);
  const a = makeAugmenter('mixup:alpha=0.3,specaugment', new Rng(1));
  assert.deepEqual(a.mixup, { alpha: 0.3 });
  assert.equal(a.hasWave, false);
  assert.equal(a.hasFeatures, true);
});

test('augmentation charts: one panel per operation, original and augmented series', async () => {
  const { augmentationCharts } = await import('../../src/augment/charts.js');
  const charts = augmentationCharts(speech.subarray(0, SR), SR, [speech.subarray(SR)], 1);
  assert.deepEqual(
    charts.map((c) => c.name),
    ['augment-spectra', 'augment-levels', 'augment-specaugment'],
  );
  const rows = (charts[0]!.spec as { data: { values: { op: string; version: string; f: number; db: number }[] } }).data.values;
  assert.equal(new Set(rows.map((r) => r.op)).size, 9);
  // The telephone panel's augmented spectrum is far below the original under 150 Hz.
  const low = (version: string): number =>
    rows.filter((r) => r.op.startsWith('telephone') && r.version === version && r.f < 150).reduce((a, r) => a + r.db, 0);
  assert.ok(low('augmented') < low('original') - 20);
});

test('edge cases: empty, tiny and silent clips pass through every operation with finite output', () => {
  const spec = 'noise:p=1,reverb:p=1,telephone:p=1,gain:p=1,speed:p=1,pitch:p=1';
  for (const x of [new Float32Array(0), Float32Array.from({ length: 50 }, (_, i) => Math.sin(i) * 0.1), new Float32Array(SR)]) {
    const y = makeAugmenter(spec, new Rng(12), { babbleSources: [new Float32Array(10), speech] }).wave(x, SR);
    assert.ok(y.every(Number.isFinite), `non-finite output for a ${x.length}-sample clip`);
    // speed draws a factor in 0.9..1.1, so the length ends up in [n / 1.1, n / 0.9].
    assert.ok(
      y.length >= Math.floor(x.length / 1.1) - 1 && y.length <= Math.ceil(x.length / 0.9) + 1,
      `length ${y.length} from ${x.length}`,
    );
  }
});
