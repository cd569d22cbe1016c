/**
 * Sample-rate conversion close to librosa.load's soxr 'HQ' (no soxr port exists on npm; the wasm
 * libsamplerate we measured first was ~20 dB further from soxr and took over a second per 10 s clip).
 * Filter design in resample-design.ts; the polyphase loop runs natively (native/src/spectral_resample.cc:
 * FFT for ≤ 4 phases, a cascade through 48 kHz for many phases (44.1, 22.05 kHz), half-band + polyphase
 * for ratios ≥ 2 with many phases otherwise (short clips, 88.2 kHz), else direct) with the JS reference
 * (the single-stage definition) as fallback. Differences from librosa are measured in
 * docs/audio-features.md, speed and quality against soxr in docs/engine.md.
 */
import { nativeIfBuilt } from '../engine/native.js';
import {
  CASCADE_RATE,
  planCascade,
  planHalfband,
  planResample,
  planSecondStage,
  resampleReference,
  type ResamplePlan,
} from './resample-design.js';

type ResamplePolyFn = (
  x: Float32Array,
  out: Float32Array,
  L: number,
  M: number,
  P: number,
  W: number,
  width: number,
  table: Float32Array,
) => void;
type ResampleHalfPolyFn = (
  x: Float32Array,
  out: Float32Array,
  half: Float32Array,
  L: number,
  M: number,
  P: number,
  W: number,
  width: number,
  table: Float32Array,
) => void;
type ResampleCascadeFn = (
  x: Float32Array,
  out: Float32Array,
  L1: number,
  M1: number,
  W1: number,
  width1: number,
  table1: Float32Array,
  M2: number,
  W2: number,
  width2: number,
  table2: Float32Array,
) => void;

let nativePoly: ResamplePolyFn | null | undefined;
let nativeHalfPoly: ResampleHalfPolyFn | null = null;
let nativeCascade: ResampleCascadeFn | null = null;
function native(): ResamplePolyFn | null {
  if (nativePoly !== undefined) return nativePoly;
  nativePoly = null;
  if (process.env.AFFEXION_BACKEND === 'js') return nativePoly;
  const mod = nativeIfBuilt() as {
    resamplePoly32?: ResamplePolyFn;
    resampleHalfPoly32?: ResampleHalfPolyFn;
    resampleCascade32?: ResampleCascadeFn;
  } | null;
  if (!mod) return nativePoly;
  if (typeof mod.resamplePoly32 === 'function') nativePoly = mod.resamplePoly32;
  if (typeof mod.resampleHalfPoly32 === 'function') nativeHalfPoly = mod.resampleHalfPoly32;
  if (typeof mod.resampleCascade32 === 'function') nativeCascade = mod.resampleCascade32;
  return nativePoly;
}

/** True when the native polyphase loop is built and will be used. */
export function nativeResampleAvailable(): boolean {
  return native() !== null;
}

const plans = new Map<string, ResamplePlan>();
function cachedPlan(fromRate: number, toRate: number): ResamplePlan {
  const key = `${fromRate}/${toRate}`;
  let p = plans.get(key);
  if (!p) plans.set(key, (p = planResample(fromRate, toRate)));
  return p;
}

/**
 * The native two-stage plan (half-band, then from/2 → to) when it pays: ratio ≥ 2 and a direct plan
 * with many exact phases (44.1 → 16 kHz: L = 160, ≈ 560 taps per output, no FFT form; the two stages have
 * ≈ 290 + 17). Few phases (48 → 16 kHz) go through the FFT instead; quantised phases stay direct.
 * Clips long enough for the cascade through 48 kHz (below) take that instead.
 */
const halfPlans = new Map<string, { half: Float32Array; plan: ResamplePlan } | null>();
function cachedHalfPlan(fromRate: number, toRate: number, direct: ResamplePlan): { half: Float32Array; plan: ResamplePlan } | null {
  const key = `${fromRate}/${toRate}`;
  if (!halfPlans.has(key)) {
    const half = direct.L > 4 && direct.P === direct.L ? planHalfband(fromRate, toRate) : null;
    const plan = half ? planSecondStage(fromRate, toRate) : null;
    halfPlans.set(key, half && plan && plan.P === plan.L ? { half, plan } : null);
  }
  return halfPlans.get(key)!;
}

/**
 * The native cascade through 48 kHz (planCascade) where it measured faster: from < 48 kHz, `to` dividing
 * 48 kHz at least twice, and a direct plan with many exact phases (L > 4: no FFT form) whose taps per
 * second (to · width, what the direct loop's time follows) reach 5e5 · M2 (M2 = 48 kHz / to, what the
 * cascade's second stage's time follows). Taken: 44.1, 37.8, 22.05, 11.025 kHz → 12, 16 or 24 kHz;
 * 44.1, 37.8, 22.05 kHz → 8 kHz. Not 11.025 → 8 kHz (2.3e6 < 3e6: direct 0.71 ms per 10 s, cascade
 * 0.79). CPU ms per 10 s clip → 16 kHz: 44.1 kHz 0.6 (half-band path 1.5), 22.05 kHz 0.55 (direct 1.3),
 * 11.025 kHz 0.56 (0.95). Only from 8·width/M2 outputs on (1664 at 16 kHz, 0.1 s): the second stage
 * computes 26144 outputs per FFT batch, ≈ 50 µs however few are used, and the half-band or direct path
 * is faster below ≈ 1700 outputs.
 */
const cascadePlans = new Map<string, { up: ResamplePlan; down: ResamplePlan } | null>();
function cachedCascade(fromRate: number, toRate: number, direct: ResamplePlan): { up: ResamplePlan; down: ResamplePlan } | null {
  const key = `${fromRate}/${toRate}`;
  if (!cascadePlans.has(key)) {
    const pays = direct.L > 4 && direct.P === direct.L && toRate * direct.width >= 5e5 * (CASCADE_RATE / toRate);
    cascadePlans.set(key, pays ? planCascade(fromRate, toRate) : null);
  }
  return cascadePlans.get(key)!;
}

/**
 * Largest conversion ratio (either direction) resample accepts: 8 kHz ↔ 384 kHz is 48; a header
 * declaring 1 Hz would ask for a 16000-fold output and filter tables to match.
 */
export const MAX_RESAMPLE_RATIO = 256;

/** Output length librosa.load gives: ⌈n · to / from⌉ (util.fix_length after resampling). */
export function resampledLength(n: number, fromRate: number, toRate: number): number {
  return Math.ceil((n * toRate) / fromRate);
}

/**
 * Resamples mono `x` from `fromRate` to `toRate` Hz (positive integers); the output has
 * ⌈len · to / from⌉ samples aligned with the input (linear phase, no delay), like librosa.load.
 * Equal rates return a copy. `opts.backend: 'js'` forces the reference implementation.
 * `opts.out` (exactly ⌈len · to / from⌉ long) receives the result and is returned: callers resampling
 * many clips reuse one buffer, since a fresh 10 s output costs more in page faults (a new mapping per
 * call) than the FFT path takes to fill it (measured by bench:features).
 */
export function resample(
  x: Float32Array,
  fromRate: number,
  toRate: number,
  opts: { backend?: 'auto' | 'js'; out?: Float32Array } = {},
): Float32Array {
  for (const [name, v] of [
    ['fromRate', fromRate],
    ['toRate', toRate],
  ] as const) {
    if (!Number.isInteger(v) || v <= 0) throw new RangeError(`resample: ${name} must be a positive integer (Hz), got ${v}`);
  }
  if (fromRate === toRate && !opts.out) return Float32Array.from(x);
  if (Math.max(fromRate / toRate, toRate / fromRate) > MAX_RESAMPLE_RATIO) {
    throw new RangeError(`resample: ${fromRate} → ${toRate} Hz exceeds the ratio limit of ${MAX_RESAMPLE_RATIO}`);
  }
  const outLen = resampledLength(x.length, fromRate, toRate);
  if (opts.out && opts.out.length !== outLen) {
    throw new RangeError(
      `resample: opts.out has ${opts.out.length} samples, the result has ${outLen} (⌈${x.length}·${toRate}/${fromRate}⌉)`,
    );
  }
  if (fromRate === toRate) {
    opts.out!.set(x);
    return opts.out!;
  }
  if (outLen === 0) return opts.out ?? new Float32Array(0);
  const plan = cachedPlan(fromRate, toRate);
  const poly = opts.backend === 'js' ? null : native();
  if (!poly) {
    const r = resampleReference(x, plan, outLen);
    if (opts.out) {
      opts.out.set(r);
      return opts.out;
    }
    return r;
  }
  const y = opts.out ?? new Float32Array(outLen);
  const casc = nativeCascade ? cachedCascade(fromRate, toRate, plan) : null;
  if (casc && outLen >= (8 * casc.down.width) / casc.down.M) {
    const { up, down } = casc;
    nativeCascade!(x, y, up.L, up.M, up.W, up.width, up.table32, down.M, down.W, down.width, down.table32);
    return y;
  }
  const two = nativeHalfPoly ? cachedHalfPlan(fromRate, toRate, plan) : null;
  if (two) {
    const p2 = two.plan;
    nativeHalfPoly!(x, y, two.half, p2.L, p2.M, p2.P, p2.W, p2.width, p2.table32);
  } else {
    poly(x, y, plan.L, plan.M, plan.P, plan.W, plan.width, plan.table32);
  }
  return y;
}
