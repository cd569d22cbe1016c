/**
 * Small signal-processing steps for synthetic clips: resampling of engine output, tremor, level, fades
 * and trimming. Our own code: each is a few lines of plain arithmetic, so the output is bit-identical
 * for a given seed.
 */
import { resample } from '../audio/index.js';

const gcd = (a: number, b: number): number => (b ? gcd(b, a % b) : a);
const kernels = new Map<string, { table: Float32Array; taps: number; half: number; up: number; down: number }>();

/**
 * Resamples engine output to `toRate` with a polyphase windowed-sinc filter (Blackman window,
 * 16 zero crossings, cut-off 0.95 × the lower Nyquist). The engines' rates are fixed (22.05 kHz,
 * 16 kHz, × a voice's tract scale), so the filter table is built once per rate pair; this is ~10×
 * faster than src/audio's best-quality libsamplerate, which otherwise costs as much as the synthesis.
 * Agrees with it to > 50 dB SNR (test/synth/dsp.test.ts). Rates that do not reduce to ≤ 10000 phases use it.
 */
export function resampleEngine(x: Float32Array, fromRate: number, toRate: number): Float32Array {
  const from = Math.round(fromRate), to = Math.round(toRate);
  if (from === to) return Float32Array.from(x);
  const g = gcd(from, to);
  const up = to / g, down = from / g;
  if (up > 10000 || Math.abs(from - fromRate) > 1e-6 || Math.abs(to - toRate) > 1e-6) return resample(x, fromRate, toRate);
  const key = `${from}:${to}`;
  let k = kernels.get(key);
  if (!k) {
    const cutoff = 0.95 * Math.min(1, to / from);
    const half = Math.ceil(16 / cutoff);
    const taps = 2 * half;
    const table = new Float32Array(up * taps);
    for (let ph = 0; ph < up; ph++) {
      const frac = ph / up; // output sample sits `frac` input samples after tap `half - 1`
      for (let j = 0; j < taps; j++) {
        const u = j - (half - 1) - frac;
        const a = Math.PI * cutoff * u;
        const sinc = u === 0 ? 1 : Math.sin(a) / a;
        const w = Math.abs(u) >= half ? 0 : 0.42 + 0.5 * Math.cos((Math.PI * u) / half) + 0.08 * Math.cos((2 * Math.PI * u) / half);
        table[ph * taps + j] = sinc * w * cutoff;
      }
    }
    k = { table, taps, half, up, down };
    kernels.set(key, k);
  }
  const nOut = Math.ceil((x.length * up) / down);
  const out = new Float32Array(nOut);
  const { table, taps, half } = k;
  for (let n = 0; n < nOut; n++) {
    const pos = n * down; // in units of 1/up input samples
    const i = Math.floor(pos / up);
    const ph = pos - i * up;
    const base = i - (half - 1);
    const row = ph * taps;
    let acc = 0;
    if (base >= 0 && base + taps <= x.length) {
      for (let j = 0; j < taps; j++) acc += x[base + j]! * table[row + j]!;
    } else {
      for (let j = 0; j < taps; j++) { const m = base + j; if (m >= 0 && m < x.length) acc += x[m]! * table[row + j]!; }
    }
    out[n] = acc;
  }
  return out;
}

/**
 * Tremor: slow vibrato (frequency modulation by a modulated delay line) plus tremolo (amplitude
 * modulation) at `rateHz`. `depthSt` is the peak pitch deviation in semitones; `ampDepth` the peak
 * relative amplitude deviation (0..1). `phase` (radians) lets callers randomise the start.
 */
export function applyTremor(x: Float32Array, sr: number, rateHz: number, depthSt: number, ampDepth: number, phase = 0): Float32Array {
  if (depthSt <= 0 && ampDepth <= 0) return x;
  const out = new Float32Array(x.length);
  const w = (2 * Math.PI * rateHz) / sr;
  // Delay d(n) = A·sin(w n) gives an instantaneous frequency ratio 1 − A·w·cos(w n); pick A for the depth.
  const A = (Math.pow(2, depthSt / 12) - 1) / w;
  const at = (k: number): number => (k >= 0 && k < x.length ? x[k]! : 0);
  for (let n = 0; n < x.length; n++) {
    const pos = n - A * (1 + Math.sin(w * n + phase));
    const i = Math.floor(pos);
    const f = pos - i;
    // Cubic (Catmull-Rom) interpolation between the four neighbours.
    const xm1 = at(i - 1), x0 = at(i), x1 = at(i + 1), x2 = at(i + 2);
    const v = x0 + 0.5 * f * (x1 - xm1 + f * (2 * xm1 - 5 * x0 + 4 * x1 - x2 + f * (3 * (x0 - x1) + x2 - xm1)));
    out[n] = v * (1 + ampDepth * Math.sin(w * n + phase + 0.7));
  }
  return out;
}

/** RMS level in dBFS of the frames that carry speech (25 ms frames within 40 dB of the loudest). */
export function activeLevelDb(x: Float32Array, sr: number): number {
  const win = Math.max(1, Math.round(0.025 * sr));
  const energies: number[] = [];
  for (let s = 0; s + win <= x.length; s += win) {
    let e = 0;
    for (let j = 0; j < win; j++) e += x[s + j]! * x[s + j]!;
    energies.push(e / win);
  }
  if (!energies.length) return -120;
  const max = Math.max(...energies);
  const active = energies.filter((e) => e >= max * 1e-4);
  const mean = active.reduce((a, b) => a + b, 0) / active.length;
  return 10 * Math.log10(Math.max(mean, 1e-12));
}

/** Scales `x` in place so its active-speech level is `targetDb` dBFS, then limits peaks to 0.99. */
export function setLevel(x: Float32Array, sr: number, targetDb: number): Float32Array {
  const gain = Math.pow(10, (targetDb - activeLevelDb(x, sr)) / 20);
  let peak = 0;
  for (let i = 0; i < x.length; i++) { x[i]! *= gain; peak = Math.max(peak, Math.abs(x[i]!)); }
  // A loud target on a peaky voice could clip: scale down instead (clipping would add a class cue).
  if (peak > 0.99) for (let i = 0; i < x.length; i++) x[i]! *= 0.99 / peak;
  return x;
}

/** Linear fade-in/out of `sec` seconds at both ends, in place (removes clicks at cut points). */
export function fadeEdges(x: Float32Array, sr: number, sec = 0.01): Float32Array {
  const n = Math.min(Math.floor(x.length / 2), Math.round(sec * sr));
  for (let i = 0; i < n; i++) {
    const g = i / n;
    x[i]! *= g;
    x[x.length - 1 - i]! *= g;
  }
  return x;
}

/**
 * Cuts `x` to at most `maxSec`, at the quietest 10 ms frame between `minSec` and `maxSec` (a pause
 * between words, if there is one), with a short fade so the cut never clicks.
 */
export function trimAtQuietPoint(x: Float32Array, sr: number, minSec: number, maxSec: number): Float32Array {
  const maxN = Math.round(maxSec * sr);
  if (x.length <= maxN) return x;
  const hop = Math.round(0.01 * sr);
  let bestEnd = maxN, bestE = Infinity;
  for (let end = Math.round(minSec * sr); end + hop <= maxN; end += hop) {
    let e = 0;
    for (let j = end - hop; j < end; j++) e += x[j]! * x[j]!;
    if (e < bestE) { bestE = e; bestEnd = end; }
  }
  const out = x.slice(0, bestEnd);
  const n = Math.min(out.length, Math.round(0.02 * sr));
  for (let i = 0; i < n; i++) out[out.length - 1 - i]! *= i / n;
  return out;
}

/** Concatenates pieces into one buffer. */
export function concat(pieces: Float32Array[]): Float32Array {
  const out = new Float32Array(pieces.reduce((a, p) => a + p.length, 0));
  let o = 0;
  for (const p of pieces) { out.set(p, o); o += p.length; }
  return out;
}
