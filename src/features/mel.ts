/**
 * Slaney-style mel filterbank with Slaney area normalisation, as librosa.filters.mel (htk=False,
 * norm='slaney', dtype float32) builds it, stored sparsely (each band is non-zero on a short run of bins).
 */

const F_SP = 200 / 3; // linear part: 66.67 Hz per mel below 1 kHz
const MIN_LOG_HZ = 1000;
const MIN_LOG_MEL = MIN_LOG_HZ / F_SP;
const LOGSTEP = Math.log(6.4) / 27;

/** Hz → mel on the Slaney scale (librosa.hz_to_mel, htk=False). */
export function hzToMel(hz: number): number {
  return hz >= MIN_LOG_HZ ? MIN_LOG_MEL + Math.log(hz / MIN_LOG_HZ) / LOGSTEP : hz / F_SP;
}

/** mel → Hz on the Slaney scale (librosa.mel_to_hz, htk=False). */
export function melToHz(mel: number): number {
  return mel >= MIN_LOG_MEL ? MIN_LOG_HZ * Math.exp(LOGSTEP * (mel - MIN_LOG_MEL)) : F_SP * mel;
}

/** One mel band: weights for FFT bins start .. start + values.length − 1. */
export interface MelBand {
  start: number;
  values: Float32Array;
}

/** A mel filterbank: `bands.length` = n_mels, over `bins` = n_fft/2 + 1 FFT bins. */
export interface MelFilterbank {
  bins: number;
  bands: MelBand[];
}

/** n mel-spaced frequencies from fmin to fmax (librosa.mel_frequencies: linspace in mel, back to Hz). */
export function melFrequencies(n: number, fmin: number, fmax: number): Float64Array {
  const lo = hzToMel(fmin);
  const hi = hzToMel(fmax);
  const out = new Float64Array(n);
  const step = n > 1 ? (hi - lo) / (n - 1) : 0;
  for (let i = 0; i < n; i++) out[i] = melToHz(i === n - 1 && n > 1 ? hi : lo + i * step);
  return out;
}

/** Builds the filterbank; bands that land between FFT bins are all-zero, as in librosa. */
export function melFilterbank(sr: number, nFft: number, nMels: number, fmin: number, fmax: number): MelFilterbank {
  const bins = Math.floor(nFft / 2) + 1;
  const fftFreqs = new Float64Array(bins);
  for (let k = 0; k < bins; k++) fftFreqs[k] = (k * sr) / nFft;
  const melF = melFrequencies(nMels + 2, fmin, fmax);
  const bands: MelBand[] = [];
  const row = new Float32Array(bins);
  for (let i = 0; i < nMels; i++) {
    const d0 = melF[i + 1] - melF[i];
    const d1 = melF[i + 2] - melF[i + 1];
    const enorm = 2 / (melF[i + 2] - melF[i]);
    let first = -1;
    let last = -1;
    for (let k = 0; k < bins; k++) {
      const lower = -(melF[i] - fftFreqs[k]) / d0;
      const upper = (melF[i + 2] - fftFreqs[k]) / d1;
      // librosa stores the triangle in float32 first, then scales it by enorm (float64) into float32.
      const w = Math.fround(Math.max(0, Math.min(lower, upper)));
      row[k] = w * enorm;
      if (row[k] !== 0) {
        if (first < 0) first = k;
        last = k;
      }
    }
    bands.push(first < 0 ? { start: 0, values: new Float32Array(0) } : { start: first, values: row.slice(first, last + 1) });
  }
  return { bins, bands };
}

/**
 * Mel power (time-major, frames × nMels) = filterbank · power spectrum, summed in float64 and stored
 * as float32 (librosa sums in float32 through BLAS; the difference is ~1e-7 relative).
 */
export function applyMel(power: Float32Array, frames: number, fb: MelFilterbank): Float32Array {
  const { bins, bands } = fb;
  const nMels = bands.length;
  const out = new Float32Array(frames * nMels);
  for (let t = 0; t < frames; t++) {
    const p = t * bins;
    for (let m = 0; m < nMels; m++) {
      const { start, values } = bands[m];
      let acc = 0;
      for (let j = 0; j < values.length; j++) acc += values[j] * power[p + start + j];
      out[t * nMels + m] = acc;
    }
  }
  return out;
}
