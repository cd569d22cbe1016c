/**
 * The model directory: everything needed to use a trained network, in open formats.
 *
 *   DIR/config.json          format + version, architecture, labels, feature parameters, normalisation
 *                            statistics, training metadata
 *   DIR/weights.safetensors  the state_dict under PyTorch's names and layouts (F32; num_batches_tracked I64),
 *                            so `Affexion(**arch).load_state_dict(load_safetensors(...))` works in the reference
 */
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { writeFileAtomic } from '../data/cache.js';
import path from 'node:path';
import type { Normalization } from '../data/normalize.js';
import type { Kernels } from '../engine/kernels.js';
import { resolveFeatureParams, type FeatureParams } from '../features/params.js';
import { parseConfig, type AffexionConfig } from './config.js';
import { AffexionNet } from './network.js';
import { encodeSafetensors, readSafetensors, toFloat32, type TensorToWrite } from './safetensors.js';

/** Identifies our config.json among other JSON files. */
export const MODEL_FORMAT = 'affexion-model';
/** Bumped when config.json or the weights change incompatibly; loading refuses newer versions. */
export const MODEL_FORMAT_VERSION = 1;
export const CONFIG_FILE = 'config.json';
export const WEIGHTS_FILE = 'weights.safetensors';

/** state_dict entries stored as integers (PyTorch keeps them as int64). */
const INTEGER_BUFFERS = new Set(['bn.num_batches_tracked']);

/** What a model directory holds besides the weights. */
export interface ModelDirInfo {
  /** Class names, index = network output. */
  labels: string[];
  /** Feature extraction parameters the model was trained with (null for raw-feature models). */
  featureParams?: FeatureParams | null;
  /** Input z-score statistics (null when inputs are used as given). */
  normalization?: Normalization | null;
  /** Free-form training metadata (data, hyper-parameters, metrics, timings). */
  training?: Record<string, unknown>;
}

/** A loaded model directory. */
export interface LoadedModel extends Required<ModelDirInfo> {
  net: AffexionNet;
  config: AffexionConfig;
  formatVersion: number;
  dir: string;
}

/** The on-disk config.json. */
export interface ModelConfigJson {
  format: typeof MODEL_FORMAT;
  format_version: number;
  architecture: AffexionConfig;
  labels: string[];
  feature_params: FeatureParams | null;
  normalization: Normalization | null;
  training: Record<string, unknown>;
}

/** The network's state_dict as safetensors tensors (PyTorch names, shapes and dtypes). */
export function stateDictTensors(net: AffexionNet): Map<string, TensorToWrite> {
  const shapes = net.stateShapes();
  const out = new Map<string, TensorToWrite>();
  for (const [name, value] of net.stateDict()) {
    const shape = shapes.get(name)!;
    out.set(
      name,
      INTEGER_BUFFERS.has(name) ? { shape, data: BigInt64Array.from(value, (v) => BigInt(Math.round(v))) } : { shape, data: value },
    );
  }
  return out;
}

/** Temp file + rename (nothing half-written on a full disk), with a friendly error naming the file. */
const writeAtomic = writeFileAtomic;

/** Write config.json and weights.safetensors into `dir` (created if needed). */
export function saveModelDir(dir: string, m: ModelDirInfo & { net: AffexionNet }): void {
  const cfg = m.net.config;
  if (!Array.isArray(m.labels) || m.labels.length !== cfg.n_classes) {
    throw new Error(`saveModelDir: ${m.labels?.length ?? 0} labels for a network with ${cfg.n_classes} classes`);
  }
  mkdirSync(dir, { recursive: true });
  const json: ModelConfigJson = {
    format: MODEL_FORMAT,
    format_version: MODEL_FORMAT_VERSION,
    architecture: { ...cfg, kernel_sizes: [...cfg.kernel_sizes] },
    labels: [...m.labels],
    feature_params: m.featureParams ?? null,
    normalization: m.normalization ?? null,
    training: m.training ?? {},
  };
  // Both files are written in full under temporary names first, then renamed: a full disk fails before
  // either file of the model is replaced, so weights and config never come from different saves.
  const staged = path.join(dir, `.staging-${process.pid}`);
  try {
    writeAtomic(path.join(staged, WEIGHTS_FILE), encodeSafetensors(stateDictTensors(m.net), { format: 'pt' }));
    writeAtomic(path.join(staged, CONFIG_FILE), `${JSON.stringify(json, null, 2)}\n`);
    renameSync(path.join(staged, WEIGHTS_FILE), path.join(dir, WEIGHTS_FILE));
    renameSync(path.join(staged, CONFIG_FILE), path.join(dir, CONFIG_FILE));
  } finally {
    rmSync(staged, { recursive: true, force: true });
  }
}

/**
 * Load safetensors weights with PyTorch state_dict names into `net`, checking every name and shape.
 * All mismatches are reported together, naming the file.
 */
export function loadWeightsInto(net: AffexionNet, file: string): void {
  const { tensors } = readSafetensors(file);
  const shapes = net.stateShapes();
  const problems: string[] = [];
  const sd = new Map<string, Float32Array>();
  const nonFinite: string[] = [];
  for (const [name, t] of tensors) {
    const want = shapes.get(name);
    if (!want) {
      problems.push(`unexpected tensor '${name}' [${t.shape}]`);
      continue;
    }
    if (want.length !== t.shape.length || want.some((d, i) => d !== t.shape[i])) {
      problems.push(`'${name}' is [${t.shape}], the architecture needs [${want}]`);
      continue;
    }
    const values = toFloat32(t);
    const bad = values.findIndex((x) => !Number.isFinite(x));
    if (bad >= 0) nonFinite.push(`'${name}' (${values[bad]} at index ${bad})`);
    sd.set(name, values);
  }
  for (const [name, shape] of shapes) {
    if (!tensors.has(name) && name !== 'bn.num_batches_tracked') problems.push(`missing '${name}' [${shape}]`);
  }
  if (problems.length) {
    throw new Error(`${file} does not fit the architecture (${describe(net.config)}): ${problems.join('; ')}`);
  }
  // NaN/Inf weights (a diverged or damaged model) would give every input the same output.
  if (nonFinite.length) throw new Error(`${file}: non-finite weights in tensor ${nonFinite.join(', ')}`);
  net.loadStateDict(sd, file);
}

function describe(c: AffexionConfig): string {
  return `features ${c.n_features}, conv ${c.conv_channels}×[${c.kernel_sizes}], LSTM ${c.lstm_layers}×${c.lstm_hidden}, fc ${c.fc_hidden}, classes ${c.n_classes}`;
}

/** Read and validate DIR/config.json. */
export function readModelConfig(dir: string): ModelConfigJson {
  const file = path.join(dir, CONFIG_FILE);
  if (!existsSync(file)) throw new Error(`${dir} is not a model directory: ${CONFIG_FILE} is missing`);
  let raw: Record<string, unknown>;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  } catch (e) {
    throw new Error(`${file}: not valid JSON (${(e as Error).message})`);
  }
  if (raw.format !== MODEL_FORMAT)
    throw new Error(`${file}: not an Affexion model config (format is ${JSON.stringify(raw.format)}, expected "${MODEL_FORMAT}")`);
  const v = raw.format_version;
  if (!Number.isInteger(v) || (v as number) < 1) throw new Error(`${file}: format_version must be a positive integer`);
  if ((v as number) > MODEL_FORMAT_VERSION) {
    throw new Error(`${file}: model format version ${v} is newer than this Affexion supports (${MODEL_FORMAT_VERSION}); upgrade Affexion`);
  }
  const architecture = parseConfig(raw.architecture, `${file} (architecture)`);
  const labels = raw.labels;
  if (!Array.isArray(labels) || labels.some((l) => typeof l !== 'string') || labels.length !== architecture.n_classes) {
    throw new Error(`${file}: 'labels' must list ${architecture.n_classes} class names (one per output)`);
  }
  if (new Set(labels).size !== labels.length || labels.some((l) => l === ''))
    throw new Error(`${file}: 'labels' must be distinct, non-empty names`);
  const norm = (raw.normalization ?? null) as Normalization | null;
  if (norm && norm.mode === 'global' && (norm.mean?.length !== architecture.n_features || norm.std?.length !== architecture.n_features)) {
    throw new Error(`${file}: normalization statistics must have ${architecture.n_features} values (one per feature)`);
  }
  if (norm) checkNormalizationValues(norm, file);
  const featureParams = (raw.feature_params ?? null) as FeatureParams | null;
  if (featureParams !== null) {
    try {
      resolveFeatureParams(featureParams);
    } catch (err) {
      throw new Error(`${file}: 'feature_params': ${(err as Error).message}`);
    }
  }
  return {
    format: MODEL_FORMAT,
    format_version: v as number,
    architecture,
    labels: labels as string[],
    feature_params: featureParams,
    normalization: norm,
    training: (raw.training ?? {}) as Record<string, unknown>,
  };
}

/**
 * Statistics that would make every input identical (std 0) or every output NaN (non-numbers): with them
 * a model returns the same probabilities for every clip, so they are refused at load, naming the value.
 */
function checkNormalizationValues(norm: Normalization, file: string): void {
  if (norm.mode === 'utterance') return;
  if (norm.mode !== 'global')
    throw new Error(
      `${file}: 'normalization.mode' must be "global" or "utterance", got ${JSON.stringify((norm as { mode: unknown }).mode)}`,
    );
  norm.mean.forEach((m, i) => {
    if (typeof m !== 'number' || !Number.isFinite(m))
      throw new Error(`${file}: 'normalization.mean[${i}]' must be a finite number, got ${JSON.stringify(m)}`);
  });
  norm.std.forEach((s, i) => {
    if (typeof s !== 'number' || !Number.isFinite(s) || s <= 0)
      throw new Error(`${file}: 'normalization.std[${i}]' must be a finite number > 0, got ${JSON.stringify(s)}`);
  });
}

/** Load a model directory: config checks, then the weights checked name by name and shape by shape. */
export function loadModelDir(dir: string, opts: { kernels?: Kernels } = {}): LoadedModel {
  const cfg = readModelConfig(dir);
  const weights = path.join(dir, WEIGHTS_FILE);
  if (!existsSync(weights)) throw new Error(`${dir}: ${WEIGHTS_FILE} is missing`);
  const net = new AffexionNet(cfg.architecture, { kernels: opts.kernels });
  loadWeightsInto(net, weights);
  return {
    net,
    config: net.config,
    labels: cfg.labels,
    featureParams: cfg.feature_params,
    normalization: cfg.normalization,
    training: cfg.training,
    formatVersion: cfg.format_version,
    dir,
  };
}

/**
 * Build a model directory from PyTorch weights (a state_dict saved as safetensors) and the reference's
 * constructor arguments. Labels default to class_0 … class_{n−1}.
 */
export function importTorchModel(
  weightsFile: string,
  arch: AffexionConfig,
  outDir: string,
  opts: { labels?: string[]; kernels?: Kernels; training?: Record<string, unknown> } = {},
): AffexionNet {
  const net = new AffexionNet(arch, { kernels: opts.kernels });
  loadWeightsInto(net, weightsFile);
  const labels = opts.labels ?? Array.from({ length: arch.n_classes }, (_, i) => `class_${i}`);
  saveModelDir(outDir, {
    net,
    labels,
    featureParams: null,
    normalization: null,
    training: { imported_from: path.resolve(weightsFile), ...opts.training },
  });
  return net;
}
