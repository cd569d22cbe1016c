import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { convertClip, convertEmotions, EMOTION_PROFILES, resolveProfiles } from '../../src/augment/convert/index.js';
import { fillerSec, FILLER_GAP_SEC } from '../../src/augment/convert/transform.js';
import { trackPitch } from '../../src/features/pitch.js';
import { measureProsody } from '../../src/features/prosody.js';
import { Rng } from '../../src/engine/rng.js';
import { alphaRatioDb, powerSpectrum } from '../../src/augment/spectrum.js';
import { writeWav16 } from '../../src/audio/wav-write.js';
import { SR, readWav16, REAL_CLIP, NEUTRAL_POOL, medianVoiced, maxJump, jumpQuantile, syntheticVowel } from './helpers.js';

const x = readWav16(REAL_CLIP);
const src = measureProsody(x, SR);
const converted = Object.fromEntries(Object.entries(EMOTION_PROFILES).map(([name, p]) => [name, convertClip(x, SR, p, new Rng(11))]));

test('F0 level and range act as specified (isolated: no tremor, jitter or final movement)', () => {
  const plain = { ...EMOTION_PROFILES.excitement!, tremorDepth: [0, 0] as const, jitter: [0, 0] as const, finalRise: [1, 1] as const };
  for (const shift of [0.85, 1.3]) {
    const c = convertClip(x, SR, { ...plain, f0Shift: [shift, shift], f0Range: [1, 1] }, new Rng(2));
    const got = medianVoiced(trackPitch(c.samples, SR).f0) / medianVoiced(trackPitch(x, SR).f0);
    assert.ok(Math.abs(got / shift - 1) < 0.03, `level ×${shift}: measured ×${got.toFixed(3)}`);
  }
  const halved = convertClip(x, SR, { ...plain, f0Shift: [1, 1], f0Range: [0.5, 0.5] }, new Rng(2));
  const ratio = measureProsody(halved.samples, SR).f0RangeSt / src.f0RangeSt;
  assert.ok(ratio > 0.4 && ratio < 0.6, `range ×0.5: measured ×${ratio.toFixed(2)}`);
});

test('each emotion moves the F0 level in its direction', () => {
  assert.ok(measureProsody(converted.panic!.samples, SR).f0MedianHz > 1.25 * src.f0MedianHz);
  assert.ok(measureProsody(converted.excitement!.samples, SR).f0MedianHz > 1.1 * src.f0MedianHz);
  assert.ok(measureProsody(converted.boredom!.samples, SR).f0MedianHz < 0.96 * src.f0MedianHz);
});

/**
 * F0 range as in eGeMAPS: 20th to 80th percentile of voiced F0, semitones. Boredom's phrase-final creak
 * leaves a few frames at the tracker's floor, which the 5–95 % range of measureProsody counts.
 */
function f0Range2080(y: Float32Array): number {
  const t = trackPitch(y, SR);
  const v = [...t.f0].filter((f, i) => t.voiced[i]).sort((a, b) => a - b);
  return 12 * Math.log2(v[Math.floor(0.8 * (v.length - 1))]! / v[Math.floor(0.2 * (v.length - 1))]!);
}

test('boredom narrows and excitement widens the F0 range', () => {
  assert.ok(f0Range2080(converted.boredom!.samples) < 0.85 * f0Range2080(x));
  assert.ok(measureProsody(converted.excitement!.samples, SR).f0RangeSt > 1.2 * src.f0RangeSt);
});

test('tempo follows the drawn duration ratio within 2 % (clips without inserted pauses)', () => {
  for (const name of ['panic', 'excitement']) {
    const c = converted[name]!;
    const ratio = c.samples.length / x.length;
    assert.ok(Math.abs(ratio / c.drawn.duration - 1) < 0.02, `${name}: ${ratio.toFixed(3)} vs ${c.drawn.duration.toFixed(3)}`);
  }
});

/** Expected output length: tempo, the lengthened 0.2 s before each pause and the end, the pauses and their fillers. */
function expectedLength(
  d: { duration: number; lengthen: number; pauses: number; pauseSec: number[]; fillers: boolean[] },
  n: number,
): [number, number] {
  const fillers = d.pauseSec.reduce((a, p, i) => a + (d.fillers[i] ? fillerSec(p) + FILLER_GAP_SEC : 0), 0);
  const base = n * d.duration + (d.pauseSec.reduce((a, b) => a + b, 0) + fillers) * SR;
  // Lengthened stretches can overlap or be cut by the clip start, so their share is at most this.
  return [base, base + (d.pauses + 1) * 0.2 * SR * d.duration * (d.lengthen - 1)];
}

test('boredom and uncertainty: length = tempo + lengthened syllables + inserted pauses', () => {
  for (const name of ['boredom', 'uncertainty']) {
    const c = converted[name]!;
    assert.ok(c.drawn.pauses >= 1, `${name}: no pause inserted`);
    assert.ok(c.drawn.lengthen > 1, `${name}: no lengthening drawn`);
    const [lo, hi] = expectedLength(c.drawn, x.length);
    assert.ok(c.samples.length > 0.98 * lo && c.samples.length < 1.02 * hi, `${name}: length ${c.samples.length} outside [${lo}, ${hi}]`);
  }
  // Lengthening acts: the same draws without it give a shorter clip.
  const plain = convertClip(x, SR, { ...EMOTION_PROFILES.uncertainty!, lengthen: [1, 1] }, new Rng(11));
  assert.ok(converted.uncertainty!.samples.length > plain.samples.length + 0.03 * SR);
});

test('uncertainty inserts pauses (length adds up) and ends in a rise or level', () => {
  const c = converted.uncertainty!;
  assert.ok(c.drawn.pauses >= 1);
  assert.ok(measureProsody(c.samples, SR).pauseRatio > src.pauseRatio + 0.1);
  // End-of-utterance F0 relative to the median, before and after: the rise lifts it.
  const endRelative = (y: Float32Array): number => {
    const tr = trackPitch(y, SR);
    const last = [...tr.voiced.keys()]
      .filter((i) => tr.voiced[i])
      .slice(-5)
      .map((i) => tr.f0[i]!);
    return last.reduce((a, b) => a + b, 0) / last.length / medianVoiced(tr.f0);
  };
  const before = endRelative(x),
    after = endRelative(c.samples);
  assert.ok(after > 0.97 * before, `end F0 / median: ${after.toFixed(3)} after vs ${before.toFixed(3)} before`);
  const rising = convertClip(x, SR, { ...EMOTION_PROFILES.uncertainty!, finalRise: [1.35, 1.35] }, new Rng(11));
  const rose = endRelative(rising.samples);
  assert.ok(rose > 1.15 * before, `end F0 / median with a 1.35 rise: ${rose.toFixed(3)} vs ${before.toFixed(3)} before`);
});

test("fillers are sustained voicing from the speaker's own vowel, at a level pitch", () => {
  const p = { ...EMOTION_PROFILES.uncertainty!, pauses: [1, 1] as const, pauseSec: [0.6, 0.6] as const };
  const filled = convertClip(x, SR, { ...p, fillerProb: 1 }, new Rng(5));
  // A filled pause is the silence, the filler, then a short gap: the silent twin gets a pause that long.
  const whole = 0.6 + fillerSec(0.6) + FILLER_GAP_SEC;
  const silent = convertClip(x, SR, { ...p, pauseSec: [whole, whole], fillerProb: 0 }, new Rng(5));
  // Same draws, so the clips differ only in level (loudness shaping sees the filler) except where the
  // filler is: frames ≥ 10 dB louder than the same frame of the silent pause.
  assert.ok(Math.abs(filled.samples.length - silent.samples.length) < 0.01 * SR, `${filled.samples.length} vs ${silent.samples.length}`);
  const frameEnergy = (y: Float32Array, i: number): number => {
    let e = 0;
    for (let j = i * 160; j < Math.min(y.length, i * 160 + 400); j++) e += y[j]! ** 2;
    return e;
  };
  const nFrames = Math.floor(Math.min(filled.samples.length, silent.samples.length) / 160);
  const loudest = Math.max(...Array.from({ length: nFrames }, (_, i) => frameEnergy(filled.samples, i)));
  const fillerFrames = new Set(
    [...Array(nFrames).keys()].filter((i) => frameEnergy(filled.samples, i) > 10 * frameEnergy(silent.samples, i) + 1e-3 * loudest),
  );
  const inFiller = (i: number): boolean => fillerFrames.has(i);
  const tf = trackPitch(filled.samples, SR),
    ts = trackPitch(silent.samples, SR);
  const f0s = [...tf.voiced.keys()].filter((i) => inFiller(i) && tf.voiced[i]).map((i) => tf.f0[i]!);
  const silentVoiced = [...ts.voiced.keys()].filter((i) => inFiller(i) && ts.voiced[i]).length;
  // The filler lasts fillerSec(0.6) = 0.48 s with 40 ms fades: most of it must be voiced (the pause alone is not).
  assert.ok(f0s.length >= 20 && silentVoiced <= 2, `filler voiced frames ${f0s.length}, without filler ${silentVoiced}`);
  // Level pitch: its frames (but a few tracker octave slips) stay within ±2 semitones of their median,
  // which lies below the speaker's median.
  const med = [...f0s].sort((p2, q) => p2 - q)[f0s.length >> 1]!;
  const within = f0s.filter((f) => Math.abs(12 * Math.log2(f / med)) <= 2).length / f0s.length;
  assert.ok(
    med < medianVoiced(ts.f0),
    `filler F0 ${med.toFixed(0)} Hz not below the speaker's median ${medianVoiced(ts.f0).toFixed(0)} Hz`,
  );
  assert.ok(within > 0.75, `only ${(100 * within).toFixed(0)} % of the filler's frames within ±2 st of its median`);
});

test("no clicks: no sample jump far above the clip's own largest jumps", () => {
  // On the neutral pool, max jump / 99.9th-percentile jump is ≤ 2.5 in the sources and ≤ 3 in outputs.
  for (const [name, c] of Object.entries(converted)) {
    const r = maxJump(c.samples) / jumpQuantile(c.samples, 0.999);
    assert.ok(r < 4, `${name}: max jump ${r.toFixed(2)}× the 99.9th percentile`);
  }
  // The measure does catch a click.
  const clicked = Float32Array.from(converted.panic!.samples);
  clicked[20000] += 0.5;
  assert.ok(maxJump(clicked) / jumpQuantile(clicked, 0.999) > 4);
});

test('loudness and tilt: panic louder and brighter than boredom', () => {
  const p = measureProsody(converted.panic!.samples, SR).rmsDb;
  const b = measureProsody(converted.boredom!.samples, SR).rmsDb;
  assert.ok(p - b > 5, `panic ${p.toFixed(1)} dB vs boredom ${b.toFixed(1)} dB`);
  // Spectral tilt: the alpha ratio rises for the bright voice (panic's +2…5 dB shelf since method 5) and
  // falls for the lax one.
  const a0 = alphaRatioDb(x, SR);
  assert.ok(alphaRatioDb(converted.panic!.samples, SR) > a0 + 0.5, 'panic not brighter than the source');
  assert.ok(alphaRatioDb(converted.boredom!.samples, SR) < a0 - 0.5, 'boredom not laxer than the source');
});

test('unknown emotions are rejected with the list of known ones', () => {
  assert.throws(() => resolveProfiles(['joy']), /unknown emotion 'joy' \(known: boredom, panic, excitement, uncertainty\)/);
});

test('convertEmotions writes class folders, manifest and datasheet; same seed → identical bytes', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'affexion-convert-'));
  try {
    const run = (out: string, seed: number) =>
      convertEmotions({
        source: NEUTRAL_POOL,
        outDir: path.join(dir, out),
        emotions: ['panic', 'uncertainty'],
        limit: 2,
        seed,
        charts: out === 'a',
      });
    const a = await run('a', 5);
    await run('b', 5);
    await run('c', 6);
    assert.deepEqual(a.counts, { panic: 2, uncertainty: 2 });
    const files = readdirSync(path.join(dir, 'a', 'panic')).sort();
    assert.equal(files.length, 2);
    const wavA = readFileSync(path.join(dir, 'a', 'panic', files[0]!));
    assert.deepEqual(wavA, readFileSync(path.join(dir, 'b', 'panic', files[0]!)));
    assert.notDeepEqual(wavA, readFileSync(path.join(dir, 'c', 'panic', files[0]!)));
    assert.equal(wavA.readUInt32LE(24), 16000);
    assert.equal(wavA.readUInt16LE(34), 16);
    const manifest = readFileSync(a.manifest, 'utf8').trim().split('\n');
    assert.equal(manifest.length, 5);
    assert.match(manifest[0]!, /^path,label,speaker,source,variant,seed,f0Shift,/);
    assert.match(manifest[1]!, /^panic\/[^,]+\.wav,panic,13,ravdess\/Actor_13\//);
    const sheet = readFileSync(a.datasheet, 'utf8');
    assert.match(sheet, /\| panic \| 2 \|/);
    assert.match(sheet, /\| \(source\) \| 2 \|/);
    assert.match(sheet, /!\[convert-f0\]\(charts\/convert-f0\.svg\)/);
    assert.match(readFileSync(path.join(dir, 'a', 'charts', 'convert-f0.svg'), 'utf8'), /^<svg/);
    assert.ok(
      readFileSync(path.join(dir, 'a', 'charts', 'convert-f0.png'))
        .subarray(1, 4)
        .toString() === 'PNG',
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('convertEmotions skips unusable sources once each, with the reason, and converts the rest', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'affexion-convert-skip-'));
  try {
    const src = path.join(dir, 'src');
    mkdirSync(src);
    writeWav16(path.join(src, 'speech.wav'), x.subarray(0, 2 * SR), SR);
    writeWav16(path.join(src, 'silence.wav'), new Float32Array(SR), SR);
    writeFileSync(path.join(src, 'broken.wav'), 'not audio');
    const r = await convertEmotions({ source: src, outDir: path.join(dir, 'out'), emotions: ['boredom', 'panic'], charts: false });
    assert.deepEqual(r.counts, { boredom: 1, panic: 1 });
    assert.deepEqual(r.skipped.map((s) => path.basename(s.file)).sort(), ['broken.wav', 'silence.wav']);
    assert.match(r.skipped.find((s) => s.file.endsWith('silence.wav'))!.reason, /too little voiced speech/);
    assert.match(readFileSync(r.datasheet, 'utf8'), /## Skipped/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('breathiness adds aperiodic energy above 2 kHz during speech only', () => {
  // A purely harmonic vowel between silences: any extra 4–8 kHz energy is the added aspiration.
  const v = new Float32Array(SR * 2);
  v.set(
    syntheticVowel(1.0, () => 120),
    SR / 2,
  );
  const base = { ...EMOTION_PROFILES.boredom!, pauses: [0, 0] as const };
  const hf = (y: Float32Array, from: number, to: number): number => {
    const psd = powerSpectrum(y.subarray(from, to), 1024);
    let e = 0;
    for (let k = 256; k < 512; k++) e += psd[k]!;
    return e;
  };
  const breathy = convertClip(v, SR, { ...base, breathiness: [0.08, 0.08] }, new Rng(3)).samples;
  const clean = convertClip(v, SR, { ...base, breathiness: [0, 0] }, new Rng(3)).samples;
  const mid = Math.round(breathy.length / 2);
  const gain = 10 * Math.log10(hf(breathy, mid - 4000, mid + 4000) / hf(clean, mid - 4000, mid + 4000));
  assert.ok(gain > 6, `4–8 kHz energy up by only ${gain.toFixed(1)} dB`);
  // The leading silence stays silent.
  let lead = 0;
  for (let i = 0; i < 4000; i++) lead = Math.max(lead, Math.abs(breathy[i]!));
  assert.ok(lead < 1e-4, `noise in the leading silence: ${lead}`);
});

/** A profile that changes nothing: the base for isolating one parameter. */
const IDENTITY = {
  ...EMOTION_PROFILES.boredom!,
  f0Shift: [1, 1],
  f0Range: [1, 1],
  duration: [1, 1],
  tremorHz: [0, 0],
  tremorDepth: [0, 0],
  jitter: [0, 0],
  tiltDb: [0, 0],
  breathiness: [0, 0],
  gainDb: [0, 0],
  formant: [1, 1],
  dynamics: [0, 0],
  declinationDb: [0, 0],
  finalRise: [1, 1],
  pauses: [0, 0],
  creak: [0, 0],
  finalBreath: [0, 0],
  h1Db: [0, 0],
  lengthen: [1, 1],
} as const;

/** Power-weighted mean frequency (Hz) of the long-term spectrum between 200 Hz and 3 kHz. */
function envelopeCentroid(y: Float32Array): number {
  const nFft = 1024;
  const psd = powerSpectrum(y, nFft);
  let num = 0,
    den = 0;
  for (let k = Math.round((200 * nFft) / SR); k <= Math.round((3000 * nFft) / SR); k++) {
    num += k * psd[k]!;
    den += psd[k]!;
  }
  return (num / den) * (SR / nFft);
}

test('formant scaling moves the spectral envelope by the ratio, with F0 and duration unchanged (within 2 %)', () => {
  // A vowel with a gliding F0, so its harmonics sample the whole envelope.
  const v = syntheticVowel(1.5, (t) => 100 + 30 * t);
  const c0 = envelopeCentroid(v),
    f0 = medianVoiced(trackPitch(v, SR).f0);
  for (const a of [1.1, 0.92]) {
    const c = convertClip(v, SR, { ...IDENTITY, formant: [a, a] }, new Rng(4));
    assert.ok(Math.abs(c.drawn.formant - a) < 1 / SR + 1e-12, `drawn ${c.drawn.formant}`);
    const moved = envelopeCentroid(c.samples) / c0;
    assert.ok(Math.abs(moved / a - 1) < 0.03, `formants ×${a}: envelope moved ×${moved.toFixed(3)}`);
    const pitch = medianVoiced(trackPitch(c.samples, SR).f0) / f0;
    assert.ok(Math.abs(pitch - 1) < 0.02, `formants ×${a}: F0 moved ×${pitch.toFixed(3)}`);
    assert.ok(Math.abs(c.samples.length / v.length - 1) < 0.02, `formants ×${a}: length ×${(c.samples.length / v.length).toFixed(3)}`);
  }
  // Ratio 1 leaves the envelope alone (the measure is not trivially ×1.1).
  const same = envelopeCentroid(convertClip(v, SR, IDENTITY, new Rng(4)).samples) / c0;
  assert.ok(Math.abs(same - 1) < 0.01, `identity moved the envelope ×${same.toFixed(3)}`);
});

test('excitement is smiled (raised formants) and panic has a narrow F0 range, as the profiles say', () => {
  assert.ok(converted.excitement!.drawn.formant >= 1.04);
  assert.ok(converted.panic!.drawn.f0Range < 0.9);
  // On real speech: the same draws with and without the formant raise.
  const smile = convertClip(x, SR, { ...EMOTION_PROFILES.excitement!, formant: [1.08, 1.08] }, new Rng(9));
  const plain = convertClip(x, SR, { ...EMOTION_PROFILES.excitement!, formant: [1, 1] }, new Rng(9));
  assert.ok(envelopeCentroid(smile.samples) > 1.03 * envelopeCentroid(plain.samples));
  assert.ok(measureProsody(converted.panic!.samples, SR).f0RangeSt < measureProsody(converted.excitement!.samples, SR).f0RangeSt);
});

test('boredom and uncertainty move real neutral clips of four speakers in the directions of the literature', () => {
  // Directions (docs/augmentation.md, "Boredom and uncertainty"): boredom lower, flatter F0, softer,
  // slower, more pauses, laxer (lower alpha ratio); uncertainty slower, with pauses, end rising or level.
  const clips = [
    'Actor_13/03-01-01-01-01-01-13',
    'Actor_14/03-01-01-01-02-01-14',
    'Actor_17/03-01-02-01-01-01-17',
    'Actor_20/03-01-01-01-02-02-20',
  ];
  for (const [k, id] of clips.entries()) {
    const y = readWav16(`${NEUTRAL_POOL}/ravdess/${id}.wav`);
    const s = measureProsody(y, SR),
      range = f0Range2080(y),
      alpha = alphaRatioDb(y, SR);
    const b = convertClip(y, SR, EMOTION_PROFILES.boredom!, new Rng(100 + k), id);
    const bp = measureProsody(b.samples, SR);
    const msg = (what: string, got: number, was: number): string => `${id} ${what}: ${got.toFixed(2)} vs source ${was.toFixed(2)}`;
    assert.ok(bp.f0MedianHz < 0.97 * s.f0MedianHz, msg('boredom F0 median', bp.f0MedianHz, s.f0MedianHz));
    assert.ok(f0Range2080(b.samples) < range, msg('boredom F0 range 20–80 %', f0Range2080(b.samples), range));
    assert.ok(bp.rmsDb < s.rmsDb - 3, msg('boredom level dB', bp.rmsDb, s.rmsDb));
    assert.ok(bp.durationSec > 1.15 * s.durationSec, msg('boredom duration', bp.durationSec, s.durationSec));
    assert.ok(bp.pauseRatio > s.pauseRatio + 0.05, msg('boredom pause ratio', bp.pauseRatio, s.pauseRatio));
    assert.ok(alphaRatioDb(b.samples, SR) < alpha, msg('boredom alpha ratio', alphaRatioDb(b.samples, SR), alpha));
    const u = convertClip(y, SR, EMOTION_PROFILES.uncertainty!, new Rng(100 + k), id);
    const up = measureProsody(u.samples, SR);
    assert.ok(up.durationSec > 1.15 * s.durationSec, msg('uncertainty duration', up.durationSec, s.durationSec));
    assert.ok(up.pauseRatio > s.pauseRatio + 0.05, msg('uncertainty pause ratio', up.pauseRatio, s.pauseRatio));
    const end = (z: Float32Array): number => {
      const tr = trackPitch(z, SR);
      const last = [...tr.voiced.keys()]
        .filter((i) => tr.voiced[i])
        .slice(-5)
        .map((i) => tr.f0[i]!);
      return last.reduce((a2, v) => a2 + v, 0) / last.length / medianVoiced(tr.f0);
    };
    assert.ok(end(u.samples) > 0.97 * end(y), msg('uncertainty end F0 / median', end(u.samples), end(y)));
  }
});
