/**
 * Classification metrics: accuracy, balanced accuracy (unweighted average recall, UA), macro
 * precision / recall / F1, per-class figures and the confusion matrix.
 *
 * Conventions (as scikit-learn with zero_division=0): a class never predicted has precision 0; a class
 * with no true clips has recall 0 and is left out of the macro averages and of balanced accuracy
 * (averages run over the classes present in the true labels). F1 is 0 when precision + recall = 0.
 */

import type { ClassMetrics } from './types.js';

/** Per-class precision, recall, F1 and support: the one definition is in ./types.ts (reports read it too). */
export type { ClassMetrics } from './types.js';

/** The figures `evaluate --json` prints (fractions in [0, 1]). */
export type ClassificationMetrics = {
  n: number;
  accuracy: number;
  balanced_accuracy: number;
  macro_precision: number;
  macro_recall: number;
  macro_f1: number;
  /** matrix[i][j] = clips of true class labels[i] predicted as labels[j]. */
  confusion: { labels: string[]; matrix: number[][] };
  per_class: ClassMetrics[];
};

/**
 * Metrics of predictions against true class indices into `labels`. Throws when the arrays differ in
 * length or hold an index outside the labels.
 */
export function classificationMetrics(
  yTrue: ArrayLike<number>,
  yPred: ArrayLike<number>,
  labels: readonly string[],
): ClassificationMetrics {
  const K = labels.length;
  if (yTrue.length !== yPred.length) throw new Error(`metrics: ${yTrue.length} true labels but ${yPred.length} predictions`);
  const matrix = Array.from({ length: K }, () => new Array<number>(K).fill(0));
  let correct = 0;
  for (let i = 0; i < yTrue.length; i++) {
    const t = yTrue[i];
    const p = yPred[i];
    if (!(t >= 0 && t < K && Number.isInteger(t)) || !(p >= 0 && p < K && Number.isInteger(p))) {
      throw new Error(`metrics: class index out of range at ${i} (true ${t}, predicted ${p}, ${K} classes)`);
    }
    matrix[t][p]++;
    if (t === p) correct++;
  }
  const perClass: ClassMetrics[] = labels.map((label, k) => {
    const tp = matrix[k][k];
    const support = matrix[k].reduce((a, b) => a + b, 0);
    let predicted = 0;
    for (let r = 0; r < K; r++) predicted += matrix[r][k];
    const precision = predicted > 0 ? tp / predicted : 0;
    const recall = support > 0 ? tp / support : 0;
    const f1 = precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : 0;
    return { label, precision, recall, f1, support };
  });
  const present = perClass.filter((c) => c.support > 0);
  const mean = (xs: number[]): number => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : 0);
  const n = yTrue.length;
  return {
    n,
    accuracy: n ? correct / n : 0,
    balanced_accuracy: mean(present.map((c) => c.recall)),
    macro_precision: mean(present.map((c) => c.precision)),
    macro_recall: mean(present.map((c) => c.recall)),
    macro_f1: mean(present.map((c) => c.f1)),
    confusion: { labels: [...labels], matrix },
    per_class: perClass,
  };
}

/** Index of the largest value of each row of (N, K) scores. Ties go to the lowest index. */
export function argmaxRows(scores: Float32Array, N: number, K: number): Int32Array {
  const out = new Int32Array(N);
  for (let i = 0; i < N; i++) {
    let best = 0;
    for (let k = 1; k < K; k++) if (scores[i * K + k] > scores[i * K + best]) best = k;
    out[i] = best;
  }
  return out;
}

/** The headline metrics of a cross-validation, summarised across its folds by {@link summarize}; also the
 *  metrics a CV table/chart shows by default, in this order, when present. */
export const CV_METRICS = ['accuracy', 'balanced_accuracy', 'macro_precision', 'macro_recall', 'macro_f1'] as const;
export type CvSummary = Record<(typeof CV_METRICS)[number], { mean: number; std: number }>;

/** Summary mean ± std (sample std over folds) of the headline metrics. */
export function summarize(ms: readonly ClassificationMetrics[]): CvSummary {
  const out = {} as CvSummary;
  for (const k of CV_METRICS) out[k] = meanStd(ms.map((m) => m[k]));
  return out;
}

/** Mean and sample standard deviation (n − 1; 0 for a single value). */
export function meanStd(xs: readonly number[]): { mean: number; std: number } {
  if (xs.length === 0) return { mean: NaN, std: NaN };
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  if (xs.length === 1) return { mean, std: 0 };
  const v = xs.reduce((a, b) => a + (b - mean) ** 2, 0) / (xs.length - 1);
  return { mean, std: Math.sqrt(v) };
}
