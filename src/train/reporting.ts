/**
 * Glue between runs and the report writer (src/report): turns run results into a RunReport.
 */
import { writeReport, type DatasetSummary, type RunReport } from '../report/index.js';
import type { Dataset, SkippedFile } from '../data/dataset.js';
import type { TrainResult } from './train.js';

/** Report summary of a scanned dataset (plus files skipped later, e.g. undecodable audio). */
export function datasetSummary(
  name: string,
  ds: Dataset,
  skipped: readonly SkippedFile[] = ds.skipped,
  notes: string[] = [],
): DatasetSummary {
  const extra: string[] = [];
  const dropped = Object.entries(ds.dropped);
  if (dropped.length) extra.push(`dropped by the label map: ${dropped.map(([l, n]) => `${l} ${n}`).join(', ')}`);
  const speakers = new Set(ds.items.map((i) => i.speaker).filter((s) => s !== null));
  if (speakers.size) extra.push(`${speakers.size} speakers`);
  return {
    name,
    path: ds.source,
    counts: { ...ds.counts },
    skipped: skipped.map((s) => ({ file: s.file, reason: s.reason })),
    notes: [...extra, ...notes],
  };
}

/** Writes MODEL_DIR/report.html for a training run; returns its path. */
export async function writeTrainReport(dir: string, r: TrainResult, command?: string[]): Promise<string> {
  const report: RunReport = {
    title: 'Affexion training run',
    kind: 'train',
    command: command ?? process.argv.slice(1),
    // n_features: the rows the trained network reads (MFCC rows, and the prosodic rows when on), for Figure 1.
    config: {
      ...r.hyper,
      features: r.featureSettings.params,
      n_features: r.state.net.config.n_features,
      loudness: r.featureSettings.loudness,
      classes: r.classes,
    },
    datasets: [datasetSummary('training', r.dataset, r.skipped)],
    history: r.history,
    evaluations: r.validation ? { validation: r.validation } : undefined,
    notes:
      r.members.length > 1
        ? [
            `An ensemble of ${r.members.length} networks (seeds ${r.hyper.seed}…${r.hyper.seed + r.members.length - 1}, in members/<k>/); ` +
              "the training curves are the first network's, the validation figures the ensemble's (mean of the class probabilities).",
          ]
        : undefined,
  };
  const written = await writeReport(dir, report);
  return written.html;
}
