/**
 * Minimal reader for the PCM WAV files our engines produce (16-bit integer, any channel count; the
 * channels are averaged). Our own few lines because engine output is always plain 16-bit PCM and the
 * general decoder (src/audio) belongs to another module; anything else is rejected with a clear error.
 */

/** Decoded engine output. */
export interface PcmAudio {
  samples: Float32Array;
  sampleRate: number;
}

/** Decodes a 16-bit PCM WAV held in memory. `what` names the source in error messages. */
export function decodeWav16(buf: Uint8Array, what: string): PcmAudio {
  const b = Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
  if (b.length < 12 || b.toString('ascii', 0, 4) !== 'RIFF' || b.toString('ascii', 8, 12) !== 'WAVE') {
    throw new Error(`${what}: not a RIFF/WAVE file`);
  }
  let pos = 12;
  let channels = 0,
    sampleRate = 0,
    bits = 0,
    format = 0;
  while (pos + 8 <= b.length) {
    const id = b.toString('ascii', pos, pos + 4);
    let size = b.readUInt32LE(pos + 4);
    const body = pos + 8;
    if (id === 'fmt ') {
      format = b.readUInt16LE(body);
      channels = b.readUInt16LE(body + 2);
      sampleRate = b.readUInt32LE(body + 4);
      bits = b.readUInt16LE(body + 14);
    } else if (id === 'data') {
      if (format !== 1 && format !== 0xfffe) throw new Error(`${what}: WAV format ${format} is not PCM`);
      if (bits !== 16 || channels < 1) throw new Error(`${what}: expected 16-bit PCM, got ${bits}-bit, ${channels} channel(s)`);
      // Streaming writers (espeak to a pipe, some APIs) leave the size as 0 or 0xFFFFFFFF: take the rest.
      if (size === 0 || size === 0xffffffff || body + size > b.length) size = b.length - body;
      const frames = Math.floor(size / (2 * channels));
      const out = new Float32Array(frames);
      for (let i = 0; i < frames; i++) {
        let s = 0;
        for (let c = 0; c < channels; c++) s += b.readInt16LE(body + 2 * (i * channels + c));
        out[i] = s / channels / 32768;
      }
      return { samples: out, sampleRate };
    }
    pos = body + size + (size & 1);
  }
  throw new Error(`${what}: WAV has no data chunk`);
}
