import { test } from 'node:test';
import assert from 'node:assert/strict';
import { psola, pitchMarks } from '../../src/augment/psola.js';
import { trackPitch } from '../../src/features/pitch.js';
import { SR, syntheticVowel, medianVoiced, readWav16, REAL_CLIP, maxJump, jumpQuantile } from './helpers.js';

const vowel = syntheticVowel(1.5, (t) => 120 + 10 * Math.sin(2 * Math.PI * 1.5 * t));

test('pitch marks are one per period in voiced speech', () => {
  const x = syntheticVowel(0.5, () => 125);
  const marks = pitchMarks(x, SR, trackPitch(x, SR)).filter((m) => m.voiced);
  const gaps = marks.slice(1).map((m, i) => m.pos - marks[i]!.pos);
  const medGap = gaps.sort((a, b) => a - b)[gaps.length >> 1]!;
  assert.ok(Math.abs(medGap - SR / 125) <= 1, `median mark spacing ${medGap} vs period ${SR / 125}`);
  assert.ok(marks.length > 50, `only ${marks.length} voiced marks in 0.5 s at 125 Hz`);
});

for (const [ratio, stretch] of [
  [1.25, 1],
  [0.8, 1],
  [1, 1.3],
  [1, 0.7],
  [1.4, 0.8],
] as const) {
  test(`synthetic vowel: pitch ×${ratio}, duration ×${stretch} within 2 %`, (t) => {
    const y = psola(vowel, SR, { pitchRatio: ratio, stretch });
    const got = medianVoiced(trackPitch(y, SR).f0) / medianVoiced(trackPitch(vowel, SR).f0);
    t.diagnostic(`measured pitch ×${got.toFixed(4)}, duration ×${(y.length / vowel.length).toFixed(4)}`);
    assert.ok(Math.abs(got / ratio - 1) < 0.02, `pitch ratio ${got.toFixed(4)} vs ${ratio}`);
    assert.ok(Math.abs(y.length / vowel.length / stretch - 1) < 0.02, `duration ratio ${y.length / vowel.length}`);
  });
}

test('real clip: pitch and duration ratios within 2 %, no clicks', (t) => {
  const x = readWav16(REAL_CLIP);
  const f0In = medianVoiced(trackPitch(x, SR).f0);
  for (const [ratio, stretch] of [
    [1.25, 1],
    [0.8, 1.2],
    [1.15, 0.85],
  ] as const) {
    const y = psola(x, SR, { pitchRatio: ratio, stretch });
    const got = medianVoiced(trackPitch(y, SR).f0) / f0In;
    t.diagnostic(
      `requested pitch ×${ratio}, duration ×${stretch}: measured pitch ×${got.toFixed(4)}, duration ×${(y.length / x.length).toFixed(4)}, max jump ${(maxJump(y) / maxJump(x)).toFixed(2)}× the input's`,
    );
    assert.ok(Math.abs(got / ratio - 1) < 0.02, `pitch ratio ${got.toFixed(4)} vs ${ratio}`);
    assert.ok(Math.abs(y.length / x.length / stretch - 1) < 0.02, `duration ratio ${y.length / x.length}`);
    // A click is a jump far above anything in the original speech.
    assert.ok(maxJump(y) < 2 * maxJump(x), `max jump ${maxJump(y)} vs input ${maxJump(x)}`);
  }
});

test('pitch contour function: the ratio follows input time', () => {
  const x = syntheticVowel(1.0, () => 120);
  const y = psola(x, SR, { pitchRatio: (t) => (t < 0.5 ? 1 : 1.3) });
  const tr = trackPitch(y, SR);
  const first = medianVoiced(tr.f0.subarray(10, 40));
  const second = medianVoiced(tr.f0.subarray(60, 90));
  assert.ok(Math.abs(first / 120 - 1) < 0.02, `first half ${first}`);
  assert.ok(Math.abs(second / 156 - 1) < 0.02, `second half ${second}`);
});

test('identity settings give back the signal (up to windowing at the edges)', () => {
  const y = psola(vowel, SR, { pitchRatio: 1, stretch: 1 });
  let err = 0,
    ref = 0;
  for (let i = 400; i < vowel.length - 400; i++) {
    err += (y[i]! - vowel[i]!) ** 2;
    ref += vowel[i]! ** 2;
  }
  assert.ok(err / ref < 0.01, `relative error ${err / ref}`);
  assert.ok(jumpQuantile(y, 0.999) < 1.5 * jumpQuantile(vowel, 0.999));
});

test('bad ratios are rejected with a clear message', () => {
  assert.throws(() => psola(vowel, SR, { pitchRatio: 0 }), /pitch ratio must be > 0/);
  assert.throws(() => psola(vowel, SR, { stretch: -1 }), /stretch must be > 0/);
});
