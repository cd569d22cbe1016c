/**
 * Fundamental-frequency (F0) tracking with a voicing decision.
 *
 * Method: YIN (de Cheveigné & Kawahara 2002) — cumulative-mean-normalised difference function, absolute
 * threshold, parabolic interpolation — plus two guards that make it usable on whole clips: an energy
 * gate (silence is never "voiced") and removal of voiced runs shorter than 30 ms (isolated frames are
 * almost always noise or octave slips). Written here rather than taken from npm because the npm pitch
 * detectors work on single frames without a voicing decision or track output, and we need a
 * deterministic, dependency-free tracker shared by synth statistics, conversion and the prosodic front-end.
 */

/** Per-frame F0 track. Frame i is centred at i·hopSec seconds. */
export interface PitchTrack {
  /** F0 in Hz, 0 where unvoiced. */
  f0: Float32Array;
  /** 1 where the frame is voiced, else 0. */
  voiced: Uint8Array;
  /** Distance between frame centres in seconds. */
  hopSec: number;
}

/** Options for {@link trackPitch}. */
export interface PitchOptions {
  /** Lowest F0 searched, Hz (default 60). */
  fmin?: number;
  /** Highest F0 searched, Hz (default 600). */
  fmax?: number;
  /** Hop between frames in seconds (default 0.01). */
  hopSec?: number;
  /** YIN absolute threshold: the first dip below it is the period (default 0.15). */
  threshold?: number;
  /** Frames with no dip below `threshold` are still voiced if their deepest dip is below this (default 0.35). */
  voicingThreshold?: number;
  /** Frames quieter than this many dB below the loudest frame are unvoiced (default 45). */
  silenceDb?: number;
}

/**
 * r[τ] = Σ_{j<W} seg[j]·seg[j+τ] for τ = 1…tauMax: YIN's cost (nearly all of the tracker's time; the live monitor
 * tracks pitch every hop). Eight lags share each load of seg[j]; every sum still adds its terms in the order
 * j = 0, 1, …, so the result is bit-identical to one lag at a time (the conversion and the device = server parity
 * depend on that) — only faster (the test keeps the plain loop as the reference). In Node, trackPitch runs the native
 * core's copy of this loop when it is built (native/src/pitch.cc, installed by features/native-pitch.ts through
 * {@link useLagProducts}); the browser keeps this one.
 */
export function lagProducts(seg: Float64Array, W: number, tauMax: number, r: Float64Array): void {
  let tau = 1;
  for (; tau + 7 <= tauMax; tau += 8) {
    let r0 = 0,
      r1 = 0,
      r2 = 0,
      r3 = 0,
      r4 = 0,
      r5 = 0,
      r6 = 0,
      r7 = 0;
    for (let j = 0; j < W; j++) {
      const a = seg[j]!;
      const k = j + tau;
      r0 += a * seg[k]!;
      r1 += a * seg[k + 1]!;
      r2 += a * seg[k + 2]!;
      r3 += a * seg[k + 3]!;
      r4 += a * seg[k + 4]!;
      r5 += a * seg[k + 5]!;
      r6 += a * seg[k + 6]!;
      r7 += a * seg[k + 7]!;
    }
    r[tau] = r0;
    r[tau + 1] = r1;
    r[tau + 2] = r2;
    r[tau + 3] = r3;
    r[tau + 4] = r4;
    r[tau + 5] = r5;
    r[tau + 6] = r6;
    r[tau + 7] = r7;
  }
  for (; tau <= tauMax; tau++) {
    let s = 0;
    for (let j = 0; j < W; j++) s += seg[j]! * seg[j + tau]!;
    r[tau] = s;
  }
}

/** r[τ] = Σ_{j<W} seg[j]·seg[j+τ] for τ = 1…tauMax: the signature of {@link lagProducts} and of its faster copies. */
export type LagProducts = (seg: Float64Array, W: number, tauMax: number, r: Float64Array) => void;

/** The lag products trackPitch uses: {@link lagProducts} unless a bit-identical faster copy was installed. */
let laggedProducts: LagProducts = lagProducts;

/**
 * Installs a faster implementation of {@link lagProducts} — the same sums in the same order, so every track stays
 * bit-identical (features/native-pitch.ts installs the native core's in Node; the browser never does). null restores
 * the TypeScript loop.
 */
export function useLagProducts(impl: LagProducts | null): void {
  laggedProducts = impl ?? lagProducts;
}

/**
 * Tracks F0 over a mono signal.
 * @param samples mono samples (any scale; silence is judged relative to the loudest frame)
 * @param sr sample rate in Hz
 */
export function trackPitch(samples: Float32Array, sr: number, opts: PitchOptions = {}): PitchTrack {
  const fmin = opts.fmin ?? 60;
  const fmax = opts.fmax ?? 600;
  const hopSec = opts.hopSec ?? 0.01;
  const threshold = opts.threshold ?? 0.15;
  const voicingThreshold = Math.max(threshold, opts.voicingThreshold ?? 0.35);
  const silenceDb = opts.silenceDb ?? 45;
  if (!(sr > 0) || !Number.isFinite(sr)) throw new RangeError(`trackPitch: sr must be a positive number, got ${sr}`);
  if (!(fmin > 0 && fmax > fmin && fmax < sr / 2)) {
    throw new RangeError(`trackPitch: need 0 < fmin < fmax < sr/2, got fmin=${fmin}, fmax=${fmax}, sr=${sr}`);
  }
  if (!(hopSec > 0)) throw new RangeError(`trackPitch: hopSec must be > 0, got ${hopSec}`);

  const tauMin = Math.max(2, Math.floor(sr / fmax));
  const tauMax = Math.ceil(sr / fmin);
  // Integration window: at least one period of the lowest F0, and ≥ 25 ms for stable estimates.
  const W = Math.max(tauMax, Math.round(0.025 * sr));
  const span = W + tauMax;
  const hop = hopSec * sr;
  const nFrames = samples.length === 0 ? 0 : Math.floor((samples.length - 1) / hop) + 1;

  const f0 = new Float32Array(nFrames);
  const voiced = new Uint8Array(nFrames);
  const energy = new Float64Array(nFrames);
  const seg = new Float64Array(span);
  const d = new Float64Array(tauMax + 1);
  const r = new Float64Array(tauMax + 1);

  // Pass 1: frame energies (over the integration window) for the silence gate.
  const frameStart = (i: number): number => Math.round(i * hop) - (span >> 1);
  let maxEnergy = 0;
  for (let i = 0; i < nFrames; i++) {
    const s0 = frameStart(i);
    let e = 0;
    for (let j = 0; j < W; j++) {
      const k = s0 + j + (tauMax >> 1);
      const v = k >= 0 && k < samples.length ? samples[k]! : 0;
      e += v * v;
    }
    energy[i] = e / W;
    if (energy[i]! > maxEnergy) maxEnergy = energy[i]!;
  }
  const gate = Math.max(maxEnergy * Math.pow(10, -silenceDb / 10), 1e-10);

  // Pass 2: YIN on the frames above the gate.
  for (let i = 0; i < nFrames; i++) {
    if (energy[i]! < gate) continue;
    const s0 = frameStart(i);
    for (let j = 0; j < span; j++) {
      const k = s0 + j;
      seg[j] = k >= 0 && k < samples.length ? samples[k]! : 0;
    }
    // d(τ) = Σ_j (x_j − x_{j+τ})²  via  e0 + eτ − 2·r(τ); eτ updated incrementally.
    let e0 = 0;
    for (let j = 0; j < W; j++) e0 += seg[j]! * seg[j]!;
    laggedProducts(seg, W, tauMax, r);
    let et = e0;
    d[0] = 0;
    for (let tau = 1; tau <= tauMax; tau++) {
      et += seg[tau + W - 1]! * seg[tau + W - 1]! - seg[tau - 1]! * seg[tau - 1]!;
      d[tau] = Math.max(0, e0 + et - 2 * r[tau]!);
    }
    // Cumulative-mean normalisation: d'(τ) = d(τ)·τ / Σ_{1..τ} d.
    let run = 0;
    for (let tau = 1; tau <= tauMax; tau++) {
      run += d[tau]!;
      d[tau] = run > 0 ? (d[tau]! * tau) / run : 1;
    }
    // First dip below the threshold, followed down to its local minimum. Real (and synthetic) voices
    // with jitter rarely dip that low at ~100 Hz, so fall back to the global minimum when it is still
    // clearly periodic (white noise stays near 1).
    let best = -1;
    let globalBest = tauMin;
    for (let tau = tauMin; tau <= tauMax; tau++) {
      if (d[tau]! < d[globalBest]!) globalBest = tau;
      if (d[tau]! < threshold) {
        while (tau + 1 <= tauMax && d[tau + 1]! < d[tau]!) tau++;
        best = tau;
        break;
      }
    }
    if (best < 0 && d[globalBest]! < voicingThreshold) best = globalBest;
    if (best < 0) continue;
    // Parabolic interpolation of the minimum for sub-sample period resolution.
    let period = best;
    if (best > tauMin && best < tauMax) {
      const a = d[best - 1]!,
        b = d[best]!,
        c = d[best + 1]!;
      const den = a - 2 * b + c;
      if (den > 0) period = best + (0.5 * (a - c)) / den;
    }
    const hz = sr / period;
    if (hz >= fmin * 0.97 && hz <= fmax * 1.03) {
      f0[i] = hz;
      voiced[i] = 1;
    }
  }

  // Drop voiced runs shorter than 30 ms: isolated detections are noise or octave slips.
  const minRun = Math.max(2, Math.round(0.03 / hopSec));
  for (let i = 0; i < nFrames;) {
    if (!voiced[i]) {
      i++;
      continue;
    }
    let j = i;
    while (j < nFrames && voiced[j]) j++;
    if (j - i < minRun)
      for (let k = i; k < j; k++) {
        voiced[k] = 0;
        f0[k] = 0;
      }
    i = j;
  }
  return { f0, voiced, hopSec };
}
