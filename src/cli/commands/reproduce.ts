/** `affexion reproduce --real DIR --out RUN_DIR [--recipe converted|paper] [--synthetic DIR]`: the paper's experiment in one command. */
import { Option, type Command } from 'commander';
import { formatComparison, reproduce } from '../../workflows/reproduce.js';
import { formatSummary, type GroupBy } from '../../eval/cv.js';
import { formatEvaluation } from '../../eval/evaluate.js';
import { consoleProgress } from '../../report/progress.js';
import {
  addDataOptions,
  addFeatureOptions,
  addHyperOptions,
  cacheFrom,
  explicitHyperFrom,
  explicitLoudness,
  featuresFrom,
  intArg,
  interruptSignal,
  type CommonOptionValues,
} from '../options.js';
import { DEFAULT_RECIPE, RECIPE_SETTINGS, TRAINING_RECIPES, type TrainingRecipe } from '../../workflows/recipe.js';

interface ReproduceCliOptions extends CommonOptionValues {
  recipe: TrainingRecipe;
  synthetic?: string;
  converted?: string;
  neutral?: string;
  convertLimit?: number;
  profiles?: string;
  neutralResynthesis?: boolean;
  real: string[];
  out: string;
  folds: number;
  groupBy?: GroupBy;
  json?: boolean;
}

export function register(program: Command): void {
  const cmd = program
    .command('reproduce')
    .description(
      "The paper's experiment: train, k-fold CV, evaluate on real speech; report beside the paper's figures. " +
        `Default recipe "${DEFAULT_RECIPE}": ${RECIPE_SETTINGS[DEFAULT_RECIPE].describe}; --recipe paper: ${RECIPE_SETTINGS.paper.describe}`,
    )
    .addOption(
      new Option('--recipe <name>', 'training recipe (docs/training.md); hyper-parameter and --loudness options override its settings')
        .choices([...TRAINING_RECIPES])
        .default(DEFAULT_RECIPE),
    )
    .option('--synthetic <data>', 'synthetic speech: the training data of --recipe paper; with converted, also scored (not trained on)')
    .option('--neutral <data>', 'converted recipe: real neutral speech to convert (default ../shared/data/neutral-pool)')
    .option('--converted <data>', 'converted recipe: an already converted set (affexion convert) instead of converting --neutral')
    .option(
      '--convert-limit <n>',
      'converted recipe: convert only N neutral clips, taken in turn from each speaker',
      intArg('--convert-limit'),
    )
    .option('--profiles <file>', 'converted recipe: JSON conversion profiles changing or adding emotions (docs/augmentation.md)')
    .option(
      '--neutral-resynthesis',
      "converted recipe: pass the neutral class's clips through the converter with a near-identity profile (docs/experiment.md)",
    )
    .option(
      '--real <data>',
      'real labelled speech for testing (e.g. ../shared/data/ravdess-dev); never trained on; repeatable: every corpus is ' +
        'scored the same way and the figures are given per corpus and as their mean',
      (v: string, acc: string[]) => [...acc, v],
      [] as string[],
    )
    .requiredOption('--out <dir>', 'run directory (model, cv folds, results.json, report.html); re-run to resume')
    .option('--folds <k>', 'cross-validation folds', intArg('--folds'), 7)
    .addOption(
      new Option('--group-by <what>', 'cv grouping (default: speaker for converted, none for paper)').choices(['speaker', 'text', 'none']),
    )
    .option('--json', 'print results as JSON');
  addHyperOptions(cmd);
  addFeatureOptions(cmd);
  addDataOptions(cmd);
  cmd.action(async (o: ReproduceCliOptions) => {
    const progress = consoleProgress();
    if (o.real.length === 0)
      throw new Error(
        '--real: give real labelled speech for testing (e.g. --real ../shared/data/ravdess-dev --real ../shared/data/tess-dev)',
      );
    const interrupt = interruptSignal(progress.log);
    try {
      const r = await reproduce({
        recipe: o.recipe,
        synthetic: o.synthetic,
        converted: o.converted,
        neutral: o.neutral,
        convertLimit: o.convertLimit,
        profilesFile: o.profiles,
        neutralResynthesis: o.neutralResynthesis,
        real: o.real[0]!,
        moreReal: o.real.slice(1),
        out: o.out,
        labelMap: o.labelMap,
        reference: o.reference,
        folds: o.folds,
        groupBy: o.groupBy,
        hyper: explicitHyperFrom(o, cmd),
        features: featuresFrom(o),
        loudness: explicitLoudness(o, cmd),
        cacheDir: cacheFrom(o),
        events: progress,
        foldEvents: (f, k) => consoleProgress({ prefix: `[fold ${f}/${k}]` }),
        signal: interrupt.signal,
        command: process.argv.slice(1),
      });
      progress.stop();
      if (o.json) {
        process.stdout.write(
          `${JSON.stringify({ table: r.table, cv: r.cv.summary, real: r.real, real_corpora: r.realCorpora, calibration: r.cv.calibration ?? null, report: r.report })}\n`,
        );
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
