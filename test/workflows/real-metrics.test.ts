import { test } from 'node:test';
import assert from 'node:assert/strict';
import { boundaryDiagnostics, calmFalseAlarms, signalScores } from '../../src/workflows/experiment/real-metrics.js';

const CLASSES = ['boredom', 'excitement', 'neutral', 'panic', 'uncertainty'];
/** probs in class order from a partial map. */
const P = (m: Record<string, number>): number[] => CLASSES.map((c) => m[c] ?? 0);
const CLIPS = [
  { label: 'panic', probs: P({ panic: 0.5, excitement: 0.1, neutral: 0.4 }) }, // right
  { label: 'panic', probs: P({ panic: 0.2, excitement: 0.1, neutral: 0.6 }) }, // called neutral; panic > excitement
  { label: 'panic', probs: P({ panic: 0.1, excitement: 0.3, neutral: 0.2, boredom: 0.4 }) }, // boredom; pair wrong
  { label: 'excitement', probs: P({ excitement: 0.6, panic: 0.3, neutral: 0.1 }) }, // right
  { label: 'excitement', probs: P({ excitement: 0.2, panic: 0.1, neutral: 0.7 }) }, // called neutral; pair right
  { label: 'neutral', probs: P({ neutral: 0.8, panic: 0.2 }) },
  { label: 'neutral', probs: P({ neutral: 0.45, panic: 0.35, excitement: 0.2 }) },
];

test('boundaryDiagnostics: the 5-class balanced accuracy taken apart (pair accuracy, missed signals, neutral AUC)', () => {
  const d = boundaryDiagnostics(CLIPS, CLASSES);
  assert.ok(Math.abs(d.pair_balanced_accuracy! - (2 / 3 + 1) / 2) < 1e-12, String(d.pair_balanced_accuracy));
  assert.equal(d.missed_signal, 2 / 5);
  // calm 0.8 ranks above all 5 signal clips, 0.45 above 0.4, 0.2 and 0.1: 8 of 10 pairs.
  assert.equal(d.neutral_auc, 8 / 10);
  // The same clips' 5-class figures, for contrast: recall panic 1/3, excitement 1/2; one calm clip of two called a signal.
  assert.ok(Math.abs(signalScores(CLIPS, CLASSES).balanced_accuracy - (1 / 3 + 1 / 2) / 2) < 1e-12);
  assert.equal(calmFalseAlarms(CLIPS, CLASSES).rate, 0);
});

test('boundaryDiagnostics: moving the neutral boundary changes missed signals, not the pair accuracy or the AUC', () => {
  // Quartering every p(neutral) (then renormalising) is a boundary shift: the ranking of p(neutral) is kept.
  const shifted = CLIPS.map((c) => {
    const q = c.probs.map((v, k) => (CLASSES[k] === 'neutral' ? v / 4 : v));
    const z = q.reduce((a, b) => a + b, 0);
    return { label: c.label, probs: q.map((v) => v / z) };
  });
  const [a, b] = [boundaryDiagnostics(CLIPS, CLASSES), boundaryDiagnostics(shifted, CLASSES)];
  assert.equal(b.pair_balanced_accuracy, a.pair_balanced_accuracy);
  assert.equal(b.neutral_auc, a.neutral_auc);
  assert.ok(b.missed_signal! < a.missed_signal!, `${b.missed_signal} vs ${a.missed_signal}`);
});

test('boundaryDiagnostics: null where the model has no neutral class or the corpus no calm clip', () => {
  const noNeutral = ['excitement', 'panic'];
  const d = boundaryDiagnostics(
    [
      { label: 'panic', probs: [0.2, 0.8] },
      { label: 'excitement', probs: [0.3, 0.7] },
    ],
    noNeutral,
  );
  assert.equal(d.pair_balanced_accuracy, 0.5);
  assert.equal(d.missed_signal, null);
  assert.equal(d.neutral_auc, null);
  assert.equal(
    boundaryDiagnostics(
      CLIPS.filter((c) => c.label !== 'neutral'),
      CLASSES,
    ).neutral_auc,
    null,
  );
});
