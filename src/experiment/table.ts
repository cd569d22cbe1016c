/**
 * The experiment's table (one row per recipe, the paper's first), as data, Markdown and a report.
 */
import type { Dataset } from '../data/dataset.js';
import type { RunReport } from '../report/index.js';
import type { RecipeResult } from './run.js';

/** One row of the results table (fractions in [0, 1]). */
export interface GapRow {
  id: string;
  recipe: string;
  data: string;
  front_end: string;
  /** Mean recall of panic and excitement on the real set, 4-class predictions (chance 0.25 with 4 classes). */
  balanced_accuracy: number;
  /** Macro F1 over panic and excitement. */
  macro_f1: number;
  recall_panic: number;
  recall_excitement: number;
  /** Share of out-of-set real clips (neutral, calm) predicted as panic or excitement. */
  out_of_set_as_target: number;
  n_train: number;
  epochs: number;
  best_epoch: number;
  max_len: number;
  network: string;
  loudness: string;
  seconds: number;
}

/** Rows in recipe order. */
export function gapTable(results: readonly RecipeResult[]): GapRow[] {
  return results.map((r) => {
    let oos = 0;
    let oosTarget = 0;
    for (const row of Object.values(r.real.out_of_set)) {
      for (const [cls, n] of Object.entries(row)) {
        oos += n;
        if (cls === 'panic' || cls === 'excitement') oosTarget += n;
      }
    }
    const h = r.hyper;
    return {
      id: r.recipe.id, recipe: r.recipe.label, data: r.recipe.data, front_end: r.recipe.frontEnd,
      balanced_accuracy: r.real.balanced_accuracy, macro_f1: r.real.macro_f1,
      recall_panic: r.real.recall.panic ?? 0, recall_excitement: r.real.recall.excitement ?? 0,
      out_of_set_as_target: oos ? oosTarget / oos : 0, n_train: r.n_train, epochs: r.history.length, best_epoch: r.best_epoch,
      max_len: h.max_len, network: `${h.conv_channels}ch×${h.kernel_sizes.length}, LSTM ${h.lstm_hidden}×${h.lstm_layers}, FC ${h.fc_hidden}`,
      loudness: r.features.loudness, seconds: r.seconds,
    };
  });
}

const pct = (x: number): string => `${(100 * x).toFixed(1)} %`;

/** The table as Markdown (for docs/experiment.md and RUN_DIR/table.md). */
export function markdownTable(rows: readonly GapRow[]): string {
  const head = ['recipe', 'balanced acc. (panic vs excitement)', 'macro F1', 'recall panic', 'recall excitement',
    'neutral/calm → panic or excitement', 'training clips', 'epochs (kept)', 'MAX_LEN', 'network', 'loudness', 'time'];
  const lines = [`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`];
  for (const r of rows) {
    lines.push(`| ${[`\`${r.id}\` ${r.recipe}`, pct(r.balanced_accuracy), pct(r.macro_f1), pct(r.recall_panic), pct(r.recall_excitement),
      pct(r.out_of_set_as_target), String(r.n_train), `${r.epochs} (${r.best_epoch})`, String(r.max_len), r.network, r.loudness,
      `${Math.round(r.seconds)} s`].join(' | ')} |`);
  }
  return `${lines.join('\n')}\n`;
}

/** Inputs of {@link gapReport}. */
export interface GapReportInput {
  results: readonly RecipeResult[];
  rows: readonly GapRow[];
  real: Dataset;
  synthetic: Dataset | null;
  converted: Dataset | null;
  seed: number;
  modelSize: string;
  augmentSpec: string;
  augmentCopies: number;
  command?: string[];
}

/** The run report: the comparison table + chart, datasets, and the real-set evaluation of every recipe. */
export function gapReport(x: GapReportInput): RunReport {
  const best = [...x.rows].sort((a, b) => b.balanced_accuracy - a.balanced_accuracy)[0];
  const summary = (name: string, ds: Dataset, notes: string[]) => ({ name, path: ds.source, counts: ds.counts, skipped: ds.skipped, notes });
  return {
    title: 'Affexion: closing the synthetic → real gap', kind: 'experiment gap', command: x.command ?? process.argv.slice(1),
    config: { seed: x.seed, model: x.modelSize, augment_spec: x.augmentSpec, augment_copies: x.augmentCopies, recipes: x.rows.map((r) => r.id) },
    datasets: [
      ...(x.synthetic ? [summary('synthetic (training)', x.synthetic, ['offline espeak + flite'])] : []),
      ...(x.converted ? [summary('converted neutral-pool (training)', x.converted, ['real neutral speech of speakers not in the real set, converted per emotion'])] : []),
      summary('real (evaluation only)', x.real, ['fearful → panic, happy → excitement; neutral and calm are out-of-set, reported apart']),
    ],
    comparisons: [{
      title: 'Real speech: panic vs excitement (model predicts among all its classes)',
      // One group of bars per recipe (series = metrics): stays readable with twenty recipes.
      columns: x.rows.map((r) => r.id),
      rows: [
        { label: 'balanced accuracy', values: x.rows.map((r) => r.balanced_accuracy) },
        { label: 'macro F1', values: x.rows.map((r) => r.macro_f1) },
        { label: 'recall panic', values: x.rows.map((r) => r.recall_panic) },
        { label: 'recall excitement', values: x.rows.map((r) => r.recall_excitement) },
      ],
      unit: 'percent',
      caption: 'Balanced accuracy = mean recall of panic and excitement with predictions among all classes (chance 25 % with 4 classes). ' +
        'The first row is the paper\'s recipe. Row ids: a synthetic, b synthetic + augmentation, c converted neutral-pool, d = b + c; ' +
        'front-ends paper (z-scored MFCC), cmvn (utterance mean/variance), masked (padding masked), prosodic (+ F0/voicing/energy, CMVN, masked).',
    }],
    evaluations: Object.fromEntries(x.results.map((r) => [r.recipe.id, {
      n: r.real.n, accuracy: r.real.accuracy, balanced_accuracy: r.real.balanced_accuracy, macro_f1: r.real.macro_f1,
      confusion: r.real.confusion, per_class: r.real.per_class,
    }])),
    notes: [
      best ? `Best recipe: ${best.id} (${best.recipe}) — balanced accuracy ${pct(best.balanced_accuracy)}, macro F1 ${pct(best.macro_f1)}. Target: 65 %.` : 'No recipe ran.',
      'No emotional real speech entered training: every training clip is checked (path and audio hash) against the real set, and converted clips against its speakers. ' +
      'Early stopping uses held-out voices/speakers of the training data, never the real set.',
    ],
  };
}
