/**
 * `runGapExperiment`: trains the network with every data recipe × front-end, scores each on real
 * acted speech (ravdess-dev: fearful → panic, happy → excitement; neutral/calm reported apart) and
 * writes a table (balanced accuracy on panic vs excitement, macro F1) with the paper's recipe first,
 * plus a report with the chart. Resumable: each finished recipe's result.json is reused when its
 * settings and data are unchanged. Deterministic for a given --seed.
 */
import { withOutputLock } from '../../data/out-lock.js';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { FeatureCache, defaultCacheDir, writeFileAtomic } from '../../data/cache.js';
import { scanDataset } from '../../data/dataset.js';
import { sharedDataPath } from '../../data/shared-data.js';
import type { FeatureMatrix, FeatureParams } from '../../features/index.js';
import { resolveHyperparameters, PAPER_HYPERPARAMETERS, type Hyperparameters, type RunSettings } from '../../model/hyperparameters.js';
import type { EpochRecord, LabelledFeatures } from '../../train/fit.js';
import { writeReport } from '../../report/index.js';
import { loadAudio } from '../../audio/load.js';
import {
  augmentSamples,
  clipsFeatures,
  featureKind,
  samplesFeatures,
  EXPERIMENT_FEATURE_PARAMS,
  type Clip,
  type ClipFeatureSettings,
} from './features.js';
import {
  assertNoRealClips,
  datasetClips,
  prepareConverted,
  prepareSynthetic,
  recipeClips,
  EXPERIMENT_AUGMENT_SPEC,
  REAL_LABEL_MAP,
  REAL_TARGET_CLASSES,
} from './data.js';
import { defaultRecipes, frontEndHyper, selectRecipes, type GapRecipe } from './recipes.js';
import { normalizeBySpeakerReference, parseReferenceLabels } from '../../data/reference.js';
import { fitWithEarlyStopping, predictReal, scoreReal, type RealScores } from './fit.js';
import { gapReport, gapTable, markdownTable, type GapRow, type RecipeGroup } from './table.js';
import { ParamError, renameParams } from '../../engine/errors.js';
import { parseAugmentSpec } from '../../augment/augmenter.js';

/** Network sizes: the paper's, or a small one for quick exploration on a shared CPU. */
export const MODEL_SIZES: Readonly<Record<'paper' | 'small' | 'tiny', Partial<Hyperparameters>>> = Object.freeze({
  paper: {},
  small: { conv_channels: 32, lstm_hidden: 48, fc_hidden: 64, batch_size: 16 },
  tiny: { conv_channels: 8, kernel_sizes: [3, 5], lstm_hidden: 16, lstm_layers: 1, fc_hidden: 16, batch_size: 16, epochs: 4 },
});
export type ModelSize = keyof typeof MODEL_SIZES;

/** Options of {@link runGapExperiment}. Only `out` is required. */
export interface GapExperimentOptions extends Pick<RunSettings, 'hyper' | 'features' | 'cacheDir' | 'events' | 'command'> {
  /** Run folder: data/, recipes/<id>/result.json, results.json, table.md, report.html. */
  out: string;
  /** Synthetic dataset; generated into RUN_DIR/data/synthetic when not given. */
  synthetic?: string;
  /** Converted dataset; made from `neutral` into RUN_DIR/data/converted when not given. */
  converted?: string;
  /** Real neutral speech to convert (default ../shared/data/neutral-pool). */
  neutral?: string;
  /** Real labelled evaluation speech (default ../shared/data/ravdess-dev). Never trained on. */
  real?: string;
  /** Small everything: 8 synthetic clips per class, 16 neutral sources, the tiny network, few epochs. */
  quick?: boolean;
  /** Seed of the data generation and, without `seeds`, of training (default 1). */
  seed?: number;
  /**
   * Train every recipe once per seed (weights, shuffling, dropout, held-out split, augmentation); the
   * table gives the mean ± standard deviation and the ensemble (mean of the seeds' probabilities).
   * Data generation uses the first. Default: [seed].
   */
  seeds?: number[];
  /** Recipe ids to run (default: all of {@link defaultRecipes}). */
  recipes?: string[];
  /** Network size (default 'paper'; 'tiny' with --quick). */
  model?: ModelSize;
  /** Augmentation spec and copies per synthetic clip for recipes (b) and (d). */
  augmentSpec?: string;
  augmentCopies?: number;
  /** Converted variants per neutral clip and emotion when converting (default 1). */
  convertPerClip?: number;
  /** Synthetic clips per class when generating (default 70; 8 with --quick). */
  perClass?: number;
}

/** One finished recipe and seed (RUN_DIR/recipes/<id>/seed-<seed>/result.json). */
export interface RecipeResult {
  recipe: GapRecipe;
  seed: number;
  signature: string;
  hyper: Hyperparameters;
  features: ClipFeatureSettings;
  n_train: number;
  n_val: number;
  /** Training clips per class. */
  train_counts: Record<string, number>;
  classes: string[];
  best_epoch: number;
  history: EpochRecord[];
  real: Omit<RealScores, 'metrics'> & { confusion: RealScores['metrics']['confusion']; per_class: RealScores['metrics']['per_class'] };
  seconds: number;
}

/** What {@link runGapExperiment} returns. */
export interface GapExperimentResult {
  out: string;
  /** One row per recipe (over all seeds). */
  rows: GapRow[];
  /** One per recipe and seed, recipe-major. */
  results: RecipeResult[];
  report: string;
  table: string;
}

function hashOf(x: unknown): string {
  return createHash('sha256').update(JSON.stringify(x)).digest('hex').slice(0, 16);
}

function clipsFingerprint(clips: readonly Clip[]): string {
  const h = createHash('sha256');
  for (const c of clips) h.update(`${c.file}\0${c.label}\0${statSync(c.file).size}\0${JSON.stringify(c.augment ?? null)}\n`);
  return h.digest('hex').slice(0, 16);
}

/** Labelled features; with `settings`, also the clips' audio for online augmentation (training side). */
function labelled(
  features: FeatureMatrix[],
  clips: readonly Clip[],
  classes: readonly string[],
  settings?: ClipFeatureSettings,
): LabelledFeatures {
  const index = new Map(classes.map((c, i) => [c, i]));
  const sr = settings?.params.sr ?? 16000;
  const audio = settings && {
    sr,
    load: async (i: number) => augmentSamples((await loadAudio(clips[i]!.file, { sr })).samples, sr, clips[i]!),
    features: (samples: Float32Array) => samplesFeatures(samples, settings),
  };
  return { features, targets: Int32Array.from(clips, (c) => index.get(c.label) as number), audio };
}

/** Runs the experiment; see the module comment. */
export async function runGapExperiment(o: GapExperimentOptions): Promise<GapExperimentResult> {
  if (!o.out) throw new ParamError('out', 'an output folder is required');
  // One run per output folder (src/data/out-lock.ts), as train, cv and reproduce.
  return withOutputLock(o.out, () => runGapExperimentLocked(o));
}

async function runGapExperimentLocked(o: GapExperimentOptions): Promise<GapExperimentResult> {
  const events = o.events ?? {};
  const out = path.resolve(o.out);
  const seeds = o.seeds ?? [o.seed ?? 1];
  if (seeds.length === 0 || seeds.some((x) => !Number.isInteger(x)))
    throw new ParamError('seeds', `expected integers like 1,2,3, got ${seeds.join(',')}`);
  if (new Set(seeds).size !== seeds.length) throw new ParamError('seeds', `${seeds.join(',')} repeats a seed`);
  if (o.seed !== undefined && !Number.isInteger(o.seed)) throw new ParamError('seed', `expected an integer, got ${o.seed}`);
  if ((o.hyper?.ensemble ?? 1) !== 1) {
    // Each row and seed is one network; the table's seed-ensemble column is the ensemble.
    throw new ParamError('ensemble', `the experiment trains one network per recipe and seed; for an ensemble of N give N seeds s,…,s+N−1`);
  }
  // Data generation (synthetic set, conversion) uses one seed, so every training seed sees the same data.
  const seed = o.seeds ? seeds[0]! : (o.seed ?? 1);
  const modelSize: ModelSize = o.model ?? (o.quick ? 'tiny' : 'paper');
  if (!(modelSize in MODEL_SIZES))
    throw new ParamError('model', `expected one of ${Object.keys(MODEL_SIZES).join(', ')}, got "${o.model}"`);
  const augmentCopies = o.augmentCopies ?? 1;
  if (!Number.isInteger(augmentCopies) || augmentCopies < 1)
    throw new ParamError('augmentCopies', `expected a positive integer, got ${o.augmentCopies}`);
  const augmentSpec = o.augmentSpec ?? EXPERIMENT_AUGMENT_SPEC;
  renameParams({ augment: 'augmentSpec' }, () => parseAugmentSpec(augmentSpec)); // up front, not inside the first recipe's features
  const recipes = selectRecipes(defaultRecipes(), o.recipes);
  const realPath = o.real ?? sharedDataPath('ravdess-dev');
  if (!existsSync(realPath)) throw new ParamError('real', `${realPath} does not exist`);
  mkdirSync(out, { recursive: true });
  const cache = new FeatureCache(o.cacheDir === undefined ? defaultCacheDir() : o.cacheDir);
  const params: FeatureParams = { ...EXPERIMENT_FEATURE_PARAMS, ...(o.features ?? {}) };

  const real = renameParams({ data: 'real' }, () => scanDataset(realPath, { labelMap: REAL_LABEL_MAP }));
  const needsSynthetic = recipes.some((r) => r.data !== 'converted');
  const needsConverted = recipes.some((r) => r.data === 'converted' || r.data === 'synthetic+aug+converted');
  const synthetic = needsSynthetic
    ? await prepareSynthetic({
        given: o.synthetic,
        out: path.join(out, 'data', 'synthetic'),
        perClass: o.perClass ?? (o.quick ? 8 : 70),
        seed,
        events,
      })
    : null;
  const converted = needsConverted
    ? await prepareConverted({
        given: o.converted,
        neutral: o.neutral ?? sharedDataPath('neutral-pool'),
        out: path.join(out, 'data', 'converted'),
        seed,
        limit: o.quick ? 16 : undefined,
        perClip: o.convertPerClip,
        real,
        events,
      })
    : null;
  const syntheticClips = synthetic ? datasetClips(synthetic, 'synthetic') : [];
  const convertedClips = converted ? datasetClips(converted, 'converted') : [];
  // Emotional real speech never enters training: not the files, not the same audio, not the speakers
  // (prepareConverted has checked the converted set, its sources and speakers against `real`).
  assertNoRealClips(syntheticClips, real, 'synthetic');
  const classes = [...new Set([...syntheticClips, ...convertedClips].map((c) => c.label))].sort();
  for (const t of REAL_TARGET_CLASSES) {
    if (!classes.includes(t))
      throw new Error(
        `training data has no "${t}" clips (classes: ${classes.join(', ')}); the real set is scored on ${REAL_TARGET_CLASSES.join(' vs ')}`,
      );
  }

  const realClips = datasetClips(real, 'real');
  // Speaker references (the `reference` front-end): converted speakers' neutral-pool clips, tagged like
  // the converted clips made from them; real actors' own neutral/calm clips are among realClips.
  const neutralClips =
    converted && recipes.some((r) => r.frontEnd === 'reference')
      ? datasetClips(
          renameParams({ data: 'neutral' }, () => scanDataset(o.neutral ?? sharedDataPath('neutral-pool'))),
          'converted',
        )
      : [];
  const realFeatures = new Map<string, FeatureMatrix[]>();
  const results: RecipeResult[] = [];
  const groups: RecipeGroup[] = [];
  const realLabels = realClips.map((c) => c.label);
  for (const [i, recipe] of recipes.entries()) {
    const group: RecipeGroup = { recipe, results: [], ensemble: null };
    const probsSum = new Float64Array(realClips.length * classes.length);
    for (const [j, runSeed] of seeds.entries()) {
      const prefix = `[${i + 1}/${recipes.length}] ${recipe.id}${seeds.length > 1 ? ` seed ${runSeed} (${j + 1}/${seeds.length})` : ''}`;
      const { result, probs } = await runRecipe(recipe, runSeed, prefix);
      group.results.push(result);
      results.push(result);
      for (let k = 0; k < probs.length; k++) probsSum[k]! += probs[k]!;
    }
    if (seeds.length > 1) {
      // The ensemble: mean of the seeds' class probabilities per real clip.
      const mean = Float32Array.from(probsSum, (v) => v / seeds.length);
      const e = scoreReal(mean, realLabels, classes);
      group.ensemble = { balanced_accuracy: e.balanced_accuracy, macro_f1: e.macro_f1, recall: e.recall };
      events.log?.(
        `[${i + 1}/${recipes.length}] ${recipe.id}: ensemble of ${seeds.length} seeds: balanced accuracy ${(100 * e.balanced_accuracy).toFixed(1)} %`,
      );
    }
    groups.push(group);
  }

  /** Trains and scores one recipe with one seed, or reuses its finished result. */
  async function runRecipe(recipe: GapRecipe, runSeed: number, prefix: string): Promise<{ result: RecipeResult; probs: Float32Array }> {
    const hyper = resolveHyperparameters({
      ...PAPER_HYPERPARAMETERS,
      ...MODEL_SIZES[modelSize],
      ...recipe.hyper,
      ...frontEndHyper(recipe.frontEnd),
      seed: runSeed,
      ...(o.hyper ?? {}),
    });
    const settings: ClipFeatureSettings = { kind: featureKind(recipe.frontEnd), loudness: recipe.loudness, params };
    const split = recipeClips(recipe.data, {
      synthetic: syntheticClips,
      converted: convertedClips,
      augmentSpec,
      augmentCopies,
      seed: runSeed,
      holdOut: recipe.patience > 0,
    });
    // Belt and braces: the exact clip lists that are trained and early-stopped on.
    assertNoRealClips([...split.train, ...split.val], real, `recipe ${recipe.id}`);
    const signature = hashOf({
      recipe,
      hyper,
      settings,
      train: clipsFingerprint(split.train),
      val: clipsFingerprint(split.val),
      real: clipsFingerprint(realClips),
      classes,
    });
    const dir = path.join(out, 'recipes', recipe.id, `seed-${runSeed}`);
    const resultFile = path.join(dir, 'result.json');
    const probsFile = path.join(dir, 'real-probs.json');
    if (existsSync(resultFile) && existsSync(probsFile)) {
      const prev = JSON.parse(readFileSync(resultFile, 'utf8')) as RecipeResult;
      if (prev.signature === signature) {
        events.log?.(`${prefix}: done before (balanced accuracy ${(100 * prev.real.balanced_accuracy).toFixed(1)} %), reused`);
        const saved = JSON.parse(readFileSync(probsFile, 'utf8')) as { clips: { probs: number[] }[] };
        return { result: prev, probs: Float32Array.from(saved.clips.flatMap((c) => c.probs)) };
      }
      events.log?.(`${prefix}: settings or data changed since the last run; recomputing`);
    }
    const started = Date.now();
    events.log?.(
      `${prefix}: ${recipe.label} — ${split.train.length} training clips${split.val.length ? `, ${split.val.length} held out for early stopping` : ''}; ` +
        `MAX_LEN ${hyper.max_len}, ${hyper.conv_channels} ch, LSTM ${hyper.lstm_hidden}×${hyper.lstm_layers}, up to ${hyper.epochs} epochs` +
        (hyper.augment ? `, online augmentation ${hyper.augment}` : ''),
    );
    let trainFeats = await clipsFeatures(split.train, settings, cache, (d, t) => events.stage?.(`${recipe.id} features (training)`, d, t));
    let valFeats = await clipsFeatures(split.val, settings, cache, (d, t) => events.stage?.(`${recipe.id} features (validation)`, d, t));
    const refLabels = parseReferenceLabels(hyper.speaker_reference);
    if (refLabels.length) {
      if (hyper.augment)
        throw new Error(
          `recipe ${recipe.id}: online augmentation with speaker references is not supported by the experiment (use affexion train)`,
        );
      // Training speakers are converted ones: their references are the neutral-pool clips.
      const refClips = neutralClips.filter((c) => refLabels.includes(c.label));
      const refFeats = await clipsFeatures(refClips, settings, cache, (d, t) => events.stage?.('features (speaker references)', d, t));
      const norm = (clips: readonly Clip[], mats: FeatureMatrix[], where: string): FeatureMatrix[] =>
        renameParams({ data: where }, () =>
          normalizeBySpeakerReference(
            mats,
            clips.map((c) => c.speaker),
            clips.map((c) => c.file),
            refFeats,
            refClips.map((c) => c.speaker),
            refLabels,
            hyper.max_len,
          ),
        );
      trainFeats = norm(split.train, trainFeats, `recipe ${recipe.id} (training)`);
      valFeats = norm(split.val, valFeats, `recipe ${recipe.id} (validation)`);
    }
    const fit = await fitWithEarlyStopping(
      labelled(trainFeats, split.train, classes, settings),
      split.val.length ? labelled(valFeats, split.val, classes) : null,
      classes.length,
      hyper,
      recipe.patience,
      events,
    );
    const realKey = JSON.stringify(settings);
    if (!realFeatures.has(realKey))
      realFeatures.set(realKey, await clipsFeatures(realClips, settings, cache, (d, t) => events.stage?.('features (real)', d, t)));
    let realFeats = realFeatures.get(realKey)!;
    if (refLabels.length) {
      // The actors' references are their own neutral/calm clips of the real set.
      const refIdx = realClips.flatMap((c, j) => (refLabels.includes(c.label) ? [j] : []));
      realFeats = renameParams({ data: 'real' }, () =>
        normalizeBySpeakerReference(
          realFeats,
          realClips.map((c) => c.speaker),
          realClips.map((c) => c.file),
          refIdx.map((j) => realFeats[j]!),
          refIdx.map((j) => realClips[j]!.speaker),
          refLabels,
          hyper.max_len,
        ),
      );
    }
    const probs = await predictReal(fit.state, realFeats, hyper);
    const scores = scoreReal(probs, realLabels, classes);
    const { metrics, ...rest } = scores;
    const trainCounts: Record<string, number> = {};
    for (const c of split.train) trainCounts[c.label] = (trainCounts[c.label] ?? 0) + 1;
    const result: RecipeResult = {
      recipe,
      seed: runSeed,
      signature,
      hyper,
      features: settings,
      n_train: split.train.length,
      n_val: split.val.length,
      train_counts: trainCounts,
      classes,
      best_epoch: fit.bestEpoch,
      history: fit.history,
      real: { ...rest, confusion: metrics.confusion, per_class: metrics.per_class },
      seconds: (Date.now() - started) / 1000,
    };
    mkdirSync(dir, { recursive: true });
    // The exact clips trained and early-stopped on, for audit (and the leakage test).
    writeFileAtomic(
      path.join(dir, 'training-clips.txt'),
      [
        ...split.train.map((c) => `train\t${c.label}\t${c.file}${c.augment ? `\taug${c.augment.copy}` : ''}`),
        ...split.val.map((c) => `val\t${c.label}\t${c.file}`),
      ].join('\n') + '\n',
    );
    // Per-clip probabilities on the real set: the ensemble over seeds is computed from these, and runs can be compared afterwards.
    writeFileAtomic(
      probsFile,
      JSON.stringify({
        classes,
        clips: realClips.map((c, j) => ({
          file: c.file,
          label: c.label,
          probs: Array.from(probs.subarray(j * classes.length, (j + 1) * classes.length)),
        })),
      }),
    );
    writeFileAtomic(resultFile, JSON.stringify(result, null, 1));
    events.log?.(
      `${prefix}: balanced accuracy ${(100 * scores.balanced_accuracy).toFixed(1)} % (panic ${(100 * (scores.recall.panic ?? 0)).toFixed(1)} %, ` +
        `excitement ${(100 * (scores.recall.excitement ?? 0)).toFixed(1)} %), macro F1 ${(100 * scores.macro_f1).toFixed(1)} %, kept epoch ${fit.bestEpoch}, ${result.seconds.toFixed(0)} s`,
    );
    return { result, probs };
  }

  const rows = gapTable(groups);
  const table = markdownTable(rows);
  writeFileAtomic(path.join(out, 'table.md'), table);
  writeFileAtomic(
    path.join(out, 'results.json'),
    JSON.stringify(
      {
        seeds,
        data_seed: seed,
        model: modelSize,
        augment: { spec: augmentSpec, copies: augmentCopies },
        real: real.source,
        label_map: REAL_LABEL_MAP,
        synthetic: synthetic?.source ?? null,
        converted: converted?.source ?? null,
        rows,
      },
      null,
      1,
    ),
  );
  const written = await writeReport(
    out,
    gapReport({ results, rows, real, synthetic, converted, seeds, modelSize, augmentSpec, augmentCopies, command: o.command }),
  );
  return { out, rows, results, report: written.html, table };
}
