/**
 * Finite-difference gradient checking shared by the model tests.
 *
 * The loss is L = Σ r ⊙ f(inputs) for a fixed random r (summed in float64), so the analytical gradient
 * is backward(dOut = r). Central differences in float32 inputs with a largish step (outputs are
 * float32, so a tiny step would drown in rounding); the check is relative to the gradient tensor's
 * largest magnitude, which is what matters for training.
 */
import assert from 'node:assert/strict';
import { Rng } from '../../src/engine/rng.js';

export function randomArray(rng: Rng, n: number, scale = 1): Float32Array {
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = scale * (2 * rng.next() - 1);
  return a;
}

export function dot64(a: Float32Array, b: Float32Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}

/**
 * Compare `analytic` against central differences of `loss()` w.r.t. every element of `param` (or a
 * sample of `maxChecks` of them). `loss` must recompute from the current contents of `param`.
 */
export function checkGradient(
  name: string,
  param: Float32Array,
  analytic: Float32Array,
  loss: () => number,
  opts: { eps?: number; tol?: number; maxChecks?: number; rng?: Rng } = {},
): number {
  const eps = opts.eps ?? 1e-2;
  const tol = opts.tol ?? 2e-3;
  const n = param.length;
  assert.equal(analytic.length, n, `${name}: gradient length`);
  let maxAbs = 0;
  for (let i = 0; i < n; i++) maxAbs = Math.max(maxAbs, Math.abs(analytic[i]!));
  const idx: number[] = [];
  if (!opts.maxChecks || n <= opts.maxChecks) for (let i = 0; i < n; i++) idx.push(i);
  else {
    const r = opts.rng ?? new Rng(99);
    for (let c = 0; c < opts.maxChecks; c++) idx.push(r.int(n));
  }
  let worst = 0;
  for (const i of idx) {
    const orig = param[i]!;
    param[i] = orig + eps;
    const up = Math.fround(orig + eps) - orig;
    const lp = loss();
    param[i] = orig - eps;
    const dn = orig - Math.fround(orig - eps);
    const lm = loss();
    param[i] = orig;
    const num = (lp - lm) / (up + dn);
    const err = Math.abs(num - analytic[i]!) / Math.max(maxAbs, 1e-6);
    worst = Math.max(worst, err);
    assert.ok(err <= tol, `${name}[${i}]: numeric ${num} vs analytic ${analytic[i]} (rel. to max |g| ${maxAbs}: ${err.toExponential(2)})`);
  }
  assert.ok(maxAbs > 0, `${name}: gradient is identically zero — the check would be vacuous`);
  return worst;
}

/**
 * Directional check along the analytic gradient g: the central difference of the loss along d = g/max|g|
 * must equal g·d. Perturbing every element at once makes the finite difference ~n times larger than
 * an element-wise one, so it stays well above float32 rounding noise even for deep stacks; any error
 * e in g shows up, since the difference between the two sides is (e·g_true − |e|²… )/max|g| ≠ 0.
 */
export function checkDirectional(
  name: string,
  param: Float32Array,
  analytic: Float32Array,
  loss: () => number,
  opts: { eps?: number; tol?: number } = {},
): number {
  const eps = opts.eps ?? 1e-2;
  const tol = opts.tol ?? 2e-3;
  let maxAbs = 0;
  for (let i = 0; i < analytic.length; i++) maxAbs = Math.max(maxAbs, Math.abs(analytic[i]!));
  assert.ok(maxAbs > 0, `${name}: gradient is identically zero — the check would be vacuous`);
  const orig = param.slice();
  const d = Float64Array.from(analytic, (g) => g / maxAbs);
  const at = (s: number) => {
    // the step actually taken, after float32 rounding of the perturbed values
    let dot = 0;
    for (let i = 0; i < param.length; i++) {
      param[i] = orig[i]! + s * d[i]!;
      dot += (param[i]! - orig[i]!) * analytic[i]!;
    }
    return { l: loss(), dot };
  };
  const up = at(eps),
    dn = at(-eps);
  param.set(orig);
  const numeric = up.l - dn.l,
    predicted = up.dot - dn.dot;
  const err = Math.abs(numeric - predicted) / Math.abs(predicted);
  assert.ok(err <= tol, `${name}: directional finite difference ${numeric} vs analytic ${predicted} (rel. error ${err.toExponential(2)})`);
  return err;
}
