/**
 * Second-order IIR sections (RBJ Audio-EQ-Cookbook biquads). Our own few lines: the formulas are
 * standard and tiny, and no npm package offers plain offline biquads on Float32Arrays without pulling
 * in a Web Audio graph.
 */

/** Normalised biquad coefficients (a0 = 1). */
export interface Biquad {
  b0: number;
  b1: number;
  b2: number;
  a1: number;
  a2: number;
}

function make(b0: number, b1: number, b2: number, a0: number, a1: number, a2: number): Biquad {
  return { b0: b0 / a0, b1: b1 / a0, b2: b2 / a0, a1: a1 / a0, a2: a2 / a0 };
}

/** Low-pass at `fc` Hz, quality `q` (0.7071 = Butterworth). */
export function lowpass(fc: number, sr: number, q = Math.SQRT1_2): Biquad {
  const w = (2 * Math.PI * fc) / sr;
  const alpha = Math.sin(w) / (2 * q);
  const c = Math.cos(w);
  return make((1 - c) / 2, 1 - c, (1 - c) / 2, 1 + alpha, -2 * c, 1 - alpha);
}

/** High-pass at `fc` Hz, quality `q`. */
export function highpass(fc: number, sr: number, q = Math.SQRT1_2): Biquad {
  const w = (2 * Math.PI * fc) / sr;
  const alpha = Math.sin(w) / (2 * q);
  const c = Math.cos(w);
  return make((1 + c) / 2, -(1 + c), (1 + c) / 2, 1 + alpha, -2 * c, 1 - alpha);
}

/** High shelf at `fc` Hz with `gainDb` above it (slope 1). Used for spectral tilt (tense ↔ breathy). */
export function highShelf(fc: number, sr: number, gainDb: number): Biquad {
  const A = Math.pow(10, gainDb / 40);
  const w = (2 * Math.PI * fc) / sr;
  const c = Math.cos(w);
  const alpha = (Math.sin(w) / 2) * Math.SQRT2;
  const sq = 2 * Math.sqrt(A) * alpha;
  return make(
    A * (A + 1 + (A - 1) * c + sq),
    -2 * A * (A - 1 + (A + 1) * c),
    A * (A + 1 + (A - 1) * c - sq),
    A + 1 - (A - 1) * c + sq,
    2 * (A - 1 - (A + 1) * c),
    A + 1 - (A - 1) * c - sq,
  );
}

/** Peaking (bell) filter at `fc` Hz, quality `q`, `gainDb` at the centre. Used for the first-harmonic level (H1–H2). */
export function peaking(fc: number, sr: number, gainDb: number, q = 1.5): Biquad {
  const A = Math.pow(10, gainDb / 40);
  const w = (2 * Math.PI * fc) / sr;
  const alpha = Math.sin(w) / (2 * q);
  const c = Math.cos(w);
  return make(1 + alpha * A, -2 * c, 1 - alpha * A, 1 + alpha / A, -2 * c, 1 - alpha / A);
}

/** Runs the sections in cascade over x (transposed direct form II), returning a new array. */
export function filterCascade(x: Float32Array, sections: Biquad[]): Float32Array {
  const y = Float32Array.from(x);
  for (const s of sections) {
    let z1 = 0;
    let z2 = 0;
    for (let i = 0; i < y.length; i++) {
      const v = y[i];
      const out = s.b0 * v + z1;
      z1 = s.b1 * v - s.a1 * out + z2;
      z2 = s.b2 * v - s.a2 * out;
      y[i] = out;
    }
  }
  return y;
}
