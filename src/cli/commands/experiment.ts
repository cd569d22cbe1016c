/** `affexion experiment gap`: which data recipe and front-end close the synthetic → real gap (docs/experiment.md). */
import { Option, type Command } from 'commander';
import { runGapExperiment, MODEL_SIZES, type ModelSize } from '../../workflows/experiment/run.js';
import { ablationRecipes, defaultRecipes } from '../../workflows/experiment/recipes.js';
import { consoleProgress } from '../../report/progress.js';
import { addCacheOptions, intArg, intListArg, numArg } from '../options.js';
import { runRealSpeech } from '../../workflows/experiment/real-speech.js';
import type { Hyperparameters } from '../../model/hyperparameters.js';

interface RealCliOptions {
  out: string;
  neutral?: string;
  real: string[];
  seeds?: number[];
  convertLimit?: number;
  probeClips?: number;
  epochs?: number;
  ensemble?: number;
  window?: number;
  windowHop?: number;
  trimSilence?: boolean;
  neutralClass?: boolean;
  speakerReference?: string;
  channels?: number;
  hidden?: number;
  fusion?: 'none' | 'product' | 'gate';
  convertPerClip?: number;
  profiles?: string;
  neutralResynthesis?: boolean;
  referenceResynthesis?: boolean;
  syntheticMix?: number;
  operatingPoint?: boolean;
  trainAugment?: string;
  prosodicRows?: boolean;
  cache: string | boolean;
}

interface GapCliOptions {
  synthetic?: string;
  converted?: string;
  neutral?: string;
  real?: string;
  out: string;
  quick?: boolean;
  seed: number;
  seeds?: number[];
  recipes?: string;
  model?: ModelSize;
  epochs?: number;
  maxLen?: number;
  augment?: string;
  augmentCopies?: number;
  trainAugment?: string;
  swa?: number;
  perClass?: number;
  convertPerClip?: number;
  cache: string | boolean;
  json?: boolean;
}

export function register(program: Command): void {
  const experiment = program.command('experiment').description('Experiments that measure what Affexion does on real speech');
  addCacheOptions(
    experiment
      .command('gap')
      .description(
        'Train with each data recipe (synthetic, + augmentation, converted neutral-pool, both) and front-end; ' +
          'score on real acted speech (panic vs excitement); table + chart. Resumable: re-run to continue.',
      )
      .requiredOption('--out <dir>', 'run directory (data/, recipes/<id>/result.json, table.md, results.json, report.html)')
      .option('--synthetic <data>', 'synthetic training set (default: generate offline into OUT/data/synthetic)')
      .option('--converted <data>', 'converted training set (default: convert --neutral into OUT/data/converted)')
      .option('--neutral <data>', 'real neutral speech to convert (default ../shared/data/neutral-pool)')
      .option('--real <data>', 'real labelled evaluation speech, never trained on (default ../shared/data/ravdess-dev)')
      .option('--quick', 'small data, tiny network, few epochs: checks the plumbing in minutes')
      .option('--seed <n>', 'random seed (data generation, augmentation, splits, weights)', intArg('--seed'), 1)
      .option(
        '--seeds <list>',
        'train every recipe once per seed, e.g. 1,2,3: mean ± sd and the ensemble of the seeds (data from the first)',
        intListArg('--seeds'),
      )
      .option(
        '--recipes <ids>',
        `comma-separated recipe ids (default all: ${defaultRecipes()
          .map((r) => r.id)
          .join(', ')}; ` +
          `ablations: ${ablationRecipes()
            .map((r) => r.id)
            .join(', ')})`,
      )
      .addOption(new Option('--model <size>', 'network size (default paper; tiny with --quick)').choices(Object.keys(MODEL_SIZES)))
      .option('--epochs <n>', 'maximum epochs for every recipe (default 15)', intArg('--epochs'))
      .option('--max-len <frames>', 'MAX_LEN for every recipe (default: 1000 for the paper row, 400 otherwise)', intArg('--max-len'))
      .option('--augment <spec>', 'augmentation for recipes b and d (see affexion augment --help)')
      .option('--train-augment <spec>', "online augmentation while training every recipe (as train --augment; default: each recipe's own)")
      .option('--swa <k>', 'weight averaging over the last k epochs for every recipe (as train --swa)', intArg('--swa'))
      .option('--augment-copies <n>', 'augmented copies per synthetic clip (default 1)', intArg('--augment-copies'))
      .option(
        '--convert-per-clip <n>',
        'converted variants per neutral clip and emotion when converting (default 1)',
        intArg('--convert-per-clip'),
      )
      .option('--per-class <n>', 'synthetic clips per class when generating (default 70; 8 with --quick)', intArg('--per-class'))
      .option('--json', 'print the table as JSON'),
  ).action(async (o: GapCliOptions) => {
    const progress = consoleProgress();
    try {
      const r = await runGapExperiment({
        out: o.out,
        synthetic: o.synthetic,
        converted: o.converted,
        neutral: o.neutral,
        real: o.real,
        quick: o.quick,
        seed: o.seed,
        seeds: o.seeds,
        recipes: o.recipes
          ? o.recipes
              .split(',')
              .map((s) => s.trim())
              .filter(Boolean)
          : undefined,
        model: o.model,
        hyper: {
          ...(o.epochs !== undefined ? { epochs: o.epochs } : {}),
          ...(o.maxLen !== undefined ? { max_len: o.maxLen } : {}),
          ...(o.trainAugment !== undefined ? { augment: o.trainAugment } : {}),
          ...(o.swa !== undefined ? { swa: o.swa } : {}),
        },
        augmentSpec: o.augment,
        augmentCopies: o.augmentCopies,
        perClass: o.perClass,
        convertPerClip: o.convertPerClip,
        cacheDir: o.cache === false ? null : typeof o.cache === 'string' ? o.cache : undefined,
        events: progress,
        command: process.argv.slice(1),
      });
      progress.stop();
      if (o.json) process.stdout.write(`${JSON.stringify({ rows: r.rows, report: r.report })}\n`);
      else process.stdout.write(`${r.table}\nreport: ${r.report}\n`);
    } finally {
      progress.stop();
    }
  });

  addCacheOptions(
    experiment
      .command('real-speech')
      .description(
        'Train the default recipe (demo size) once per seed and score it on real dev corpora with one protocol: balanced accuracy ' +
          '(panic vs excitement), confusion, calm false alarms, ECE, figures without references, length and join probes, a duration-only ' +
          'baseline; per corpus, mean over seeds and the mean of the corpora, printed as JSON. Resumable.',
      )
      .requiredOption('--out <dir>', 'run directory (data/converted, seed-N/model, results.json)')
      .option('--neutral <data>', 'real neutral speech to convert (default ../shared/data/neutral-pool)')
      .option(
        '--real <data>',
        'a real dev corpus, repeatable (default ../shared/data/ravdess-dev and tess-dev)',
        (v: string, acc: string[]) => [...acc, v],
        [] as string[],
      )
      .option('--seeds <list>', 'one model per seed, e.g. 1,2,3 (default 1)', intListArg('--seeds'))
      .option('--convert-limit <n>', "neutral clips converted (default the demo's 64)", intArg('--convert-limit'))
      .option('--convert-per-clip <n>', 'conversion variants per neutral clip and emotion (default 1)', intArg('--convert-per-clip'))
      .option('--profiles <file>', 'JSON conversion profiles changing the emotions converted into (docs/augmentation.md)')
      .option('--probe-clips <n>', 'clips per corpus for the length and join probes (default 48)', intArg('--probe-clips'))
      .option('--epochs <n>', "epochs (default the demo's)", intArg('--epochs'))
      .option('--ensemble <n>', 'networks per seed (default 1)', intArg('--ensemble'))
      .option('--channels <n>', "conv channels (default the demo's)", intArg('--channels'))
      .option('--hidden <n>', "LSTM hidden units (default the demo's)", intArg('--hidden'))
      .option('--window <s>', 'training/scoring window, seconds (0 = whole clips)', numArg('--window'))
      .option('--window-hop <s>', 'hop between scored windows, seconds', numArg('--window-hop'))
      .option('--no-trim-silence', 'keep the silence around clips')
      .option('--no-neutral-class', 'no neutral class (every neutral/calm clip a reference)')
      .option(
        '--neutral-resynthesis',
        "pass the neutral class's clips through the converter with a near-identity profile (docs/experiment.md seventh round)",
      )
      .option(
        '--reference-resynthesis',
        "with --neutral-resynthesis: pass the training speakers' reference clips through the converter too",
      )
      .option(
        '--operating-point',
        'calibrate each network on held-out training speakers first (3-fold speaker CV): temperature and neutral operating point',
      )
      .option(
        '--synthetic-mix <n>',
        'mix in N clips per class of every offline synthetic voice (espeak + flite; neutral readings too, one sentence pool); default 0',
        intArg('--synthetic-mix'),
      )
      .option('--speaker-reference <labels>', 'speaker reference labels ("" = off; default neutral,calm)')
      .option('--no-prosodic-rows', 'MFCC rows only (default: MFCC + six prosodic rows, as the default recipe)')
      .option(
        '--train-augment <spec>',
        'online augmentation while training (as train --augment, e.g. specaugment or noise,reverb,gain; default none)',
      )
      .addOption(
        new Option(
          '--fusion <mode>',
          'functional head fused with the network (product, gate; none = the network alone); the figures of ' +
            'every mode are reported from the same networks',
        ).choices(['none', 'product', 'gate']),
      ),
  ).action(async (o: RealCliOptions, cmd: Command) => {
    const progress = consoleProgress();
    const given = (k: string): boolean => cmd.getOptionValueSource(k) === 'cli';
    const hyper: Partial<Hyperparameters> = {
      ...(o.epochs !== undefined ? { epochs: o.epochs } : {}),
      ...(o.ensemble !== undefined ? { ensemble: o.ensemble } : {}),
      ...(o.channels !== undefined ? { conv_channels: o.channels } : {}),
      ...(o.hidden !== undefined ? { lstm_hidden: o.hidden } : {}),
      ...(o.window !== undefined ? { window: o.window } : {}),
      ...(o.windowHop !== undefined ? { window_hop: o.windowHop } : {}),
      ...(given('trimSilence') ? { trim_silence: o.trimSilence } : {}),
      ...(given('neutralClass') ? { neutral_class: o.neutralClass } : {}),
      ...(o.speakerReference !== undefined ? { speaker_reference: o.speakerReference } : {}),
      ...(o.trainAugment !== undefined ? { augment: o.trainAugment } : {}),
      ...(given('prosodicRows') ? { prosodic_rows: o.prosodicRows } : {}),
      ...(o.fusion !== undefined ? { functional_fusion: o.fusion } : {}),
    };
    try {
      const r = await runRealSpeech({
        out: o.out,
        neutral: o.neutral,
        real: o.real,
        seeds: o.seeds,
        convertLimit: o.convertLimit,
        convertPerClip: o.convertPerClip,
        profilesFile: o.profiles,
        probeClips: o.probeClips,
        hyper,
        ...(o.neutralResynthesis ? { neutralResynthesis: true } : {}),
        ...(o.referenceResynthesis ? { referenceResynthesis: true } : {}),
        ...(o.syntheticMix !== undefined ? { syntheticMix: o.syntheticMix } : {}),
        ...(o.operatingPoint ? { operatingPoint: true } : {}),
        cacheDir: o.cache === false ? null : typeof o.cache === 'string' ? o.cache : undefined,
        events: progress,
        command: process.argv.slice(1),
      });
      progress.stop();
      process.stdout.write(
        `${JSON.stringify({ summary: r.summary, training_lengths_seconds: r.training_lengths_seconds, results: `${o.out}/results.json` }, null, 1)}\n`,
      );
    } finally {
      progress.stop();
    }
  });
}
