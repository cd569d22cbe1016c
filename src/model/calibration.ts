/**
 * Temperature scaling (Guo et al. 2017): one scalar T that divides the log-probabilities before the
 * softmax, fitted by minimising the negative log-likelihood of held-out clips — here the out-of-fold
 * predictions of a speaker-grouped cross-validation, i.e. training speakers the scoring network never
 * saw. It changes confidence, never the predicted class. And the expected calibration error, the
 * figure it is judged by; and the neutral operating point (a bias on p(neutral)), which does move the class.
 */
import { argmaxRows, classificationMetrics } from '../report/metrics.js';

/** Probabilities (N, K) sharpened (T < 1) or softened (T > 1): softmax(log p / T). */
export function applyTemperature(probs: Float32Array, K: number, T: number): Float32Array {
  if (T === 1) return probs;
  const out = new Float32Array(probs.length);
  for (let i = 0; i < probs.length / K; i++) {
    let mx = -Infinity;
    for (let k = 0; k < K; k++) mx = Math.max(mx, Math.log(Math.max(probs[i * K + k]!, 1e-12)) / T);
    let z = 0;
    for (let k = 0; k < K; k++) z += out[i * K + k] = Math.exp(Math.log(Math.max(probs[i * K + k]!, 1e-12)) / T - mx);
    for (let k = 0; k < K; k++) out[i * K + k]! /= z;
  }
  return out;
}

function nll(probs: Float32Array, targets: ArrayLike<number>, K: number, T: number): number {
  const p = applyTemperature(probs, K, T);
  let s = 0;
  for (let i = 0; i < targets.length; i++) s -= Math.log(Math.max(p[i * K + targets[i]!]!, 1e-12));
  return s / Math.max(1, targets.length);
}

/** The temperature in [0.25, 8] with the lowest NLL on (probs, targets): golden-section search on log T. */
export function fitTemperature(probs: Float32Array, targets: ArrayLike<number>, K: number): number {
  if (targets.length === 0) throw new Error('fitTemperature: no clips');
  let a = Math.log(0.25),
    b = Math.log(8);
  const g = (Math.sqrt(5) - 1) / 2;
  let c = b - g * (b - a),
    d = a + g * (b - a);
  for (let it = 0; it < 40; it++) {
    if (nll(probs, targets, K, Math.exp(c)) < nll(probs, targets, K, Math.exp(d))) b = d;
    else a = c;
    c = b - g * (b - a);
    d = a + g * (b - a);
  }
  return Math.exp((a + b) / 2);
}

/** Expected calibration error: |accuracy − confidence| per bin of the top probability, weighted by the bin's share. */
export function expectedCalibrationError(probs: Float32Array, targets: ArrayLike<number>, K: number, bins = 10): number {
  const N = targets.length;
  if (N === 0) return NaN;
  const acc = new Float64Array(bins),
    conf = new Float64Array(bins),
    n = new Float64Array(bins);
  for (let i = 0; i < N; i++) {
    let best = 0;
    for (let k = 1; k < K; k++) if (probs[i * K + k]! > probs[i * K + best]!) best = k;
    const p = probs[i * K + best]!;
    const b = Math.min(bins - 1, Math.floor(p * bins));
    n[b]++;
    conf[b] += p;
    acc[b] += best === targets[i] ? 1 : 0;
  }
  let e = 0;
  for (let b = 0; b < bins; b++) if (n[b]) e += (n[b]! / N) * Math.abs(acc[b]! / n[b]! - conf[b]! / n[b]!);
  return e;
}

/**
 * The neutral operating point: p(neutral) multiplied by e^bias, then renormalised — moves where "no
 * signal" ends without touching how the signals are told apart (bias > 0: fewer calm clips called a
 * signal, more signals missed).
 */
export function applyNeutralBias(probs: Float32Array, K: number, neutralIndex: number, bias: number): Float32Array {
  if (bias === 0) return probs;
  const f = Math.exp(bias);
  const out = new Float32Array(probs.length);
  for (let i = 0; i < probs.length / K; i++) {
    let z = 0;
    for (let k = 0; k < K; k++) z += out[i * K + k] = probs[i * K + k]! * (k === neutralIndex ? f : 1);
    for (let k = 0; k < K; k++) out[i * K + k]! /= z;
  }
  return out;
}

/** Balanced accuracy (mean recall over the classes present) of argmax(probs), as every report computes it. */
function balancedAccuracy(probs: Float32Array, targets: ArrayLike<number>, K: number): number {
  const labels = Array.from({ length: K }, (_, k) => String(k));
  return classificationMetrics(targets, argmaxRows(probs, targets.length, K), labels).balanced_accuracy;
}

/**
 * The neutral bias in [−3, 3] (steps of 0.05) with the highest balanced accuracy on held-out clips —
 * every class's recall counts alike, so calm clips called a signal and signals called neutral weigh
 * the same. Ties go to the bias nearest 0. Returns the bias and the balanced accuracy before / after.
 */
export function fitNeutralBias(
  probs: Float32Array,
  targets: ArrayLike<number>,
  K: number,
  neutralIndex: number,
): { bias: number; before: number; after: number } {
  if (targets.length === 0) throw new Error('fitNeutralBias: no clips');
  if (!(neutralIndex >= 0 && neutralIndex < K)) throw new Error(`fitNeutralBias: neutral index ${neutralIndex} outside 0..${K - 1}`);
  const before = balancedAccuracy(probs, targets, K);
  let bias = 0,
    after = before;
  for (let s = 1; s <= 60; s++) {
    for (const b of [s * 0.05, -s * 0.05]) {
      const ba = balancedAccuracy(applyNeutralBias(probs, K, neutralIndex, b), targets, K);
      if (ba > after + 1e-12) {
        after = ba;
        bias = b;
      }
    }
  }
  return { bias: Math.round(bias * 100) / 100, before, after };
}
