/** Shared test signals for the augmentation tests. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { SHARED_DIR } from '../shared-dir.js';

export const SR = 16000;

/**
 * A vowel-like voiced signal: an impulse train at f0(t) through two formant resonators (700 and
 * 1200 Hz), peak about 0.6.
 */
export function syntheticVowel(durSec: number, f0: (t: number) => number, sr = SR): Float32Array {
  const n = Math.round(durSec * sr);
  const x = new Float32Array(n);
  const res = (f: number, bw: number): [number, number] => {
    const r = Math.exp((-Math.PI * bw) / sr);
    return [2 * r * Math.cos((2 * Math.PI * f) / sr), -r * r];
  };
  const [a1, a2] = res(700, 100);
  const [b1, b2] = res(1200, 120);
  let ph = 0,
    y1 = 0,
    y2 = 0,
    z1 = 0,
    z2 = 0;
  for (let i = 0; i < n; i++) {
    ph += f0(i / sr) / sr;
    let e = 0;
    if (ph >= 1) {
      ph -= 1;
      e = 1;
    }
    const y = e + a1 * y1 + a2 * y2;
    y2 = y1;
    y1 = y;
    const z = y + b1 * z1 + b2 * z2;
    z2 = z1;
    z1 = z;
    x[i] = z * 0.02;
  }
  return x;
}

/** Median of the non-zero values. */
export function medianVoiced(f0: Float32Array): number {
  const v = Array.from(f0)
    .filter((q) => q > 0)
    .sort((p, q) => p - q);
  return v.length ? v[v.length >> 1]! : NaN;
}

export const NEUTRAL_POOL = path.join(SHARED_DIR, 'data', 'neutral-pool');
export const REAL_CLIP = `${NEUTRAL_POOL}/ravdess/Actor_13/03-01-01-01-01-01-13.wav`;

/** Reads a 16-bit mono PCM WAV (the neutral pool's format) without depending on the audio module. */
export function readWav16(file: string): Float32Array {
  const b = readFileSync(file);
  let o = 12;
  while (b.toString('ascii', o, o + 4) !== 'data') o += 8 + b.readUInt32LE(o + 4);
  const n = b.readUInt32LE(o + 4) / 2;
  const x = new Float32Array(n);
  for (let i = 0; i < n; i++) x[i] = b.readInt16LE(o + 8 + 2 * i) / 32768;
  return x;
}

/** Largest sample-to-sample jump. */
export function maxJump(x: Float32Array, from = 1, to = x.length): number {
  let m = 0;
  for (let i = Math.max(1, from); i < to; i++) m = Math.max(m, Math.abs(x[i]! - x[i - 1]!));
  return m;
}

/** The q-quantile of |x[i] − x[i−1]|. */
export function jumpQuantile(x: Float32Array, q: number): number {
  const d: number[] = [];
  for (let i = 1; i < x.length; i++) d.push(Math.abs(x[i]! - x[i - 1]!));
  d.sort((a, b) => a - b);
  return d[Math.min(d.length - 1, Math.floor(q * d.length))]!;
}
