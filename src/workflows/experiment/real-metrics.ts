/**
 * Figures of the real-speech experiment that do not need a model: balanced accuracy on the two signals
 * the dev corpora have, calm false alarms, expected calibration error, the duration-only baseline.
 */
import { classificationMetrics } from '../../report/metrics.js';

/** The dev corpora's signals: fearful → panic, happy → excitement (neutral/calm: the `neutral` class or references). */
export const DEV_SIGNALS = ['panic', 'excitement'] as const;

/** One scored clip: its true label and the model's probabilities (model class order). */
export interface ScoredClip {
  label: string;
  probs: ArrayLike<number>;
}

function argmax(p: ArrayLike<number>): number {
  let b = 0;
  for (let k = 1; k < p.length; k++) if (p[k]! > p[b]!) b = k;
  return b;
}

/**
 * Mean recall of panic and excitement with the prediction among all the model's classes (chance 1/K),
 * the per-signal recalls, and the confusion over the model's classes (rows: true labels present).
 */
export function signalScores(
  clips: readonly ScoredClip[],
  classes: readonly string[],
): {
  balanced_accuracy: number;
  recall: Record<string, number>;
  confusion: { labels: string[]; matrix: number[][] };
  n: number;
} {
  const index = new Map(classes.map((c, i) => [c, i]));
  const scored = clips.filter((c) => index.has(c.label));
  const m = classificationMetrics(
    scored.map((c) => index.get(c.label)!),
    scored.map((c) => argmax(c.probs)),
    classes,
  );
  const recall: Record<string, number> = {};
  for (const s of DEV_SIGNALS) {
    const pc = m.per_class.find((x) => x.label === s);
    if (pc && pc.support > 0) recall[s] = pc.recall;
  }
  const rs = Object.values(recall);
  return {
    balanced_accuracy: rs.length ? rs.reduce((a, b) => a + b, 0) / rs.length : NaN,
    recall,
    confusion: m.confusion,
    n: scored.length,
  };
}

/** Share of calm clips (true label `neutral`: held-out neutral/calm, never references) predicted as a signal. */
export function calmFalseAlarms(clips: readonly ScoredClip[], classes: readonly string[]): { rate: number | null; n: number } {
  const k = classes.indexOf('neutral');
  const calm = clips.filter((c) => c.label === 'neutral');
  if (k < 0 || calm.length === 0) return { rate: null, n: calm.length };
  return { rate: calm.filter((c) => argmax(c.probs) !== k).length / calm.length, n: calm.length };
}

/**
 * What the 5-class balanced accuracy mixes together, taken apart (docs/experiment.md seventh round: gains and
 * losses of several recipes were the neutral boundary moving, not better recognition):
 * - `pair_balanced_accuracy`: panic vs excitement alone — each signal clip scored by the larger of its two
 *   probabilities, whatever the other classes get (no neutral boundary or other emotion involved);
 * - `missed_signal`: share of the signal clips called neutral;
 * - `neutral_auc`: how well p(neutral) ranks held-out calm clips above signal clips (0.5 = chance), whatever
 *   the threshold — compare recipes on this, not on where their boundary happens to sit.
 * Null where the corpus or the model lacks what a figure needs.
 */
export function boundaryDiagnostics(
  clips: readonly ScoredClip[],
  classes: readonly string[],
): {
  pair_balanced_accuracy: number | null;
  missed_signal: number | null;
  neutral_auc: number | null;
} {
  const [p, e] = DEV_SIGNALS.map((s) => classes.indexOf(s));
  const kn = classes.indexOf('neutral');
  const signal = clips.filter((c) => (DEV_SIGNALS as readonly string[]).includes(c.label));
  let pair: number | null = null;
  if (p! >= 0 && e! >= 0) {
    const recalls = DEV_SIGNALS.map((s, i) => {
      const own = signal.filter((c) => c.label === s);
      return own.length
        ? own.filter((c) => (i === 0 ? c.probs[p!]! > c.probs[e!]! : c.probs[e!]! >= c.probs[p!]!)).length / own.length
        : null;
    }).filter((r): r is number => r !== null);
    pair = recalls.length ? recalls.reduce((a, b) => a + b, 0) / recalls.length : null;
  }
  if (kn < 0 || signal.length === 0) return { pair_balanced_accuracy: pair, missed_signal: null, neutral_auc: null };
  const missed = signal.filter((c) => argmax(c.probs) === kn).length / signal.length;
  const calm = clips.filter((c) => c.label === 'neutral').map((c) => c.probs[kn]!);
  if (calm.length === 0) return { pair_balanced_accuracy: pair, missed_signal: missed, neutral_auc: null };
  // Mann–Whitney: P(p_neutral(calm) > p_neutral(signal)), ties half.
  const sig = signal.map((c) => c.probs[kn]!);
  let wins = 0;
  for (const a of calm) for (const b of sig) wins += a > b ? 1 : a === b ? 0.5 : 0;
  return { pair_balanced_accuracy: pair, missed_signal: missed, neutral_auc: wins / (calm.length * sig.length) };
}

/**
 * Expected calibration error (Guo et al. 2017): |accuracy − confidence| per bin of the top probability,
 * weighted by the bin's share of clips; clips whose label is not a model class are left out.
 */
export function expectedCalibrationError(clips: readonly ScoredClip[], classes: readonly string[], bins = 10): number {
  const index = new Map(classes.map((c, i) => [c, i]));
  const scored = clips.filter((c) => index.has(c.label));
  if (scored.length === 0) return NaN;
  const acc = new Float64Array(bins),
    conf = new Float64Array(bins),
    n = new Float64Array(bins);
  for (const c of scored) {
    const k = argmax(c.probs);
    const p = c.probs[k]!;
    const b = Math.min(bins - 1, Math.floor(p * bins));
    n[b]++;
    conf[b] += p;
    acc[b] += k === index.get(c.label) ? 1 : 0;
  }
  let e = 0;
  for (let b = 0; b < bins; b++) if (n[b]) e += (n[b]! / scored.length) * Math.abs(acc[b]! / n[b]! - conf[b]! / n[b]!);
  return e;
}

/**
 * A classifier that sees only a clip's (trimmed) duration: one Gaussian of log-duration per class
 * (pooled variance, equal priors), fitted on the training clips. If it beats chance on real speech,
 * length carries class information a network could use; it must sit near chance.
 */
export function durationBaseline(
  train: readonly { label: string; seconds: number }[],
  classes: readonly string[],
): (seconds: number) => Float32Array {
  const stats = classes.map((c) => {
    const xs = train.filter((t) => t.label === c).map((t) => Math.log(Math.max(t.seconds, 1e-3)));
    const mu = xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
    return { mu, xs };
  });
  let ss = 0,
    n = 0;
  for (const s of stats)
    for (const x of s.xs) {
      ss += (x - s.mu) ** 2;
      n++;
    }
  const sd = Math.max(Math.sqrt(ss / Math.max(1, n - stats.length)), 1e-3);
  return (seconds) => {
    const x = Math.log(Math.max(seconds, 1e-3));
    const logp = stats.map((s) => (s.xs.length ? -((x - s.mu) ** 2) / (2 * sd * sd) : -Infinity));
    const mx = Math.max(...logp);
    const e = logp.map((l) => Math.exp(l - mx));
    const z = e.reduce((a, b) => a + b, 0);
    return Float32Array.from(e, (v) => v / z);
  };
}

/** Quartiles and count of durations per class (seconds), for the datasheet's "length per class". */
export function lengthsPerClass(
  clips: readonly { label: string; seconds: number }[],
): Record<string, { n: number; min: number; q1: number; median: number; q3: number; max: number }> {
  const by = new Map<string, number[]>();
  for (const c of clips) (by.get(c.label) ?? by.set(c.label, []).get(c.label)!).push(c.seconds);
  const q = (xs: number[], f: number): number => xs[Math.min(xs.length - 1, Math.round(f * (xs.length - 1)))]!;
  const round = (x: number): number => Math.round(x * 100) / 100;
  return Object.fromEntries(
    [...by]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([label, xs]) => {
        xs.sort((a, b) => a - b);
        return [
          label,
          {
            n: xs.length,
            min: round(xs[0]!),
            q1: round(q(xs, 0.25)),
            median: round(q(xs, 0.5)),
            q3: round(q(xs, 0.75)),
            max: round(xs[xs.length - 1]!),
          },
        ];
      }),
  );
}
