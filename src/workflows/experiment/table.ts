/**
 * The experiment's table (one row per recipe, the paper's first), as data, Markdown and a report.
 */
import type { Dataset } from '../../data/dataset.js';
import type { RunReport } from '../../report/index.js';
import { meanStd } from '../../report/metrics.js';
import type { RecipeResult } from './run.js';
import type { GapRecipe } from './recipes.js';

/** A recipe's runs (one per seed) and, with several seeds, the ensemble's scores. */
export interface RecipeGroup {
  recipe: GapRecipe;
  results: RecipeResult[];
  ensemble: { balanced_accuracy: number; macro_f1: number; recall: Record<string, number> } | null;
}

/** One row of the results table (fractions in [0, 1]). */
export interface GapRow {
  id: string;
  recipe: string;
  data: string;
  front_end: string;
  /** Seeds trained (the figures below are means over them). */
  seeds: number[];
  /** Mean recall of panic and excitement on the real set, 4-class predictions (chance 0.25 with 4 classes); mean over seeds. */
  balanced_accuracy: number;
  /** Sample standard deviation of the balanced accuracy over seeds (0 with one seed). */
  balanced_accuracy_sd: number;
  /** Balanced accuracy of each seed, in seed order. */
  balanced_accuracy_per_seed: number[];
  /** Balanced accuracy and macro F1 of the ensemble (mean of the seeds' probabilities); null with one seed. */
  ensemble_balanced_accuracy: number | null;
  ensemble_macro_f1: number | null;
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

const mean = (xs: readonly number[]): number => meanStd(xs).mean;

/** Rows in recipe order: figures are means over a recipe's seeds. */
export function gapTable(groups: readonly RecipeGroup[]): GapRow[] {
  return groups.map((g) => {
    const rs = g.results;
    const oosShare = (r: RecipeResult): number => {
      let oos = 0;
      let oosTarget = 0;
      for (const row of Object.values(r.real.out_of_set)) {
        for (const [cls, n] of Object.entries(row)) {
          oos += n;
          if (cls === 'panic' || cls === 'excitement') oosTarget += n;
        }
      }
      return oos ? oosTarget / oos : 0;
    };
    const h = rs[0]!.hyper;
    const bal = rs.map((r) => r.real.balanced_accuracy);
    return {
      id: g.recipe.id,
      recipe: g.recipe.label,
      data: g.recipe.data,
      front_end: g.recipe.frontEnd,
      seeds: rs.map((r) => r.seed),
      balanced_accuracy: mean(bal),
      balanced_accuracy_sd: meanStd(bal).std,
      balanced_accuracy_per_seed: bal,
      ensemble_balanced_accuracy: g.ensemble?.balanced_accuracy ?? null,
      ensemble_macro_f1: g.ensemble?.macro_f1 ?? null,
      macro_f1: mean(rs.map((r) => r.real.macro_f1)),
      recall_panic: mean(rs.map((r) => r.real.recall.panic ?? 0)),
      recall_excitement: mean(rs.map((r) => r.real.recall.excitement ?? 0)),
      out_of_set_as_target: mean(rs.map(oosShare)),
      n_train: rs[0]!.n_train,
      epochs: Math.round(mean(rs.map((r) => r.history.length))),
      best_epoch: Math.round(mean(rs.map((r) => r.best_epoch))),
      max_len: h.max_len,
      network: `${h.conv_channels}ch×${h.kernel_sizes.length}, LSTM ${h.lstm_hidden}×${h.lstm_layers}, FC ${h.fc_hidden}`,
      loudness: rs[0]!.features.loudness,
      seconds: rs.reduce((a, r) => a + r.seconds, 0),
    };
  });
}

const pct = (x: number): string => `${(100 * x).toFixed(1)} %`;

/** The table as Markdown (for docs/experiment.md and RUN_DIR/table.md); with several seeds, mean ± sd, each seed, and the ensemble. */
export function markdownTable(rows: readonly GapRow[]): string {
  const multi = rows.some((r) => r.seeds.length > 1);
  const head = [
    'recipe',
    'balanced acc. (panic vs excitement)',
    ...(multi ? ['ensemble of the seeds'] : []),
    'macro F1',
    'recall panic',
    'recall excitement',
    'neutral/calm → panic or excitement',
    'training clips',
    'epochs (kept)',
    'MAX_LEN',
    'network',
    'loudness',
    'time',
  ];
  const lines = [`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`];
  for (const r of rows) {
    const bal =
      r.seeds.length > 1
        ? `${pct(r.balanced_accuracy)} ± ${(100 * r.balanced_accuracy_sd).toFixed(1)} (seeds ${r.seeds.join(', ')}: ${r.balanced_accuracy_per_seed.map((x) => (100 * x).toFixed(1)).join(', ')})`
        : pct(r.balanced_accuracy);
    const ens = multi ? [r.ensemble_balanced_accuracy === null ? '–' : pct(r.ensemble_balanced_accuracy)] : [];
    lines.push(
      `| ${[
        `\`${r.id}\` ${r.recipe}`,
        bal,
        ...ens,
        pct(r.macro_f1),
        pct(r.recall_panic),
        pct(r.recall_excitement),
        pct(r.out_of_set_as_target),
        String(r.n_train),
        `${r.epochs} (${r.best_epoch})`,
        String(r.max_len),
        r.network,
        r.loudness,
        `${Math.round(r.seconds)} s`,
      ].join(' | ')} |`,
    );
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
  seeds: number[];
  modelSize: string;
  augmentSpec: string;
  augmentCopies: number;
  command?: string[];
}

/** The run report: the comparison table + chart, datasets, and the real-set evaluation of every recipe. */
export function gapReport(x: GapReportInput): RunReport {
  const best = [...x.rows].sort((a, b) => b.balanced_accuracy - a.balanced_accuracy)[0];
  const summary = (name: string, ds: Dataset, notes: string[]) => ({
    name,
    path: ds.source,
    counts: ds.counts,
    skipped: ds.skipped,
    notes,
  });
  return {
    title: 'Affexion: closing the synthetic → real gap',
    kind: 'experiment gap',
    command: x.command ?? process.argv.slice(1),
    config: {
      seeds: x.seeds,
      model: x.modelSize,
      augment_spec: x.augmentSpec,
      augment_copies: x.augmentCopies,
      recipes: x.rows.map((r) => r.id),
    },
    datasets: [
      ...(x.synthetic ? [summary('synthetic (training)', x.synthetic, ['offline espeak + flite'])] : []),
      ...(x.converted
        ? [
            summary('converted neutral-pool (training)', x.converted, [
              'real neutral speech of speakers not in the real set, converted per emotion',
            ]),
          ]
        : []),
      summary('real (evaluation only)', x.real, ['fearful → panic, happy → excitement; neutral and calm are out-of-set, reported apart']),
    ],
    comparisons: [
      {
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
        caption:
          'Balanced accuracy = mean recall of panic and excitement with predictions among all classes (chance 25 % with 4 classes). ' +
          "The first row is the paper's recipe. Row ids: a synthetic, b synthetic + augmentation, c converted neutral-pool, d = b + c; " +
          'front-ends paper (z-scored MFCC), cmvn (utterance mean/variance), masked (padding masked), prosodic (+ F0/voicing/energy, CMVN, masked).',
      },
    ],
    evaluations: Object.fromEntries(
      x.results.map((r) => [
        x.seeds.length > 1 ? `${r.recipe.id} (seed ${r.seed})` : r.recipe.id,
        {
          n: r.real.n,
          accuracy: r.real.accuracy,
          balanced_accuracy: r.real.balanced_accuracy,
          macro_f1: r.real.macro_f1,
          confusion: r.real.confusion,
          per_class: r.real.per_class,
        },
      ]),
    ),
    notes: [
      best
        ? `Best recipe: ${best.id} (${best.recipe}) — balanced accuracy ${pct(best.balanced_accuracy)}${best.seeds.length > 1 ? ` (mean of ${best.seeds.length} seeds; ensemble ${pct(best.ensemble_balanced_accuracy ?? 0)})` : ''}, macro F1 ${pct(best.macro_f1)}. Target: 65 %.`
        : 'No recipe ran.',
      'No emotional real speech entered training: every training clip is checked (path and audio hash) against the real set, and converted clips against its speakers. ' +
        'Early stopping uses held-out voices/speakers of the training data, never the real set.',
    ],
  };
}
