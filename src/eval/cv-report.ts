/** Report of a cross-validation run (RUN_DIR/report.html). */
import { writeReport, type RunReport } from '../report/index.js';
import type { Dataset } from '../data/dataset.js';
import { datasetSummary } from '../train/reporting.js';
import { CV_METRICS, type CvResult } from './cv.js';

const pick = (m: Record<string, unknown>): Record<string, number> => Object.fromEntries(CV_METRICS.map((k) => [k, m[k] as number]));

/** Writes RUN_DIR/report.html for a cv run; returns its path. */
export async function writeCvReport(out: string, r: CvResult, ds: Dataset, evalDs: Dataset | null, command?: string[]): Promise<string> {
  const report: RunReport = {
    title: `Affexion ${r.k}-fold cross-validation`,
    kind: 'cv',
    command: command ?? process.argv.slice(1),
    config: { folds: r.k, group_by: r.groupBy, classes: r.classes },
    datasets: [datasetSummary('cross-validated', ds), ...(evalDs ? [datasetSummary('--eval', evalDs)] : [])],
    cv: {
      k: r.k,
      groupBy: r.groupBy,
      evalName: evalDs ? '--eval' : undefined,
      warnings: r.warnings,
      folds: r.folds.map((f) => ({
        fold: f.fold,
        metrics: pick(f.metrics),
        eval: f.eval ? pick(f.eval) : undefined,
        n_train: f.n_train,
        n_val: f.n_val,
        history: f.history,
      })),
    },
    evaluations: { 'cv (all folds pooled)': r.pooled },
  };
  return (await writeReport(out, report)).html;
}
