/**
 * Log-mel (librosa.power_to_db) and the orthonormal DCT-II that turns it into MFCCs
 * (scipy.fftpack.dct(type=2, norm='ortho'), first n_mfcc rows).
 */

/**
 * In place: x ← 10·log10(max(amin, x)) (ref = 1), then floored at max − topDb over the whole array,
 * exactly as librosa.power_to_db(S, ref=1.0, amin=1e-10, top_db=80).
 */
export function powerToDbInPlace(x: Float32Array, amin = 1e-10, topDb: number | null = 80): Float32Array {
  let max = -Infinity;
  for (let i = 0; i < x.length; i++) {
    const v = 10 * Math.log10(Math.max(amin, x[i]));
    x[i] = v;
    if (x[i] > max) max = x[i];
  }
  if (topDb !== null) {
    const floor = Math.fround(max - topDb);
    for (let i = 0; i < x.length; i++) if (x[i] < floor) x[i] = floor;
  }
  return x;
}

/** DCT-II orthonormal basis, nOut × nIn row-major: y_k = s_k Σ_n x_n cos(π k (2n+1) / 2N). */
export function dctMatrix(nOut: number, nIn: number): Float64Array {
  const m = new Float64Array(nOut * nIn);
  for (let k = 0; k < nOut; k++) {
    const s = k === 0 ? Math.sqrt(1 / nIn) : Math.sqrt(2 / nIn);
    for (let n = 0; n < nIn; n++) m[k * nIn + n] = s * Math.cos((Math.PI * k * (2 * n + 1)) / (2 * nIn));
  }
  return m;
}

/**
 * MFCCs from a time-major log-mel (frames × nMels) into `out` row-major (nMfcc × frames), i.e. librosa's
 * layout, with rows written at `out[k * frames + t]`.
 */
export function logMelToMfcc(
  logMel: Float32Array,
  frames: number,
  nMels: number,
  dct: Float64Array,
  nMfcc: number,
  out: Float32Array,
): void {
  for (let t = 0; t < frames; t++) {
    const base = t * nMels;
    for (let k = 0; k < nMfcc; k++) {
      const row = k * nMels;
      let acc = 0;
      for (let n = 0; n < nMels; n++) acc += dct[row + n] * logMel[base + n];
      out[k * frames + t] = acc;
    }
  }
}
