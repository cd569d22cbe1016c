/**
 * eGeMAPS-style per-clip functionals (Eyben et al. 2016, "The Geneva Minimalistic Acoustic Parameter Set
 * (GeMAPS) for voice research and affective computing", IEEE Trans. Affective Computing 7(2)): the
 * prosodic and voice-quality parameters used in cross-corpus emotion work, computed with the project's
 * own F0 tracker (`trackPitch`, YIN) instead of openSMILE's SHS tracker. Where openSMILE's exact
 * algorithm differs, the comment at each measure says how.
 *
 * Written here rather than taken from npm: no npm package computes GeMAPS (openSMILE is C++ with no
 * maintained Node binding), and these are short, testable formulas on top of our tracker and DFT.
 */
import { trackPitch, type PitchTrack } from './pitch.js';
import { RealDft } from './stft.js';
import { percentile } from './frame-stats.js';

/** One clip's functionals. Fields are NaN when the clip has too little voicing to measure them. */
export interface Functionals {
  /** F0 mean over voiced frames, semitones re 27.5 Hz (eGeMAPS F0semitoneFrom27.5Hz amean). */
  f0MeanSt: number;
  /** F0 standard deviation over voiced frames, semitones. */
  f0SdSt: number;
  /** F0 range: 80th minus 20th percentile of voiced F0, semitones (eGeMAPS pctlrange0-2). */
  f0RangeSt: number;
  /** Loudness mean over all frames: Σ over 26 mel bands of (band power)^0.3 (Stevens' power law), arbitrary units. */
  loudnessMean: number;
  /** Loudness coefficient of variation (sd / mean; eGeMAPS stddevNorm), unitless. */
  loudnessCv: number;
  /** Regression slope of the dB power spectrum over 0–500 Hz, voiced frames, dB/Hz. */
  slope0to500: number;
  /** Regression slope of the dB power spectrum over 500–1500 Hz, voiced frames, dB/Hz. */
  slope500to1500: number;
  /** Alpha ratio: energy 1–5 kHz over 50 Hz–1 kHz, voiced frames, dB (negative for speech, as openSMILE reports it). */
  alphaRatioDb: number;
  /** Hammarberg index: strongest peak 0–2 kHz over strongest peak 2–5 kHz, voiced frames, dB. */
  hammarbergDb: number;
  /** Local jitter: mean |T(i) − T(i+1)| of consecutive periods over the mean period, fraction (0.01 = 1 %). */
  jitter: number;
  /** Local shimmer: mean |20·log10(A(i+1)/A(i))| of consecutive periods' peak amplitudes, dB. */
  shimmerDb: number;
  /** Harmonics-to-noise ratio from the normalised autocorrelation at the period (Boersma 1993), voiced frames, dB. */
  hnrDb: number;
  /** Voiced segments (runs of voiced frames) per second of speech span. */
  voicedSegmentsPerSec: number;
  /** Mean length of voiced segments, seconds. */
  voicedSegmentSec: number;
  /** Mean length of unvoiced stretches between voiced segments, seconds. */
  unvoicedSegmentSec: number;
  /** Fraction of the speech span (first to last loud frame) that is ≥ 30 dB below the loud frames. */
  pauseRatio: number;
}

/** The functionals' names, in a fixed order (feature vectors, tables, JSON). */
export const FUNCTIONAL_NAMES: readonly (keyof Functionals)[] = [
  'f0MeanSt',
  'f0SdSt',
  'f0RangeSt',
  'loudnessMean',
  'loudnessCv',
  'slope0to500',
  'slope500to1500',
  'alphaRatioDb',
  'hammarbergDb',
  'jitter',
  'shimmerDb',
  'hnrDb',
  'voicedSegmentsPerSec',
  'voicedSegmentSec',
  'unvoicedSegmentSec',
  'pauseRatio',
];

/** Units of each functional, for docs and reports. */
export const FUNCTIONAL_UNITS: Readonly<Record<keyof Functionals, string>> = {
  f0MeanSt: 'st re 27.5 Hz',
  f0SdSt: 'st',
  f0RangeSt: 'st (20–80 %)',
  loudnessMean: 'Σ mel power^0.3',
  loudnessCv: 'sd/mean',
  slope0to500: 'dB/Hz',
  slope500to1500: 'dB/Hz',
  alphaRatioDb: 'dB',
  hammarbergDb: 'dB',
  jitter: 'fraction',
  shimmerDb: 'dB',
  hnrDb: 'dB',
  voicedSegmentsPerSec: '1/s',
  voicedSegmentSec: 's',
  unvoicedSegmentSec: 's',
  pauseRatio: 'fraction',
};

const FRAME_SEC = 0.025;
const HOP_SEC = 0.01;
const N_FFT = 512;

function mean(v: readonly number[]): number {
  return v.length ? v.reduce((a, b) => a + b, 0) / v.length : NaN;
}

function sd(v: readonly number[]): number {
  if (v.length < 2) return NaN;
  const m = mean(v);
  return Math.sqrt(v.reduce((a, b) => a + (b - m) ** 2, 0) / v.length);
}

/** Power spectra (Hamming window, N_FFT bins up to Nyquist) of 25 ms frames every 10 ms. */
export function framePowerSpectra(x: Float32Array, sr: number): Float64Array[] {
  const win = Math.round(FRAME_SEC * sr),
    hop = Math.round(HOP_SEC * sr);
  const nFft = Math.max(N_FFT, 1 << Math.ceil(Math.log2(win)));
  const w = Float64Array.from({ length: win }, (_, i) => 0.54 - 0.46 * Math.cos((2 * Math.PI * i) / (win - 1)));
  const out: Float64Array[] = [];
  const dft = new RealDft(nFft);
  const frame = new Float64Array(nFft);
  for (let start = 0; start + win <= x.length; start += hop) {
    frame.fill(0);
    for (let i = 0; i < win; i++) frame[i] = x[start + i]! * w[i]!;
    const spec = dft.forward(frame);
    const p = new Float64Array(dft.bins);
    for (let k = 0; k < dft.bins; k++) p[k] = spec[2 * k]! ** 2 + spec[2 * k + 1]! ** 2;
    out.push(p);
  }
  return out;
}

/** Spectral-shape functionals of a set of frames' power spectra (bin k at k·sr/nFft Hz). */
export interface SpectralShape {
  slope0to500: number;
  slope500to1500: number;
  alphaRatioDb: number;
  hammarbergDb: number;
}

/**
 * Slopes, alpha ratio and Hammarberg index averaged over the given frames (each measured per frame,
 * then averaged, as openSMILE's functionals do). `use(i)` selects frames (eGeMAPS: voiced frames).
 */
export function spectralShape(spectra: readonly Float64Array[], sr: number, use: (i: number) => boolean = () => true): SpectralShape {
  const acc = { slope0to500: [] as number[], slope500to1500: [] as number[], alphaRatioDb: [] as number[], hammarbergDb: [] as number[] };
  for (let i = 0; i < spectra.length; i++) {
    if (!use(i)) continue;
    const p = spectra[i]!;
    const nFft = 2 * (p.length - 1);
    const hz = sr / nFft;
    const bin = (f: number): number => Math.min(p.length - 1, Math.round(f / hz));
    const band = (lo: number, hi: number): number => {
      let e = 0;
      for (let k = bin(lo); k <= bin(hi); k++) e += p[k]!;
      return e;
    };
    const peak = (lo: number, hi: number): number => {
      let m = 0;
      for (let k = bin(lo); k <= bin(hi); k++) m = Math.max(m, p[k]!);
      return m;
    };
    const low = band(50, 1000),
      high = band(1000, 5000);
    if (!(low > 0) || !(high > 0)) continue; // digital silence
    acc.alphaRatioDb.push(10 * Math.log10(high / low));
    acc.hammarbergDb.push(10 * Math.log10(peak(0, 2000) / peak(2000, 5000)));
    // Least-squares slope of 10·log10(power) against frequency (Hz) over the band's bins.
    const slope = (lo: number, hi: number): number => {
      let n = 0,
        sx = 0,
        sy = 0,
        sxx = 0,
        sxy = 0;
      // From bin 1: the DC bin is real-valued (half the degrees of freedom), so its log power is biased low.
      for (let k = Math.max(1, bin(lo)); k <= bin(hi); k++) {
        const f = k * hz,
          y = 10 * Math.log10(p[k]! + 1e-20);
        n++;
        sx += f;
        sy += y;
        sxx += f * f;
        sxy += f * y;
      }
      return (n * sxy - sx * sy) / (n * sxx - sx * sx);
    };
    acc.slope0to500.push(slope(0, 500));
    acc.slope500to1500.push(slope(500, 1500));
  }
  return {
    slope0to500: mean(acc.slope0to500),
    slope500to1500: mean(acc.slope500to1500),
    alphaRatioDb: mean(acc.alphaRatioDb),
    hammarbergDb: mean(acc.hammarbergDb),
  };
}

/** Mel filterbank energies → loudness per frame: Σ (band power)^0.3 over 26 triangular mel bands, 20 Hz–8 kHz. */
function loudness(spectra: readonly Float64Array[], sr: number): number[] {
  if (spectra.length === 0) return [];
  const nBins = spectra[0]!.length,
    hz = sr / (2 * (nBins - 1));
  const mel = (f: number): number => 2595 * Math.log10(1 + f / 700);
  const inv = (m: number): number => 700 * (10 ** (m / 2595) - 1);
  const edges = Array.from({ length: 28 }, (_, i) => inv(mel(20) + ((mel(Math.min(8000, sr / 2)) - mel(20)) * i) / 27));
  return spectra.map((p) => {
    let sum = 0;
    for (let b = 0; b < 26; b++) {
      let e = 0;
      for (let k = Math.floor(edges[b]! / hz); k <= Math.ceil(edges[b + 2]! / hz) && k < nBins; k++) {
        const f = k * hz;
        const w = f < edges[b + 1]! ? (f - edges[b]!) / (edges[b + 1]! - edges[b]!) : (edges[b + 2]! - f) / (edges[b + 2]! - edges[b + 1]!);
        if (w > 0) e += w * p[k]!;
      }
      sum += Math.pow(e, 0.3);
    }
    return sum;
  });
}

/** Cycle-to-cycle periods and peak amplitudes within voiced runs, for jitter and shimmer. */
export interface Cycles {
  /** Periods in samples (fractional), one array per voiced run. */
  periods: number[][];
  /** Peak absolute amplitude of each period. */
  amplitudes: number[][];
}

/**
 * Walks each voiced run period by period: from position p, with T the tracker's period there, the next
 * period is the lag in [0.8T, 1.2T] where one period of waveform best matches the next (normalised cross-
 * correlation, refined by a parabola to a fraction of a sample). Waveform matching is what Praat's
 * period extraction does too; it resolves jitter below one sample, which peak picking cannot.
 * Periods whose match is below 0.5 (not periodic) end the run.
 */
export function extractCycles(x: Float32Array, sr: number, track: PitchTrack): Cycles {
  const out: Cycles = { periods: [], amplitudes: [] };
  const hop = track.hopSec * sr;
  const ncc = (a: number, b: number, n: number): number => {
    let xy = 0,
      xx = 0,
      yy = 0;
    for (let j = 0; j < n; j++) {
      const u = x[a + j]!,
        v = x[b + j]!;
      xy += u * v;
      xx += u * u;
      yy += v * v;
    }
    return xy / Math.sqrt(xx * yy + 1e-30);
  };
  for (let i = 0; i < track.voiced.length;) {
    if (!track.voiced[i]) {
      i++;
      continue;
    }
    let j = i;
    while (j < track.voiced.length && track.voiced[j]) j++;
    const start = Math.round(i * hop),
      end = Math.min(x.length, Math.round((j - 1) * hop + hop));
    // Start just before the first cycle's peak, so each one-period window holds one pulse (an epoch
    // in the middle of the window would mix two cycles and halve the measured jitter).
    let p: number;
    {
      const T = sr / track.f0[Math.min(j - 1, i + 2)]!;
      let peak = start;
      for (let k = start; k < Math.min(x.length, start + Math.round(T)); k++) if (Math.abs(x[k]!) > Math.abs(x[peak]!)) peak = k;
      p = Math.max(0, peak - Math.round(0.1 * T));
    }
    const periods: number[] = [],
      amps: number[] = [];
    while (true) {
      // The search is centred on the tracker's period at this point (not the last cycle's), so a slip
      // at the run's edge cannot lock the walk onto twice the period.
      const f = Math.min(j - 1, Math.max(i, Math.round(p / hop)));
      const near: number[] = [];
      for (let k = Math.max(i, f - 2); k <= Math.min(j - 1, f + 2); k++) near.push(track.f0[k]!);
      const T = sr / near.sort((a, b) => a - b)[near.length >> 1]!;
      const n = Math.round(T);
      const lo = Math.max(2, Math.floor(0.8 * T)),
        hi = Math.ceil(1.2 * T);
      const q = Math.round(p);
      if (q + hi + n + 1 >= end || q + hi + n + 1 >= x.length) break;
      let best = lo,
        bestR = -Infinity;
      const r = new Float64Array(hi + 2);
      for (let L = lo - 1; L <= hi + 1; L++) r[L] = ncc(q, q + L, n);
      for (let L = lo; L <= hi; L++)
        if (r[L]! > bestR) {
          bestR = r[L]!;
          best = L;
        }
      if (bestR < 0.5) break;
      const a = r[best - 1]!,
        b = r[best]!,
        c = r[best + 1]!;
      const den = a - 2 * b + c;
      const L = den < 0 ? best + (0.5 * (a - c)) / den : best;
      // Peak amplitude, refined by a parabola through the largest sample and its neighbours.
      let at = q;
      for (let k = q; k < q + Math.round(L); k++) if (Math.abs(x[k]!) > Math.abs(x[at]!)) at = k;
      const [u, v, w] = [Math.abs(x[at - 1] ?? 0), Math.abs(x[at]!), Math.abs(x[at + 1] ?? 0)];
      const curve = u - 2 * v + w;
      const amp = curve < 0 ? v - (u - w) ** 2 / (8 * curve) : v;
      periods.push(L);
      amps.push(amp);
      p += L;
    }
    if (periods.length >= 2) {
      out.periods.push(periods);
      out.amplitudes.push(amps);
    }
    i = j;
  }
  return out;
}

/** Local jitter (fraction) from cycles: Praat's / eGeMAPS's definition, over pairs within runs. */
export function jitterLocal(c: Cycles): number {
  let diff = 0,
    pairs = 0,
    sum = 0,
    n = 0;
  for (const run of c.periods) {
    for (let k = 0; k < run.length; k++) {
      sum += run[k]!;
      n++;
    }
    for (let k = 0; k + 1 < run.length; k++) {
      // Praat skips pairs whose ratio exceeds 1.3 (a missed or extra cycle, not jitter).
      if (Math.max(run[k]!, run[k + 1]!) / Math.min(run[k]!, run[k + 1]!) > 1.3) continue;
      diff += Math.abs(run[k]! - run[k + 1]!);
      pairs++;
    }
  }
  return pairs ? diff / pairs / (sum / n) : NaN;
}

/** Local shimmer in dB from cycles' peak amplitudes. */
export function shimmerLocalDb(c: Cycles): number {
  let s = 0,
    pairs = 0;
  for (const run of c.amplitudes) {
    for (let k = 0; k + 1 < run.length; k++) {
      if (!(run[k]! > 0 && run[k + 1]! > 0)) continue;
      s += Math.abs(20 * Math.log10(run[k + 1]! / run[k]!));
      pairs++;
    }
  }
  return pairs ? s / pairs : NaN;
}

/**
 * HNR per voiced frame from the normalised cross-correlation r between a 40 ms stretch and the same
 * stretch one period later (best lag within ±10 % of the tracked period): HNR = 10·log10(r / (1 − r)).
 * For a periodic signal plus white noise r → P_harmonic / (P_harmonic + P_noise), so this is the SNR
 * (Boersma 1993; openSMILE's HNRdBACF uses the autocorrelation the same way). Mean over voiced frames.
 */
export function hnrDb(x: Float32Array, sr: number, track: PitchTrack): number {
  const W = Math.round(0.04 * sr),
    hop = track.hopSec * sr;
  const vals: number[] = [];
  for (let i = 0; i < track.voiced.length; i++) {
    if (!track.voiced[i]) continue;
    const T = sr / track.f0[i]!;
    const a = Math.round(i * hop - W / 2);
    if (a < 0 || a + W + Math.ceil(1.1 * T) + 2 >= x.length) continue;
    const lo = Math.floor(0.9 * T),
      hi = Math.ceil(1.1 * T);
    const rs = new Float64Array(hi + 2);
    for (let L = lo - 1; L <= hi + 1; L++) {
      let xy = 0,
        xx = 0,
        yy = 0;
      for (let j = 0; j < W; j++) {
        const u = x[a + j]!,
          v = x[a + L + j]!;
        xy += u * v;
        xx += u * u;
        yy += v * v;
      }
      rs[L] = xy / Math.sqrt(xx * yy + 1e-30);
    }
    let best = lo;
    for (let L = lo; L <= hi; L++) if (rs[L]! > rs[best]!) best = L;
    // The period is rarely a whole number of samples: the parabola's peak is the correlation at the true lag.
    const curve = rs[best - 1]! - 2 * rs[best]! + rs[best + 1]!;
    const peakR = curve < 0 ? rs[best]! - (rs[best - 1]! - rs[best + 1]!) ** 2 / (8 * curve) : rs[best]!;
    const r = Math.min(peakR, 0.999999);
    if (r > 0) vals.push(10 * Math.log10(r / (1 - r)));
  }
  return mean(vals);
}

/**
 * Computes the functionals of one mono clip.
 * @param samples mono samples (any scale; level-dependent measures are relative within the clip, except loudnessMean)
 * @param sr sample rate, Hz (≥ 10 kHz, so the 1–5 kHz band exists)
 * @param track a pitch track of `samples` when the caller already has one
 */
export function clipFunctionals(samples: Float32Array, sr: number, track?: PitchTrack): Functionals {
  if (!(sr >= 10000)) throw new RangeError(`clipFunctionals: need a sample rate of at least 10 kHz, got ${sr}`);
  const tr = track ?? trackPitch(samples, sr);
  const voicedF0: number[] = [];
  for (let i = 0; i < tr.f0.length; i++) if (tr.voiced[i]) voicedF0.push(12 * Math.log2(tr.f0[i]! / 27.5));
  const sorted = Float64Array.from(voicedF0).sort();
  const enough = voicedF0.length >= 10;

  const spectra = framePowerSpectra(samples, sr);
  // Spectral frame i starts at i·hop, centred at i·hop + 12.5 ms; nearest tracker frame decides voicing.
  const voicedAt = (i: number): boolean => !!tr.voiced[Math.round((i * HOP_SEC + FRAME_SEC / 2) / tr.hopSec)];
  const shape = enough
    ? spectralShape(spectra, sr, voicedAt)
    : { slope0to500: NaN, slope500to1500: NaN, alphaRatioDb: NaN, hammarbergDb: NaN };
  const loud = loudness(spectra, sr);
  const loudMean = mean(loud);

  // Speech span and pauses (as measureProsody): frames ≥ 30 dB below the 95th-percentile frame are silent.
  const levels = spectra.map((p) => 10 * Math.log10(p.reduce((a, b) => a + b, 0) + 1e-20));
  const thr = percentile(Float64Array.from(levels).sort(), 0.95) - 30;
  let first = -1,
    last = -1;
  levels.forEach((l, i) => {
    if (l >= thr) {
      if (first < 0) first = i;
      last = i;
    }
  });
  const pauseRatio = first < 0 ? NaN : levels.slice(first, last + 1).filter((l) => l < thr).length / (last - first + 1);
  const spanSec = first < 0 ? NaN : (last - first + 1) * HOP_SEC;

  // Voiced segments and the unvoiced stretches between them.
  const runs: [number, number][] = [];
  for (let i = 0; i < tr.voiced.length;) {
    if (!tr.voiced[i]) {
      i++;
      continue;
    }
    let j = i;
    while (j < tr.voiced.length && tr.voiced[j]) j++;
    runs.push([i, j]);
    i = j;
  }
  const gaps = runs.slice(1).map((r, k) => (r[0] - runs[k]![1]) * tr.hopSec);

  const cycles = enough ? extractCycles(samples, sr, tr) : { periods: [], amplitudes: [] };
  return {
    f0MeanSt: enough ? mean(voicedF0) : NaN,
    f0SdSt: enough ? sd(voicedF0) : NaN,
    f0RangeSt: enough ? percentile(sorted, 0.8) - percentile(sorted, 0.2) : NaN,
    loudnessMean: loudMean,
    loudnessCv: loudMean > 0 ? sd(loud) / loudMean : NaN,
    ...shape,
    jitter: jitterLocal(cycles),
    shimmerDb: shimmerLocalDb(cycles),
    hnrDb: enough ? hnrDb(samples, sr, tr) : NaN,
    voicedSegmentsPerSec: spanSec > 0 ? runs.length / spanSec : NaN,
    voicedSegmentSec: runs.length ? mean(runs.map(([a, b]) => (b - a) * tr.hopSec)) : NaN,
    unvoicedSegmentSec: gaps.length ? mean(gaps) : NaN,
    pauseRatio,
  };
}

/** The functionals as a vector in FUNCTIONAL_NAMES order. */
export function functionalVector(f: Functionals): number[] {
  return FUNCTIONAL_NAMES.map((k) => f[k]);
}
