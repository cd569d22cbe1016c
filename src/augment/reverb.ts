/**
 * Reverberation from synthetic room impulse responses: a direct path, a few sparse early reflections
 * and a late tail of exponentially decaying Gaussian noise whose energy falls by 60 dB after RT60
 * seconds (Schroeder's statistical model of a diffuse field). The tail is low-passed a little per
 * sample so high frequencies die sooner, as in real rooms.
 */
import { type RandomSource } from './random.js';
import { fftConvolve, meanPower } from './spectrum.js';

export interface RirOptions {
  /** Reverberation time (s) at which the energy decay reaches −60 dB. */
  rt60: number;
  /** Direct-to-reverberant energy ratio in dB. */
  drrDb: number;
  /** Early reflections to place within the first 50 ms. Default 6. */
  earlyReflections?: number;
}

/** A room impulse response sampled at `sr`, length 1.2·RT60 (at least 50 ms), direct path at index 0. */
export function syntheticRir(sr: number, opts: RirOptions, rng: RandomSource): Float32Array {
  const { rt60, drrDb } = opts;
  if (!(rt60 > 0)) throw new Error(`reverb: rt60 must be > 0 s, got ${rt60}`);
  const n = Math.max(Math.round(1.2 * rt60 * sr), Math.round(0.05 * sr));
  const h = new Float32Array(n);
  const decayPerSample = 6.907755 / (rt60 * sr); // amplitude envelope exp(−6.91·t/RT60) = −60 dB energy at RT60
  const onset = Math.max(1, Math.round(0.002 * sr)); // diffuse tail starts a couple of ms after the direct sound
  let lp = 0;
  for (let i = onset; i < n; i++) {
    lp = 0.6 * rng.normal() + 0.4 * lp; // gentle one-pole low-pass on the tail
    h[i] = lp * Math.exp(-decayPerSample * i);
  }
  const early = opts.earlyReflections ?? 6;
  for (let r = 0; r < early; r++) {
    const idx = onset + Math.floor(rng.next() * Math.min(n - onset - 1, 0.05 * sr));
    h[idx] += (rng.next() < 0.5 ? -1 : 1) * (0.3 + 0.4 * rng.next()) * Math.exp(-decayPerSample * idx) * 3;
  }
  // Scale the reverberant part so direct / reverberant energy = drrDb, direct path amplitude 1.
  let er = 0;
  for (let i = 1; i < n; i++) er += h[i] * h[i];
  const g = er > 0 ? Math.sqrt(1 / (er * Math.pow(10, drrDb / 10))) : 0;
  for (let i = 1; i < n; i++) h[i] *= g;
  h[0] = 1;
  return h;
}

/**
 * RT60 estimated from an impulse response by Schroeder backward integration, fitting the −5…−25 dB
 * range of the decay curve (T20 extrapolated to 60 dB). Used to check `syntheticRir`.
 */
export function estimateRt60(h: Float32Array, sr: number): number {
  const edc = new Float64Array(h.length);
  let acc = 0;
  for (let i = h.length - 1; i >= 0; i--) {
    acc += h[i] * h[i];
    edc[i] = acc;
  }
  const total = edc[0];
  const xs: number[] = [];
  const ys: number[] = [];
  for (let i = 0; i < h.length; i++) {
    const db = 10 * Math.log10(edc[i] / total);
    if (db <= -5 && db >= -25) {
      xs.push(i / sr);
      ys.push(db);
    }
  }
  if (xs.length < 2) return NaN;
  const mx = xs.reduce((a, b) => a + b, 0) / xs.length;
  const my = ys.reduce((a, b) => a + b, 0) / ys.length;
  let num = 0;
  let den = 0;
  for (let i = 0; i < xs.length; i++) {
    num += (xs[i] - mx) * (ys[i] - my);
    den += (xs[i] - mx) ** 2;
  }
  return -60 / (num / den);
}

/** Convolves x with h, keeps x's length (the tail past the end is cut) and x's mean power. */
export function applyRir(x: Float32Array, h: Float32Array): Float32Array {
  const y = fftConvolve(x, h).subarray(0, x.length);
  const px = meanPower(x);
  const py = meanPower(y);
  const g = py > 0 ? Math.sqrt(px / py) : 1;
  const out = new Float32Array(x.length);
  for (let i = 0; i < x.length; i++) out[i] = y[i] * g;
  return out;
}
