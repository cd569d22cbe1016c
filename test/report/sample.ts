/**
 * A full RunReport like `affexion reproduce` writes, with hand-made numbers (shapes matter here, not
 * values), shared by the report tests.
 */
import type { RunReport } from '../../src/report/index.js';

const labels = ['boredom', 'panic', 'excitement', 'uncertainty'];

export function sampleReport(): RunReport {
  const history = Array.from({ length: 15 }, (_, i) => ({
    epoch: i + 1,
    train_loss: 1.35 * Math.exp(-i / 5) + 0.1,
    val_loss: 1.3 * Math.exp(-i / 6) + 0.3,
    train_acc: 0.3 + 0.65 * (1 - Math.exp(-i / 4)),
    val_acc: 0.28 + 0.5 * (1 - Math.exp(-i / 5)),
    lr: 1e-3 * Math.pow(0.5, Math.floor(i / 10)),
    seconds: 12.5,
  }));
  const folds = [0.74, 0.77, 0.73, 0.78, 0.75, 0.76, 0.72].map((acc, i) => ({
    fold: i + 1,
    metrics: { accuracy: acc, macro_precision: acc + 0.02, macro_recall: acc + 0.01, macro_f1: acc - 0.01 },
    eval: { accuracy: acc - 0.3, macro_f1: acc - 0.32 },
    n_train: 240,
    n_val: 40,
    history: Array.from({ length: 10 }, (_, e) => ({
      epoch: e + 1,
      train_acc: 0.3 + 0.06 * e,
      val_acc: 0.28 + (acc - 0.28) * (1 - Math.exp(-e / 3)),
    })),
  }));
  return {
    title: "Synthetic → real: the paper's experiment",
    kind: 'reproduce',
    created: '2026-11-22T03:00:00.000Z',
    command: ['affexion', 'reproduce', '--synthetic', 'data/synth', '--real', 'data/my clips', '--out', 'runs/r1'],
    config: { epochs: 15, batch: 32, lr: 0.001, seed: 7, kernel_sizes: [3, 5, 7] },
    datasets: [
      { name: 'synthetic', path: 'data/synth', counts: { boredom: 70, panic: 70, excitement: 70, uncertainty: 70 }, skipped: [] },
      {
        name: 'real (RAVDESS dev)',
        path: 'data/ravdess-dev',
        counts: { boredom: 12, panic: 16, excitement: 16, uncertainty: 8 },
        skipped: [{ file: 'x/broken.wav', reason: 'not a RIFF file' }],
        notes: ['label map fearful=panic,happy=excitement'],
      },
    ],
    history,
    cv: { folds, k: 7, groupBy: 'speaker', evalName: 'real (RAVDESS dev)', warnings: [] },
    evaluations: {
      'synthetic (held-out)': {
        n: 80,
        accuracy: 0.775,
        balanced_accuracy: 0.77,
        macro_precision: 0.78,
        macro_recall: 0.77,
        macro_f1: 0.765,
        confusion: {
          labels,
          matrix: [
            [16, 2, 1, 1],
            [1, 17, 1, 1],
            [2, 2, 15, 1],
            [3, 1, 2, 14],
          ],
        },
        per_class: labels.map((label, i) => ({
          label,
          precision: 0.8 - i * 0.03,
          recall: 0.8 - i * 0.02,
          f1: 0.8 - i * 0.025,
          support: 20,
        })),
      },
      'real (RAVDESS dev)': {
        n: 52,
        accuracy: 0.453,
        balanced_accuracy: 0.455,
        macro_precision: 0.494,
        macro_recall: 0.455,
        macro_f1: 0.436,
        confusion: {
          labels,
          matrix: [
            [6, 3, 2, 1],
            [4, 7, 3, 2],
            [3, 4, 7, 2],
            [2, 1, 1, 4],
          ],
        },
        per_class: labels.map((label, i) => ({
          label,
          precision: 0.5 - i * 0.04,
          recall: 0.45 + i * 0.01,
          f1: 0.47 - i * 0.03,
          support: [12, 16, 16, 8][i],
        })),
        unknown_labels: { neutral: 8, sad: 8 },
        missing_classes: [],
      },
    },
    comparisons: [
      {
        title: 'Ours vs the paper',
        columns: ['Accuracy', 'Precision', 'Recall', 'F1'],
        rows: [
          { label: 'paper, CV', values: [0.751, 0.779, 0.76, 0.744] },
          { label: 'ours, CV', values: [0.75, 0.77, 0.76, 0.74] },
          { label: 'paper, real', values: [0.453, 0.494, 0.455, 0.436] },
          { label: 'ours, real', values: [0.45, null, 0.455, 'n/a'] },
        ],
        caption: 'Paper figures from its tables.',
      },
    ],
    notes: ['Trained on synthetic speech only; the real clips were never seen in training. <b>not bold</b>'],
  };
}
