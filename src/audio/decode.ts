/**
 * Format detection (by content, not extension) and dispatch to the decoders.
 */
import { AudioError } from './errors.js';
import { decodeWav, looksLikeWav, type DecodedAudio } from './wav.js';
import { decodeCompressed, sniffCompressed } from './compressed.js';

export type { DecodedAudio } from './wav.js';

/** Decodes a whole file's bytes to per-channel float samples at the native rate. */
export async function decodeAudioBytes(bytes: Uint8Array, file: string): Promise<DecodedAudio> {
  if (bytes.length === 0) throw new AudioError(file, 'empty file (0 bytes)');
  if (looksLikeWav(bytes)) return decodeWav(bytes, file);
  const format = sniffCompressed(bytes);
  if (format) return decodeCompressed(bytes, format, file);
  throw new AudioError(file, 'unsupported or unrecognised audio format (supported: WAV, FLAC, MP3, OGG Vorbis/Opus)');
}
