/** `affexion evaluate MODEL_DIR DATA`: accuracy, UA, macro P/R/F1, per-class figures, confusion matrix. */
import path from 'node:path';
import type { Command } from 'commander';
import { evaluate, formatEvaluation } from '../../eval/evaluate.js';
import { consoleProgress } from '../../report/progress.js';
import { addDataOptions, addManifestColumnOptions, cacheFrom } from '../options.js';
import { writeReport } from '../../report/index.js';
import { modelArchitecture } from '../../model/model-card.js';
import { loadTrainedModel } from '../../model/model-dir.js';
import { scanDataset } from '../../data/dataset.js';
import { datasetSummary } from '../../train/reporting.js';

interface EvaluateCliOptions {
  labelMap?: string;
  labelColumn?: string;
  speakerColumn?: string;
  reference?: string;
  cache: string | boolean;
  json?: boolean;
  predictions?: boolean;
  report?: string;
}

export function register(program: Command): void {
  // The shared data options (one definition in options.ts), then evaluate's own.
  addManifestColumnOptions(
    addDataOptions(
      program
        .command('evaluate')
        .description('Score a trained model on labelled data (clips with labels the model does not know are counted apart)')
        .argument('<modelDir>', 'model directory written by affexion train')
        .argument('<data>', 'labelled data: folder per class or CSV manifest'),
    ),
  )
    .option('--predictions', 'include per-clip predictions in the JSON')
    .option('--report <dir>', 'also write report.html (and charts) into this folder')
    .option('--json', 'print the metrics as JSON on stdout')
    .action(async (modelDir: string, data: string, o: EvaluateCliOptions) => {
      const progress = consoleProgress();
      try {
        const ds = scanDataset(data, { labelMap: o.labelMap, labelColumn: o.labelColumn, speakerColumn: o.speakerColumn });
        const r = await evaluate({
          model: modelDir,
          data: ds,
          reference: o.reference,
          cacheDir: cacheFrom(o),
          events: progress,
          predictions: o.predictions,
        });
        progress.stop();
        if (o.report) {
          const { html } = await writeReport(o.report, {
            title: 'Affexion evaluation',
            kind: 'evaluate',
            command: process.argv.slice(1),
            datasets: [datasetSummary(path.basename(ds.source), ds, r.skipped)],
            evaluations: { [path.basename(ds.source)]: r },
            config: { model: r.model },
            architecture: modelArchitecture(loadTrainedModel(modelDir)), // Figure 1 of the model evaluated
          });
          progress.log(`report: ${html}`);
        }
        if (o.json) process.stdout.write(`${JSON.stringify(r)}\n`);
        else process.stdout.write(`${formatEvaluation(r)}\n`);
      } finally {
        progress.stop();
      }
    });
}
