/**
 * The resampler's filter: a linear-phase Kaiser-windowed sinc built to soxr 'HQ' specifications
 * (librosa.load's default): passband to 0.913 of the lower Nyquist, stopband from 1.0, the −6 dB point
 * halfway (as sox/soxr's lsx_design_lpf places it). soxr HQ asks for 20 bits (120.4 dB); Kaiser's
 * formulas evaluated at 135 dB bring us closest to soxr's actual output (measured on the golden
 * resampled inputs, see docs/audio-features.md), so that is the design value.
 */

/** Passband end and stopband start as fractions of the lower Nyquist; design rejection in dB. */
export const HQ_SPEC = Object.freeze({ passbandEnd: 0.913, stopbandBegin: 1.0, rejectionDb: 135 });

/** Modified Bessel function of the first kind, order 0 (power series; converges fast for β ≤ 20). */
export function besselI0(x: number): number {
  let sum = 1;
  let term = 1;
  const q = (x * x) / 4;
  for (let k = 1; k < 200; k++) {
    term *= q / (k * k);
    sum += term;
    if (term < sum * 1e-17) break;
  }
  return sum;
}

/** Filter parameters in input-sample units for a conversion fromRate → toRate. */
export interface ResampleFilter {
  /** Cutoff (−6 dB) in cycles per input sample. */
  fc: number;
  /** Kaiser β. */
  beta: number;
  /** Half-width of the kernel, input samples. */
  halfWidth: number;
}

export function designFilter(fromRate: number, toRate: number, spec = HQ_SPEC): ResampleFilter {
  const nyq = Math.min(fromRate, toRate) / 2;
  const fc = (((spec.passbandEnd + spec.stopbandBegin) / 2) * nyq) / fromRate;
  const transition = ((spec.stopbandBegin - spec.passbandEnd) * nyq) / fromRate; // cycles per input sample
  const A = spec.rejectionDb;
  const beta = A > 50 ? 0.1102 * (A - 8.7) : A > 21 ? 0.5842 * (A - 21) ** 0.4 + 0.07886 * (A - 21) : 0;
  const taps = (A - 7.95) / (14.36 * transition) + 1; // Kaiser's length estimate
  return { fc, beta, halfWidth: taps / 2 };
}

/** Kernel value at offset t (input samples) from the output instant. */
export function kernel(f: ResampleFilter, t: number, i0beta = besselI0(f.beta)): number {
  const r = t / f.halfWidth;
  if (r <= -1 || r >= 1) return 0;
  const x = 2 * f.fc * t;
  const sinc = x === 0 ? 1 : Math.sin(Math.PI * x) / (Math.PI * x);
  return 2 * f.fc * sinc * (besselI0(f.beta * Math.sqrt(1 - r * r)) / i0beta);
}

function gcd(a: number, b: number): number {
  while (b) [a, b] = [b, a % b];
  return a;
}

/** Most phases tabulated exactly; rarer ratios (L larger) round each output's phase to one of these. */
export const MAX_PHASES = 4096;

/**
 * Polyphase plan for from → to: L/M = to/from in lowest terms; P phase rows (P = L, or MAX_PHASES
 * when L is larger) of `width` taps k = −W .. W+1 around ⌊j·M/L⌋, zero-padded to a multiple of 16.
 * `table` is float64 (the JS reference), `table32` the same rounded for the native float32 loop.
 */
export interface ResamplePlan {
  L: number;
  M: number;
  P: number;
  W: number;
  width: number;
  table: Float64Array;
  table32: Float32Array;
}

export function planResample(fromRate: number, toRate: number, f = designFilter(fromRate, toRate)): ResamplePlan {
  const g = gcd(fromRate, toRate);
  const L = toRate / g;
  const M = fromRate / g;
  const P = Math.min(L, MAX_PHASES);
  const i0b = besselI0(f.beta);
  const W = Math.ceil(f.halfWidth);
  const width = Math.ceil((2 * W + 2) / 16) * 16;
  const table = new Float64Array(P * width);
  for (let p = 0; p < P; p++) for (let k = -W; k <= W + 1; k++) table[p * width + k + W] = kernel(f, p / P - k, i0b);
  return { L, M, P, W, width, table, table32: Float32Array.from(table) };
}

/** Table row and base input index of output j (phase rounded when P < L, as the native code does). */
export function phaseOf(plan: ResamplePlan, j: number): { i0: number; phase: number } {
  const num = j * plan.M;
  let i0 = Math.floor(num / plan.L);
  let phase = num - i0 * plan.L;
  if (plan.P !== plan.L) {
    phase = Math.floor((phase * plan.P + Math.floor(plan.L / 2)) / plan.L);
    if (phase === plan.P) {
      phase = 0;
      i0++;
    }
  }
  return { i0, phase };
}

/**
 * Reference resampler (plain loops, the fallback when the native addon is not built): output j is at
 * input time j·from/to, the signal is zero outside [0, n), length ⌈n·to/from⌉ — librosa.load's
 * alignment and length.
 */
export function resampleReference(x: Float32Array, plan: ResamplePlan, outLen: number): Float32Array {
  const y = new Float32Array(outLen);
  const { W, width, table } = plan;
  for (let j = 0; j < outLen; j++) {
    const { i0, phase } = phaseOf(plan, j);
    const row = phase * width;
    const first = i0 - W;
    let acc = 0;
    for (let k = Math.max(0, -first); k < width && first + k < x.length; k++) acc += table[row + k] * x[first + k];
    y[j] = acc;
  }
  return y;
}

/**
 * Half-band first stage for the native two-stage path (from ≥ 2·to, even from; see
 * native/src/spectral_resample.cc): a Kaiser-windowed sinc with its −6 dB point at from/4, flat to
 * the final Nyquist (to/2) and down by HQ_SPEC.rejectionDb from from/2 − to/2 on (what folds below
 * to/2 after halving), so the cascade with planResample(from/2, to) meets the single-stage
 * specification. Returned: the taps at offsets ±1, ±3, … (the centre tap is 0.5, the other even taps
 * are zero); null when the ratio is below 2 or from is odd.
 */
export function planHalfband(fromRate: number, toRate: number, spec = HQ_SPEC): Float32Array | null {
  if (fromRate < 2 * toRate || fromRate % 2 !== 0) return null;
  const transition = (fromRate / 2 - toRate) / fromRate; // cycles per input sample: to/2 … from/2 − to/2
  const A = spec.rejectionDb;
  const beta = 0.1102 * (A - 8.7);
  const halfWidth = ((A - 7.95) / (14.36 * transition) + 1) / 2;
  const f: ResampleFilter = { fc: 0.25, beta, halfWidth };
  const i0b = besselI0(beta);
  const taps: number[] = [];
  for (let t = 1; t < halfWidth; t += 2) taps.push(kernel(f, t, i0b));
  return Float32Array.from(taps);
}

/**
 * The second stage's plan (from/2 → to) with the single-stage filter's kernel, the same function of
 * time merely sampled at half the rate (cutoff and window in seconds identical): designing it afresh
 * at from/2 would round the window length differently and move the transition band by ≈ 1e-4.
 */
export function planSecondStage(fromRate: number, toRate: number): ResamplePlan {
  const f = designFilter(fromRate, toRate);
  return planResample(fromRate / 2, toRate, { fc: 2 * f.fc, beta: f.beta, halfWidth: f.halfWidth / 2 });
}

/** Intermediate rate of the native cascade (planCascade): a multiple of 8, 12, 16 and 24 kHz. */
export const CASCADE_RATE = 48000;

/**
 * Design rejection of the cascade's first stage: above HQ_SPEC's 135 dB because its images land in the
 * passband, where nothing removes them later, and above 140 dB because Kaiser's formulas give a little
 * less than asked at such wide transitions (140 gave 139.0 dB at 44.1 kHz). 143: the filter's stop-band
 * measured 142.1 dB at 44.1 kHz, 144.7 dB at 22.05 kHz; the images in the output 141.9 and 145.0 dB
 * (test). Each further ≈ 10 dB costs one tap per output.
 */
export const CASCADE_STAGE1_REJECTION_DB = 143;

/**
 * The native cascade from → CASCADE_RATE → to (native/src/spectral_resample.cc ResampleCascade) for
 * from < 48 kHz and to dividing 48 kHz at least twice (44.1, 22.05 kHz → 16 kHz). `down` is the
 * single-stage filter's kernel sampled at 48 kHz (as planSecondStage: the same function of time, not a
 * fresh design, whose rounded window length would move it by ≈ 1e-4), an integer decimation. It removes
 * everything from e = min(from, to)/2 (the single-stage stop-band start, 8 kHz) to 48 kHz − e, so `up`
 * needs only (a) to be flat where the single-stage filter passes anything, 0 … e (ripple ≈ 1e-7,
 * 1e-6 dB), and (b) ≥ 140 dB down where a component would land within e of a multiple of 48 kHz, i.e.
 * from 48 kHz − e = 40 kHz on: at 44.1 kHz the images of 0 – 4.1 kHz (40 – 44.1 kHz) fold to 3.9 – 8 kHz,
 * those of 4.1 – 8 kHz (36.1 – 40 kHz) to 8 – 11.9 kHz, where `down` removes them. Transition e …
 * 48 kHz − e, −6 dB at 24 kHz: 14 taps at 44.1 kHz, 8 at 22.05 kHz. What passes between 24 and 40 kHz
 * `down` removes as the single-stage filter removes it, so the cascade differs from the single-stage
 * reference by ≈ 1e-7 of full scale (float64 model on full-scale noise: 1.5e-7 at 44.1 kHz, 1.2e-7 at
 * 22.05 kHz). Null when the rates do not fit.
 */
export function planCascade(fromRate: number, toRate: number, spec = HQ_SPEC): { up: ResamplePlan; down: ResamplePlan } | null {
  const R = CASCADE_RATE;
  if (fromRate >= R || R % toRate !== 0 || R / toRate < 2) return null;
  const f = designFilter(fromRate, toRate, spec);
  const edge = (spec.stopbandBegin * Math.min(fromRate, toRate)) / 2; // Hz: the single-stage stop-band start
  const transition = (R - 2 * edge) / fromRate; // cycles per input sample: edge … R − edge
  const A = CASCADE_STAGE1_REJECTION_DB;
  const up = planResample(fromRate, R, {
    fc: R / 2 / fromRate,
    beta: 0.1102 * (A - 8.7),
    halfWidth: ((A - 7.95) / (14.36 * transition) + 1) / 2,
  });
  const down = planResample(R, toRate, { fc: (f.fc * fromRate) / R, beta: f.beta, halfWidth: (f.halfWidth * R) / fromRate });
  return up.P === up.L ? { up, down } : null;
}
