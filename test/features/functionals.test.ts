import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  clipFunctionals,
  extractCycles,
  framePowerSpectra,
  jitterLocal,
  shimmerLocalDb,
  spectralShape,
} from '../../src/features/functionals.js';
import { trackPitch } from '../../src/features/pitch.js';
import { Rng } from '../../src/engine/rng.js';
import { inverseRealFft, realFft } from '../../src/augment/spectrum.js';

const SR = 16000;

/**
 * A voice-like pulse train: each pulse excites a decaying 700 Hz resonance, evaluated analytically so
 * pulse times can fall between samples. `periods[i]` (s) and `amps[i]` set each cycle exactly.
 */
function pulseTrain(periods: readonly number[], amps: readonly number[], lead = 0.05): Float32Array {
  const onsets: number[] = [];
  let t = lead;
  for (const p of periods) {
    onsets.push(t);
    t += p;
  }
  const x = new Float32Array(Math.ceil((t + lead) * SR));
  const tau = 0.0025;
  for (let i = 0; i < onsets.length; i++) {
    const from = Math.ceil(onsets[i]! * SR),
      to = Math.min(x.length, from + Math.round(8 * tau * SR));
    for (let n = from; n < to; n++) {
      const d = n / SR - onsets[i]!;
      x[n] += 0.5 * amps[i]! * Math.exp(-d / tau) * Math.sin(2 * Math.PI * 700 * d);
    }
  }
  return x;
}

const N = 300; // cycles: 2.5 s at 120 Hz
const T0 = 1 / 120;

test('jitter: exact on pulse trains with known period perturbation', () => {
  const steady = pulseTrain(Array(N).fill(T0), Array(N).fill(1));
  assert.ok(clipFunctionals(steady, SR).jitter < 0.001, 'a steady train has (near) zero jitter');
  // Alternating ±1 %: every consecutive pair differs by 2 % of the period.
  const alt = pulseTrain(
    Array.from({ length: N }, (_, i) => T0 * (1 + 0.01 * (i % 2 ? 1 : -1))),
    Array(N).fill(1),
  );
  const j = clipFunctionals(alt, SR).jitter;
  assert.ok(Math.abs(j - 0.02) < 0.002, `alternating ±1 %: jitter ${j.toFixed(4)}, expected 0.020`);
  // Gaussian period noise, sd 1 %: E|T(i) − T(i+1)| = sd·√2·√(2/π) = 1.128 %.
  const rng = new Rng(3);
  const periods = Array.from({ length: N }, () => T0 * (1 + 0.01 * rng.normal()));
  const g = clipFunctionals(pulseTrain(periods, Array(N).fill(1)), SR).jitter;
  let diff = 0;
  for (let i = 0; i + 1 < N; i++) diff += Math.abs(periods[i]! - periods[i + 1]!);
  const truth = diff / (N - 1) / (periods.reduce((a, b) => a + b) / N);
  assert.ok(Math.abs(g / truth - 1) < 0.15, `random jitter ${g.toFixed(4)}, true ${truth.toFixed(4)}`);
});

test('shimmer: exact on pulse trains with known amplitude perturbation', () => {
  const steady = clipFunctionals(pulseTrain(Array(N).fill(T0), Array(N).fill(1)), SR).shimmerDb;
  assert.ok(steady < 0.05, `steady train shimmer ${steady}`);
  const alt = pulseTrain(
    Array(N).fill(T0),
    Array.from({ length: N }, (_, i) => (i % 2 ? 1.05 : 0.95)),
  );
  const s = clipFunctionals(alt, SR).shimmerDb;
  const truth = 20 * Math.log10(1.05 / 0.95);
  assert.ok(Math.abs(s - truth) < 0.1, `alternating ±5 %: shimmer ${s.toFixed(3)} dB, expected ${truth.toFixed(3)}`);
});

test('cycles follow the waveform to a fraction of a sample', () => {
  const x = pulseTrain(Array(N).fill(T0), Array(N).fill(1));
  const c = extractCycles(x, SR, trackPitch(x, SR));
  const all = c.periods.flat();
  assert.ok(all.length > 0.8 * N, `${all.length} cycles of ${N}`);
  const exact = all.filter((p) => Math.abs(p - T0 * SR) < 0.05).length;
  assert.ok(exact >= 0.97 * all.length, `${all.length - exact} of ${all.length} periods off by ≥ 0.05 samples`);
  assert.ok(Number.isNaN(jitterLocal({ periods: [], amplitudes: [] })) && Number.isNaN(shimmerLocalDb({ periods: [], amplitudes: [] })));
});

test('HNR: harmonic signal plus white noise at a known SNR', () => {
  const harmonic = pulseTrain(Array(N).fill(T0), Array(N).fill(1));
  let ps = 0;
  for (const v of harmonic) ps += v * v;
  ps /= harmonic.length;
  // SNR over the voiced part: the train is nearly the whole clip (5 % lead-in and tail).
  for (const snr of [10, 20]) {
    const rng = new Rng(snr);
    const sigma = Math.sqrt(ps / 10 ** (snr / 10));
    const x = harmonic.map((v) => v + sigma * rng.normal());
    const h = clipFunctionals(x, SR).hnrDb;
    assert.ok(Math.abs(h - snr) < 1.5, `SNR ${snr} dB: HNR ${h.toFixed(2)} dB`);
  }
});

/**
 * White Gaussian noise filtered in the frequency domain to the dB spectrum `db(f)` (one 2^16-point
 * FFT, 4 s); `power(lo, hi)` is the designed power in a band (sum of squared gains over its bins).
 */
function shapedNoise(db: (f: number) => number, seed: number): { x: Float32Array; power: (lo: number, hi: number) => number } {
  const n = 1 << 16,
    rng = new Rng(seed);
  const spec = realFft(
    Float64Array.from({ length: n }, () => rng.normal()),
    n,
  );
  const gain = (k: number): number => 10 ** (db((Math.min(k, n - k) * SR) / n) / 20);
  for (let k = 0; k < n; k++) {
    spec[2 * k] *= gain(k);
    spec[2 * k + 1] *= gain(k);
  }
  const y = inverseRealFft(spec, n);
  const x = Float32Array.from(y.subarray(0, n), (v) => 0.05 * v);
  const power = (lo: number, hi: number): number => {
    let e = 0;
    for (let k = Math.ceil((lo * n) / SR); k <= Math.floor((hi * n) / SR); k++) e += gain(k) ** 2;
    return e;
  };
  return { x, power };
}

test('spectral slopes and alpha ratio of filtered noise match its designed spectrum', () => {
  for (const slopePerHz of [0, -0.01]) {
    const { x, power } = shapedNoise((f) => slopePerHz * f, 7);
    const s = spectralShape(framePowerSpectra(x, SR), SR);
    assert.ok(Math.abs(s.slope0to500 - slopePerHz) < 0.002, `0–500 Hz slope ${s.slope0to500}, designed ${slopePerHz}`);
    assert.ok(Math.abs(s.slope500to1500 - slopePerHz) < 0.001, `500–1500 Hz slope ${s.slope500to1500}, designed ${slopePerHz}`);
    const alpha = 10 * Math.log10(power(1000, 5000) / power(50, 1000));
    assert.ok(Math.abs(s.alphaRatioDb - alpha) < 0.5, `alpha ratio ${s.alphaRatioDb.toFixed(2)} dB, designed ${alpha.toFixed(2)}`);
  }
});

test('Hammarberg index and alpha ratio of two tones', () => {
  const x = new Float32Array(SR);
  for (let n = 0; n < x.length; n++) x[n] = 0.5 * Math.sin((2 * Math.PI * 500 * n) / SR) + 0.05 * Math.sin((2 * Math.PI * 3000 * n) / SR);
  const s = spectralShape(framePowerSpectra(x, SR), SR);
  assert.ok(Math.abs(s.hammarbergDb - 20) < 0.3, `Hammarberg ${s.hammarbergDb.toFixed(2)} dB, expected 20`);
  assert.ok(Math.abs(s.alphaRatioDb + 20) < 0.3, `alpha ratio ${s.alphaRatioDb.toFixed(2)} dB, expected −20`);
});

test('F0 level and range in semitones, loudness scaling, voiced segments and pauses', () => {
  // F0 gliding exponentially from 100 to 200 Hz: uniform in semitones, so the 20–80 % range is 0.6 octave.
  const periods: number[] = [];
  for (let t = 0; t < 2; t += periods[periods.length - 1]!) periods.push(1 / (100 * 2 ** (t / 2)));
  const glide = pulseTrain(periods, Array(periods.length).fill(1));
  const f = clipFunctionals(glide, SR);
  assert.ok(Math.abs(f.f0RangeSt - 7.2) < 0.4, `range ${f.f0RangeSt.toFixed(2)} st, expected 7.2`);
  const mid = 12 * Math.log2((Math.SQRT2 * 100) / 27.5);
  assert.ok(Math.abs(f.f0MeanSt - mid) < 0.4, `mean ${f.f0MeanSt.toFixed(2)} st, expected ${mid.toFixed(2)}`);
  // Loudness is Σ (band power)^0.3: twice the amplitude → ×4^0.3.
  const louder = clipFunctionals(
    glide.map((v) => 2 * v),
    SR,
  ).loudnessMean;
  assert.ok(Math.abs(louder / f.loudnessMean - 4 ** 0.3) < 1e-6);
  // Four 0.3 s bursts with 0.2 s of silence between them.
  const burst = pulseTrain(Array(36).fill(T0), Array(36).fill(1), 0);
  const gap = new Float32Array(Math.round(0.2 * SR));
  const parts = [gap, burst, gap, burst, gap, burst, gap, burst, gap];
  const x = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
  parts.reduce((o, p) => {
    x.set(p, o);
    return o + p.length;
  }, 0);
  const b = clipFunctionals(x, SR);
  assert.ok(Math.abs(b.voicedSegmentSec - 0.3) < 0.04, `voiced segment ${b.voicedSegmentSec} s`);
  assert.ok(Math.abs(b.unvoicedSegmentSec - 0.2) < 0.04, `unvoiced stretch ${b.unvoicedSegmentSec} s`);
  assert.ok(Math.abs(b.voicedSegmentsPerSec - 4 / 1.8) < 0.3, `rate ${b.voicedSegmentsPerSec} /s`);
  assert.ok(Math.abs(b.pauseRatio - 0.6 / 1.8) < 0.05, `pause ratio ${b.pauseRatio}`);
});

test('silence and noise give NaN voice measures, not errors; a low sample rate is refused', () => {
  const quiet = clipFunctionals(new Float32Array(SR), SR);
  assert.ok(Number.isNaN(quiet.f0MeanSt) && Number.isNaN(quiet.jitter) && Number.isNaN(quiet.hnrDb));
  const rng = new Rng(1);
  const noise = clipFunctionals(
    Float32Array.from({ length: SR }, () => 0.1 * rng.normal()),
    SR,
  );
  assert.ok(Number.isNaN(noise.f0MeanSt) && Number.isNaN(noise.jitter));
  assert.throws(() => clipFunctionals(new Float32Array(8000), 8000), /at least 10 kHz, got 8000/);
});
