/**
 * Power spectrogram as librosa 0.10 computes it: periodic Hann window, center=True with zero
 * ('constant') padding of n_fft/2 on both sides, FFT in float64, result rounded to complex64, then
 * |X|² in float32. Matching the float64 FFT matters: the log of small powers is sensitive, and a float32
 * FFT's error is relative to the frame's loudest bin, not to the bin itself.
 *
 * The FFT is fft.js (well kept, radix-4, float64) for power-of-two sizes; other sizes go through
 * Bluestein's chirp-z algorithm on top of it (fft.js handles only powers of two).
 */
import FFT from 'fft.js';

/** Periodic Hann window (scipy.signal.get_window('hann', n, fftbins=True)), float64. */
export function hannWindow(n: number): Float64Array {
  const w = new Float64Array(n);
  for (let i = 0; i < n; i++) w[i] = 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / n);
  return w;
}

/** Number of STFT frames librosa produces with center=True. */
export function frameCount(nSamples: number, nFft: number, hopLength: number): number {
  const padded = nSamples + 2 * Math.floor(nFft / 2);
  return padded < nFft ? 0 : 1 + Math.floor((padded - nFft) / hopLength);
}

function isPow2(n: number): boolean {
  return n >= 4 && (n & (n - 1)) === 0;
}

/**
 * Real-input DFT of a fixed size n, returning bins 0..⌊n/2⌋ as interleaved (re, im) float64.
 */
export class RealDft {
  readonly n: number;
  readonly bins: number;
  private readonly fft: FFT | null;
  private readonly full: Float64Array; // fft.js output (2n), or Bluestein work buffer
  // Bluestein state (null for power-of-two sizes).
  private readonly chirp: Float64Array | null = null; // w_j = exp(-iπ j²/n), interleaved
  private readonly kernelSpec: Float64Array | null = null; // FFT of conj chirp, length-m
  private readonly m: number = 0;
  private readonly work: Float64Array | null = null;

  constructor(n: number) {
    this.n = n;
    this.bins = Math.floor(n / 2) + 1;
    if (isPow2(n)) {
      this.fft = new FFT(n);
      this.full = new Float64Array(2 * n);
      return;
    }
    // Bluestein: X_k = w_k Σ_j (x_j w_j) conj(w_{k−j}), a convolution done with a power-of-two FFT.
    let m = 4;
    while (m < 2 * n - 1) m *= 2;
    this.m = m;
    this.fft = new FFT(m);
    const chirp = new Float64Array(2 * n);
    for (let j = 0; j < n; j++) {
      const jj = (j * j) % (2 * n); // exact index keeps the phase accurate for large j
      const a = (-Math.PI * jj) / n;
      chirp[2 * j] = Math.cos(a);
      chirp[2 * j + 1] = Math.sin(a);
    }
    const b = new Float64Array(2 * m);
    for (let j = 0; j < n; j++) {
      b[2 * j] = chirp[2 * j];
      b[2 * j + 1] = -chirp[2 * j + 1];
      if (j > 0) {
        b[2 * (m - j)] = chirp[2 * j];
        b[2 * (m - j) + 1] = -chirp[2 * j + 1];
      }
    }
    const kernelSpec = new Float64Array(2 * m);
    this.fft.transform(kernelSpec, b);
    this.chirp = chirp;
    this.kernelSpec = kernelSpec;
    this.full = new Float64Array(2 * m);
    this.work = new Float64Array(2 * m);
  }

  /** DFT of `x` (length n); returns a view of an internal buffer holding bins 0..n/2 interleaved. */
  forward(x: Float64Array): Float64Array {
    const fft = this.fft!;
    if (!this.chirp) {
      fft.realTransform(this.full, x);
      return this.full;
    }
    const { n, m, chirp } = this;
    const a = this.work!;
    a.fill(0);
    for (let j = 0; j < n; j++) {
      a[2 * j] = x[j] * chirp[2 * j];
      a[2 * j + 1] = x[j] * chirp[2 * j + 1];
    }
    const A = this.full;
    fft.transform(A, a);
    const K = this.kernelSpec!;
    for (let i = 0; i < m; i++) {
      const re = A[2 * i] * K[2 * i] - A[2 * i + 1] * K[2 * i + 1];
      const im = A[2 * i] * K[2 * i + 1] + A[2 * i + 1] * K[2 * i];
      A[2 * i] = re;
      A[2 * i + 1] = im;
    }
    fft.inverseTransform(a, A);
    for (let k = 0; k < this.bins; k++) {
      const re = a[2 * k];
      const im = a[2 * k + 1];
      A[2 * k] = re * chirp[2 * k] - im * chirp[2 * k + 1];
      A[2 * k + 1] = re * chirp[2 * k + 1] + im * chirp[2 * k];
    }
    return A;
  }
}

/** One DFT plan per size: it holds tables and work buffers, reused call after call (single thread). */
const dfts = new Map<number, RealDft>();

/**
 * Power spectrogram |STFT|², time-major: out[frame * bins + bin], bins = ⌊nFft/2⌋ + 1, float32 with
 * librosa's rounding (complex64 spectrum, float32 magnitude, float32 square).
 */
export function powerSpectrogram(y: Float32Array, nFft: number, hopLength: number): { data: Float32Array; frames: number; bins: number } {
  const frames = frameCount(y.length, nFft, hopLength);
  let dft = dfts.get(nFft);
  if (!dft) dfts.set(nFft, (dft = new RealDft(nFft)));
  const bins = dft.bins;
  const win = hannWindow(nFft);
  const pad = Math.floor(nFft / 2);
  const frame = new Float64Array(nFft);
  const out = new Float32Array(frames * bins);
  const n = y.length;
  for (let t = 0; t < frames; t++) {
    const start = t * hopLength - pad;
    for (let i = 0; i < nFft; i++) {
      const s = start + i;
      frame[i] = s >= 0 && s < n ? y[s] * win[i] : 0;
    }
    const X = dft.forward(frame);
    const o = t * bins;
    for (let k = 0; k < bins; k++) {
      const re = Math.fround(X[2 * k]);
      const im = Math.fround(X[2 * k + 1]);
      const mag = Math.fround(Math.sqrt(re * re + im * im));
      out[o + k] = mag * mag;
    }
  }
  return { data: out, frames, bins };
}
