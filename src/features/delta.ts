/**
 * Deltas as librosa.feature.delta computes them: scipy.signal.savgol_filter(x, width, deriv=order,
 * polyorder=order, mode='interp') along time. Interior frames use the Savitzky–Golay convolution; the
 * first and last ⌊width/2⌋ frames use the derivative of a polynomial fitted to the first / last `width`
 * frames ('interp').
 *
 * Clips shorter than the window (frames < width; librosa raises there) get the natural limit of that
 * rule: one polynomial of degree min(order, frames − 1) fitted to the whole clip, its derivative
 * evaluated at every frame. A 1-frame clip thus has zero deltas, never NaN.
 */

/**
 * Least-squares weights w (length `len`) such that Σ_i w_i x_i is the `deriv`-th derivative, at
 * position `pos`, of the degree-`polyorder` polynomial fitted to points (i, x_i), i = 0..len−1.
 */
export function savgolWeights(len: number, polyorder: number, deriv: number, pos: number): Float64Array {
  const w = new Float64Array(len);
  if (deriv > polyorder) return w; // the fitted polynomial's derivative is identically zero
  const p = polyorder + 1;
  // Normal equations G c = Aᵀ x with A_ia = (i − pos)^a; centring at pos makes p^(d)(pos) = d!·c_d.
  const G = new Float64Array(p * p);
  for (let i = 0; i < len; i++) {
    const z = i - pos;
    for (let a = 0; a < p; a++) for (let b = 0; b < p; b++) G[a * p + b] += z ** (a + b);
  }
  // Row `deriv` of G⁻¹ = solution of G r = e_deriv (G is symmetric), by Gauss–Jordan with pivoting.
  const r = solve(G, p, deriv);
  let fact = 1;
  for (let d = 2; d <= deriv; d++) fact *= d;
  for (let i = 0; i < len; i++) {
    const z = i - pos;
    let acc = 0;
    for (let a = 0; a < p; a++) acc += r[a] * z ** a;
    w[i] = fact * acc;
  }
  return w;
}

function solve(G: Float64Array, p: number, unit: number): Float64Array {
  const M = Float64Array.from(G);
  const rhs = new Float64Array(p);
  rhs[unit] = 1;
  for (let c = 0; c < p; c++) {
    let piv = c;
    for (let r = c + 1; r < p; r++) if (Math.abs(M[r * p + c]) > Math.abs(M[piv * p + c])) piv = r;
    if (piv !== c) {
      for (let k = 0; k < p; k++) [M[c * p + k], M[piv * p + k]] = [M[piv * p + k], M[c * p + k]];
      [rhs[c], rhs[piv]] = [rhs[piv], rhs[c]];
    }
    const d = M[c * p + c];
    for (let r = 0; r < p; r++) {
      if (r === c) continue;
      const f = M[r * p + c] / d;
      if (f === 0) continue;
      for (let k = c; k < p; k++) M[r * p + k] -= f * M[c * p + k];
      rhs[r] -= f * rhs[c];
    }
  }
  for (let c = 0; c < p; c++) rhs[c] /= M[c * p + c];
  return rhs;
}

/**
 * Delta of order `order` of each row of `x` (rows × frames, row-major), written to `out` (same layout).
 * `width` is odd and ≥ 3.
 */
export function deltaRows(x: Float32Array, rows: number, frames: number, width: number, order: number, out: Float32Array): void {
  if (frames < width) {
    // Short clip: one polynomial over all frames (see the module comment).
    const deg = Math.min(order, frames - 1);
    const W = Array.from({ length: frames }, (_, t) => savgolWeights(frames, deg, order, t));
    for (let r = 0; r < rows; r++) {
      const o = r * frames;
      for (let t = 0; t < frames; t++) {
        let acc = 0;
        for (let i = 0; i < frames; i++) acc += W[t][i] * x[o + i];
        out[o + t] = acc;
      }
    }
    return;
  }
  const h = (width - 1) >> 1;
  const interior = savgolWeights(width, order, order, h);
  const left = Array.from({ length: h }, (_, t) => savgolWeights(width, order, order, t));
  const right = Array.from({ length: h }, (_, t) => savgolWeights(width, order, order, width - h + t));
  for (let r = 0; r < rows; r++) {
    const o = r * frames;
    for (let t = h; t < frames - h; t++) {
      let acc = 0;
      const s = o + t - h;
      for (let i = 0; i < width; i++) acc += interior[i] * x[s + i];
      out[o + t] = acc;
    }
    for (let t = 0; t < h; t++) {
      let accL = 0;
      let accR = 0;
      const sR = o + frames - width;
      for (let i = 0; i < width; i++) {
        accL += left[t][i] * x[o + i];
        accR += right[t][i] * x[sR + i];
      }
      out[o + t] = accL;
      out[o + frames - h + t] = accR;
    }
  }
}
