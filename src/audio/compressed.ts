/**
 * FLAC, MP3 and OGG (Vorbis, Opus) decoding through eshaz's wasm-audio-decoders (well kept, the wasm is
 * inlined in the packages, so they work offline in Node without any download). Any decoder error
 * (corrupt or truncated stream) is an AudioError: a half-decoded clip would be silently wrong data.
 * The decoders are imported on first use: their inlined wasm would otherwise slow every start-up.
 */
import { AudioError } from './errors.js';
import type { DecodedAudio } from './wav.js';

/** Container/codec recognised from a file's first bytes. */
export type CompressedFormat = 'flac' | 'mp3' | 'ogg-opus' | 'ogg-vorbis';

function startsWith(b: Uint8Array, s: string, at = 0): boolean {
  if (b.length < at + s.length) return false;
  for (let i = 0; i < s.length; i++) if (b[at + i] !== s.charCodeAt(i)) return false;
  return true;
}

function indexOf(b: Uint8Array, s: string, from: number, to: number): number {
  for (let i = from; i <= Math.min(to, b.length - s.length); i++) if (startsWith(b, s, i)) return i;
  return -1;
}

/** Recognises FLAC, MP3 (ID3 tag or MPEG audio frame sync) and OGG Opus / Vorbis; null otherwise. */
export function sniffCompressed(b: Uint8Array): CompressedFormat | null {
  if (startsWith(b, 'fLaC')) return 'flac';
  if (startsWith(b, 'OggS')) {
    // The first page carries the codec's identification header.
    if (indexOf(b, 'OpusHead', 28, 200) >= 0) return 'ogg-opus';
    if (indexOf(b, '\x01vorbis', 28, 200) >= 0) return 'ogg-vorbis';
    return null;
  }
  if (startsWith(b, 'ID3')) {
    // An ID3v2 tag can also precede FLAC; look past it.
    const size = b.length >= 10 ? ((b[6] & 0x7f) << 21) | ((b[7] & 0x7f) << 14) | ((b[8] & 0x7f) << 7) | (b[9] & 0x7f) : 0;
    if (startsWith(b, 'fLaC', 10 + size)) return 'flac';
    return 'mp3';
  }
  // MPEG-1/2/2.5 layer III frame header: 11 sync bits, layer bits 01.
  if (b.length >= 4 && b[0] === 0xff && (b[1] & 0xe0) === 0xe0 && (b[1] & 0x06) === 0x02) return 'mp3';
  return null;
}

/**
 * Samples per channel the header promises, where the format says (FLAC STREAMINFO; MP3 Xing/Info tag,
 * minus one frame of slack for encoder delay/padding), else null. Decoders stop quietly at a cut, so
 * this is how truncation shows.
 */
function expectedLength(b: Uint8Array, format: CompressedFormat): number | null {
  if (format === 'flac') {
    const at = indexOf(b, 'fLaC', 0, 1 << 20);
    if (at < 0 || b.length < at + 26) return null;
    const s = at + 18; // sample rate (20 bits), channels (3), bits (5), total samples (36)
    const total = (b[s + 3] & 0x0f) * 2 ** 32 + ((b[s + 4] << 24) >>> 0) + (b[s + 5] << 16) + (b[s + 6] << 8) + b[s + 7];
    return total > 0 ? total : null;
  }
  if (format === 'mp3') {
    let start = 0;
    if (startsWith(b, 'ID3') && b.length >= 10)
      start = 10 + (((b[6] & 0x7f) << 21) | ((b[7] & 0x7f) << 14) | ((b[8] & 0x7f) << 7) | (b[9] & 0x7f));
    if (b.length < start + 4 || b[start] !== 0xff) return null;
    const mpeg1 = (b[start + 1] & 0x18) === 0x18;
    const perFrame = mpeg1 ? 1152 : 576;
    let tag = indexOf(b, 'Xing', start + 4, start + 64);
    if (tag < 0) tag = indexOf(b, 'Info', start + 4, start + 64);
    if (tag < 0 || b.length < tag + 12) return null;
    const flags = b[tag + 7];
    if ((flags & 1) === 0) return null; // no frame count
    const frames = ((b[tag + 8] << 24) >>> 0) + (b[tag + 9] << 16) + (b[tag + 10] << 8) + b[tag + 11];
    // Gapless decoding drops the encoder delay and padding, which the LAME tag records (12 bits each)
    // after the Xing fields; without it, allow the largest values those fields can hold.
    const lame = tag + 8 + 4 + (flags & 2 ? 4 : 0) + (flags & 4 ? 100 : 0) + (flags & 8 ? 4 : 0);
    let trimmed = 2 * 4095;
    // The LAME-format extension starts with the encoder's name ('LAME3.100', 'Lavc59.37', …).
    const named =
      b.length >= lame + 24 && Array.from(b.subarray(lame, lame + 4)).every((c) => (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a));
    if (named) {
      const d = lame + 21;
      trimmed = ((b[d] << 4) | (b[d + 1] >> 4)) + (((b[d + 1] & 0x0f) << 8) | b[d + 2]);
    }
    // One frame of slack: decoders differ in how they count the decoder's own delay.
    return Math.max(0, frames * perFrame - trimmed - perFrame);
  }
  return null;
}

/** True when the bytes end with a complete Ogg page flagged end-of-stream. */
function oggComplete(b: Uint8Array): boolean {
  let pos = 0;
  let lastHeaderType = -1;
  while (pos + 27 <= b.length && startsWith(b, 'OggS', pos)) {
    const nSeg = b[pos + 26];
    if (pos + 27 + nSeg > b.length) return false;
    let body = 0;
    for (let i = 0; i < nSeg; i++) body += b[pos + 27 + i];
    const end = pos + 27 + nSeg + body;
    if (end > b.length) return false;
    lastHeaderType = b[pos + 5];
    pos = end;
  }
  return pos === b.length && (lastHeaderType & 0x04) !== 0;
}

interface WasmResult {
  channelData: Float32Array[];
  samplesDecoded: number;
  sampleRate: number;
  errors: { message: string }[];
}

/** Decodes a FLAC / MP3 / OGG file's bytes; throws AudioError on corrupt, truncated or empty streams. */
export async function decodeCompressed(bytes: Uint8Array, format: CompressedFormat, file: string): Promise<DecodedAudio> {
  let r: WasmResult;
  try {
    r = await runDecoder(bytes, format);
  } catch (err) {
    throw new AudioError(file, `cannot decode ${format}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  }
  if (r.errors.length > 0) throw new AudioError(file, `corrupt or truncated ${format} stream: ${r.errors[0].message}`);
  if (r.samplesDecoded === 0 || r.channelData.length === 0) throw new AudioError(file, `no audio samples in ${format} stream`);
  const n = r.samplesDecoded;
  const expected = expectedLength(bytes, format);
  if (expected !== null && n < expected) {
    throw new AudioError(file, `truncated ${format} stream: decoded ${n} samples per channel, the header declares ${expected}`);
  }
  if (format.startsWith('ogg') && !oggComplete(bytes))
    throw new AudioError(file, `truncated ${format} stream: the last Ogg page is incomplete or not marked end-of-stream`);
  return { channels: r.channelData.map((c) => (c.length === n ? c : c.slice(0, n))), sampleRate: r.sampleRate };
}

async function runDecoder(bytes: Uint8Array, format: CompressedFormat): Promise<WasmResult> {
  switch (format) {
    case 'flac': {
      const { FLACDecoder } = await import('@wasm-audio-decoders/flac');
      const d = new FLACDecoder();
      await d.ready;
      try {
        return await d.decodeFile(bytes);
      } finally {
        d.free();
      }
    }
    case 'mp3': {
      const { MPEGDecoder } = await import('mpg123-decoder');
      const d = new MPEGDecoder();
      await d.ready;
      try {
        return d.decode(bytes);
      } finally {
        d.free();
      }
    }
    case 'ogg-opus': {
      const { OggOpusDecoder } = await import('ogg-opus-decoder');
      const d = new OggOpusDecoder();
      await d.ready;
      try {
        return await d.decodeFile(bytes);
      } finally {
        d.free();
      }
    }
    case 'ogg-vorbis': {
      const { OggVorbisDecoder } = await import('@wasm-audio-decoders/ogg-vorbis');
      const d = new OggVorbisDecoder();
      await d.ready;
      try {
        return await d.decodeFile(bytes);
      } finally {
        d.free();
      }
    }
  }
}
