/** `affexion demo`: convert neutral speech + synthesise test speech → train → cross-validate → evaluate (synthetic, real) → report. */
import { Option, type Command } from 'commander';
import { runDemo, DEMO_CONVERT_LIMIT } from '../../workflows/demo.js';
import { formatComparison } from '../../workflows/reproduce.js';
import { formatSummary } from '../../eval/cv.js';
import { formatEvaluation } from '../../eval/evaluate.js';
import { consoleProgress } from '../../report/progress.js';
import { addCacheOptions, cacheFrom, intArg, interruptSignal } from '../options.js';
import { DEFAULT_RECIPE, TRAINING_RECIPES, type TrainingRecipe } from '../../workflows/recipe.js';

interface DemoCliOptions {
  out: string;
  recipe: TrainingRecipe;
  neutral?: string;
  convertLimit: number;
  real?: string | boolean;
  labelMap?: string;
  perClass: number;
  heldOut: number;
  folds: number;
  epochs?: number;
  seed: number;
  cache: string | boolean;
}

export function register(program: Command): void {
  const cmd = program
    .command('demo')
    .description(
      'Offline end-to-end demo (a few minutes): convert real neutral speech into emotions (default recipe), synthesise test speech, ' +
        'train, cross-validate, evaluate on synthetic and real speech, write report.html',
    )
    .option('--out <dir>', 'run folder (re-run to continue)', 'affexion-demo')
    .addOption(
      new Option('--recipe <name>', 'training recipe: converted neutral speech, or synthetic speech (paper)')
        .choices([...TRAINING_RECIPES])
        .default(DEFAULT_RECIPE),
    )
    .option(
      '--neutral <data>',
      'real neutral speech to convert (default ../shared/data/neutral-pool; without any, the demo trains on synthetic speech)',
    )
    .option(
      '--convert-limit <n>',
      'neutral clips to convert (× 4 emotions = training clips)',
      intArg('--convert-limit'),
      DEMO_CONVERT_LIMIT,
    )
    .option('--real <data>', 'real labelled speech to evaluate on (default ../shared/data/ravdess-dev when present); never trained on')
    .option('--no-real', 'do not evaluate on real speech')
    .option(
      '--label-map <map>',
      "label map for --real (default fearful=panic,happy=excitement; neutral and calm are each actor's speaker reference)",
    )
    .option('--per-class <n>', 'synthetic training clips per class (synthetic recipe)', intArg('--per-class'), 16)
    .option('--held-out <n>', 'synthetic test clips per class (never trained on)', intArg('--held-out'), 6)
    .option('--folds <k>', 'cross-validation folds', intArg('--folds'), 3)
    .option('--epochs <n>', 'training epochs (default 12)', intArg('--epochs'))
    .option('--seed <n>', 'random seed', intArg('--seed'), 1);
  addCacheOptions(cmd).action(async (o: DemoCliOptions) => {
    const progress = consoleProgress();
    const interrupt = interruptSignal(progress.log);
    const t0 = Date.now();
    try {
      const r = await runDemo({
        out: o.out,
        recipe: o.recipe,
        neutral: o.neutral,
        convertLimit: o.convertLimit,
        real: o.real === false ? null : typeof o.real === 'string' ? o.real : undefined,
        labelMap: o.labelMap,
        perClass: o.perClass,
        heldOutPerClass: o.heldOut,
        folds: o.folds,
        seed: o.seed,
        hyper: o.epochs ? { epochs: o.epochs } : undefined,
        cacheDir: cacheFrom(o),
        events: progress,
        foldEvents: (f, k) => consoleProgress({ prefix: `[fold ${f}/${k}]` }),
        signal: interrupt.signal,
        command: process.argv.slice(1),
      });
      progress.stop();
      process.stdout.write(`\n${formatComparison(r.table)}\n\n`);
      if (r.fallback) process.stdout.write(`note: ${r.fallback}\n`);
      process.stdout.write(`${r.cv.k}-fold CV by speaker (mean ± std): ${formatSummary(r.cv.summary)}\n`);
      for (const [name, m] of Object.entries(r.extra)) process.stdout.write(`${name}:\n${formatEvaluation(m)}\n`);
      if (r.real) process.stdout.write(`real speech:\n${formatEvaluation(r.real)}\n`);
      if (r.realCorpora) {
        // Per corpus and their mean (panic vs excitement among all classes, calm false alarms, ECE), as JSON.
        const { corpora, mean } = r.realCorpora;
        const brief = Object.fromEntries(
          Object.entries(corpora).map(([n, f]) => [
            n,
            { balanced_accuracy: f.balanced_accuracy, recall: f.recall, calm_false_alarm: f.calm_false_alarm, ece: f.ece },
          ]),
        );
        process.stdout.write(`real corpora: ${JSON.stringify({ ...brief, mean, calibration: r.cv.calibration ?? null })}\n`);
      }
      process.stdout.write(`\nmodel: ${r.modelDir}\nreport: ${r.report}\ndone in ${((Date.now() - t0) / 1000).toFixed(0)} s\n`);
    } finally {
      progress.stop();
      interrupt.dispose();
    }
  });
}
