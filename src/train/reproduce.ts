/**
 * `affexion reproduce`: the paper's experiment in one command — train on synthetic speech, 7-fold
 * cross-validation on synthetic speech, evaluation of the trained model on real speech — with a
 * report that puts our figures beside the paper's. Every stage is resumable (re-run the same command).
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { writeFileAtomic } from '../data/cache.js';
import { scanDataset } from '../data/dataset.js';
import { crossValidate, type CvResult, type GroupBy } from '../eval/cv.js';
import { evaluate, type EvaluationResult } from '../eval/evaluate.js';
import { writeReport, type ComparisonTable, type RunReport } from '../report/index.js';
import type { CrossValidationRunSettings } from './options.js';
import { datasetSummary } from './reporting.js';
import { train, type TrainResult } from './train.js';
import { loadTrainedModel } from './model-dir.js';

/** The paper's figures (fractions): accuracy, macro precision, recall, F1. */
export const PAPER_FIGURES = {
  cv: { accuracy: 0.751, macro_precision: 0.779, macro_recall: 0.760, macro_f1: 0.744 },
  real: { accuracy: 0.453, macro_precision: 0.494, macro_recall: 0.455, macro_f1: 0.436 },
} as const;

/** Options of {@link reproduce}. */
export interface ReproduceOptions extends CrossValidationRunSettings {
  synthetic: string;
  /** Real labelled speech to test on; null skips that stage (the demo without --real). */
  real: string | null;
  out: string;
  /** Applied to both datasets (e.g. fearful=panic,happy=excitement,calm=,neutral=). */
  labelMap?: string;
  folds?: number;
  groupBy?: GroupBy;
  /** Title and extra notes for the report (demo uses these). */
  title?: string;
  notes?: string[];
  /** Extra evaluations of the trained model: name → dataset (e.g. held-out synthetic voices). */
  extraEvaluations?: Record<string, string>;
}

/** What {@link reproduce} returns (also RUN_DIR/results.json). */
export interface ReproduceResult {
  modelDir: string;
  train: TrainResult;
  cv: CvResult;
  real: EvaluationResult | null;
  extra: Record<string, EvaluationResult>;
  table: ComparisonTable;
  report: string;
}

const COLS = ['accuracy', 'macro_precision', 'macro_recall', 'macro_f1'] as const;

/** Ours beside the paper's, as a ComparisonTable (fractions); extra rows (e.g. held-out synthetic) last. */
export function comparisonTable(cv: CvResult, real: EvaluationResult | null, extra: Record<string, EvaluationResult> = {}): ComparisonTable {
  return {
    title: 'Ours beside the paper (synthetic-speech CV, then real speech)',
    columns: ['accuracy', 'precision', 'recall', 'F1'],
    rows: [
      { label: 'paper: CV on synthetic', values: COLS.map((k) => PAPER_FIGURES.cv[k]) },
      { label: `ours: ${cv.k}-fold CV on synthetic (mean)`, values: COLS.map((k) => cv.summary[k].mean) },
      { label: 'paper: real speech', values: COLS.map((k) => PAPER_FIGURES.real[k]) },
      { label: 'ours: real speech', values: real ? COLS.map((k) => real[k]) : COLS.map(() => null) },
      ...Object.entries(extra).map(([name, m]) => ({ label: `ours: ${name}`, values: COLS.map((k) => m[k]) })),
    ],
    caption: 'Precision, recall and F1 are macro averages over the classes present in the evaluated data. ' +
      'Paper figures as reported in the Affexion paper (CV 75.1 / 77.9 / 76.0 / 74.4 %; real 45.3 / 49.4 / 45.5 / 43.6 %).',
  };
}

/** Plain-text version of the comparison table. */
export function formatComparison(t: ComparisonTable): string {
  const w = Math.max(...t.rows.map((r) => r.label.length)) + 2;
  const lines = [`${''.padEnd(w)}${t.columns.map((c) => c.padStart(11)).join('')}`];
  for (const r of t.rows) {
    lines.push(`${r.label.padEnd(w)}${r.values.map((v) => (typeof v === 'number' ? `${(100 * v).toFixed(1)} %` : String(v ?? '–')).padStart(11)).join('')}`);
  }
  return lines.join('\n');
}

/** Runs the paper's experiment; see the module comment. */
export async function reproduce(o: ReproduceOptions): Promise<ReproduceResult> {
  const events = o.events ?? {};
  const out = path.resolve(o.out);
  if (o.real && !existsSync(o.real)) throw new Error(`--real: ${o.real} does not exist`);
  const synthetic = scanDataset(o.synthetic, { labelMap: o.labelMap, optionName: '--synthetic' });
  const real = o.real ? scanDataset(o.real, { labelMap: o.labelMap, optionName: '--real' }) : null;
  const common = { hyper: o.hyper, features: o.features, loudness: o.loudness, cacheDir: o.cacheDir, signal: o.signal };

  events.log?.('stage 1/3: training on the synthetic set');
  const modelDir = path.join(out, 'model');
  const trained = await train({ ...common, data: synthetic, out: modelDir, resume: 'auto', events, report: false, command: o.command });

  events.log?.(`stage 2/3: ${o.folds ?? 7}-fold cross-validation on the synthetic set${real ? ' (every fold\'s model also scored on real speech)' : ''}`);
  const cv = await crossValidate({
    ...common, data: synthetic, out: path.join(out, 'cv'), folds: o.folds ?? 7, groupBy: o.groupBy ?? 'none', eval: real,
    events, foldEvents: o.foldEvents, report: false, command: o.command,
  });

  events.log?.(`stage 3/3: evaluating the trained model${real ? ' on real speech' : ''}${o.extraEvaluations ? ` on ${Object.keys(o.extraEvaluations).join(', ')}` : ''}`);
  const model = loadTrainedModel(modelDir);
  const realResult = real ? await evaluate({ model, data: real, cacheDir: o.cacheDir, events, optionName: '--real' }) : null;
  const extra: Record<string, EvaluationResult> = {};
  for (const [name, data] of Object.entries(o.extraEvaluations ?? {})) {
    extra[name] = await evaluate({ model, data, labelMap: o.labelMap, cacheDir: o.cacheDir, events, optionName: name });
  }

  const table = comparisonTable(cv, realResult, extra);
  const report: RunReport = {
    title: o.title ?? 'Affexion: the paper\'s experiment (train on synthetic, test on real)', kind: 'reproduce',
    command: o.command ?? process.argv.slice(1),
    config: { ...trained.hyper, features: trained.featureSettings.params, loudness: trained.featureSettings.loudness,
      classes: trained.classes, label_map: o.labelMap ?? '', folds: cv.k, group_by: cv.groupBy },
    datasets: [datasetSummary('synthetic (training + CV)', synthetic, trained.skipped),
      ...(real && realResult ? [datasetSummary('real speech', real, realResult.skipped)] : [])],
    history: trained.history,
    cv: {
      k: cv.k, groupBy: cv.groupBy, evalName: real ? 'real speech' : undefined, warnings: cv.warnings,
      folds: cv.folds.map((f) => ({ fold: f.fold, n_train: f.n_train, n_val: f.n_val, metrics: pick(f.metrics), eval: f.eval ? pick(f.eval) : undefined })),
    },
    evaluations: { 'synthetic (CV, folds pooled)': cv.pooled, ...extra, ...(realResult ? { 'real speech': realResult } : {}) },
    comparisons: [table],
    notes: [
      ...(o.notes ?? []),
      'Real-speech figures count only clips whose (mapped) label is one of the model\'s classes; others are listed apart. ' +
      'Classes absent from the real set are left out of its macro averages.',
    ],
  };
  const written = await writeReport(out, report);
  const result: ReproduceResult = { modelDir, train: trained, cv, real: realResult, extra, table, report: written.html };
  writeFileAtomic(path.join(out, 'results.json'), JSON.stringify({
    model_dir: modelDir, classes: trained.classes, cv: { k: cv.k, group_by: cv.groupBy, summary: cv.summary, eval_summary: cv.evalSummary, warnings: cv.warnings },
    real: realResult ? { ...realResult, skipped: realResult.skipped.length } : null, extra, table, paper: PAPER_FIGURES, report: written.html,
  }, null, 1));
  return result;
}

function pick(m: Record<string, unknown>): Record<string, number> {
  return Object.fromEntries(['accuracy', 'balanced_accuracy', 'macro_precision', 'macro_recall', 'macro_f1'].map((k) => [k, m[k] as number]));
}
