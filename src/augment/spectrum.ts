/**
 * FFT helpers over the `fft.js` library (radix-4, well kept, no dependencies): power spectra, FFT
 * convolution (reverberation needs ~16k-tap impulse responses, far too slow as direct convolution) and
 * spectral shaping of noise.
 */
import FFT from 'fft.js';

const plans = new Map<number, FFT>();
function plan(n: number): FFT {
  let p = plans.get(n);
  if (!p) {
    p = new FFT(n);
    plans.set(n, p);
  }
  return p;
}

/** Smallest power of two ≥ n (at least 4, fft.js's minimum). */
export function nextPow2(n: number): number {
  let p = 4;
  while (p < n) p *= 2;
  return p;
}

/** Full complex spectrum (interleaved re, im; length 2n) of a real signal zero-padded to n (power of 2). */
export function realFft(x: Float32Array | Float64Array, n: number): Float64Array {
  const f = plan(n);
  const input = new Float64Array(n);
  input.set(x.subarray(0, Math.min(x.length, n)));
  const out = new Float64Array(2 * n);
  f.realTransform(out, input);
  f.completeSpectrum(out);
  return out;
}

/** Real part of the inverse FFT of an interleaved complex spectrum of size n (scaled by 1/n). */
export function inverseRealFft(spec: Float64Array, n: number): Float64Array {
  const f = plan(n);
  const out = new Float64Array(2 * n);
  f.inverseTransform(out, spec);
  const re = new Float64Array(n);
  for (let i = 0; i < n; i++) re[i] = out[2 * i];
  return re;
}

/** Linear convolution of x with h via FFT; output length x.length + h.length − 1. */
export function fftConvolve(x: Float32Array, h: Float32Array): Float32Array {
  const outLen = x.length + h.length - 1;
  const n = nextPow2(outLen);
  const X = realFft(x, n);
  const H = realFft(h, n);
  for (let k = 0; k < n; k++) {
    const re = X[2 * k] * H[2 * k] - X[2 * k + 1] * H[2 * k + 1];
    const im = X[2 * k] * H[2 * k + 1] + X[2 * k + 1] * H[2 * k];
    X[2 * k] = re;
    X[2 * k + 1] = im;
  }
  const y = inverseRealFft(X, n);
  return Float32Array.from(y.subarray(0, outLen));
}

/**
 * Average power spectrum (Welch: Hann windows of `nFft`, 50 % overlap), bins 0..nFft/2. Used by the
 * datasheet and the tests that check band limits and noise colours.
 */
export function powerSpectrum(x: Float32Array, nFft = 1024): Float64Array {
  const hop = nFft / 2;
  const win = new Float64Array(nFft);
  for (let i = 0; i < nFft; i++) win[i] = 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / nFft);
  const psd = new Float64Array(nFft / 2 + 1);
  const frame = new Float64Array(nFft);
  let count = 0;
  for (let start = 0; start + nFft <= x.length; start += hop) {
    for (let i = 0; i < nFft; i++) frame[i] = x[start + i] * win[i];
    const s = realFft(frame, nFft);
    for (let k = 0; k <= nFft / 2; k++) psd[k] += s[2 * k] ** 2 + s[2 * k + 1] ** 2;
    count++;
  }
  if (count > 0) for (let k = 0; k < psd.length; k++) psd[k] /= count;
  return psd;
}

/** Mean power of a signal (0 for an empty one). */
export function meanPower(x: Float32Array): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i] * x[i];
  return x.length ? s / x.length : 0;
}

/**
 * Alpha ratio in dB: energy in 1–5 kHz over energy in 50 Hz–1 kHz (Welch spectrum). A standard
 * voice-quality measure of spectral tilt: higher = tenser/brighter voice, lower = laxer/breathier.
 */
export function alphaRatioDb(x: Float32Array, sr: number, nFft = 1024): number {
  const psd = powerSpectrum(x, nFft);
  let lo = 0,
    hi = 0;
  for (let k = 0; k < psd.length; k++) {
    const f = (k * sr) / nFft;
    if (f >= 50 && f < 1000) lo += psd[k]!;
    else if (f >= 1000 && f < 5000) hi += psd[k]!;
  }
  return lo > 0 && hi > 0 ? 10 * Math.log10(hi / lo) : NaN;
}
