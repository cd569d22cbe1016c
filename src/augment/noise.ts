/**
 * Additive noise at a chosen signal-to-noise ratio: white, pink (1/f), brown (1/f²) and babble (a sum
 * of other speech clips). Coloured noise is shaped in the frequency domain, which gives the exact
 * spectral slope (IIR approximations drift at the band edges).
 */
import { type RandomSource } from './random.js';
import { meanPower, nextPow2, realFft, inverseRealFft } from './spectrum.js';

/** Noise colours that can be generated from a seed alone. */
export type NoiseColor = 'white' | 'pink' | 'brown';
/** All additive noise kinds; `babble` needs other speech clips. */
export type NoiseType = NoiseColor | 'babble';
export const NOISE_TYPES: readonly NoiseType[] = ['white', 'pink', 'brown', 'babble'];

/**
 * `n` samples of unit-power noise of the given colour: power spectral density ∝ 1/f^0 (white),
 * 1/f (pink) or 1/f² (brown); the DC bin is zeroed so the noise has no offset.
 */
export function colouredNoise(n: number, color: NoiseColor, rng: RandomSource): Float32Array {
  if (n <= 0) return new Float32Array(0);
  const white = new Float64Array(n);
  for (let i = 0; i < n; i++) white[i] = rng.normal();
  let out: Float64Array;
  if (color === 'white') out = white;
  else {
    const exponent = color === 'pink' ? 0.5 : 1; // amplitude ∝ f^(-exponent)
    const N = nextPow2(n);
    const spec = realFft(white, N);
    spec[0] = spec[1] = 0;
    for (let k = 1; k < N; k++) {
      const f = Math.min(k, N - k); // symmetric bins share a gain, so the inverse stays real
      const g = Math.pow(f, -exponent);
      spec[2 * k] *= g;
      spec[2 * k + 1] *= g;
    }
    out = inverseRealFft(spec, N).subarray(0, n);
  }
  const y = Float32Array.from(out);
  const p = meanPower(y);
  const s = p > 0 ? 1 / Math.sqrt(p) : 0;
  for (let i = 0; i < n; i++) y[i] *= s;
  return y;
}

/**
 * Babble: `talkers` random excerpts of the given clips, each at equal power, summed and looped to `n`
 * samples, unit power.
 */
export function babbleNoise(n: number, sources: Float32Array[], rng: RandomSource, talkers = 4): Float32Array {
  const usable = sources.filter((s) => s.length > 0 && meanPower(s) > 0);
  if (usable.length === 0) throw new Error('babble noise needs at least one non-silent source clip');
  const y = new Float32Array(n);
  for (let t = 0; t < talkers; t++) {
    const src = usable[Math.floor(rng.next() * usable.length)];
    const g = 1 / Math.sqrt(meanPower(src));
    const offset = Math.floor(rng.next() * src.length);
    for (let i = 0; i < n; i++) y[i] += g * src[(offset + i) % src.length];
  }
  const p = meanPower(y);
  if (p > 0) for (let i = 0; i < n; i++) y[i] /= Math.sqrt(p);
  return y;
}

/**
 * Returns signal + noise scaled so that 10·log10(P_signal / P_noise) = snrDb, where powers are means
 * over the whole clip. The noise is looped or cut to the signal's length.
 */
export function mixAtSnr(signal: Float32Array, noise: Float32Array, snrDb: number): Float32Array {
  const ps = meanPower(signal);
  const out = Float32Array.from(signal);
  if (ps === 0) return out; // silence (or nothing) stays so: there is no level to be relative to
  if (noise.length === 0) throw new Error('mixAtSnr: empty noise');
  let pn = 0;
  for (let i = 0; i < signal.length; i++) pn += noise[i % noise.length] ** 2;
  pn /= signal.length;
  if (pn === 0) return out;
  const g = Math.sqrt(ps / (pn * Math.pow(10, snrDb / 10)));
  for (let i = 0; i < out.length; i++) out[i] += g * noise[i % noise.length];
  return out;
}
