/**
 * "Equal quality" for a resampler, measured from the outside with pure tones, so the same numbers can
 * be taken from ours and from soxr (bench/features-anchor.py repeats `toneLevel` in numpy on the same
 * tone list):
 * - passband ripple: max |gain| in dB over tones up to HQ_SPEC.passbandEnd of the lower Nyquist;
 * - stop-band attenuation: the loudest alias (downsampling) or image (upsampling) of a full-scale tone
 *   beyond the lower Nyquist, in dB below the tone (a positive number: larger is better);
 * - transition: the −6 dB frequency, between the passband end and the stopband start.
 * Each tone is 2 s of sin(2π f t) at integer f Hz; its level is read off the middle second of the output
 * by projection on cos/sin at the frequency expected there (integer cycles: other tones are orthogonal,
 * so a −140 dB image next to the 0 dB tone is still measurable).
 */
import { HQ_SPEC } from './resample-design.js';

/** Tones to play through a from → to resampler: `[input Hz, Hz to measure in the output]`. */
export interface QualityTones {
  passband: number[];
  stopband: [number, number][];
  transition: number[];
}

export interface ResampleQuality {
  passband_end_hz: number;
  stopband_begin_hz: number;
  passband_ripple_db: number;
  stopband_attenuation_db: number;
  minus6db_hz: number | null;
}

/** Where a tone of `f` Hz lands after sampling at `rate` Hz (folded into [0, rate/2]). */
function fold(f: number, rate: number): number {
  const a = ((f % rate) + rate) % rate;
  return a > rate / 2 ? rate - a : a;
}

export function qualityTones(fromRate: number, toRate: number): QualityTones {
  const ny = Math.min(fromRate, toRate) / 2;
  const passEnd = Math.floor(HQ_SPEC.passbandEnd * ny);
  const grid = (a: number, b: number, n: number) => Array.from({ length: n }, (_, i) => Math.round(a + ((b - a) * i) / (n - 1)));
  const passband = grid(50, passEnd, 24);
  const transition = grid(passEnd, ny - 1, 33);
  const stopband: [number, number][] = [];
  const usable = (at: number) => at >= 20 && at <= toRate / 2 - 20; // not DC, not Nyquist: projection needs both phases
  if (toRate < fromRate) {
    for (const f of grid(ny + 1, fromRate / 2 - 20, 64)) if (usable(fold(f, toRate))) stopband.push([f, fold(f, toRate)]);
  } else {
    // Upsampling: a tone f leaves images at k·from ± f; the first (from − f) is the loudest.
    for (const f of grid(20, ny - 1, 64)) if (usable(fold(fromRate - f, toRate))) stopband.push([f, fold(fromRate - f, toRate)]);
  }
  return { passband, stopband, transition };
}

/** 2 s full-scale tone of `f` Hz at `rate` (float64 sin rounded to float32, as numpy's astype does). */
export function tone(f: number, rate: number): Float32Array {
  return Float32Array.from({ length: 2 * rate }, (_, i) => Math.sin((2 * Math.PI * f * i) / rate));
}

/** Amplitude of the `f` Hz component in the middle second of `y` (sampled at `rate`). */
export function toneLevel(y: Float32Array, rate: number, f: number): number {
  const start = Math.floor(rate / 2);
  let c = 0;
  let s = 0;
  for (let i = 0; i < rate; i++) {
    const ph = (2 * Math.PI * f * (start + i)) / rate;
    c += y[start + i]! * Math.cos(ph);
    s += y[start + i]! * Math.sin(ph);
  }
  return (2 / rate) * Math.hypot(c, s);
}

const db = (g: number) => 20 * Math.log10(Math.max(g, 1e-20));

/** The figures from measured levels (each level the output amplitude of a unit tone, in tone order). */
export function qualityFromLevels(
  fromRate: number,
  toRate: number,
  tones: QualityTones,
  levels: { passband: number[]; stopband: number[]; transition: number[] },
): ResampleQuality {
  const ny = Math.min(fromRate, toRate) / 2;
  let minus6: number | null = null;
  const tr = levels.transition.map(db);
  for (let i = 1; i < tr.length && minus6 === null; i++) {
    if (tr[i - 1]! > -6.02 && tr[i]! <= -6.02) {
      const w = (tr[i - 1]! + 6.02) / (tr[i - 1]! - tr[i]!);
      minus6 = Math.round(tones.transition[i - 1]! + w * (tones.transition[i]! - tones.transition[i - 1]!));
    }
  }
  return {
    passband_end_hz: Math.floor(HQ_SPEC.passbandEnd * ny),
    stopband_begin_hz: ny * HQ_SPEC.stopbandBegin,
    passband_ripple_db: Number(Math.max(...levels.passband.map((g) => Math.abs(db(g)))).toPrecision(3)),
    stopband_attenuation_db: Math.round(-Math.max(...levels.stopband.map(db)) * 10) / 10,
    minus6db_hz: minus6,
  };
}

/** Measures a resampler function (ours: `resample`) on `qualityTones(from, to)`. */
export function measureResampleQuality(
  fn: (x: Float32Array, fromRate: number, toRate: number) => Float32Array,
  fromRate: number,
  toRate: number,
): ResampleQuality {
  const tones = qualityTones(fromRate, toRate);
  const level = (fIn: number, fAt: number) => toneLevel(fn(tone(fIn, fromRate), fromRate, toRate), toRate, fAt);
  return qualityFromLevels(fromRate, toRate, tones, {
    passband: tones.passband.map((f) => level(f, f)),
    stopband: tones.stopband.map(([f, at]) => level(f, at)),
    transition: tones.transition.map((f) => level(f, f)),
  });
}
