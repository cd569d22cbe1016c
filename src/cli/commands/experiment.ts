/** `affexion experiment gap`: which data recipe and front-end close the synthetic → real gap (docs/experiment.md). */
import { Option, type Command } from 'commander';
import { runGapExperiment, MODEL_SIZES, type ModelSize } from '../../workflows/experiment/run.js';
import { ablationRecipes, defaultRecipes } from '../../workflows/experiment/recipes.js';
import { consoleProgress } from '../../report/progress.js';
import { intArg, intListArg } from '../options.js';

interface GapCliOptions {
  synthetic?: string; converted?: string; neutral?: string; real?: string; out: string; quick?: boolean; seed: number; seeds?: number[];
  recipes?: string; model?: ModelSize; epochs?: number; maxLen?: number; augment?: string; augmentCopies?: number; trainAugment?: string; swa?: number;
  perClass?: number; convertPerClip?: number; cache: string | boolean; json?: boolean;
}

export function register(program: Command): void {
  const experiment = program.command('experiment').description('Experiments that measure what Affexion does on real speech');
  experiment.command('gap')
    .description('Train with each data recipe (synthetic, + augmentation, converted neutral-pool, both) and front-end; ' +
      'score on real acted speech (panic vs excitement); table + chart. Resumable: re-run to continue.')
    .requiredOption('--out <dir>', 'run directory (data/, recipes/<id>/result.json, table.md, results.json, report.html)')
    .option('--synthetic <data>', 'synthetic training set (default: generate offline into OUT/data/synthetic)')
    .option('--converted <data>', 'converted training set (default: convert --neutral into OUT/data/converted)')
    .option('--neutral <data>', 'real neutral speech to convert (default ../shared/data/neutral-pool)')
    .option('--real <data>', 'real labelled evaluation speech, never trained on (default ../shared/data/ravdess-dev)')
    .option('--quick', 'small data, tiny network, few epochs: checks the plumbing in minutes')
    .option('--seed <n>', 'random seed (data generation, augmentation, splits, weights)', intArg('--seed'), 1)
    .option('--seeds <list>', 'train every recipe once per seed, e.g. 1,2,3: mean ± sd and the ensemble of the seeds (data from the first)', intListArg('--seeds'))
    .option('--recipes <ids>', `comma-separated recipe ids (default all: ${defaultRecipes().map((r) => r.id).join(', ')}; ` +
      `ablations: ${ablationRecipes().map((r) => r.id).join(', ')})`)
    .addOption(new Option('--model <size>', 'network size (default paper; tiny with --quick)').choices(Object.keys(MODEL_SIZES)))
    .option('--epochs <n>', 'maximum epochs for every recipe (default 15)', intArg('--epochs'))
    .option('--max-len <frames>', 'MAX_LEN for every recipe (default: 1000 for the paper row, 400 otherwise)', intArg('--max-len'))
    .option('--augment <spec>', 'augmentation for recipes b and d (see affexion augment --help)')
    .option('--train-augment <spec>', 'online augmentation while training every recipe (as train --augment; default: each recipe\'s own)')
    .option('--swa <k>', 'weight averaging over the last k epochs for every recipe (as train --swa)', intArg('--swa'))
    .option('--augment-copies <n>', 'augmented copies per synthetic clip (default 1)', intArg('--augment-copies'))
    .option('--convert-per-clip <n>', 'converted variants per neutral clip and emotion when converting (default 1)', intArg('--convert-per-clip'))
    .option('--per-class <n>', 'synthetic clips per class when generating (default 70; 8 with --quick)', intArg('--per-class'))
    .option('--cache <dir>', 'feature cache folder (default $AFFEXION_CACHE or ~/.cache/affexion/features)')
    .option('--no-cache', 'do not read or write the feature cache')
    .option('--json', 'print the table as JSON')
    .action(async (o: GapCliOptions) => {
      const progress = consoleProgress();
      try {
        const r = await runGapExperiment({
          out: o.out, synthetic: o.synthetic, converted: o.converted, neutral: o.neutral, real: o.real, quick: o.quick, seed: o.seed, seeds: o.seeds,
          recipes: o.recipes ? o.recipes.split(',').map((s) => s.trim()).filter(Boolean) : undefined, model: o.model,
          hyper: { ...(o.epochs !== undefined ? { epochs: o.epochs } : {}), ...(o.maxLen !== undefined ? { max_len: o.maxLen } : {}),
            ...(o.trainAugment !== undefined ? { augment: o.trainAugment } : {}), ...(o.swa !== undefined ? { swa: o.swa } : {}) },
          augmentSpec: o.augment, augmentCopies: o.augmentCopies, perClass: o.perClass, convertPerClip: o.convertPerClip,
          cacheDir: o.cache === false ? null : typeof o.cache === 'string' ? o.cache : undefined,
          events: progress, command: process.argv.slice(1),
        });
        progress.stop();
        if (o.json) process.stdout.write(`${JSON.stringify({ rows: r.rows, report: r.report })}\n`);
        else process.stdout.write(`${r.table}\nreport: ${r.report}\n`);
      } finally {
        progress.stop();
      }
    });
}
