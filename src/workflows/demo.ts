/**
 * `affexion demo`: the whole workflow in a few minutes, on the default recipe (src/train/recipe.ts):
 * convert a small set of real neutral speech into each emotion, synthesise a small set of emotional
 * speech offline (espeak + flite) to test on, train a small model, cross-validate it with speakers kept
 * apart, evaluate it on the synthetic set and on real acted speech, and write the report. Without real
 * neutral speech (no --neutral and no ../shared/data/neutral-pool) it says so and falls back to training
 * on synthetic speech (held-out voices and sentences). Small settings (fewer clips, channels, epochs than
 * the paper) keep it quick; the run says so. Re-running with the same --out reuses what is done.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { writeFileAtomic } from '../data/cache.js';
import { existingSharedData } from '../data/shared-data.js';
import { DEFAULT_CLASSES, DEFAULT_VOICES, SENTENCE_BANK, synthesize } from '../synth/index.js';
import type { CrossValidationRunSettings, Hyperparameters } from '../model/hyperparameters.js';
import { RECIPE_SETTINGS, resolveRecipe, type TrainingRecipe } from './recipe.js';
import { parseReferenceLabels } from '../data/reference.js';
import { reproduce, type ReproduceResult } from './reproduce.js';

/** The demo's model and training settings (smaller than the paper's, for minutes instead of hours). */
export const DEMO_HYPERPARAMETERS: Partial<Hyperparameters> = {
  epochs: 12,
  batch_size: 8,
  lr: 2e-3,
  step_size: 8,
  gamma: 0.5,
  max_len: 400,
  conv_channels: 32,
  lstm_hidden: 48,
  fc_hidden: 64,
};

/**
 * Neutral clips the demo converts (× 4 emotions = training clips). Measured on ravdess-dev with the demo's
 * network, one network and conversion method 1 (seeds 1–3): 32 clips 34.9 / 43.8 / 45.8 % balanced
 * accuracy in ≈ 1 min, 64 clips 41.1 / 41.1 / 54.2 % in ≈ 1.6 min; with method 2 and the recipe's
 * ensemble of 5, 64 clips give 35.4 / 51.6 / 46.4 %, and with speaker references 59.4 / 59.4 / 60.9 %
 * in ≈ 3 min (docs/training.md).
 */
export const DEMO_CONVERT_LIMIT = 64;

/** Voices the demo never trains on (the training set uses the 5 default "mixed" voices). */
export const HELD_OUT_VOICES = ['espeak-sc-m2', 'flite-kal16', 'espeak-us-f5'] as const;

/** Options of {@link runDemo}. */
export interface DemoOptions extends Pick<
  CrossValidationRunSettings,
  'hyper' | 'cacheDir' | 'events' | 'foldEvents' | 'signal' | 'command'
> {
  /** Run folder (default ./affexion-demo). */
  out?: string;
  /** Training recipe (default 'converted'; falls back to synthetic speech when no neutral speech is found). */
  recipe?: TrainingRecipe;
  /** Real neutral speech to convert (default ../shared/data/neutral-pool when it exists). */
  neutral?: string;
  /** Neutral clips to convert (default 64: 256 training clips over the four emotions). */
  convertLimit?: number;
  /** Real labelled speech to test on (default ../shared/data/ravdess-dev when it exists; null: none). */
  real?: string | null;
  /** Label map for --real (default for RAVDESS: fearful=panic,happy=excitement; neutral and calm stay, as speaker references). */
  labelMap?: string;
  /** Synthetic clips per class: training clips of the synthetic fallback (default 16); held-out / test clips (default 6). */
  perClass?: number;
  heldOutPerClass?: number;
  folds?: number;
  /** Seed of everything (default 1): synthesis, conversion, weights, folds. */
  seed?: number;
}

/**
 * Default label map for RAVDESS-style real data. Neutral and calm keep their labels: they are each
 * actor's speaker reference (the default recipe), and are never scored.
 */
export const RAVDESS_LABEL_MAP = 'fearful=panic,happy=excitement';

/** Whether the hyper-parameters' speaker reference labels include `label`. */
function hyperHasReference(h: Partial<Hyperparameters>, label: string): boolean {
  return parseReferenceLabels(h.speaker_reference ?? '').includes(label);
}

/** Splits the sentence bank: every `every`-th sentence of each class is held out of training. */
export function splitSentences(classes: readonly string[], every = 4): { train: string; heldOut: string } {
  const train = ['label,text'];
  const held = ['label,text'];
  for (const c of classes) {
    const bank = SENTENCE_BANK[c] ?? [];
    if (bank.length < 2) throw new Error(`demo: the sentence bank has too few sentences for "${c}"`);
    bank.forEach((text, i) => (i % every === every - 1 ? held : train).push(`${c},${text.replace(/[\r\n"]/g, ' ')}`));
  }
  return { train: `${train.join('\n')}\n`, heldOut: `${held.join('\n')}\n` };
}

/** What {@link runDemo} returns. */
export type DemoResult = ReproduceResult & {
  /** Synthetic test set (converted recipe) or held-out set (synthetic fallback). */
  heldOutData: string;
  /** Synthetic training set of the fallback, else null. */
  trainData: string | null;
  /** Why the demo did not use its default recipe, or null. */
  fallback: string | null;
};

/** Runs the demo; see the module comment. */
export async function runDemo(o: DemoOptions = {}): Promise<DemoResult> {
  const events = o.events ?? {};
  const out = path.resolve(o.out ?? 'affexion-demo');
  const classes = [...DEFAULT_CLASSES];
  const seed = o.seed ?? 1;
  const perClass = o.perClass ?? 16;
  const heldPer = o.heldOutPerClass ?? 6;
  const convertLimit = o.convertLimit ?? DEMO_CONVERT_LIMIT;
  const dataDir = path.join(out, 'data');
  mkdirSync(dataDir, { recursive: true });
  const real = o.real === null ? null : (o.real ?? existingSharedData('ravdess-dev'));
  // Every real-speech figure on both dev corpora (issue 13): tess-dev beside the default ravdess-dev.
  const moreReal = o.real === undefined && real ? [existingSharedData('tess-dev')].filter((d): d is string => d !== null) : [];
  const labelMap = real ? (o.labelMap ?? RAVDESS_LABEL_MAP) : undefined;
  let recipe = resolveRecipe(o.recipe);
  const neutral = o.neutral ?? existingSharedData('neutral-pool');
  let fallback: string | null = null;
  if (recipe === 'converted' && !neutral) {
    fallback =
      'no real neutral speech to convert (give --neutral DIR, or place the shared data at ../shared/data/neutral-pool): ' +
      'trained on synthetic speech instead, which transfers to real speech much worse (docs/experiment.md)';
    events.log?.(`demo: ${fallback}`);
    recipe = 'paper';
  }
  // The recipe's ensemble size (5 networks for converted) and speaker reference, the demo's small network for each.
  const rh = RECIPE_SETTINGS[recipe].hyper;
  const hyper = {
    ...DEMO_HYPERPARAMETERS,
    ensemble: rh.ensemble ?? 1,
    speaker_reference: rh.speaker_reference ?? '',
    trim_silence: rh.trim_silence ?? false,
    window: rh.window ?? 0,
    window_hop: rh.window_hop ?? 0,
    mask_padding: rh.mask_padding ?? false,
    neutral_class: rh.neutral_class ?? false,
    functional_fusion: rh.functional_fusion ?? 'none',
    seed,
    ...(o.hyper ?? {}),
  };
  const sentences = splitSentences(classes);
  const trainSentences = path.join(dataDir, 'sentences-train.csv');
  const heldSentences = path.join(dataDir, 'sentences-held-out.csv');
  writeFileAtomic(trainSentences, sentences.train);
  writeFileAtomic(heldSentences, sentences.heldOut);
  const synthProgress =
    (name: string) =>
    (done: number, total: number): void =>
      events.stage?.(name, done, total);
  const settingsLine =
    `${hyper.window ? `${hyper.window} s windows (scored every ${hyper.window_hop || hyper.window / 3} s), silence ${hyper.trim_silence ? '' : 'not '}trimmed` : `MAX_LEN ${hyper.max_len} frames`}, ${hyper.conv_channels} conv channels, LSTM ${hyper.lstm_hidden}, ${hyper.epochs} epochs ` +
    `(the paper: 1000 frames, 64, 128, 15)${hyper.ensemble > 1 ? `, ensemble of ${hyper.ensemble} networks` : ''}`;
  const common = {
    out,
    real,
    moreReal,
    labelMap,
    folds: o.folds ?? 3,
    groupBy: 'speaker' as const,
    hyper,
    loudness: 'peak' as const,
    cacheDir: o.cacheDir,
    events,
    foldEvents: o.foldEvents,
    signal: o.signal,
    command: o.command,
    kind: 'demo',
  };

  if (recipe === 'converted') {
    const heldOutData = path.join(dataDir, 'test');
    events.log?.(
      `demo: recipe converted — ${RECIPE_SETTINGS.converted.describe}; small settings for a quick run: ` +
        `${convertLimit} neutral clips × ${classes.length} emotions, ${settingsLine}`,
    );
    // With speaker reference normalisation each test voice also needs neutral clips: its reference, not scored.
    const testClasses = hyperHasReference(hyper, 'neutral') ? [...classes, 'neutral'] : classes;
    events.log?.(
      `demo 1/3: synthesising ${heldPer * testClasses.length} test clips (voices ${DEFAULT_VOICES.mixed.join(', ')}; never trained on` +
        `${testClasses.length > classes.length ? "; the neutral ones are each voice's speaker reference" : ''})`,
    );
    await synthesize({
      out: heldOutData,
      perClass: heldPer,
      classes: testClasses,
      provider: 'mixed',
      lengths: ['short'],
      seed: seed + 1000,
      sentencesFile: heldSentences,
      onProgress: synthProgress('synthesising test clips'),
      log: events.log,
    });
    if (o.signal?.aborted) throw new Error('demo interrupted; re-run the same command to continue');
    events.log?.('demo 2/3 and 3/3: convert neutral speech, train, cross-validate (speakers kept apart), evaluate');
    const r = await reproduce({
      ...common,
      recipe: 'converted',
      neutral: neutral!,
      convertLimit,
      synthetic: heldOutData,
      title: 'Affexion demo: real neutral speech converted into emotions → model → synthetic speech' + (real ? ' and real speech' : ''),
      notes: [
        `Demo settings, smaller than the paper's for a run of a few minutes: ${convertLimit} real neutral clips of ${neutral} converted into ` +
          `${classes.length} emotions (affexion convert), ${heldPer} synthetic test clips per class (5 espeak/flite voices, never trained on), ` +
          `${hyper.window ? `${hyper.window} s windows (silence trimmed, clips scored by the mean of their windows)` : `MAX_LEN ${hyper.max_len} frames`}, ` +
          `conv ${hyper.conv_channels} channels, LSTM ${hyper.lstm_hidden}, dense ${hyper.fc_hidden}, ` +
          `${hyper.epochs} epochs, batch ${hyper.batch_size}, lr ${hyper.lr}. Cross-validation keeps each speaker on one side of every fold.`,
        'The comparison with the paper is indicative only: the paper trained on 280 GPT-4o clips and a full-size network.',
      ],
    });
    return { ...r, heldOutData, trainData: null, fallback };
  }

  events.log?.(`demo: synthetic speech, small settings for a quick run — ${perClass} clips per class of 3–4 s, ${settingsLine}`);
  const trainData = path.join(dataDir, 'train');
  const heldOutData = path.join(dataDir, 'held-out');
  events.log?.(`demo 1/4: synthesising ${perClass * classes.length} training clips (voices ${DEFAULT_VOICES.mixed.join(', ')})`);
  await synthesize({
    out: trainData,
    perClass,
    classes,
    provider: 'mixed',
    lengths: ['short'],
    seed,
    sentencesFile: trainSentences,
    onProgress: synthProgress('synthesising training clips'),
    log: events.log,
  });
  events.log?.(
    `demo 2/4: synthesising ${heldPer * classes.length} held-out clips (unseen voices ${HELD_OUT_VOICES.join(', ')}, unseen sentences)`,
  );
  await synthesize({
    out: heldOutData,
    perClass: heldPer,
    classes,
    provider: 'mixed',
    voices: [...HELD_OUT_VOICES],
    lengths: ['short'],
    seed: seed + 1000,
    sentencesFile: heldSentences,
    onProgress: synthProgress('synthesising held-out clips'),
    log: events.log,
  });
  if (o.signal?.aborted) throw new Error('demo interrupted; re-run the same command to continue');

  events.log?.('demo 3/4 and 4/4: train, cross-validate (voices kept apart), evaluate');
  const r = await reproduce({
    ...common,
    recipe: 'paper',
    synthetic: trainData,
    title: 'Affexion demo: synthetic speech → model → held-out voices and sentences' + (real ? ' → real speech' : ''),
    extraEvaluations: { 'held-out voices & sentences': heldOutData },
    notes: [
      ...(fallback ? [`Not the default recipe: ${fallback}.`] : []),
      `Demo settings, smaller than the paper's for a run of a few minutes: ${perClass} training clips per class (3–4 s, ` +
        `5 espeak/flite voices), ${heldPer} held-out clips per class (3 other voices, sentences not used in training), ` +
        `MAX_LEN ${hyper.max_len} frames, conv ${hyper.conv_channels} channels, LSTM ${hyper.lstm_hidden}, dense ${hyper.fc_hidden}, ` +
        `${hyper.epochs} epochs, batch ${hyper.batch_size}, lr ${hyper.lr}, peak loudness. Cross-validation keeps each voice on one side of every fold.`,
      'The comparison with the paper is indicative only: the paper trained on 280 GPT-4o clips and a full-size network.',
    ],
  });
  return { ...r, trainData, heldOutData, fallback };
}
