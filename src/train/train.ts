/**
 * `affexion train`: scan a dataset, extract (cached) features, train the network with the paper's
 * defaults, and keep MODEL_DIR usable at every moment: after each epoch the model, the checkpoint and
 * metrics.jsonl are rewritten atomically, so an interrupted run leaves the last complete epoch.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { withOutputLock } from '../data/out-lock.js';
import path from 'node:path';
import { FeatureCache, defaultCacheDir } from '../data/cache.js';
import { describeDataset, scanDataset, type Dataset, type SkippedFile } from '../data/dataset.js';
import type { FeatureSettings } from '../data/features.js';
import {
  dataFingerprint,
  loadSplit,
  referenceDatasets,
  referenceFingerprint,
  trainingDataset,
  type LabelledFeatures,
  type LoadedSplit,
  type DataSource,
} from '../data/split.js';
import { classificationMetrics, argmaxRows, type ClassificationMetrics } from '../report/metrics.js';
import { initialState, runEpochs, type EpochRecord, type TrainingState } from './fit.js';
import { checkpointDiffers, checkpointPath, loadCheckpoint, saveEpoch, signatureMismatch, type RunSignature } from '../model/checkpoint.js';
import { resolveRunSettings, windowHopFrames, type Hyperparameters, type RunSettings } from '../model/hyperparameters.js';
import { clearModelDir, ensembleMemberDir, holdsModel, meanProbabilities, saveEnsembleManifest } from '../model/model-dir.js';
import type { ProgressEvents } from '../report/progress.js';
import { removeFunctionalHead, saveFunctionalHead } from '../model/functional-head-file.js';
import { fitHeadOnSplit } from './functional-head-fit.js';
import type { SpeakerReference } from '../data/reference.js';
import { ParamError } from '../engine/errors.js';

// metrics.jsonl is a model-directory file (model/model-dir.ts), written with the model and checkpoint.
export { METRICS_FILE, writeMetricsJsonl } from '../model/model-dir.js';

/** Options of {@link train}. Only `data` and `out` are required. */
export interface TrainOptions extends RunSettings, DataSource {
  /** Model directory to write. */
  out: string;
  /** Validation data, evaluated after every epoch (`labelMap` applies when it is a path). */
  val?: string | Dataset | null;
  /**
   * Continue from MODEL_DIR's checkpoint (up to `hyper.epochs` epochs in total). 'auto': resume when a
   * checkpoint made with the same settings and data exists, else start afresh (used by reproduce/demo).
   */
  resume?: boolean | 'auto';
  /** Overwrite a model already in `out` (otherwise that is an error). */
  force?: boolean;
  /** Write MODEL_DIR/report.html at the end (default true). */
  report?: boolean;
}

/** What {@link train} returns. */
export interface TrainResult {
  modelDir: string;
  classes: string[];
  history: EpochRecord[];
  dataset: Dataset;
  /** Files skipped while scanning or decoding (training and validation data). */
  skipped: SkippedFile[];
  /** Final validation metrics when `val` was given (of the ensemble, when `hyper.ensemble` > 1). */
  validation?: ClassificationMetrics & { unknown_labels: Record<string, number> };
  /** Paths of report.html (when written). */
  report?: string;
  /** The trained network's state; with an ensemble, the first member's (`members` has them all). */
  state: TrainingState;
  /** Every network's state, member order (one entry without an ensemble). */
  members: TrainingState[];
  featureSettings: FeatureSettings;
  hyper: Hyperparameters;
}

/** Options of {@link trainToDir}. */
export interface TrainToDirOptions {
  out: string;
  train: LabelledFeatures;
  val?: LabelledFeatures | null;
  classes: string[];
  hyper: Hyperparameters;
  settings: FeatureSettings;
  /** Settings + data fingerprint; a checkpoint is resumed only when its signature matches. */
  signature: RunSignature;
  /** 'require': resume or fail; 'auto': resume when a matching checkpoint exists (cv folds); 'never'. */
  resume: 'require' | 'auto' | 'never';
  events?: ProgressEvents;
  signal?: AbortSignal;
}

/**
 * Trains on in-memory features, saving model + checkpoint + metrics.jsonl in `out` after every epoch.
 * Used by train, cv (one directory per fold), reproduce and demo.
 */
export async function trainToDir(o: TrainToDirOptions): Promise<TrainingState> {
  const { out, classes, hyper, settings, signature, events } = o;
  mkdirSync(out, { recursive: true });
  const state = initialState(hyper, o.train, classes.length);
  const current = JSON.parse(JSON.stringify(signature)) as RunSignature;
  if (o.resume === 'require' || (o.resume === 'auto' && existsSync(checkpointPath(out)))) {
    const ck = loadCheckpoint(out);
    const diff = signatureMismatch(ck.signature, current);
    if (diff && o.resume === 'require')
      throw new ParamError('resume', `the checkpoint in ${out} was made with different settings or data (${diff})`);
    if (diff) events?.log?.(`${out}: checkpoint made with other settings (${diff}); starting afresh`);
    else {
      ck.applyTo(state);
      events?.log?.(`resuming after epoch ${state.epoch} of ${hyper.epochs}`);
      if (state.epoch >= hyper.epochs) events?.log?.(`already trained ${state.epoch} epoch(s); raise --epochs to train longer`);
    }
  }
  const run = {
    classes,
    featureSettings: settings,
    hyper,
    populationReference: (o.train as { populationReference?: SpeakerReference | null }).populationReference,
  };
  return runEpochs(state, {
    hyper,
    train: o.train,
    val: o.val,
    events,
    signal: o.signal,
    onEpoch: (st) => saveEpoch(out, st, current, run),
    valMetrics: (probs, val) => {
      const m = classificationMetrics(val.targets, argmaxRows(probs, val.targets.length, classes.length), classes);
      return { val_balanced_accuracy: m.balanced_accuracy, val_macro_f1: m.macro_f1 };
    },
  });
}

/** A finished network keeps no training buffers (they are re-allocated if it is run again). */
function done(st: TrainingState): TrainingState {
  st.net.releaseActivations();
  return st;
}

/**
 * Trains the model `o.hyper` describes into `o.out`: one network ({@link trainToDir}), or with
 * `hyper.ensemble` = N > 1 a seed ensemble — N networks with seeds seed … seed+N−1, each trained and
 * checkpointed in its own `out/members/<k>` (so an interrupted ensemble resumes member by member), then
 * `out/ensemble.json`. Returns every network's state, in member order.
 */
export async function trainModelToDir(o: TrainToDirOptions): Promise<TrainingState[]> {
  const n = o.hyper.ensemble;
  if (n <= 1) return [done(await trainToDir(o))];
  if (o.resume === 'require' && !existsSync(checkpointPath(ensembleMemberDir(o.out, 1)))) {
    // Members are trained in order: without the first one's checkpoint nothing was trained yet.
    throw new ParamError('resume', `no checkpoint in ${o.out} (nor in its ensemble members)`);
  }
  const states: TrainingState[] = [];
  const dirs: string[] = [];
  for (let k = 1; k <= n; k++) {
    const { hyper, signature } = ensembleMember(o.hyper, o.signature, k);
    const out = ensembleMemberDir(o.out, k);
    const started = existsSync(checkpointPath(out));
    o.events?.log?.(`ensemble member ${k}/${n} (seed ${hyper.seed})`);
    states.push(
      done(
        await trainToDir({
          ...o,
          out,
          hyper,
          signature,
          // A member not started yet starts afresh even under --resume; a started one must match.
          resume: o.resume === 'require' ? (started ? 'require' : 'never') : o.resume,
        }),
      ),
    );
    dirs.push(out);
  }
  saveEnsembleManifest(o.out, dirs);
  return states;
}

/**
 * Ensemble member k's hyper-parameters (seed + k − 1, ensemble 1) and run signature (without epochs and
 * the functional head, as a single network's).
 */
function ensembleMember(hyper: Hyperparameters, signature: RunSignature, k: number): { hyper: Hyperparameters; signature: RunSignature } {
  const member: Hyperparameters = { ...hyper, ensemble: 1, seed: hyper.seed + k - 1 };
  return { hyper: member, signature: { ...signature, hyper: { ...member, epochs: undefined, functional_fusion: undefined } } };
}

/**
 * Whether run folder `dir` holds an unfinished training (a checkpoint: its own, or with an ensemble its
 * first member's) made with another signature than `signature`; an unreadable checkpoint counts as
 * another run's (not ours to overwrite silently).
 */
export function holdsCheckpointOfOtherRun(dir: string, signature: RunSignature, hyper: Hyperparameters): boolean {
  const memberSignature = ensembleMember(hyper, signature, 1).signature;
  if (existsSync(checkpointPath(dir))) return checkpointDiffers(dir, signature);
  const member = ensembleMemberDir(dir, 1);
  return existsSync(checkpointPath(member)) && checkpointDiffers(member, memberSignature);
}

/**
 * Trains a model on a dataset and writes it to `opts.out` (config.json, weights.safetensors,
 * checkpoint.safetensors, metrics.jsonl, report.html).
 */
export async function train(opts: TrainOptions): Promise<TrainResult> {
  const { hyper, settings } = resolveRunSettings(opts);
  // One run per folder: a second train into the same --out fails here instead of losing a result.
  return withOutputLock(opts.out, () => trainLocked(opts, hyper, settings), { command: opts.command?.join(' ') });
}

async function trainLocked(opts: TrainOptions, hyper: Hyperparameters, settings: FeatureSettings): Promise<TrainResult> {
  const events = opts.events ?? {};
  const out = path.resolve(opts.out);
  const hasModel = holdsModel(out);
  if (hasModel && !opts.resume && !opts.force) {
    throw new ParamError('out', `${out} already holds a model; continue it with resume, or overwrite it with force`);
  }
  const { ds, classes } = trainingDataset(opts, hyper.speaker_reference, hyper.neutral_class, events);
  const cache = new FeatureCache(opts.cacheDir === undefined ? defaultCacheDir() : opts.cacheDir);
  const extra = referenceDatasets(opts.reference);
  if (extra.length && !hyper.speaker_reference)
    throw new ParamError('reference', 'only used with speaker_reference (which labels are the reference clips)');
  const reference = { labels: hyper.speaker_reference, extra, maxLen: hyper.max_len };
  const trainSplit = await loadSplit(ds, { classes, settings, cache, events, stage: 'features (training)', reference });
  reportSkipped(events, trainSplit.skipped, ds.skipped.length);
  const after = subsetCounts(trainSplit, classes);
  const missing = classes.filter((c) => after[c] === 0);
  if (missing.length)
    throw new ParamError(
      'data',
      `no clip of class ${missing.map((c) => `"${c}"`).join(', ')} could be decoded (see the skipped files above)`,
    );

  let valSplit: LoadedSplit | null = null;
  if (opts.val) {
    const val = opts.val;
    const vds = typeof val === 'string' ? scanDataset(val, { labelMap: opts.labelMap, param: 'val' }) : val;
    events.log?.(describeDataset(vds));
    valSplit = await loadSplit(vds, { classes, settings, cache, events, stage: 'features (validation)', reference, param: 'val' });
    reportSkipped(events, valSplit.skipped, vds.skipped.length);
    const unknown = Object.entries(valSplit.unknownLabels);
    if (unknown.length)
      events.log?.(
        `validation: ${unknown.map(([l, n]) => `${n} clip(s) labelled "${l}"`).join(', ')} not among the training classes; left out of validation`,
      );
    if (valSplit.targets.length === 0)
      throw new ParamError('val', `none of its clips has one of the training classes (${classes.join(', ')})`);
  }

  const signature: RunSignature = {
    // The functional head is fitted after the network and changes none of its training: a network
    // trained without it is resumed (not retrained) when only functional_fusion changes.
    hyper: { ...hyper, epochs: undefined, functional_fusion: undefined },
    classes,
    features: settings,
    data: dataFingerprint(ds, trainSplit.itemIndex),
    ...(hyper.speaker_reference ? { reference: referenceFingerprint(trainSplit.referenceFiles) } : {}),
  };
  if (!opts.resume) {
    if (hasModel) clearModelDir(out); // --force
    mkdirSync(out, { recursive: true });
  }
  const members = await trainModelToDir({
    out,
    train: trainSplit,
    val: valSplit,
    classes,
    hyper,
    settings,
    signature,
    resume: opts.resume === 'auto' ? 'auto' : opts.resume ? 'require' : 'never',
    events,
    signal: opts.signal,
  });
  const state = members[0]!;
  if (hyper.functional_fusion !== 'none') {
    const head = await fitHeadOnSplit({ ds, extra, split: trainSplit, classes, settings, cache, fusion: hyper.functional_fusion, events });
    saveFunctionalHead(out, head);
    events.log?.(
      `functional head (${hyper.functional_fusion}) fitted on ${head.fitted_on.clips} clips, ${head.fitted_on.reference_clips} reference clips of ${head.fitted_on.speakers} speakers`,
    );
  } else removeFunctionalHead(out);

  const result: TrainResult = {
    modelDir: out,
    classes,
    history: state.history,
    dataset: ds,
    skipped: [...trainSplit.skipped, ...(valSplit?.skipped ?? [])],
    state,
    members,
    featureSettings: settings,
    hyper,
  };
  if (valSplit) {
    const probs = await meanProbabilities(members, valSplit.features, hyper.max_len, hyper.batch_size, windowHopFrames(hyper));
    result.validation = {
      ...classificationMetrics(valSplit.targets, argmaxRows(probs, valSplit.targets.length, classes.length), classes),
      unknown_labels: valSplit.unknownLabels,
    };
  }
  if (opts.report !== false) {
    const { writeTrainReport } = await import('./reporting.js');
    result.report = await writeTrainReport(out, result, opts.command);
  }
  for (const m of members) m.net.releaseActivations(); // the validation pass re-allocated them
  return result;
}

function subsetCounts(split: LabelledFeatures, classes: readonly string[]): Record<string, number> {
  const counts: Record<string, number> = Object.fromEntries(classes.map((c) => [c, 0]));
  for (const t of split.targets) counts[classes[t]]++;
  return counts;
}

function reportSkipped(events: ProgressEvents, skipped: readonly SkippedFile[], alreadyListed: number): void {
  const fresh = skipped.slice(alreadyListed);
  for (const s of fresh.slice(0, 10)) events.log?.(`skipped ${s.file}: ${s.reason}`);
  if (fresh.length > 10) events.log?.(`… and ${fresh.length - 10} more skipped`);
}
