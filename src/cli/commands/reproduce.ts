/** `affexion reproduce --synthetic DIR --real DIR --out RUN_DIR`: the paper's experiment in one command. */
import { Option, type Command } from 'commander';
import { formatComparison, reproduce } from '../../train/reproduce.js';
import { formatSummary, type GroupBy } from '../../eval/cv.js';
import { formatEvaluation } from '../../eval/evaluate.js';
import { consoleProgress } from '../../train/progress.js';
import {
  addDataOptions, addFeatureOptions, addHyperOptions, cacheFrom, featuresFrom, hyperFrom, intArg, interruptSignal, type CommonOptionValues,
} from '../../train/cli.js';

interface ReproduceCliOptions extends CommonOptionValues { synthetic: string; real: string; out: string; folds: number; groupBy: GroupBy; json?: boolean }

export function register(program: Command): void {
  const cmd = program.command('reproduce')
    .description('The paper\'s experiment: train on synthetic speech, k-fold CV on it, evaluate on real speech; report beside the paper\'s figures')
    .requiredOption('--synthetic <data>', 'synthetic training data (folder per class or manifest)')
    .requiredOption('--real <data>', 'real labelled speech for testing (e.g. ../shared/data/ravdess-dev)')
    .requiredOption('--out <dir>', 'run directory (model, cv folds, results.json, report.html); re-run to resume')
    .option('--folds <k>', 'cross-validation folds', intArg('--folds'), 7)
    .addOption(new Option('--group-by <what>', 'cv grouping').choices(['speaker', 'text', 'none']).default('none'))
    .option('--json', 'print results as JSON');
  addHyperOptions(cmd);
  addFeatureOptions(cmd);
  addDataOptions(cmd);
  cmd.action(async (o: ReproduceCliOptions) => {
    const progress = consoleProgress();
    const interrupt = interruptSignal(progress.log);
    try {
      const r = await reproduce({
        synthetic: o.synthetic, real: o.real, out: o.out, labelMap: o.labelMap, folds: o.folds, groupBy: o.groupBy,
        hyper: hyperFrom(o), features: featuresFrom(o), loudness: o.loudness, cacheDir: cacheFrom(o), events: progress,
        foldEvents: (f, k) => consoleProgress({ prefix: `[fold ${f}/${k}]` }), signal: interrupt.signal, command: process.argv.slice(1),
      });
      progress.stop();
      if (o.json) {
        process.stdout.write(`${JSON.stringify({ table: r.table, cv: r.cv.summary, real: r.real, report: r.report })}\n`);
        return;
      }
      process.stdout.write(`${formatComparison(r.table)}\n\n${r.cv.k}-fold CV (mean ± std): ${formatSummary(r.cv.summary)}\n`);
      if (r.cv.evalSummary) process.stdout.write(`fold models on real speech: ${formatSummary(r.cv.evalSummary)}\n`);
      if (r.real) process.stdout.write(`real speech, final model:\n${formatEvaluation(r.real)}\n`);
      process.stdout.write(`report: ${r.report}\n`);
    } finally {
      progress.stop();
      interrupt.dispose();
    }
  });
}
