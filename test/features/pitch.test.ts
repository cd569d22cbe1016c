import { test } from 'node:test';
import assert from 'node:assert/strict';
import { lagProducts, trackPitch } from '../../src/features/pitch.js';
import { measureProsody } from '../../src/features/prosody.js';
import { Rng } from '../../src/engine/rng.js';
import { installNativeLagProducts, nativeLagProducts } from '../../src/features/native-pitch.js';
import { spawnSync } from 'node:child_process';
import path from 'node:path';

const SR = 16000;

/** A harmonic-rich voiced-like signal (decaying harmonics) with instantaneous F0 given per sample. */
function harmonicTone(f0At: (t: number) => number, seconds: number, amp = 0.3): Float32Array {
  const n = Math.round(seconds * SR);
  const x = new Float32Array(n);
  let phase = 0;
  for (let i = 0; i < n; i++) {
    phase += (2 * Math.PI * f0At(i / SR)) / SR;
    let v = 0;
    for (let h = 1; h <= 8; h++) v += Math.sin(h * phase) / h;
    x[i] = amp * 0.5 * v;
  }
  return x;
}

function voicedValues(f0: Float32Array, voiced: Uint8Array, from = 0, to = f0.length): number[] {
  const out: number[] = [];
  for (let i = from; i < to; i++) if (voiced[i]) out.push(f0[i]!);
  return out;
}

test('steady harmonic tones: F0 within 1% at several pitches', () => {
  for (const hz of [80, 120, 200, 310, 450]) {
    const tr = trackPitch(
      harmonicTone(() => hz, 0.6),
      SR,
    );
    const inner = voicedValues(tr.f0, tr.voiced, 5, tr.f0.length - 5);
    assert.ok(inner.length >= tr.f0.length - 12, `${hz} Hz: most frames voiced (${inner.length}/${tr.f0.length})`);
    for (const v of inner) assert.ok(Math.abs(v - hz) / hz < 0.01, `${hz} Hz tone tracked as ${v}`);
  }
});

test('pure sine (no harmonics) is tracked, not halved or doubled', () => {
  const n = SR / 2;
  const x = new Float32Array(n);
  for (let i = 0; i < n; i++) x[i] = 0.5 * Math.sin((2 * Math.PI * 220 * i) / SR);
  const tr = trackPitch(x, SR);
  const vals = voicedValues(tr.f0, tr.voiced, 5, tr.f0.length - 5);
  assert.ok(vals.length > 30);
  for (const v of vals) assert.ok(Math.abs(v - 220) < 2, `sine tracked as ${v}`);
});

test('linear glide 100 → 300 Hz is followed frame by frame', () => {
  const dur = 1.0;
  const f = (t: number): number => 100 + (200 * t) / dur;
  const tr = trackPitch(harmonicTone(f, dur), SR);
  let checked = 0;
  for (let i = 5; i < tr.f0.length - 5; i++) {
    if (!tr.voiced[i]) continue;
    const want = f(i * tr.hopSec);
    assert.ok(Math.abs(tr.f0[i]! - want) / want < 0.03, `frame ${i}: ${tr.f0[i]} vs ${want}`);
    checked++;
  }
  assert.ok(checked > 80, `checked ${checked} frames`);
});

test('silence and white noise are unvoiced; a tone after silence starts voiced at the right time', () => {
  const rng = new Rng(7);
  const noise = new Float32Array(SR / 2);
  for (let i = 0; i < noise.length; i++) noise[i] = 0.3 * (rng.next() * 2 - 1);
  const trN = trackPitch(noise, SR);
  const voicedN = trN.voiced.reduce((a, b) => a + b, 0);
  assert.ok(voicedN <= trN.voiced.length * 0.05, `noise voiced in ${voicedN}/${trN.voiced.length} frames`);

  const tone = harmonicTone(() => 150, 0.5);
  const x = new Float32Array(SR / 2 + tone.length);
  x.set(tone, SR / 2);
  const tr = trackPitch(x, SR);
  const firstVoiced = tr.voiced.indexOf(1);
  assert.ok(Math.abs(firstVoiced * tr.hopSec - 0.5) < 0.03, `voicing starts at ${firstVoiced * tr.hopSec}s`);
  assert.equal(voicedValues(tr.f0, tr.voiced, 0, 45).length, 0, 'leading silence unvoiced');
});

test('fmin/fmax bound the search and invalid options throw clear errors', () => {
  assert.throws(() => trackPitch(new Float32Array(100), SR, { fmin: 300, fmax: 200 }), /fmin/);
  assert.throws(() => trackPitch(new Float32Array(100), 0), /sr/);
  const tr = trackPitch(new Float32Array(0), SR);
  assert.equal(tr.f0.length, 0);
});

test('measureProsody: level, F0 range and pauses on constructed signals', () => {
  // 0.5 s glide 150→300 Hz (an octave = 12 st), 0.5 s silence, 0.5 s steady 150 Hz.
  const glide = harmonicTone((t) => 150 * Math.pow(2, t / 0.5), 0.5, 0.3);
  const steady = harmonicTone(() => 150, 0.5, 0.3);
  const x = new Float32Array(SR * 1.5);
  x.set(glide, 0);
  x.set(steady, SR);
  const st = measureProsody(x, SR);
  assert.ok(Math.abs(st.durationSec - 1.5) < 1e-9);
  assert.ok(st.pauseRatio > 0.25 && st.pauseRatio < 0.4, `pause ratio ${st.pauseRatio}`);
  assert.ok(st.f0RangeSt > 8 && st.f0RangeSt < 12.5, `range ${st.f0RangeSt} st`);
  assert.ok(st.f0MedianHz > 145 && st.f0MedianHz < 200, `median ${st.f0MedianHz}`);
  // Halving the amplitude lowers the level by 6 dB and leaves the pause ratio alone.
  const half = x.map((v) => v / 2);
  const st2 = measureProsody(half, SR);
  assert.ok(Math.abs(st.rmsDb - st2.rmsDb - 6.02) < 0.05);
  assert.equal(st2.pauseRatio, st.pauseRatio);
});

test('lagProducts: every lag bit-identical to the plain one-lag-at-a-time sum, remainders included', () => {
  const rng = new Rng(3);
  for (const [W, tauMax] of [
    [400, 267],
    [16, 8],
    [10, 7],
    [5, 1],
    [33, 12],
  ] as const) {
    const seg = Float64Array.from({ length: W + tauMax }, () => rng.normal() * 0.3);
    const got = new Float64Array(tauMax + 1);
    lagProducts(seg, W, tauMax, got);
    for (let tau = 1; tau <= tauMax; tau++) {
      let want = 0;
      for (let j = 0; j < W; j++) want += seg[j]! * seg[j + tau]!;
      assert.equal(got[tau], want, `W ${W}, τ ${tau}`); // exact: the same terms added in the same order
    }
  }
});

test('native lag products (native/src/pitch.cc): bit-identical to lagProducts, and trackPitch gives the same track on either path', async (t) => {
  const native = nativeLagProducts();
  if (!native) return t.skip('native addon not built');
  assert.equal(installNativeLagProducts(), true);
  const rng = new Rng(5);
  for (const [W, tauMax] of [
    [400, 267],
    [16, 8],
    [10, 7],
    [5, 1],
    [33, 12],
    [400, 16],
    [400, 31],
  ] as const) {
    // Wide dynamic range so that any reassociation or fused multiply-add would change low bits.
    const seg = Float64Array.from({ length: W + tauMax }, () => rng.normal() * Math.exp(4 * rng.normal()));
    const want = new Float64Array(tauMax + 1);
    const got = new Float64Array(tauMax + 1);
    lagProducts(seg, W, tauMax, want);
    native(seg, W, tauMax, got);
    for (let tau = 1; tau <= tauMax; tau++) assert.equal(got[tau], want[tau], `W ${W}, τ ${tau}`);
  }
  assert.throws(() => native(new Float64Array(10), 8, 4, new Float64Array(5)), /seg has 10 elements, needs 12/);
  assert.throws(() => native(new Float64Array(12), 8, 4, new Float64Array(4)), /r has 4 elements, needs 5/);
  // The whole tracker: the JS path (as in the browser) and the native path give identical tracks.
  const signal = `Float32Array.from({ length: ${SR * 2} }, (_, i) => 0.3 * Math.sin((2 * Math.PI * (140 + 40 * Math.sin(i / ${SR})) * i) / ${SR}) + 0.01 * Math.sin(i * 12.9898) * Math.sin(i * 78.233))`;
  const x = eval(signal) as Float32Array;
  const js = spawnSync(
    process.execPath,
    [
      '--import',
      'tsx',
      '-e',
      `import(${JSON.stringify(path.resolve('src/features/pitch.ts'))}).then((p) => console.log(JSON.stringify([...p.trackPitch(${signal}, ${SR}).f0])))`,
    ],
    { env: { ...process.env, AFFEXION_BACKEND: 'js' }, encoding: 'utf8', maxBuffer: 1 << 26 },
  );
  assert.deepEqual(JSON.parse(js.stdout) as number[], [...trackPitch(x, SR).f0]);
});
