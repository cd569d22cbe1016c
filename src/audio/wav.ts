/**
 * WAV decoder. Our own (not wavefile / node-wav) because we need every variant librosa's soundfile
 * reads — PCM 8/16/24/32, float 32/64, WAVE_FORMAT_EXTENSIBLE, any channel count — with soundfile's
 * exact int→float scaling, errors that say precisely what is wrong (truncation, missing chunks), and
 * no per-sample object allocation on 10-minute files.
 */
import { AudioError } from './errors.js';

/** Decoded audio: one Float32Array per channel at the file's own rate. */
export interface DecodedAudio {
  channels: Float32Array[];
  sampleRate: number;
}

const FORMAT_PCM = 1;
const FORMAT_FLOAT = 3;
const FORMAT_EXTENSIBLE = 0xfffe;

/** True when the bytes start like a RIFF/WAVE file. */
export function looksLikeWav(b: Uint8Array): boolean {
  return b.length >= 12 && ascii(b, 0) === 'RIFF' && ascii(b, 8) === 'WAVE';
}

function ascii(b: Uint8Array, at: number): string {
  return String.fromCharCode(b[at], b[at + 1], b[at + 2], b[at + 3]);
}

/** Decodes a RIFF/WAVE file's bytes; `file` is only used in error messages. */
export function decodeWav(bytes: Uint8Array, file: string): DecodedAudio {
  const fail = (reason: string): never => {
    throw new AudioError(file, reason);
  };
  if (!looksLikeWav(bytes)) fail('not a RIFF/WAVE file');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let fmt: { tag: number; channels: number; rate: number; blockAlign: number; bits: number } | null = null;
  let data: { start: number; size: number } | null = null;
  let pos = 12;
  while (pos + 8 <= bytes.length) {
    const id = ascii(bytes, pos);
    let size = view.getUint32(pos + 4, true);
    const body = pos + 8;
    if (id === 'fmt ') {
      if (size < 16 || body + size > bytes.length) fail('truncated: fmt chunk is incomplete');
      let tag = view.getUint16(body, true);
      const bits = view.getUint16(body + 14, true);
      if (tag === FORMAT_EXTENSIBLE) {
        if (size < 40) fail('truncated: WAVE_FORMAT_EXTENSIBLE fmt chunk shorter than 40 bytes');
        tag = view.getUint16(body + 24, true); // first two bytes of the sub-format GUID
      }
      fmt = {
        tag,
        channels: view.getUint16(body + 2, true),
        rate: view.getUint32(body + 4, true),
        blockAlign: view.getUint16(body + 12, true),
        bits,
      };
    } else if (id === 'data') {
      const available = bytes.length - body;
      // Streaming writers leave the size at 0xFFFFFFFF when they cannot seek back: read to the end.
      if (size === 0xffffffff) size = available;
      if (size > available) fail(`truncated: data chunk declares ${size} bytes but only ${available} are present`);
      data = { start: body, size };
      if (fmt) break; // else keep looking: a few writers put fmt after data
    }
    pos = body + size + (size & 1); // chunks are word-aligned
  }
  if (!fmt) fail('no fmt chunk (not a valid WAV file)');
  if (!data) fail('no data chunk (truncated or not a valid WAV file)');
  const { tag, channels, rate, bits } = fmt!;
  if (channels < 1) fail('fmt chunk declares 0 channels');
  if (rate < 1) fail('fmt chunk declares a sample rate of 0');
  const isFloat = tag === FORMAT_FLOAT;
  if (tag !== FORMAT_PCM && !isFloat) fail(`unsupported WAV encoding (format tag 0x${tag.toString(16)}); supported: PCM, IEEE float`);
  const okBits = isFloat ? bits === 32 || bits === 64 : bits === 8 || bits === 16 || bits === 24 || bits === 32;
  if (!okBits) fail(`unsupported WAV sample size: ${bits}-bit ${isFloat ? 'float' : 'PCM'}`);
  const bytesPer = bits / 8;
  const frameBytes = bytesPer * channels;
  const frames = Math.floor(data!.size / frameBytes);
  if (frames === 0) fail('no audio samples (zero-length data chunk)');
  const out = Array.from({ length: channels }, () => new Float32Array(frames));
  const s = data!.start;
  // Scaling as libsndfile does for float output: signed ints / 2^(bits−1); 8-bit is unsigned.
  for (let c = 0; c < channels; c++) {
    const ch = out[c];
    let p = s + c * bytesPer;
    switch (isFloat ? -bits : bits) {
      case 8:
        for (let i = 0; i < frames; i++, p += frameBytes) ch[i] = (bytes[p] - 128) / 128;
        break;
      case 16:
        for (let i = 0; i < frames; i++, p += frameBytes) ch[i] = view.getInt16(p, true) / 32768;
        break;
      case 24:
        for (let i = 0; i < frames; i++, p += frameBytes) {
          const v = bytes[p] | (bytes[p + 1] << 8) | (bytes[p + 2] << 16);
          ch[i] = ((v << 8) >> 8) / 8388608;
        }
        break;
      case 32:
        for (let i = 0; i < frames; i++, p += frameBytes) ch[i] = view.getInt32(p, true) / 2147483648;
        break;
      case -32:
        for (let i = 0; i < frames; i++, p += frameBytes) ch[i] = view.getFloat32(p, true);
        break;
      case -64:
        for (let i = 0; i < frames; i++, p += frameBytes) ch[i] = view.getFloat64(p, true);
        break;
    }
  }
  return { channels: out, sampleRate: rate };
}
