/**
 * FLAC, MP3, OGG Vorbis and OGG Opus through loadAudio, on small fixtures made once by
 * fixtures/make-fixtures.sh from a known signal (stereo: left 0.5·sin 440 Hz, right 0.3·sin 660 Hz;
 * mono and 6-channel files carry the same channel mean), so each decode is checked against the signal
 * itself, and truncated copies must be refused.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadAudio, AudioError } from '../../src/audio/index.js';

const FIXTURES = path.join(path.dirname(new URL(import.meta.url).pathname), 'fixtures');

/** The fixtures' mono mix (channel mean) at rate `sr`. */
function tone(sr: number, n: number): Float32Array {
  return Float32Array.from(
    { length: n },
    (_, i) => (0.5 * Math.sin((2 * Math.PI * 440 * i) / sr) + 0.3 * Math.sin((2 * Math.PI * 660 * i) / sr)) / 2,
  );
}

/** SNR in dB of `x` against `ref`, over the middle of the clip (codecs fade the edges), at lag 0. */
function snrDb(x: Float32Array, ref: Float32Array): number {
  const from = Math.floor(ref.length * 0.1);
  const to = Math.floor(ref.length * 0.9);
  let s = 0;
  let e = 0;
  for (let i = from; i < to; i++) {
    s += ref[i] ** 2;
    e += (x[i] - ref[i]) ** 2;
  }
  return 10 * Math.log10(s / e);
}

const cases: { file: string; rate: number; seconds: number; minSnr: number; lengthSlack: number }[] = [
  { file: 'tone.flac', rate: 44100, seconds: 0.5, minSnr: 80, lengthSlack: 0 }, // lossless: 16-bit quantisation only
  { file: 'tone-6ch.flac', rate: 48000, seconds: 0.1, minSnr: 100, lengthSlack: 0 }, // 6 channels, 24-bit
  { file: 'tone.mp3', rate: 44100, seconds: 0.5, minSnr: 20, lengthSlack: 0 },
  { file: 'tone-mpeg2.mp3', rate: 22050, seconds: 0.5, minSnr: 20, lengthSlack: 0 }, // MPEG-2, mono
  { file: 'tone-mpeg25.mp3', rate: 8000, seconds: 0.5, minSnr: 15, lengthSlack: 0 }, // MPEG-2.5, mono
  { file: 'tone.ogg', rate: 44100, seconds: 0.5, minSnr: 20, lengthSlack: 0 },
  { file: 'tone.opus', rate: 48000, seconds: 0.5, minSnr: 15, lengthSlack: 400 }, // Opus always decodes at 48 kHz
];

for (const c of cases) {
  test(`${c.file}: decodes to the known signal (native rate, mono mix)`, async () => {
    const a = await loadAudio(path.join(FIXTURES, c.file), { sr: null });
    assert.equal(a.sampleRate, c.rate);
    const n = Math.round(c.rate * c.seconds);
    assert.ok(a.samples.length >= n && a.samples.length <= n + c.lengthSlack, `length ${a.samples.length}, expected ${n}`);
    const snr = snrDb(a.samples, tone(c.rate, a.samples.length));
    assert.ok(snr >= c.minSnr, `SNR ${snr.toFixed(1)} dB < ${c.minSnr} dB`);
  });

  test(`${c.file}: truncated copies raise AudioError naming the file`, async () => {
    const bytes = readFileSync(path.join(FIXTURES, c.file));
    const dir = mkdtempSync(path.join(tmpdir(), 'affexion-trunc-'));
    for (const frac of [0.5, 0.03]) {
      const f = path.join(dir, `cut-${frac}-${c.file}`);
      writeFileSync(f, bytes.subarray(0, Math.floor(bytes.length * frac)));
      await assert.rejects(
        loadAudio(f),
        (err: unknown) => err instanceof AudioError && err.file === f && /truncated|no audio samples/.test(err.reason),
      );
    }
  });
}

test('compressed input resamples to 16 kHz like WAV input', async () => {
  const a = await loadAudio(path.join(FIXTURES, 'tone.flac'));
  assert.equal(a.sampleRate, 16000);
  assert.equal(a.samples.length, 8000);
  assert.ok(snrDb(a.samples, tone(16000, 8000)) > 60);
});
