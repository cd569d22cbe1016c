/** `affexion cv DATA --folds 7 [--group-by speaker|text|none] [--eval DATA2] --out RUN_DIR`. */
import type { Command } from 'commander';
import { Option } from 'commander';
import { crossValidate, formatSummary, type GroupBy } from '../../eval/cv.js';
import { consoleProgress } from '../../report/progress.js';
import { crossValidateOnQueue } from '../../workflows/sweep/remote.js';
import {
  addDataOptions,
  addManifestColumnOptions,
  dataSource,
  addFeatureOptions,
  addHyperOptions,
  cacheFrom,
  featuresFrom,
  hyperFrom,
  intArg,
  interruptSignal,
  type CommonOptionValues,
} from '../options.js';

interface CvCliOptions extends CommonOptionValues {
  out: string;
  folds: number;
  groupBy: GroupBy;
  eval?: string;
  report: boolean;
  json?: boolean;
  force?: boolean;
  queue?: string;
  queueName: string;
}

export function register(program: Command): void {
  const cmd = program
    .command('cv')
    .description('Stratified k-fold cross-validation (resumable: finished folds are reused)')
    .argument('<data>', 'data: folder per class or CSV manifest')
    .requiredOption('--out <dir>', 'run directory (fold models, cv.json, report.html); re-run with the same --out to resume')
    .option('--folds <k>', 'number of folds', intArg('--folds'), 7)
    .addOption(
      new Option('--group-by <what>', 'keep each speaker / sentence on one side of every fold')
        .choices(['speaker', 'text', 'none'])
        .default('none'),
    )
    .option('--eval <data>', "also score every fold's model on this dataset (e.g. real speech)")
    .option('--force', 'overwrite fold models an earlier run with other settings left in --out (same settings: reused / resumed)')
    .option('--no-report', 'do not write report.html')
    .option('--json', 'print the result as JSON on stdout')
    .option('--queue <url>', 'redis://HOST:PORT: train the folds on `affexion worker` processes through BullMQ (docs/scale.md)')
    .option('--queue-name <name>', 'BullMQ queue name', 'affexion');
  addHyperOptions(cmd);
  addFeatureOptions(cmd);
  addDataOptions(cmd);
  addManifestColumnOptions(cmd);
  cmd.action(async (data: string, o: CvCliOptions) => {
    const progress = consoleProgress();
    const interrupt = interruptSignal(progress.log);
    try {
      const run = o.queue
        ? (opts: Parameters<typeof crossValidate>[0]) => crossValidateOnQueue({ ...opts, queue: o.queue as string, queueName: o.queueName })
        : crossValidate;
      const r = await run({
        data: dataSource(data, o),
        out: o.out,
        folds: o.folds,
        groupBy: o.groupBy,
        eval: o.eval === undefined ? undefined : dataSource(o.eval, o, 'eval'),
        labelMap: o.labelMap,
        reference: o.reference,
        hyper: hyperFrom(o),
        features: featuresFrom(o),
        loudness: o.loudness,
        cacheDir: cacheFrom(o),
        events: progress,
        signal: interrupt.signal,
        report: o.report,
        command: process.argv.slice(1),
        force: o.force,
      });
      progress.stop();
      if (o.json) {
        process.stdout.write(`${JSON.stringify(r)}\n`);
        return;
      }
      process.stdout.write(`${r.k}-fold cv (group by ${r.groupBy}): ${formatSummary(r.summary)}\n`);
      if (r.evalSummary) process.stdout.write(`fold models on --eval: ${formatSummary(r.evalSummary)}\n`);
      for (const w of r.warnings) process.stdout.write(`warning: ${w}\n`);
      if (r.report) process.stdout.write(`report: ${r.report}\n`);
    } finally {
      progress.stop();
      interrupt.dispose();
    }
  });
}
