/**
 * Trained-model directories as train / evaluate / predict use them: the model engineer's format
 * (src/model/io.ts: config.json + weights.safetensors) plus, in `training`, what our pipeline needs to
 * reproduce the inputs — loudness step, MAX_LEN, batch size and the other hyper-parameters.
 *
 * A seed ensemble (`--ensemble N`) is a directory with `ensemble.json` and one such model directory per
 * member under `members/<k>/`; it loads as one {@link TrainedModel} whose probabilities are the mean of
 * its members' ({@link modelProbabilities}).
 */
import { existsSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { writeFileAtomic } from '../data/cache.js';
import type { FeatureMatrix } from '../features/index.js';
import { LOUDNESS_MODES, featureRowCount, resolveFeatureSettings, type FeatureSettings, type LoudnessMode } from '../data/features.js';
import type { Normalization } from '../data/normalize.js';
import type { SpeakerReference } from '../data/reference.js';
import { CONFIG_FILE, WEIGHTS_FILE, loadModelDir, saveModelDir } from './io.js';
import type { AffexionNet } from './network.js';
import { clipProbabilities } from './predict.js';
import { applyNeutralBias, applyTemperature } from './calibration.js';
import type { FunctionalHead } from './functional-head.js';
import { readFunctionalHead } from './functional-head-file.js';
import type { EpochRecord } from '../report/types.js';
import { argmaxRows, classificationMetrics, type ClassificationMetrics } from '../report/metrics.js';
import type { LabelledFeatures } from '../data/split.js';
import { resolveHyperparameters, windowHopFrames, type Hyperparameters } from './hyperparameters.js';

export const MODEL_CONFIG_FILE = CONFIG_FILE;

/** The training checkpoint a model directory may hold (src/model/checkpoint.ts writes it). */
export const CHECKPOINT_FILE = 'checkpoint.safetensors';

/** The training history of a model directory, one JSON line per epoch. */
export const METRICS_FILE = 'metrics.jsonl';

export const ENSEMBLE_FILE = 'ensemble.json';
const ENSEMBLE_FORMAT = 'affexion-ensemble';
/** Folder of an ensemble's member model directories. */
const MEMBERS_DIR = 'members';

/** One network of a model and the input statistics it was trained with. */
export interface ModelMember {
  dir: string;
  net: AffexionNet;
  normalization: Normalization;
}

/** A model ready for evaluation / prediction: one network, or a seed ensemble of several. */
export interface TrainedModel {
  dir: string;
  /** The networks (one unless the model is an ensemble); the model's probabilities are their mean. */
  members: ModelMember[];
  classes: string[];
  featureSettings: FeatureSettings;
  /** Training hyper-parameters (of the first member, with `ensemble` = the number of members). */
  hyper: Hyperparameters;
  /** Epochs the weights were trained for. */
  epochs: number;
  /**
   * Temperature of the probabilities (src/model/calibration.ts), fitted on held-out training speakers
   * and stored with the model; absent = 1 (uncalibrated).
   */
  temperature?: number;
  /**
   * The neutral operating point (src/model/calibration.ts applyNeutralBias), fitted on held-out training
   * speakers with the temperature and applied after it; absent = 0 (the network's own argmax).
   */
  neutralBias?: number;
  /**
   * Statistics of every training speaker's reference clips together (models trained with speaker
   * references): the no-reference fallback of predict and evaluate.
   */
  populationReference?: SpeakerReference;
  /**
   * The functional head fused with the network's probabilities (src/model/functional-head.ts,
   * `functional-head.json` in the model folder); absent = the network alone.
   */
  functionalHead?: FunctionalHead;
}

/** What ensemble.json holds. */
interface EnsembleManifest {
  format: typeof ENSEMBLE_FORMAT;
  format_version: 1;
  members: string[];
  combine: 'mean-probability';
  temperature?: number;
  neutral_bias?: number;
}

/** Member folder of an ensemble (1-based k). */
export function ensembleMemberDir(dir: string, k: number): string {
  return path.join(dir, MEMBERS_DIR, String(k));
}

/** Whether `dir` is a (finished) ensemble. */
export function isEnsembleDir(dir: string): boolean {
  return existsSync(path.join(dir, ENSEMBLE_FILE));
}

/**
 * Removes a previous model from `dir` (for --force): the files a model directory is made of and an
 * ensemble's members — so a new single model is not shadowed by an old ensemble.json, nor an ensemble
 * left with stale members. Other files are left alone.
 */
export function clearModelDir(dir: string): void {
  for (const f of [CONFIG_FILE, WEIGHTS_FILE, CHECKPOINT_FILE, METRICS_FILE, ENSEMBLE_FILE]) rmSync(path.join(dir, f), { force: true });
  rmSync(path.join(dir, MEMBERS_DIR), { recursive: true, force: true });
}

/** Whether `dir` holds a model (single or ensemble), or an unfinished one (a checkpoint or ensemble members). */
export function holdsModel(dir: string): boolean {
  return [CONFIG_FILE, CHECKPOINT_FILE, ENSEMBLE_FILE, MEMBERS_DIR].some((f) => existsSync(path.join(dir, f)));
}

/** Writes ensemble.json listing the members (call when every member is trained). */
export function saveEnsembleManifest(dir: string, memberDirs: readonly string[]): void {
  const m: EnsembleManifest = {
    format: ENSEMBLE_FORMAT,
    format_version: 1,
    members: memberDirs.map((d) => path.relative(dir, d)),
    combine: 'mean-probability',
  };
  writeFileAtomic(path.join(dir, ENSEMBLE_FILE), JSON.stringify(m, null, 2) + '\n');
}

/**
 * Class probabilities (N, K) of a model: the mean of its members' softmax outputs (one member: its own).
 */
export async function modelProbabilities(
  model: TrainedModel,
  features: readonly FeatureMatrix[],
  batchSize = model.hyper.batch_size,
): Promise<Float32Array> {
  return applyCalibration(
    model,
    await meanProbabilities(model.members, features, model.hyper.max_len, batchSize, windowHopFrames(model.hyper)),
  );
}

/** The model's stored calibration applied to its members' mean probabilities (N, K): the temperature, then the neutral bias. */
export function applyCalibration(model: Pick<TrainedModel, 'classes' | 'temperature' | 'neutralBias'>, probs: Float32Array): Float32Array {
  const K = model.classes.length;
  const calibrated = model.temperature !== undefined ? applyTemperature(probs, K, model.temperature) : probs;
  return model.neutralBias ? applyNeutralBias(calibrated, K, model.classes.indexOf('neutral'), model.neutralBias) : calibrated;
}

/** What {@link saveCalibration} stores: a temperature, and for a model with a class `neutral` optionally its operating point. */
export interface Calibration {
  temperature: number;
  neutralBias?: number;
}

/**
 * Stores a fitted calibration with a model (config.json `training.calibration`, or ensemble.json for an
 * ensemble); every later load applies it. `fittedOn` says to what data, for the record.
 */
export function saveCalibration(dir: string, c: Calibration, fittedOn: string): void {
  if (!(c.temperature > 0 && Number.isFinite(c.temperature)))
    throw new Error(`temperature: expected a positive number, got ${c.temperature}`);
  if (c.neutralBias !== undefined && !Number.isFinite(c.neutralBias))
    throw new Error(`neutralBias: expected a finite number, got ${c.neutralBias}`);
  const abs = path.resolve(dir);
  const file = isEnsembleDir(abs) ? path.join(abs, ENSEMBLE_FILE) : path.join(abs, CONFIG_FILE);
  const raw = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown> & { training?: Record<string, unknown>; labels?: string[] };
  const bias = c.neutralBias !== undefined ? { neutral_bias: c.neutralBias } : {};
  if (isEnsembleDir(abs)) {
    delete raw.neutral_bias;
    Object.assign(raw, { temperature: c.temperature, ...bias });
  } else {
    raw.training = {
      ...(raw.training ?? {}),
      calibration: { method: 'temperature', temperature: c.temperature, ...bias, fitted_on: fittedOn },
    };
  }
  writeFileAtomic(file, JSON.stringify(raw, null, 2) + '\n');
}

/** A stored population reference, checked against the feature rows (errors name the file). */
function populationReference(v: SpeakerReference | undefined, rows: number, file: string): { populationReference?: SpeakerReference } {
  if (v === undefined) return {};
  const ok = (a: unknown): a is number[] =>
    Array.isArray(a) && a.length === rows && a.every((x) => typeof x === 'number' && Number.isFinite(x));
  if (!ok(v.mean) || !ok(v.std) || v.std.some((x) => !(x > 0)))
    throw new Error(`${file}: training.population_reference must hold ${rows} means and positive stds`);
  return { populationReference: { mean: v.mean, std: v.std, clips: Number(v.clips) || 0, frames: Number(v.frames) || 0 } };
}

/** A stored neutral bias, checked: a finite number, and only for a model with a class neutral (errors name the file). */
function readNeutralBias(v: unknown, classes: readonly string[], file: string): { neutralBias?: number } {
  if (v === undefined || v === 0) return {};
  if (typeof v !== 'number' || !Number.isFinite(v) || Math.abs(v) > 20)
    throw new Error(`${file}: neutral_bias must be a number in [−20, 20], got ${JSON.stringify(v)}`);
  if (!classes.includes('neutral')) throw new Error(`${file}: neutral_bias is set but the model has no class neutral`);
  return { neutralBias: v };
}

/** A stored temperature, checked (errors name the file). */
function readTemperature(v: unknown, file: string): number | undefined {
  if (v === undefined) return undefined;
  if (typeof v !== 'number' || !(v > 0) || !Number.isFinite(v))
    throw new Error(`${file}: temperature must be a positive number, got ${JSON.stringify(v)}`);
  return v;
}

/** Mean of the class probabilities of several networks (each with its own input statistics). */
export async function meanProbabilities(
  members: readonly { net: AffexionNet; normalization: Normalization }[],
  features: readonly FeatureMatrix[],
  maxLen: number,
  batchSize: number,
  hopFrames = 0,
): Promise<Float32Array> {
  let sum: Float32Array | null = null;
  for (const m of members) {
    const p = await clipProbabilities(m.net, features, m.normalization, maxLen, batchSize, hopFrames);
    if (!sum) sum = p;
    else for (let i = 0; i < p.length; i++) sum[i] += p[i]!;
  }
  if (!sum) throw new Error('meanProbabilities: no networks');
  if (members.length > 1) for (let i = 0; i < sum.length; i++) sum[i] /= members.length;
  return sum;
}

/** Metrics of a network, or of the mean of several (an ensemble), on labelled features. */
export async function scoreMembers(
  members: readonly { net: AffexionNet; normalization: Normalization }[],
  hyper: Hyperparameters,
  split: LabelledFeatures,
  classes: readonly string[],
): Promise<ClassificationMetrics> {
  const probs = await meanProbabilities(members, split.features, hyper.max_len, hyper.batch_size, windowHopFrames(hyper));
  return classificationMetrics(split.targets, argmaxRows(probs, split.targets.length, classes.length), classes);
}

/** Saves the current weights and everything needed to use them (atomic per file). */
export function saveTrainedModel(
  dir: string,
  m: {
    net: AffexionNet;
    classes: string[];
    featureSettings: FeatureSettings;
    normalization: Normalization;
    hyper: Hyperparameters;
    history: readonly EpochRecord[];
    populationReference?: SpeakerReference | null;
  },
): void {
  const last = m.history[m.history.length - 1];
  saveModelDir(dir, {
    net: m.net,
    labels: m.classes,
    featureParams: m.featureSettings.params,
    normalization: m.normalization,
    training: {
      loudness: m.featureSettings.loudness,
      hyperparameters: m.hyper,
      epochs_trained: m.history.length,
      last_epoch: last ?? null,
      saved: new Date().toISOString(),
      ...(m.populationReference
        ? {
            population_reference: {
              mean: m.populationReference.mean,
              std: m.populationReference.std,
              clips: m.populationReference.clips,
              frames: m.populationReference.frames,
            },
          }
        : {}),
    },
  });
}

/** Rewrites MODEL_DIR/metrics.jsonl from the history (atomic, so it always matches the checkpoint). */
export function writeMetricsJsonl(dir: string, history: readonly EpochRecord[]): void {
  writeFileAtomic(path.join(dir, METRICS_FILE), history.map((r) => JSON.stringify(r)).join('\n') + (history.length ? '\n' : ''));
}

/**
 * Loads a model trained by `affexion train` (not a raw-feature import) — one network or an ensemble;
 * errors name the directory.
 */
export function loadTrainedModel(dir: string): TrainedModel {
  const abs = path.resolve(dir);
  const manifest = path.join(abs, ENSEMBLE_FILE);
  if (!existsSync(manifest) && !existsSync(path.join(abs, CONFIG_FILE)) && existsSync(path.join(abs, MEMBERS_DIR))) {
    throw new Error(`${abs}: an ensemble whose training has not finished (no ${ENSEMBLE_FILE}); finish it with affexion train … --resume`);
  }
  const m = existsSync(manifest) ? loadEnsemble(abs, manifest) : loadSingle(abs);
  const head = readFunctionalHead(abs, m.classes);
  return head ? { ...m, functionalHead: head } : m;
}

/**
 * The member folders (absolute) an ensemble's `ensemble.json` lists, each checked to hold a model
 * config; errors name the manifest. Reads no weights.
 */
export function ensembleMemberDirs(dir: string): string[] {
  const abs = path.resolve(dir);
  const manifest = path.join(abs, ENSEMBLE_FILE);
  let m: EnsembleManifest;
  try {
    m = JSON.parse(readFileSync(manifest, 'utf8')) as EnsembleManifest;
  } catch (err) {
    throw new Error(`${manifest}: not valid JSON (${(err as Error).message})`);
  }
  if (
    m?.format !== ENSEMBLE_FORMAT ||
    !Array.isArray(m.members) ||
    m.members.length === 0 ||
    m.members.some((d) => typeof d !== 'string')
  ) {
    throw new Error(
      `${manifest}: not an Affexion ensemble manifest (expected format "${ENSEMBLE_FORMAT}" and a non-empty list of member folders)`,
    );
  }
  return m.members.map((rel) => {
    const d = path.resolve(abs, rel);
    if (!existsSync(path.join(d, CONFIG_FILE))) throw new Error(`${manifest}: member ${rel} has no ${CONFIG_FILE} (${d})`);
    return d;
  });
}

function loadEnsemble(abs: string, manifest: string): TrainedModel {
  const members = ensembleMemberDirs(abs).map(loadSingle);
  const first = members[0]!;
  for (const o of members.slice(1)) {
    const same = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);
    const what = !same(o.classes, first.classes)
      ? `classes ${o.classes.join(',')} vs ${first.classes.join(',')}`
      : !same(o.featureSettings, first.featureSettings)
        ? 'feature settings'
        : o.hyper.max_len !== first.hyper.max_len
          ? `MAX_LEN ${o.hyper.max_len} vs ${first.hyper.max_len}`
          : '';
    if (what)
      throw new Error(
        `${manifest}: members ${path.relative(abs, first.dir)} and ${path.relative(abs, o.dir)} differ in ${what}; an ensemble needs the same inputs and classes`,
      );
  }
  const em = JSON.parse(readFileSync(manifest, 'utf8')) as EnsembleManifest;
  const t = readTemperature(em.temperature, manifest);
  return {
    dir: abs,
    members: members.flatMap((x) => x.members),
    classes: first.classes,
    featureSettings: first.featureSettings,
    hyper: { ...first.hyper, ensemble: members.length },
    epochs: first.epochs,
    ...(t !== undefined ? { temperature: t } : {}),
    ...readNeutralBias(em.neutral_bias, first.classes, manifest),
    ...(first.populationReference ? { populationReference: first.populationReference } : {}),
  };
}

function loadSingle(abs: string): TrainedModel {
  const m = loadModelDir(abs);
  if (!m.featureParams) {
    throw new Error(
      `${abs}: this model takes raw feature matrices (no feature parameters stored); use predict --features, or train one with affexion train`,
    );
  }
  const t = m.training as {
    loudness?: LoudnessMode;
    hyperparameters?: Partial<Hyperparameters>;
    epochs_trained?: number;
    calibration?: { temperature?: unknown; neutral_bias?: unknown };
    population_reference?: SpeakerReference;
  };
  if (t.loudness !== undefined && !LOUDNESS_MODES.includes(t.loudness)) {
    throw new Error(`${abs}/${CONFIG_FILE}: unknown loudness step "${t.loudness}" (made by another Affexion version?)`);
  }
  let hyper: Hyperparameters;
  try {
    // Range-checked before anything is allocated: a max_len of 1e9 fails here, naming the field.
    hyper = resolveHyperparameters(t.hyperparameters ?? {}, (k) => `'training.hyperparameters.${k}'`);
  } catch (err) {
    throw new Error(`${abs}/${CONFIG_FILE}: ${(err as Error).message}`);
  }
  const normalization: Normalization = m.normalization ?? { mode: 'utterance' };
  const n = m.config.n_features;
  const rows = featureRowCount(m.featureParams.nMfcc, hyper.prosodic_rows);
  if (rows !== n) {
    throw new Error(
      `${abs}/${CONFIG_FILE}: ${m.featureParams.nMfcc} MFCCs${hyper.prosodic_rows ? ' and the prosodic rows' : ''} give ${rows} features, the network takes ${n}`,
    );
  }
  const temperature = readTemperature(t.calibration?.temperature, `${abs}/${CONFIG_FILE}`);
  return {
    dir: abs,
    members: [{ dir: abs, net: m.net, normalization }],
    classes: m.labels,
    hyper,
    epochs: t.epochs_trained ?? 0,
    ...(temperature !== undefined ? { temperature } : {}),
    ...readNeutralBias(t.calibration?.neutral_bias, m.labels, `${abs}/${CONFIG_FILE}`),
    ...populationReference(t.population_reference, n / 1, `${abs}/${CONFIG_FILE}`),
    featureSettings: resolveFeatureSettings({
      params: m.featureParams,
      loudness: t.loudness ?? 'none',
      trimSilence: hyper.trim_silence,
      prosodicRows: hyper.prosodic_rows,
    }),
  };
}
