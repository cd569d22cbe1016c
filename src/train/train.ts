/**
 * `affexion train`: scan a dataset, extract (cached) features, train the network with the paper's
 * defaults, and keep MODEL_DIR usable at every moment: after each epoch the model, the checkpoint and
 * metrics.jsonl are rewritten atomically, so an interrupted run leaves the last complete epoch.
 */
import { withOutputLock } from '../data/out-lock.js';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { FeatureCache, defaultCacheDir, writeFileAtomic } from '../data/cache.js';
import { describeDataset, scanDataset, type Dataset, type SkippedFile } from '../data/dataset.js';
import { loadAudio } from '../audio/load.js';
import { datasetFeatures, featuresFromSamples, resolveFeatureSettings, type FeatureSettings, type LoudnessMode } from '../data/features.js';
import type { LabelMap } from '../data/label-map.js';
import type { FeatureMatrix, FeatureParams } from '../features/index.js';
import { applySpeakerReference, parseReferenceLabels, referenceItems, requireReferences, speakerReferences, type SpeakerReference } from '../data/reference.js';
import { classificationMetrics, argmaxRows, type ClassificationMetrics } from '../eval/metrics.js';
import { initialState, runEpochs, type EpochRecord, type LabelledFeatures, type TrainingState } from './fit.js';
import { loadCheckpoint, saveCheckpoint, signatureMismatch, checkpointPath, type RunSignature } from './checkpoint.js';
import { resolveHyperparameters, type Hyperparameters } from './options.js';
import { clearModelDir, ensembleMemberDir, holdsModel, meanProbabilities, saveEnsembleManifest, saveTrainedModel } from './model-dir.js';
import type { ProgressEvents } from './progress.js';

export const METRICS_FILE = 'metrics.jsonl';

/** Options of {@link train}. Only `data` and `out` are required. */
export interface TrainOptions {
  /** Training data: dataset folder / manifest path, or an already scanned dataset. */
  data: string | Dataset;
  /** Model directory to write. */
  out: string;
  /** Validation data, evaluated after every epoch. */
  val?: string | Dataset | null;
  /** Rename/drop labels (applies to `data` and `val` when given as paths). */
  labelMap?: string | LabelMap;
  /**
   * More speaker reference clips for `hyper.speaker_reference` (e.g. the neutral folder a converted set
   * was made from): a dataset path or scanned dataset; its clips with a reference label count.
   */
  reference?: ReferenceData;
  /** Hyper-parameters over the paper's defaults. */
  hyper?: Partial<Hyperparameters>;
  /** Feature parameters over the paper's defaults. */
  features?: Partial<FeatureParams>;
  loudness?: LoudnessMode;
  /** Feature cache folder; null disables caching (default: {@link defaultCacheDir}). */
  cacheDir?: string | null;
  /**
   * Continue from MODEL_DIR's checkpoint (up to `hyper.epochs` epochs in total). 'auto': resume when a
   * checkpoint made with the same settings and data exists, else start afresh (used by reproduce/demo).
   */
  resume?: boolean | 'auto';
  /** Overwrite a model already in `out` (otherwise that is an error). */
  force?: boolean;
  events?: ProgressEvents;
  /** Abort between batches (Ctrl-C); the last epoch's model and checkpoint stay intact. */
  signal?: AbortSignal;
  /** Write MODEL_DIR/report.html at the end (default true). */
  report?: boolean;
  /** Command line to record in the report. */
  command?: string[];
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

/** Throws a clear error when a dataset cannot be trained on (empty, empty classes, one class). */
export function checkTrainable(ds: Dataset, optionName = 'DATA'): void {
  if (ds.items.length === 0) {
    throw new Error(`${optionName}: no usable clips in ${ds.source}${ds.skipped.length ? ` (${ds.skipped.length} skipped, e.g. ${ds.skipped[0].file}: ${ds.skipped[0].reason})` : ''}`);
  }
  if (ds.emptyClasses.length) {
    throw new Error(`${optionName}: class${ds.emptyClasses.length > 1 ? 'es' : ''} ${ds.emptyClasses.map((c) => `"${c}"`).join(', ')} ha${ds.emptyClasses.length > 1 ? 've' : 's'} no clips in ${ds.source} (remove the folder or add audio)`);
  }
  if (ds.classes.length < 2) {
    throw new Error(`${optionName}: only one class ("${ds.classes[0]}") in ${ds.source}; a classifier needs at least two`);
  }
}

/**
 * The classes a model learns from a dataset: its labels, less the speaker reference labels (those clips
 * are references, not a class). Throws when fewer than two remain.
 */
export function trainingClasses(ds: Dataset, hyper: Pick<Hyperparameters, 'speaker_reference'>, optionName = 'DATA'): string[] {
  const ref = new Set(parseReferenceLabels(hyper.speaker_reference));
  const classes = ds.classes.filter((c) => !ref.has(c));
  if (classes.length < 2) {
    throw new Error(`${optionName}: ${classes.length ? `only one class ("${classes[0]}")` : 'no class'} besides the speaker reference labels ` +
      `(${[...ref].join(', ')}) in ${ds.source}; a classifier needs at least two`);
  }
  return classes;
}

/** Labelled features for a dataset; clips whose label is not in `classes` are counted, not used. */
export interface LoadedSplit extends LabelledFeatures {
  /** Dataset item index of each clip kept. */
  itemIndex: number[];
  unknownLabels: Record<string, number>;
  /** Clips of this dataset used as speaker references (label → count); they are not in `unknownLabels`. */
  referenceLabels: Record<string, number>;
  /** Files whose statistics normalised the clips (speaker reference normalisation; empty when off). */
  referenceFiles: string[];
  skipped: SkippedFile[];
}

/**
 * Speaker reference normalisation for {@link loadSplit}: the reference labels (hyper.speaker_reference)
 * and where the reference clips are — the dataset itself, plus `extra` datasets (`--reference`).
 */
export interface ReferenceOptions {
  labels: readonly string[];
  extra?: readonly Dataset[];
  /** Frames of each reference clip that count (the model's MAX_LEN). */
  maxLen: number;
  /** What the data is called in errors (DATA, --val, --eval …). */
  optionName: string;
}

/** Extra speaker reference data (`--reference`): dataset paths or scanned datasets, one or several. */
export type ReferenceData = string | Dataset | readonly (string | Dataset)[] | null | undefined;

/** Scans the `--reference` data (paths are scanned without a label map: their reference labels count as written). */
export function referenceDatasets(ref: ReferenceData): Dataset[] {
  const list = ref == null ? [] : Array.isArray(ref) ? ref : [ref as string | Dataset];
  return list.map((r) => (typeof r === 'string' ? scanDataset(r, { optionName: '--reference' }) : r));
}

/** The {@link ReferenceOptions} a run's hyper-parameters ask for; null when speaker reference normalisation is off. */
export function referenceOptions(hyper: Pick<Hyperparameters, 'speaker_reference' | 'max_len'>, extra: readonly Dataset[], optionName: string): ReferenceOptions | null {
  const labels = parseReferenceLabels(hyper.speaker_reference);
  return labels.length ? { labels, extra, maxLen: hyper.max_len, optionName } : null;
}

/**
 * Extracts features of a dataset's clips and maps labels to class indices. With `reference`, every
 * kept clip is z-scored with its speaker's reference statistics (src/data/reference.ts).
 */
export async function loadSplit(ds: Dataset, classes: readonly string[], settings: FeatureSettings, cache: FeatureCache,
  events?: ProgressEvents, stageName = 'features', reference: ReferenceOptions | null = null): Promise<LoadedSplit> {
  const classIndex = new Map(classes.map((c, i) => [c, i]));
  const refLabels = new Set(reference?.labels ?? []);
  const clash = classes.filter((c) => refLabels.has(c));
  if (clash.length) throw new Error(`--speaker-reference: ${clash.join(', ')} ${clash.length > 1 ? 'are' : 'is'} also a class; reference clips cannot be trained on or scored`);
  const unknownLabels: Record<string, number> = {};
  const referenceLabels: Record<string, number> = {};
  const wanted: number[] = [];
  ds.items.forEach((it, i) => {
    if (classIndex.has(it.label)) wanted.push(i);
    else if (refLabels.has(it.label)) referenceLabels[it.label] = (referenceLabels[it.label] ?? 0) + 1;
    else unknownLabels[it.label] = (unknownLabels[it.label] ?? 0) + 1;
  });
  events?.stage?.(stageName, 0, wanted.length);
  const { features, skipped } = await datasetFeatures(wanted.map((i) => ds.items[i].path), settings, cache,
    (done, total) => events?.stage?.(stageName, done, total));
  const kept: LoadedSplit = { features: [], targets: new Int32Array(0), itemIndex: [], unknownLabels, referenceLabels, referenceFiles: [], skipped: [...ds.skipped, ...skipped] };
  const targets: number[] = [];
  features.forEach((m, j) => {
    if (!m) return;
    kept.features.push(m);
    kept.itemIndex.push(wanted[j]);
    targets.push(classIndex.get(ds.items[wanted[j]].label) as number);
  });
  kept.targets = Int32Array.from(targets);
  let refs: SpeakerReference[] | null = null;
  if (reference) {
    const found = await clipReferences(ds, kept.itemIndex, settings, cache, reference, events);
    refs = found.refs;
    kept.referenceFiles = found.files;
    kept.features = kept.features.map((m, i) => applySpeakerReference(m, found.refs[i]!));
  }
  // Audio of the kept clips, re-read on demand, for online waveform augmentation (--augment).
  const files = kept.itemIndex.map((i) => ds.items[i].path);
  kept.audio = {
    sr: settings.params.sr,
    load: async (i) => (await loadAudio(files[i]!, { sr: settings.params.sr })).samples,
    features: (samples, i) => {
      const m = featuresFromSamples(samples, settings);
      return refs ? applySpeakerReference(m, refs[i]!) : m;
    },
  };
  return kept;
}

/** The reference statistics of each kept clip's speaker; errors name the data and what is missing. */
async function clipReferences(ds: Dataset, itemIndex: readonly number[], settings: FeatureSettings, cache: FeatureCache,
  reference: ReferenceOptions, events?: ProgressEvents): Promise<{ refs: SpeakerReference[]; files: string[] }> {
  const items = referenceItems([ds, ...(reference.extra ?? [])], reference.labels);
  const stage = 'features (speaker references)';
  const { features, skipped } = await datasetFeatures(items.map((it) => it.path), settings, cache, (d, t) => events?.stage?.(stage, d, t));
  for (const s of skipped) events?.log?.(`skipped reference clip ${s.file}: ${s.reason}`);
  const mats: FeatureMatrix[] = [];
  const speakers: string[] = [];
  const files: string[] = [];
  features.forEach((m, i) => {
    if (!m) return;
    files.push(items[i]!.path);
    const spk = items[i]!.speaker;
    if (spk === null) throw new Error(`${reference.optionName}: reference clip ${items[i]!.path} has no speaker id (add a "speaker" column to its manifest)`);
    mats.push(m);
    speakers.push(spk);
  });
  const refs = speakerReferences(mats, speakers, reference.maxLen);
  const clipRefs = requireReferences(refs, itemIndex.map((i) => ds.items[i].speaker), itemIndex.map((i) => ds.items[i].path), reference.labels, reference.optionName);
  return { refs: clipRefs, files };
}

/** Fingerprint of the data a run trains on (paths, labels, sizes): resuming on other data is refused. */
export function dataFingerprint(ds: Dataset, itemIndex: readonly number[]): string {
  const h = createHash('sha256');
  for (const i of itemIndex) {
    const it = ds.items[i];
    h.update(`${it.path}\0${it.label}\0${statSync(it.path).size}\n`);
  }
  return h.digest('hex').slice(0, 16);
}

/** Fingerprint of the reference clips a split was normalised with ('' when none). */
export function referenceFingerprint(files: readonly string[]): string {
  if (files.length === 0) return '';
  const h = createHash('sha256');
  for (const f of files) h.update(`${f}\0${statSync(f).size}\n`);
  return h.digest('hex').slice(0, 16);
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
    if (diff && o.resume === 'require') throw new Error(`--resume: the checkpoint in ${out} was made with different settings or data (${diff})`);
    if (diff) events?.log?.(`${out}: checkpoint made with other settings (${diff}); starting afresh`);
    else {
      ck.applyTo(state);
      events?.log?.(`resuming after epoch ${state.epoch} of ${hyper.epochs}`);
      if (state.epoch >= hyper.epochs) events?.log?.(`already trained ${state.epoch} epoch(s); raise --epochs to train longer`);
    }
  }
  const valMetrics = (probs: Float32Array, val: LabelledFeatures): Record<string, number> => {
    const m = classificationMetrics(val.targets, argmaxRows(probs, val.targets.length, classes.length), classes);
    return { val_balanced_accuracy: m.balanced_accuracy, val_macro_f1: m.macro_f1 };
  };
  return runEpochs(state, {
    hyper, train: o.train, val: o.val, events, signal: o.signal, valMetrics,
    onEpoch: (st) => {
      saveTrainedModel(out, { net: st.net, classes, featureSettings: settings, normalization: st.normalization, hyper, history: st.history });
      saveCheckpoint(out, st, current);
      writeMetricsJsonl(out, st.history);
    },
  });
}

/**
 * Trains the model `o.hyper` describes into `o.out`: one network ({@link trainToDir}), or with
 * `hyper.ensemble` = N > 1 a seed ensemble — N networks with seeds seed … seed+N−1, each trained and
 * checkpointed in its own `out/members/<k>` (so an interrupted ensemble resumes member by member), then
 * `out/ensemble.json`. Returns every network's state, in member order.
 */
export async function trainModelToDir(o: TrainToDirOptions): Promise<TrainingState[]> {
  const n = o.hyper.ensemble;
  // A finished network keeps no training buffers (they are re-allocated if it is run again).
  const done = (st: TrainingState): TrainingState => (st.net.releaseActivations(), st);
  if (n <= 1) return [done(await trainToDir(o))];
  if (o.resume === 'require' && !existsSync(checkpointPath(ensembleMemberDir(o.out, 1)))) {
    // Members are trained in order: without the first one's checkpoint nothing was trained yet.
    throw new Error(`--resume: no checkpoint in ${o.out} (nor in its ensemble members)`);
  }
  const states: TrainingState[] = [];
  const dirs: string[] = [];
  for (let k = 1; k <= n; k++) {
    const hyper: Hyperparameters = { ...o.hyper, ensemble: 1, seed: o.hyper.seed + k - 1 };
    const out = ensembleMemberDir(o.out, k);
    const started = existsSync(checkpointPath(out));
    o.events?.log?.(`ensemble member ${k}/${n} (seed ${hyper.seed})`);
    states.push(done(await trainToDir({
      ...o, out, hyper, signature: { ...o.signature, hyper: { ...hyper, epochs: undefined } },
      // A member not started yet starts afresh even under --resume; a started one must match.
      resume: o.resume === 'require' ? (started ? 'require' : 'never') : o.resume,
    })));
    dirs.push(out);
  }
  saveEnsembleManifest(o.out, dirs);
  return states;
}

/** Rewrites MODEL_DIR/metrics.jsonl from the history (atomic, so it always matches the checkpoint). */
export function writeMetricsJsonl(dir: string, history: readonly EpochRecord[]): void {
  writeFileAtomic(path.join(dir, METRICS_FILE), history.map((r) => JSON.stringify(r)).join('\n') + (history.length ? '\n' : ''));
}

/**
 * Trains a model on a dataset and writes it to `opts.out` (config.json, weights.safetensors,
 * checkpoint.safetensors, metrics.jsonl, report.html).
 */
export async function train(opts: TrainOptions): Promise<TrainResult> {
  const hyper = resolveHyperparameters(opts.hyper);
  const settings = resolveFeatureSettings({ params: opts.features, loudness: opts.loudness });
  // One run per folder: a second train into the same --out fails here instead of losing a result.
  return withOutputLock(opts.out, () => trainLocked(opts, hyper, settings), { command: opts.command?.join(' ') });
}

async function trainLocked(opts: TrainOptions, hyper: Hyperparameters, settings: FeatureSettings): Promise<TrainResult> {
  const events = opts.events ?? {};
  const out = path.resolve(opts.out);
  const hasModel = holdsModel(out);
  if (hasModel && !opts.resume && !opts.force) {
    throw new Error(`--out: ${out} already holds a model; use --resume to continue it or --force to overwrite it`);
  }
  const ds = typeof opts.data === 'string' ? scanDataset(opts.data, { labelMap: opts.labelMap, optionName: 'DATA' }) : opts.data;
  events.log?.(describeDataset(ds));
  checkTrainable(ds, 'DATA');
  const classes = trainingClasses(ds, hyper);
  const cache = new FeatureCache(opts.cacheDir === undefined ? defaultCacheDir() : opts.cacheDir);
  const extra = referenceDatasets(opts.reference);
  if (extra.length && !hyper.speaker_reference) throw new Error('--reference: only used with --speaker-reference (which labels are the reference clips)');
  const trainSplit = await loadSplit(ds, classes, settings, cache, events, 'features (training)', referenceOptions(hyper, extra, 'DATA'));
  reportSkipped(events, trainSplit.skipped, ds.skipped.length);
  const after = subsetCounts(trainSplit, classes);
  const missing = classes.filter((c) => after[c] === 0);
  if (missing.length) throw new Error(`DATA: no clip of class ${missing.map((c) => `"${c}"`).join(', ')} could be decoded (see the skipped files above)`);

  let valSplit: LoadedSplit | null = null;
  if (opts.val) {
    const vds = typeof opts.val === 'string' ? scanDataset(opts.val, { labelMap: opts.labelMap, optionName: '--val' }) : opts.val;
    events.log?.(describeDataset(vds));
    valSplit = await loadSplit(vds, classes, settings, cache, events, 'features (validation)', referenceOptions(hyper, extra, '--val'));
    reportSkipped(events, valSplit.skipped, vds.skipped.length);
    const unknown = Object.entries(valSplit.unknownLabels);
    if (unknown.length) events.log?.(`--val: ${unknown.map(([l, n]) => `${n} clip(s) labelled "${l}"`).join(', ')} not among the training classes; left out of validation`);
    if (valSplit.targets.length === 0) throw new Error(`--val: none of its clips has one of the training classes (${classes.join(', ')})`);
  }

  const signature: RunSignature = {
    hyper: { ...hyper, epochs: undefined }, classes, features: settings, data: dataFingerprint(ds, trainSplit.itemIndex),
    ...(hyper.speaker_reference ? { reference: referenceFingerprint(trainSplit.referenceFiles) } : {}),
  };
  if (!opts.resume) {
    if (hasModel) clearModelDir(out); // --force
    mkdirSync(out, { recursive: true });
  }
  const members = await trainModelToDir({
    out, train: trainSplit, val: valSplit, classes, hyper, settings, signature,
    resume: opts.resume === 'auto' ? 'auto' : opts.resume ? 'require' : 'never',
    events, signal: opts.signal,
  });
  const state = members[0]!;

  const result: TrainResult = {
    modelDir: out, classes, history: state.history, dataset: ds, skipped: [...trainSplit.skipped, ...(valSplit?.skipped ?? [])],
    state, members, featureSettings: settings, hyper,
  };
  if (valSplit) {
    const probs = await meanProbabilities(members, valSplit.features, hyper.max_len, hyper.batch_size);
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
