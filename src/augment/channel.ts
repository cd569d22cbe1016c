/**
 * Channel effects: telephone / low-bandwidth filtering and gain.
 */
import { filterCascade, highpass, lowpass } from './filters.js';

export interface BandLimitOptions {
  /** Lower edge in Hz (default 300, the telephone band). */
  low?: number;
  /** Upper edge in Hz (default 3400). */
  high?: number;
  /** Quantise through 8-bit μ-law like G.711 (default true). */
  muLaw?: boolean;
}

/**
 * Telephone-style band limiting: 4th-order Butterworth high-pass at `low` and 8th-order low-pass at
 * `high` (cascaded biquads, over 20 dB down by 4.6 kHz), then optional 8-bit μ-law
 * quantisation noise.
 */
export function bandLimit(x: Float32Array, sr: number, opts: BandLimitOptions = {}): Float32Array {
  const low = opts.low ?? 300;
  const high = Math.min(opts.high ?? 3400, sr / 2 - 1);
  if (!(low >= 0 && high > low)) throw new Error(`telephone: need 0 ≤ low < high, got low=${low} high=${high}`);
  // Butterworth Q values for 4th order (two sections): 0.5412, 1.3066.
  const q4 = [0.5412, 1.3066];
  const q8 = [0.5098, 0.6013, 0.9, 2.5629];
  const sections = [...(low > 0 ? q4.map((q) => highpass(low, sr, q)) : []), ...q8.map((q) => lowpass(high, sr, q))];
  const y = filterCascade(x, sections);
  if (opts.muLaw ?? true) {
    // A phone line's level control brings speech near full scale before the codec; quantising a quiet
    // recording at its own level would instead erase everything below the codec's smallest step.
    let peak = 0;
    for (let i = 0; i < y.length; i++) peak = Math.max(peak, Math.abs(y[i]!));
    const g = peak > 0 ? 0.7 / peak : 1;
    const mu = 255;
    for (let i = 0; i < y.length; i++) {
      const v = Math.max(-1, Math.min(1, y[i]! * g));
      const c = Math.round(((Math.sign(v) * Math.log1p(mu * Math.abs(v))) / Math.log1p(mu)) * 127) / 127;
      y[i] = (Math.sign(c) * (Math.pow(1 + mu, Math.abs(c)) - 1)) / mu / g;
    }
  }
  return y;
}

/** Multiplies by 10^(db/20). */
export function applyGain(x: Float32Array, db: number): Float32Array {
  const g = Math.pow(10, db / 20);
  const y = new Float32Array(x.length);
  for (let i = 0; i < x.length; i++) y[i] = x[i] * g;
  return y;
}
