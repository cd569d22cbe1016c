/** `affexion train DATA --out MODEL_DIR`: train a model with the paper's defaults (every one an option). */
import type { Command } from 'commander';
import { train } from '../../train/train.js';
import { consoleProgress } from '../../report/progress.js';
import { formatEvaluation } from '../../eval/evaluate.js';
import {
  addDataOptions,
  addManifestColumnOptions,
  dataSource,
  addFeatureOptions,
  addHyperOptions,
  cacheFrom,
  featuresFrom,
  hyperFrom,
  interruptSignal,
  type CommonOptionValues,
} from '../options.js';

interface TrainCliOptions extends CommonOptionValues {
  out: string;
  val?: string;
  resume?: boolean;
  force?: boolean;
  report: boolean;
  json?: boolean;
}

export function register(program: Command): void {
  const cmd = program
    .command('train')
    .description('Train a model on a dataset (folder per class, or CSV manifest path,label[,speaker][,group])')
    .argument('<data>', 'training data: folder with one sub-folder per class, or a CSV manifest')
    .requiredOption('--out <dir>', 'model directory to write (config.json, weights, checkpoint, metrics.jsonl, report.html)')
    .option('--val <data>', 'validation data, evaluated after every epoch')
    .option('--resume', 'continue the run in --out from its last checkpoint (up to --epochs in total)')
    .option('--force', 'overwrite a model already in --out')
    .option('--no-report', 'do not write report.html')
    .option('--json', 'print the final summary as JSON on stdout');
  addHyperOptions(cmd);
  addFeatureOptions(cmd);
  addDataOptions(cmd);
  addManifestColumnOptions(cmd);
  cmd.action(async (data: string, o: TrainCliOptions) => {
    const progress = consoleProgress();
    const interrupt = interruptSignal(progress.log);
    try {
      const r = await train({
        data: dataSource(data, o),
        out: o.out,
        val: o.val === undefined ? undefined : dataSource(o.val, o, 'val'),
        labelMap: o.labelMap,
        reference: o.reference,
        hyper: hyperFrom(o),
        features: featuresFrom(o),
        loudness: o.loudness,
        cacheDir: cacheFrom(o),
        resume: o.resume,
        force: o.force,
        report: o.report,
        events: progress,
        signal: interrupt.signal,
        command: process.argv.slice(1),
      });
      progress.stop();
      const last = r.history[r.history.length - 1];
      if (o.json) {
        process.stdout.write(
          `${JSON.stringify({
            model_dir: r.modelDir,
            classes: r.classes,
            epochs: r.history.length,
            last_epoch: last ?? null,
            validation: r.validation ?? null,
            report: r.report ?? null,
          })}\n`,
        );
        return;
      }
      process.stdout.write(`model: ${r.modelDir} (${r.classes.join(', ')}; ${r.history.length} epochs)\n`);
      if (r.validation) process.stdout.write(`validation:\n${formatEvaluation(r.validation)}\n`);
      if (r.report) process.stdout.write(`report: ${r.report}\n`);
    } finally {
      progress.stop();
      interrupt.dispose();
    }
  });
}
