/**
 * Training hyper-parameters: the paper's defaults, every one overridable, validated with errors that
 * name the CLI option.
 */

import type { LoudnessMode } from '../data/features.js';
import type { FeatureParams } from '../features/index.js';
import type { ProgressEvents } from '../report/progress.js';
import { validateAugmentSpec } from '../augment/augmenter.js';
import { parseReferenceLabels } from '../data/reference.js';

/** Settings every cross-validating run shares (cv, reproduce): one definition, so they cannot drift. */
export interface CrossValidationRunSettings {
  /** Hyper-parameters over the paper's defaults. */
  hyper?: Partial<Hyperparameters>;
  /** Feature parameters over the paper's defaults. */
  features?: Partial<FeatureParams>;
  loudness?: LoudnessMode;
  /** Feature cache folder; null disables caching. */
  cacheDir?: string | null;
  events?: ProgressEvents;
  /** Wraps the events of each fold (e.g. to prefix lines with "fold 3/7"). */
  foldEvents?: (fold: number, k: number) => ProgressEvents;
  signal?: AbortSignal;
  /** The command line, recorded in the report. */
  command?: string[];
}

/** Everything that shapes a training run besides the data (snake_case, as stored in the model dir). */
export interface Hyperparameters {
  epochs: number;
  batch_size: number;
  lr: number;
  /** StepLR: decay every `step_size` epochs by `gamma`. */
  step_size: number;
  gamma: number;
  weight_decay: number;
  seed: number;
  /** Frames per clip (MAX_LEN): longer clips are truncated, shorter zero-padded. */
  max_len: number;
  conv_channels: number;
  kernel_sizes: number[];
  lstm_hidden: number;
  lstm_layers: number;
  fc_hidden: number;
  dropout_conv: number;
  dropout_fc: number;
  /** Ignore padded frames (not in the paper, which pads every clip to MAX_LEN and does not mask). */
  mask_padding: boolean;
  /** 'global': z-score with training-set statistics (stored with the model); 'utterance': per clip. */
  normalization: 'global' | 'utterance';
  /**
   * Online augmentation of the training side (spec as in src/augment/augmenter.ts, e.g.
   * 'noise,reverb,gain,specaugment'); '' = none (the paper).
   */
  augment: string;
  /**
   * Weight averaging (stochastic weight averaging, Izmailov et al. 2018): the final model is the mean
   * of the weights after each of the last `swa` epochs, with BatchNorm statistics recomputed on the
   * training clips; 0 = off (the paper).
   */
  swa: number;
  /**
   * Seed ensemble: train this many networks with seeds seed, seed+1, … on the same data; the model
   * averages their class probabilities (Lakshminarayanan et al. 2017). 1 = one network (the paper).
   */
  ensemble: number;
  /**
   * Speaker reference normalisation (src/data/reference.ts): comma-separated labels of each speaker's
   * neutral reference clips, e.g. 'neutral,calm' — every clip is first z-scored with its speaker's
   * reference statistics; reference clips are neither trained on nor scored. '' = off (the paper).
   */
  speaker_reference: string;
}

/** The paper's settings: Adam 1e-3, StepLR(10, 0.5), batch 32, 15 epochs, MAX_LEN 1000, 64 ch, 128 hidden. */
export const PAPER_HYPERPARAMETERS: Readonly<Hyperparameters> = Object.freeze({
  epochs: 15, batch_size: 32, lr: 1e-3, step_size: 10, gamma: 0.5, weight_decay: 0, seed: 0, max_len: 1000,
  conv_channels: 64, kernel_sizes: [3, 5, 7], lstm_hidden: 128, lstm_layers: 2, fc_hidden: 128,
  dropout_conv: 0.2, dropout_fc: 0.3, mask_padding: false, normalization: 'global' as const, augment: '', swa: 0, ensemble: 1,
  speaker_reference: '',
});

/** CLI option that sets each hyper-parameter (for error messages). */
const OPTION: Record<keyof Hyperparameters, string> = {
  epochs: '--epochs', batch_size: '--batch-size', lr: '--lr', step_size: '--step-size', gamma: '--gamma',
  weight_decay: '--weight-decay', seed: '--seed', max_len: '--max-len', conv_channels: '--channels',
  kernel_sizes: '--kernel-sizes', lstm_hidden: '--hidden', lstm_layers: '--lstm-layers', fc_hidden: '--fc-hidden',
  dropout_conv: '--dropout-conv', dropout_fc: '--dropout-fc', mask_padding: '--mask-padding', normalization: '--normalization',
  augment: '--augment', swa: '--swa', ensemble: '--ensemble', speaker_reference: '--speaker-reference',
};

/** Merges overrides over the paper's defaults and validates every value. */
export function resolveHyperparameters(over: Partial<Hyperparameters> = {}): Hyperparameters {
  const h: Hyperparameters = { ...PAPER_HYPERPARAMETERS, kernel_sizes: [...PAPER_HYPERPARAMETERS.kernel_sizes] };
  for (const [k, v] of Object.entries(over)) if (v !== undefined) (h as unknown as Record<string, unknown>)[k] = v;
  const posInt = (k: keyof Hyperparameters, allowZero = false): void => {
    const v = h[k] as number;
    if (!Number.isInteger(v) || v < (allowZero ? 0 : 1)) throw new Error(`${OPTION[k]}: expected a ${allowZero ? 'non-negative' : 'positive'} integer, got ${v}`);
  };
  posInt('epochs'); posInt('batch_size'); posInt('step_size'); posInt('max_len'); posInt('conv_channels');
  posInt('lstm_hidden'); posInt('lstm_layers'); posInt('fc_hidden');
  if (!Number.isInteger(h.seed)) throw new Error(`--seed: expected an integer, got ${h.seed}`);
  if (!(h.lr > 0 && Number.isFinite(h.lr))) throw new Error(`--lr: expected a positive number, got ${h.lr}`);
  if (!(h.gamma > 0 && h.gamma <= 1)) throw new Error(`--gamma: expected a number in (0, 1], got ${h.gamma}`);
  if (!(h.weight_decay >= 0)) throw new Error(`--weight-decay: expected a number ≥ 0, got ${h.weight_decay}`);
  for (const k of ['dropout_conv', 'dropout_fc'] as const) {
    if (!(h[k] >= 0 && h[k] < 1)) throw new Error(`${OPTION[k]}: expected a number in [0, 1), got ${h[k]}`);
  }
  if (!Array.isArray(h.kernel_sizes) || h.kernel_sizes.length === 0 || h.kernel_sizes.some((k) => !Number.isInteger(k) || k < 1 || k % 2 === 0)) {
    throw new Error(`--kernel-sizes: expected odd positive integers like 3,5,7, got ${h.kernel_sizes}`);
  }
  if (h.normalization !== 'global' && h.normalization !== 'utterance') {
    throw new Error(`--normalization: expected global or utterance, got ${h.normalization}`);
  }
  posInt('swa', true);
  posInt('ensemble');
  if (h.swa > h.epochs) throw new Error(`--swa: averages the last ${h.swa} epochs, but only ${h.epochs} are trained (--epochs)`);
  if (typeof h.augment !== 'string') throw new Error(`--augment: expected a spec string, got ${h.augment}`);
  h.augment = h.augment.trim();
  validateAugmentSpec(h.augment); // throws naming --augment and the bad part
  if (typeof h.speaker_reference !== 'string') throw new Error(`--speaker-reference: expected labels like neutral,calm, got ${h.speaker_reference}`);
  h.speaker_reference = parseReferenceLabels(h.speaker_reference).join(',');
  return h;
}
