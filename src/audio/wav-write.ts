/**
 * Writes mono PCM WAV files. Our own few lines (not a library) because the format is trivial and every
 * writer of clips (synth, convert, augment) needs byte-identical, deterministic output.
 */
import { writeFileSync, renameSync } from 'node:fs';

/** Encodes mono float samples in [-1, 1] as a 16-bit PCM WAV (values outside are clipped). */
export function encodeWav16(samples: Float32Array, sampleRate: number): Buffer {
  const n = samples.length;
  const buf = Buffer.alloc(44 + n * 2);
  buf.write('RIFF', 0, 'ascii');
  buf.writeUInt32LE(36 + n * 2, 4);
  buf.write('WAVE', 8, 'ascii');
  buf.write('fmt ', 12, 'ascii');
  buf.writeUInt32LE(16, 16);
  buf.writeUInt16LE(1, 20); // PCM
  buf.writeUInt16LE(1, 22); // mono
  buf.writeUInt32LE(sampleRate, 24);
  buf.writeUInt32LE(sampleRate * 2, 28);
  buf.writeUInt16LE(2, 32);
  buf.writeUInt16LE(16, 34);
  buf.write('data', 36, 'ascii');
  buf.writeUInt32LE(n * 2, 40);
  for (let i = 0; i < n; i++) {
    const s = Math.max(-1, Math.min(1, samples[i]));
    buf.writeInt16LE(Math.round(s < 0 ? s * 32768 : s * 32767), 44 + i * 2);
  }
  return buf;
}

/** Writes a 16-bit mono WAV atomically (temp file + rename), so an interrupted run never leaves half a clip. */
export function writeWav16(file: string, samples: Float32Array, sampleRate: number): void {
  const tmp = `${file}.tmp-${process.pid}`;
  writeFileSync(tmp, encodeWav16(samples, sampleRate));
  renameSync(tmp, file);
}
