/**
 * loadAudio: decode any supported file, mix to mono (channel mean, as librosa), resample.
 */
import { readFile, stat } from 'node:fs/promises';
import { AudioError } from './errors.js';
import { decodeAudioBytes } from './decode.js';
import { resample } from './resample.js';

/** A mono clip in memory. */
export interface AudioBuffer {
  samples: Float32Array;
  sampleRate: number;
  channels: 1;
  durationSec: number;
  /** Where it came from (the file path). */
  source: string;
}

/** Mean of the channels (librosa.to_mono), in float32 like numpy's mean of float32 data. */
export function mixToMono(channels: Float32Array[]): Float32Array {
  if (channels.length === 1) return channels[0];
  const n = channels[0].length;
  const out = new Float32Array(n);
  const k = channels.length;
  for (let i = 0; i < n; i++) {
    let acc = 0;
    for (let c = 0; c < k; c++) acc += channels[c][i];
    out[i] = acc / k;
  }
  return out;
}

/**
 * Decodes `file` (WAV PCM 8/16/24/32, float 32/64, WAVE_FORMAT_EXTENSIBLE, any channel count; FLAC;
 * MP3; OGG Vorbis/Opus), mixes to mono (channel mean) and resamples to `opts.sr` (default 16000;
 * `null` keeps the native rate). Throws AudioError naming the file for unreadable, empty, truncated or
 * unsupported input.
 */
export async function loadAudio(file: string, opts: { sr?: number | null } = {}): Promise<AudioBuffer> {
  const sr = opts.sr === undefined ? 16000 : opts.sr;
  if (sr !== null && (!Number.isInteger(sr) || sr <= 0)) throw new AudioError(file, `invalid target sample rate ${sr} (a positive integer in Hz)`);
  let bytes: Buffer;
  try {
    const st = await stat(file);
    if (st.isDirectory()) throw new AudioError(file, 'is a directory, not an audio file');
    bytes = await readFile(file);
  } catch (err) {
    if (err instanceof AudioError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    throw new AudioError(file, code === 'ENOENT' ? 'file not found' : `cannot read file (${code ?? String(err)})`, { cause: err });
  }
  const decoded = await decodeAudioBytes(bytes, file);
  let samples = mixToMono(decoded.channels);
  let rate = decoded.sampleRate;
  if (sr !== null && sr !== rate) {
    samples = resample(samples, rate, sr);
    rate = sr;
  }
  return { samples, sampleRate: rate, channels: 1, durationSec: samples.length / rate, source: file };
}
