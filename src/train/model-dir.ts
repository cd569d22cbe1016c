/**
 * Trained-model directories as train / evaluate / predict use them: the model engineer's format
 * (src/model/io.ts: config.json + weights.safetensors) plus, in `training`, what our pipeline needs to
 * reproduce the inputs — loudness step, MAX_LEN, batch size and the other hyper-parameters.
 */
import path from 'node:path';
import { LOUDNESS_MODES, resolveFeatureSettings, type FeatureSettings, type LoudnessMode } from '../data/features.js';
import type { Normalization } from '../data/normalize.js';
import { CONFIG_FILE, loadModelDir, saveModelDir } from '../model/io.js';
import type { AffexionNet } from '../model/network.js';
import type { EpochRecord } from './fit.js';
import { resolveHyperparameters, type Hyperparameters } from './options.js';

export const MODEL_CONFIG_FILE = CONFIG_FILE;

/** A model ready for evaluation / prediction. */
export interface TrainedModel {
  dir: string;
  net: AffexionNet;
  classes: string[];
  featureSettings: FeatureSettings;
  normalization: Normalization;
  hyper: Hyperparameters;
  /** Epochs the weights were trained for. */
  epochs: number;
}

/** Saves the current weights and everything needed to use them (atomic per file). */
export function saveTrainedModel(dir: string, m: { net: AffexionNet; classes: string[]; featureSettings: FeatureSettings;
  normalization: Normalization; hyper: Hyperparameters; history: readonly EpochRecord[] }): void {
  const last = m.history[m.history.length - 1];
  saveModelDir(dir, {
    net: m.net, labels: m.classes, featureParams: m.featureSettings.params, normalization: m.normalization,
    training: {
      loudness: m.featureSettings.loudness, hyperparameters: m.hyper, epochs_trained: m.history.length,
      last_epoch: last ?? null, saved: new Date().toISOString(),
    },
  });
}

/** Loads a model trained by `affexion train` (not a raw-feature import); errors name the directory. */
export function loadTrainedModel(dir: string): TrainedModel {
  const abs = path.resolve(dir);
  const m = loadModelDir(abs);
  if (!m.featureParams) {
    throw new Error(`${abs}: this model takes raw feature matrices (no feature parameters stored); use predict --features, or train one with affexion train`);
  }
  const t = m.training as { loudness?: LoudnessMode; hyperparameters?: Partial<Hyperparameters>; epochs_trained?: number };
  if (t.loudness !== undefined && !LOUDNESS_MODES.includes(t.loudness)) {
    throw new Error(`${abs}/${CONFIG_FILE}: unknown loudness step "${t.loudness}" (made by another Affexion version?)`);
  }
  let hyper: Hyperparameters;
  try {
    hyper = resolveHyperparameters(t.hyperparameters ?? {});
  } catch (err) {
    throw new Error(`${abs}/${CONFIG_FILE}: bad training hyper-parameters (${(err as Error).message})`);
  }
  const normalization: Normalization = m.normalization ?? { mode: 'utterance' };
  const n = m.config.n_features;
  if (m.featureParams.nMfcc * 3 !== n) {
    throw new Error(`${abs}/${CONFIG_FILE}: ${m.featureParams.nMfcc} MFCCs give ${3 * m.featureParams.nMfcc} features, the network takes ${n}`);
  }
  return {
    dir: abs, net: m.net, classes: m.labels, normalization, hyper, epochs: t.epochs_trained ?? 0,
    featureSettings: resolveFeatureSettings({ params: m.featureParams, loudness: t.loudness ?? 'none' }),
  };
}
