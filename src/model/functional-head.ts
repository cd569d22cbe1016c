/**
 * The functional head (issue 13 item 5, "arousal first"): a multinomial logistic regression on a
 * clip's speaker-relative eGeMAPS-style functionals (src/features/functionals.ts,
 * src/data/functional-reference.ts), trained on the training set only, stored beside the network in
 * the model folder (`functional-head.json`) and fused with the network's calibrated probabilities:
 *
 * - `product`: p(k) ∝ p_net(k) · p_head(k) / π(k) — the Bayes combination of two conditionally
 *   independent observations of one clip, both trained on the same clips (π = the training share of
 *   each class; without the division the training prior would count twice: 144 converted clips per
 *   signal against 72 neutral ones make `neutral` twice as unlikely as the data say);
 * - `gate`: the head decides neutral vs signal, the network chooses among the signals:
 *   p(neutral) = p_head(neutral), p(k) = (1 − p_head(neutral)) · p_net(k) / Σ_{j≠neutral} p_net(j).
 *
 * Why a head on functionals: docs/experiment.md ("Cues that cross corpora") measured arousal from these
 * functionals at AUC 0.95–1.00 on both dev corpora, while the network sends most real fearful/happy
 * clips to `neutral`. The functionals are computed over the whole (trimmed) clip, also for window
 * models: F0 range, pause ratio and the rate of voiced segments need seconds of speech, and the decision
 * they inform is the clip's. Written here (not an npm package): a 16-feature softmax regression by full-
 * batch gradient descent is a few lines, deterministic, and has no seed to manage.
 *
 * No Node imports here (the on-device page fuses the head in the browser, src/monitor/head.ts): reading and
 * writing `functional-head.json` is src/model/functional-head-file.ts.
 */
import { FUNCTIONAL_NAMES } from '../features/functionals.js';
import { ParamError } from '../engine/errors.js';

/** How the head's probabilities combine with the network's ('none': the network alone, no head). */
export type FusionMode = 'none' | 'product' | 'gate';
export const FUSION_MODES: readonly FusionMode[] = ['none', 'product', 'gate'];

export const FUNCTIONAL_HEAD_FILE = 'functional-head.json';
const FORMAT = 'affexion-functional-head';

/** What functional-head.json holds. */
export interface FunctionalHead {
  format: typeof FORMAT;
  format_version: 1;
  /** Classes in the network's order (the head predicts the same). */
  classes: string[];
  /** Functional names in vector order (src/features/functionals.ts FUNCTIONAL_NAMES). */
  names: string[];
  fusion: Exclude<FusionMode, 'none'>;
  /** Pooled within-speaker standard deviation of the training speakers' reference clips, per functional. */
  reference_std: number[];
  /** Mean functionals of all training speakers' reference clips: the no-reference fallback. */
  population_mean: number[];
  /** Standardisation of the relative vectors before the regression. */
  mu: number[];
  sd: number[];
  /** K rows of D weights and a bias (last). */
  weights: number[][];
  fitted_on: { clips: number; reference_clips: number; speakers: number };
  /** Share of each class among the training clips (the prior both experts learned); absent = equal shares. */
  priors?: number[];
}

/** Mean of the finite values per dimension (NaN where a dimension has none). */
export function finiteMeans(vectors: readonly (readonly number[])[], dims = FUNCTIONAL_NAMES.length): number[] {
  return Array.from({ length: dims }, (_, d) => {
    let s = 0,
      n = 0;
    for (const v of vectors)
      if (Number.isFinite(v[d])) {
        s += v[d]!;
        n++;
      }
    return n ? s / n : NaN;
  });
}

/**
 * A clip relative to its speaker's reference mean: (v − mean) / pooled reference sd; anything not
 * measurable (NaN in the clip, the mean or the scale) is 0, "as the reference".
 */
export function relativeVector(v: readonly number[], refMean: readonly number[], std: readonly number[]): number[] {
  return v.map((x, d) => {
    const z = (x - refMean[d]!) / (std[d]! > 0 ? std[d]! : NaN);
    return Number.isFinite(z) ? z : 0;
  });
}

function softmaxInPlace(l: Float64Array): void {
  let m = -Infinity;
  for (const v of l) m = Math.max(m, v);
  let s = 0;
  for (let k = 0; k < l.length; k++) s += l[k] = Math.exp(l[k]! - m);
  for (let k = 0; k < l.length; k++) l[k]! /= s;
}

/**
 * Multinomial logistic regression by full-batch gradient descent on standardised inputs, L2 on the
 * weights (not the biases). Fixed settings, the ones of bench/functionals-transfer.ts (nothing tuned
 * on the dev corpora): l2 0.01, 800 steps of 0.5.
 */
export function fitSoftmaxRegression(
  X: readonly (readonly number[])[],
  y: ArrayLike<number>,
  K: number,
  l2 = 1e-2,
  iters = 800,
  lr = 0.5,
): { mu: number[]; sd: number[]; weights: number[][] } {
  const n = X.length,
    D = X[0]?.length ?? 0;
  if (n === 0) throw new Error('fitSoftmaxRegression: no clips');
  const mu = Array.from({ length: D }, (_, d) => X.reduce((a, x) => a + x[d]!, 0) / n);
  const sd = Array.from({ length: D }, (_, d) => Math.sqrt(X.reduce((a, x) => a + (x[d]! - mu[d]!) ** 2, 0) / n) || 1);
  const Z = X.map((x) => x.map((v, d) => (v - mu[d]!) / sd[d]!));
  const W = Array.from({ length: K }, () => new Float64Array(D + 1));
  const p = new Float64Array(K);
  for (let it = 0; it < iters; it++) {
    const G = Array.from({ length: K }, () => new Float64Array(D + 1));
    for (let i = 0; i < n; i++) {
      const z = Z[i]!;
      for (let k = 0; k < K; k++) {
        let s = W[k]![D]!;
        for (let d = 0; d < D; d++) s += z[d]! * W[k]![d]!;
        p[k] = s;
      }
      softmaxInPlace(p);
      for (let k = 0; k < K; k++) {
        const g = p[k]! - (k === y[i] ? 1 : 0);
        for (let d = 0; d < D; d++) G[k]![d]! += g * z[d]!;
        G[k]![D]! += g;
      }
    }
    for (let k = 0; k < K; k++) for (let d = 0; d <= D; d++) W[k]![d]! -= lr * (G[k]![d]! / n + (d < D ? l2 * W[k]![d]! : 0));
  }
  return { mu, sd, weights: W.map((w) => Array.from(w)) };
}

/** Training data of a head: clips (raw functional vectors, class index, speaker) and the speakers' reference clips. */
export interface FunctionalHeadData {
  classes: readonly string[];
  vectors: readonly (readonly number[])[];
  targets: ArrayLike<number>;
  speakers: readonly string[];
  refVectors: readonly (readonly number[])[];
  refSpeakers: readonly string[];
  fusion: Exclude<FusionMode, 'none'>;
}

/** Fits a head (deterministic). Errors name what is missing: a class without clips, a speaker without references. */
export function fitFunctionalHead(o: FunctionalHeadData): FunctionalHead {
  const K = o.classes.length;
  if (o.fusion === 'gate' && !o.classes.includes('neutral')) {
    throw new ParamError(
      'functional_fusion',
      `gate needs a class "neutral" (the head decides neutral vs signal); the classes are ${o.classes.join(', ')} — use product, or train with the neutral class`,
    );
  }
  for (let k = 0; k < K; k++) {
    if (!Array.from(o.targets).includes(k))
      throw new ParamError('functional_fusion', `no clip of class "${o.classes[k]}" to fit the functional head on`);
  }
  const bySpeaker = new Map<string, number[][]>();
  o.refVectors.forEach((v, i) => {
    const g = bySpeaker.get(o.refSpeakers[i]!) ?? [];
    g.push([...v]);
    bySpeaker.set(o.refSpeakers[i]!, g);
  });
  const means = new Map([...bySpeaker].map(([s, g]) => [s, finiteMeans(g)]));
  const D = FUNCTIONAL_NAMES.length;
  // Pooled within-speaker sd of the references (the scale of "how far from this speaker's calm voice").
  const std = Array.from({ length: D }, (_, d) => {
    let ss = 0,
      n = 0;
    for (const [s, g] of bySpeaker)
      for (const v of g)
        if (Number.isFinite(v[d]) && Number.isFinite(means.get(s)![d])) {
          ss += (v[d]! - means.get(s)![d]!) ** 2;
          n++;
        }
    return n > 1 ? Math.sqrt(ss / n) : NaN;
  });
  const rel = o.vectors.map((v, i) => {
    const m = means.get(o.speakers[i]!);
    if (!m)
      throw new ParamError('functional_fusion', `speaker ${o.speakers[i]}: no reference clips to make the functionals speaker-relative`);
    return relativeVector(v, m, std);
  });
  const fit = fitSoftmaxRegression(rel, o.targets, K);
  const counts = new Array<number>(K).fill(0);
  for (const t of Array.from(o.targets)) counts[t]!++;
  return {
    priors: counts.map((c) => c / o.targets.length),
    format: FORMAT,
    format_version: 1,
    classes: [...o.classes],
    names: [...FUNCTIONAL_NAMES],
    fusion: o.fusion,
    reference_std: std,
    population_mean: finiteMeans(o.refVectors),
    ...fit,
    fitted_on: { clips: o.vectors.length, reference_clips: o.refVectors.length, speakers: bySpeaker.size },
  };
}

/**
 * The head's class probabilities (N, K) of raw functional vectors, each relative to its speaker's
 * reference mean (`refMeans[i]`; null = the population mean, the no-reference fallback).
 */
export function headProbabilities(
  head: FunctionalHead,
  vectors: readonly (readonly number[])[],
  refMeans: readonly (readonly number[] | null)[],
): Float32Array {
  const K = head.classes.length,
    D = head.names.length;
  const out = new Float32Array(vectors.length * K);
  const l = new Float64Array(K);
  vectors.forEach((v, i) => {
    const z = relativeVector(v, refMeans[i] ?? head.population_mean, head.reference_std);
    for (let k = 0; k < K; k++) {
      const w = head.weights[k]!;
      let s = w[D]!;
      for (let d = 0; d < D; d++) s += ((z[d]! - head.mu[d]!) / head.sd[d]!) * w[d]!;
      l[k] = s;
    }
    softmaxInPlace(l);
    for (let k = 0; k < K; k++) out[i * K + k] = l[k]!;
  });
  return out;
}

/**
 * Fuses the network's (N, K) probabilities with the head's (see the module comment); `priors` = the
 * training class shares both learned (product divides by them once; absent = equal).
 */
export function fuseProbabilities(
  net: Float32Array,
  head: Float32Array,
  classes: readonly string[],
  mode: FusionMode,
  priors?: readonly number[],
): Float32Array {
  if (mode === 'none') return net;
  if (net.length !== head.length) throw new Error(`fuseProbabilities: ${net.length} network probabilities vs ${head.length} of the head`);
  const K = classes.length,
    out = new Float32Array(net.length);
  const nk = classes.indexOf('neutral');
  if (mode === 'gate' && nk < 0) throw new ParamError('functional_fusion', 'gate needs a class "neutral"');
  for (let i = 0; i < net.length / K; i++) {
    const o = i * K;
    if (mode === 'product') {
      let s = 0;
      for (let k = 0; k < K; k++) s += out[o + k] = (Math.max(net[o + k]!, 1e-12) * Math.max(head[o + k]!, 1e-12)) / (priors?.[k] ?? 1);
      for (let k = 0; k < K; k++) out[o + k]! /= s;
    } else {
      let signal = 0;
      for (let k = 0; k < K; k++) if (k !== nk) signal += Math.max(net[o + k]!, 1e-12);
      const pn = head[o + nk]!;
      for (let k = 0; k < K; k++) out[o + k] = k === nk ? pn : ((1 - pn) * Math.max(net[o + k]!, 1e-12)) / signal;
    }
  }
  return out;
}

/**
 * A head as parsed from JSON (functional-head.json, or an exported ONNX file's `functional_head` metadata),
 * checked against the model's classes and the functionals this version computes; JSON's null (an
 * unmeasurable scale or mean: JSON has no NaN) back to NaN. Throws `where: problem`.
 */
export function checkFunctionalHead(json: unknown, classes: readonly string[], where: string): FunctionalHead {
  const h = json as FunctionalHead;
  const D = FUNCTIONAL_NAMES.length,
    K = classes.length;
  const nums = (a: unknown, n: number): boolean =>
    Array.isArray(a) && a.length === n && a.every((x) => typeof x === 'number' || x === null);
  const problem =
    h?.format !== FORMAT
      ? `not a functional head (format "${FORMAT}")`
      : JSON.stringify(h.classes) !== JSON.stringify(classes)
        ? `classes ${h.classes} differ from the model's ${classes.join(',')}`
        : JSON.stringify(h.names) !== JSON.stringify(FUNCTIONAL_NAMES)
          ? 'made with other functionals (names differ)'
          : h.fusion !== 'product' && h.fusion !== 'gate'
            ? `fusion must be product or gate, got ${JSON.stringify(h.fusion)}`
            : !nums(h.mu, D) || !nums(h.sd, D) || !nums(h.reference_std, D) || !nums(h.population_mean, D)
              ? `mu, sd, reference_std and population_mean must hold ${D} numbers`
              : !Array.isArray(h.weights) || h.weights.length !== K || h.weights.some((w) => !nums(w, D + 1))
                ? `weights must be ${K} rows of ${D + 1} numbers`
                : h.priors !== undefined && (!nums(h.priors, K) || h.priors.some((p) => !(p > 0 && p <= 1)))
                  ? `priors must be ${K} shares in (0, 1]`
                  : '';
  if (problem) throw new Error(`${where}: ${problem}`);
  const fix = (a: readonly (number | null)[]): number[] => a.map((x) => (x === null ? NaN : x));
  return { ...h, reference_std: fix(h.reference_std), population_mean: fix(h.population_mean), mu: fix(h.mu), sd: fix(h.sd) };
}
