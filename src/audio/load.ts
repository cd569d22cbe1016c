/**
 * loadAudio: decode any supported file, mix to mono (channel mean, as librosa), resample.
 */
import { readFile, stat } from 'node:fs/promises';
import { AudioError } from './errors.js';
import { decodeAudioBytes } from './decode.js';
import { MAX_RESAMPLE_RATIO, resample } from './resample.js';

/**
 * Longest clip loadAudio accepts by default (seconds): a 64 KB WAV may declare 1 Hz and so 9 hours, and
 * resampling that to 16 kHz would need gigabytes. Raise it per call (`maxDurationSec`), or for a whole
 * process with the AFFEXION_MAX_DURATION environment variable (the CLI's `--max-duration`), which
 * worker threads inherit.
 */
export const DEFAULT_MAX_DURATION_SEC = 30 * 60;

/** The duration limit in force: `given`, else AFFEXION_MAX_DURATION, else {@link DEFAULT_MAX_DURATION_SEC}. */
export function maxAudioDuration(given?: number): number {
  const v = given ?? (process.env.AFFEXION_MAX_DURATION ? Number(process.env.AFFEXION_MAX_DURATION) : DEFAULT_MAX_DURATION_SEC);
  if (!(v > 0 && Number.isFinite(v))) {
    throw new RangeError(
      `maxDurationSec: expected a positive number of seconds, got ${given ?? `AFFEXION_MAX_DURATION=${process.env.AFFEXION_MAX_DURATION}`}`,
    );
  }
  return v;
}

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
export async function loadAudio(file: string, opts: { sr?: number | null; maxDurationSec?: number } = {}): Promise<AudioBuffer> {
  const sr = opts.sr === undefined ? 16000 : opts.sr;
  const maxSec = maxAudioDuration(opts.maxDurationSec);
  if (sr !== null && (!Number.isInteger(sr) || sr <= 0))
    throw new AudioError(file, `invalid target sample rate ${sr} (a positive integer in Hz)`);
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
  let rate = decoded.sampleRate;
  const frames = decoded.channels[0]?.length ?? 0;
  // Checked before mixing and resampling, which is where absurd headers would cost time and memory.
  if (frames / rate > maxSec) {
    throw new AudioError(
      file,
      `${(frames / rate).toFixed(0)} s long (${frames} samples at ${rate} Hz), over the limit of ${maxSec} s ` +
        '(raise it with --max-duration SEC or maxDurationSec)',
    );
  }
  // Float WAVs can hold NaN/Inf; they would poison every feature downstream, so the file is the error.
  for (const ch of decoded.channels) {
    for (let i = 0; i < ch.length; i++) {
      if (!Number.isFinite(ch[i])) throw new AudioError(file, `sample ${i} is not a finite number (${ch[i]}); a damaged float WAV?`);
    }
  }
  let samples = mixToMono(decoded.channels);
  if (sr !== null && sr !== rate) {
    const ratio = Math.max(sr / rate, rate / sr);
    if (ratio > MAX_RESAMPLE_RATIO) {
      throw new AudioError(
        file,
        `sample rate ${rate} Hz cannot be resampled to ${sr} Hz (ratio ${ratio.toFixed(0)} > ${MAX_RESAMPLE_RATIO}; a corrupt header?)`,
      );
    }
    samples = resample(samples, rate, sr);
    rate = sr;
  }
  return { samples, sampleRate: rate, channels: 1, durationSec: samples.length / rate, source: file };
}
