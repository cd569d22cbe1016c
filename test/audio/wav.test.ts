/**
 * WAV decoding: every variant (PCM 8/16/24/32, float 32/64, WAVE_FORMAT_EXTENSIBLE, 1–6 channels) is
 * written here byte by byte and must decode to soundfile's float values; bad files must raise
 * AudioError naming the file.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadAudio, AudioError, encodeWav16 } from '../../src/audio/index.js';

interface WavSpec {
  tag: 1 | 3;
  bits: number;
  channels: number;
  rate: number;
  extensible?: boolean;
  extraChunk?: boolean;
}

/** Integer codes per channel → bytes, and the float values soundfile reads for them. */
function makeWav(spec: WavSpec, frames: number): { bytes: Buffer; expected: Float32Array[] } {
  const { tag, bits, channels, rate } = spec;
  const bps = bits / 8;
  const expected = Array.from({ length: channels }, () => new Float32Array(frames));
  const data = Buffer.alloc(frames * channels * bps);
  for (let i = 0; i < frames; i++) {
    for (let c = 0; c < channels; c++) {
      // A deterministic pattern hitting both extremes and zero.
      const u = i === 0 ? -1 : i === 1 ? 1 : i === 2 ? 0 : Math.sin(0.37 * i + c) * 0.9;
      const at = (i * channels + c) * bps;
      let v: number;
      if (tag === 3) {
        if (bits === 32) data.writeFloatLE(u, at);
        else data.writeDoubleLE(u + 1e-12, at); // a float64 value that float32 must round
        v = bits === 32 ? Math.fround(u) : Math.fround(u + 1e-12);
      } else {
        const full = 2 ** (bits - 1);
        const q = Math.max(-full, Math.min(full - 1, Math.round(u * full)));
        if (bits === 8) data.writeUInt8(q + 128, at);
        else if (bits === 16) data.writeInt16LE(q, at);
        else if (bits === 24) data.writeIntLE(q, at, 3);
        else data.writeInt32LE(q, at);
        v = q / full;
      }
      expected[c][i] = v;
    }
  }
  const fmtLen = spec.extensible ? 40 : 16;
  const fmt = Buffer.alloc(fmtLen);
  fmt.writeUInt16LE(spec.extensible ? 0xfffe : tag, 0);
  fmt.writeUInt16LE(channels, 2);
  fmt.writeUInt32LE(rate, 4);
  fmt.writeUInt32LE(rate * channels * bps, 8);
  fmt.writeUInt16LE(channels * bps, 12);
  fmt.writeUInt16LE(bits, 14);
  if (spec.extensible) {
    fmt.writeUInt16LE(22, 16);
    fmt.writeUInt16LE(bits, 18);
    fmt.writeUInt32LE(channels === 2 ? 3 : 0, 20);
    fmt.writeUInt16LE(tag, 24);
    Buffer.from('000000001000800000aa00389b71', 'hex').copy(fmt, 26);
  }
  const chunks = [chunk('fmt ', fmt)];
  if (spec.extraChunk) chunks.push(chunk('LIST', Buffer.from('INFOISFT\x05\x00\x00\x00test\x00', 'binary'))); // odd size: tests padding
  chunks.push(chunk('data', data));
  const body = Buffer.concat([Buffer.from('WAVE'), ...chunks]);
  const head = Buffer.alloc(8);
  head.write('RIFF', 0);
  head.writeUInt32LE(body.length, 4);
  return { bytes: Buffer.concat([head, body]), expected };
}

function chunk(id: string, body: Buffer): Buffer {
  const h = Buffer.alloc(8);
  h.write(id, 0, 'ascii');
  h.writeUInt32LE(body.length, 4);
  return Buffer.concat([h, body, body.length & 1 ? Buffer.alloc(1) : Buffer.alloc(0)]);
}

const dir = mkdtempSync(path.join(tmpdir(), 'affexion-wav-'));
const variants: WavSpec[] = [
  { tag: 1, bits: 8, channels: 1, rate: 8000 },
  { tag: 1, bits: 16, channels: 1, rate: 16000 },
  { tag: 1, bits: 16, channels: 2, rate: 44100, extraChunk: true },
  { tag: 1, bits: 24, channels: 2, rate: 48000 },
  { tag: 1, bits: 32, channels: 1, rate: 22050 },
  { tag: 3, bits: 32, channels: 2, rate: 16000 },
  { tag: 3, bits: 64, channels: 1, rate: 16000 },
  { tag: 1, bits: 16, channels: 2, rate: 16000, extensible: true },
  { tag: 1, bits: 24, channels: 6, rate: 16000, extensible: true },
  { tag: 3, bits: 32, channels: 3, rate: 16000, extensible: true },
];

for (const spec of variants) {
  const label = `${spec.extensible ? 'extensible ' : ''}${spec.tag === 3 ? 'float' : 'PCM'} ${spec.bits}-bit, ${spec.channels} ch, ${spec.rate} Hz`;
  test(`WAV ${label}: decodes to soundfile's values, mono = channel mean`, async () => {
    const frames = 501;
    const { bytes, expected } = makeWav(spec, frames);
    const file = path.join(dir, `${label.replace(/[^a-z0-9]+/gi, '_')}.wav`);
    writeFileSync(file, bytes);
    const a = await loadAudio(file, { sr: null });
    assert.equal(a.sampleRate, spec.rate);
    assert.equal(a.channels, 1);
    assert.equal(a.source, file);
    assert.equal(a.samples.length, frames);
    assert.equal(a.durationSec, frames / spec.rate);
    for (let i = 0; i < frames; i++) {
      let mean = 0;
      for (let c = 0; c < spec.channels; c++) mean += expected[c][i];
      mean = Math.fround(mean / spec.channels);
      assert.ok(Math.abs(a.samples[i] - mean) <= 1e-7, `sample ${i}: ${a.samples[i]} vs ${mean}`);
    }
  });
}

test('loadAudio resamples to 16 kHz by default, with ⌈n·16000/sr⌉ samples', async () => {
  const { bytes } = makeWav({ tag: 1, bits: 16, channels: 1, rate: 44100 }, 44100);
  const file = path.join(dir, 'resample-me.wav');
  writeFileSync(file, bytes);
  const a = await loadAudio(file);
  assert.equal(a.sampleRate, 16000);
  assert.equal(a.samples.length, 16000);
  const b = await loadAudio(file, { sr: 8000 });
  assert.equal(b.samples.length, 8000);
});

async function rejects(file: string, reason: RegExp): Promise<void> {
  await assert.rejects(loadAudio(file), (err: unknown) => {
    assert.ok(err instanceof AudioError, `AudioError expected, got ${String(err)}`);
    assert.equal(err.file, file);
    assert.ok(err.message.includes(file), 'message names the file');
    assert.match(err.reason, reason);
    return true;
  });
}

test('bad files raise AudioError naming the file and the reason', async () => {
  const good = makeWav({ tag: 1, bits: 16, channels: 1, rate: 16000 }, 1000).bytes;
  const put = (name: string, b: Buffer | string) => {
    const f = path.join(dir, name);
    writeFileSync(f, b);
    return f;
  };
  await rejects(path.join(dir, 'does-not-exist.wav'), /file not found/);
  const sub = path.join(dir, 'a-folder.wav');
  mkdirSync(sub, { recursive: true });
  await rejects(sub, /directory/);
  await rejects(put('empty.wav', Buffer.alloc(0)), /empty file/);
  await rejects(put('text.wav', 'hello, I am not audio at all'), /unsupported or unrecognised/);
  await rejects(put('truncated.wav', good.subarray(0, 1000)), /truncated: data chunk declares 2000 bytes but only 956/);
  await rejects(put('header-only.wav', good.subarray(0, 30)), /truncated: fmt chunk/);
  await rejects(put('no-data.wav', good.subarray(0, 36)), /no data chunk/);
  const zero = makeWav({ tag: 1, bits: 16, channels: 1, rate: 16000 }, 0).bytes;
  await rejects(put('zero-length.wav', zero), /no audio samples/);
  const alaw = Buffer.from(good);
  alaw.writeUInt16LE(6, 20);
  await rejects(put('alaw.wav', alaw), /unsupported WAV encoding \(format tag 0x6\)/);
  const bits12 = Buffer.from(good);
  bits12.writeUInt16LE(12, 34);
  await rejects(put('pcm12.wav', bits12), /unsupported WAV sample size: 12-bit PCM/);
});

test('streamed WAVs (data size 0xFFFFFFFF) are read to the end of the file', async () => {
  const b = Buffer.from(
    encodeWav16(
      Float32Array.from({ length: 300 }, (_, i) => Math.sin(i) * 0.5),
      16000,
    ),
  );
  b.writeUInt32LE(0xffffffff, 40);
  const file = path.join(dir, 'streamed.wav');
  writeFileSync(file, b);
  const a = await loadAudio(file, { sr: null });
  assert.equal(a.samples.length, 300);
});

test('a fmt chunk after the data chunk is still found', async () => {
  const { bytes, expected } = makeWav({ tag: 1, bits: 16, channels: 1, rate: 16000 }, 200);
  // RIFF header (12) + fmt chunk (8 + 16) + data chunk: swap the two chunks.
  const fmt = bytes.subarray(12, 36);
  const data = bytes.subarray(36);
  const file = path.join(dir, 'fmt-last.wav');
  writeFileSync(file, Buffer.concat([bytes.subarray(0, 12), data, fmt]));
  const a = await loadAudio(file, { sr: null });
  assert.deepEqual(a.samples, expected[0]);
});

test('absurd sample rates and durations are bounded: a clear error naming the file, fast, and a limit that can be raised', async () => {
  const put = (name: string, b: Buffer) => {
    const f = path.join(dir, name);
    writeFileSync(f, b);
    return f;
  };
  // 64 KB declaring 1 Hz: 9 hours of audio, which resampled to 16 kHz would need ~2 GB and minutes.
  const t0 = Date.now();
  const oneHz = put('one-hz.wav', makeWav({ tag: 1, bits: 16, channels: 1, rate: 1 }, 32000).bytes);
  await rejects(oneHz, /^32000 s long .* over the limit of 1800 s/);
  // Short enough, but a 16000-fold resample.
  await rejects(
    put('ten-hz.wav', makeWav({ tag: 1, bits: 16, channels: 1, rate: 10 }, 100).bytes),
    /^sample rate 10 Hz cannot be resampled to 16000 Hz/,
  );
  assert.ok(Date.now() - t0 < 5000, `took ${Date.now() - t0} ms`);
  // The limit per call, and for the process (what the CLI's --max-duration sets).
  const twoSec = put('two-sec.wav', makeWav({ tag: 1, bits: 16, channels: 1, rate: 8000 }, 16000).bytes);
  await assert.rejects(loadAudio(twoSec, { maxDurationSec: 1 }), /two-sec\.wav: 2 s long .* over the limit of 1 s/);
  assert.equal((await loadAudio(twoSec, { maxDurationSec: 3 })).samples.length, 32000);
  process.env.AFFEXION_MAX_DURATION = '1';
  try {
    await assert.rejects(loadAudio(twoSec), /over the limit of 1 s/);
  } finally {
    delete process.env.AFFEXION_MAX_DURATION;
  }
  await assert.rejects(loadAudio(twoSec, { maxDurationSec: 0 }), /maxDurationSec: expected a positive number/);
});
