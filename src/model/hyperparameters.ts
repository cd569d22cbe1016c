/**
 * Training hyper-parameters: the paper's defaults, every one overridable, validated with ParamErrors
 * that name the hyper-parameter (`batch_size`); the CLI turns that into its flag.
 */

import { resolveFeatureSettings, type FeatureSettings, type LoudnessMode } from '../data/features.js';
import type { FeatureParams } from '../features/index.js';
import type { ProgressEvents } from '../report/progress.js';
import { validateAugmentSpec } from '../augment/augmenter.js';
import { parseReferenceLabels } from '../data/reference.js';
import { FUSION_MODES, type FusionMode } from './functional-head.js';
import { CONFIG_LIMITS } from '../model/config.js';
import { ParamError } from '../engine/errors.js';

/**
 * Settings every run shares (train, cv, reproduce, demo, the gap experiment; evaluate takes the
 * run-time part): one definition that every entry point's `*Options` extends, so they cannot drift.
 * The data side is {@link DataSource} (src/data/split.ts).
 */
export interface RunSettings {
  /** Hyper-parameters over the paper's defaults. */
  hyper?: Partial<Hyperparameters>;
  /** Feature parameters over the paper's defaults. */
  features?: Partial<FeatureParams>;
  /** Loudness step before features (default 'peak'). */
  loudness?: LoudnessMode;
  /** Feature cache folder; null disables caching (default: $AFFEXION_CACHE or ~/.cache/affexion/features). */
  cacheDir?: string | null;
  events?: ProgressEvents;
  /** Abort between batches (Ctrl-C); the last complete checkpoint stays intact. */
  signal?: AbortSignal;
  /** The command line, recorded in the report. */
  command?: string[];
}

/** A cross-validating run (cv, reproduce, demo): {@link RunSettings} and a per-fold events wrapper. */
export interface CrossValidationRunSettings extends RunSettings {
  /** Wraps the events of each fold (e.g. to prefix lines with "fold 3/7"). */
  foldEvents?: (fold: number, k: number) => ProgressEvents;
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
  /**
   * Remove leading and trailing silence (src/audio/speech.ts `trimSilence`) before features, in training
   * and inference alike: silence around a clip says nothing about the voice but tells its length.
   */
  trim_silence: boolean;
  /**
   * Six prosodic rows appended to the 75 MFCC rows (src/features/prosodic.ts: F0 in semitones re 100 Hz,
   * interpolated through unvoiced frames, voicing, energy, and their deltas), so the network sees the F0
   * contour itself rather than its faint trace in the cepstrum; with speaker references the F0 row becomes
   * the F0 relative to the speaker's neutral speech. Default false (the paper's 75 rows).
   */
  prosodic_rows: boolean;
  /**
   * Window training (seconds; 0 = whole clips, the paper): every epoch each clip contributes one window of
   * this length at a seeded random position, and a clip is scored by the mean of its windows' probabilities
   * (every `window_hop` seconds) — the windows predict and the live monitor use. MAX_LEN becomes the
   * window's frame count; clips shorter than a window are padded and masked.
   */
  window: number;
  /** Hop between scored windows, seconds (0 with a window = a third of it). */
  window_hop: number;
  /**
   * A class `neutral` ("no signal"): per speaker, half of the clips with a speaker reference label are
   * references and the other half are trained on (and scored) as `neutral` (src/data/reference.ts
   * referenceHalf). Needs `neutral` among the speaker reference labels.
   */
  neutral_class: boolean;
  /**
   * The functional head (src/model/functional-head.ts): a logistic regression on speaker-relative
   * eGeMAPS-style functionals, fitted on the training clips after the network and fused with its
   * probabilities — 'product' (product of experts) or 'gate' (the head decides neutral vs signal, the
   * network chooses the signal). 'none' = the network alone. Needs speaker_reference; gate needs neutral_class.
   */
  functional_fusion: FusionMode;
}

/** The paper's settings: Adam 1e-3, StepLR(10, 0.5), batch 32, 15 epochs, MAX_LEN 1000, 64 ch, 128 hidden. */
export const PAPER_HYPERPARAMETERS: Readonly<Hyperparameters> = Object.freeze({
  epochs: 15,
  batch_size: 32,
  lr: 1e-3,
  step_size: 10,
  gamma: 0.5,
  weight_decay: 0,
  seed: 0,
  max_len: 1000,
  conv_channels: 64,
  kernel_sizes: [3, 5, 7],
  lstm_hidden: 128,
  lstm_layers: 2,
  fc_hidden: 128,
  dropout_conv: 0.2,
  dropout_fc: 0.3,
  mask_padding: false,
  normalization: 'global' as const,
  augment: '',
  swa: 0,
  ensemble: 1,
  speaker_reference: '',
  trim_silence: false,
  prosodic_rows: false,
  window: 0,
  window_hop: 0,
  neutral_class: false,
  functional_fusion: 'none' as const,
});

/**
 * Upper bounds of the sizes a run may ask for (the architecture's own are CONFIG_LIMITS). MAX_LEN: 5
 * minutes at the default 10 ms hop (every clip is padded to it, so a batch already takes ~0.3 GB of
 * input); longer recordings go through predict --window.
 */
export const HYPERPARAMETER_LIMITS = Object.freeze({
  window_seconds: 60,
  max_len: 30000,
  batch_size: 4096,
  epochs: 100000,
  step_size: 100000,
  swa: 100000,
  ensemble: 100,
});

/**
 * Merges overrides over the paper's defaults and validates every value. Errors are ParamErrors naming
 * the hyper-parameter; `name` renames it (a model's config.json passes its field path).
 */
export function resolveHyperparameters(
  over: Partial<Hyperparameters> = {},
  name: (k: keyof Hyperparameters) => string = (k) => k,
): Hyperparameters {
  const h: Hyperparameters = { ...PAPER_HYPERPARAMETERS, kernel_sizes: [...PAPER_HYPERPARAMETERS.kernel_sizes] };
  for (const [k, v] of Object.entries(over)) if (v !== undefined) (h as unknown as Record<string, unknown>)[k] = v;
  const posInt = (k: keyof Hyperparameters, allowZero = false): void => {
    const v = h[k] as number;
    if (!Number.isInteger(v) || v < (allowZero ? 0 : 1))
      throw new ParamError(name(k), `expected a ${allowZero ? 'non-negative' : 'positive'} integer, got ${v}`);
    const max = (HYPERPARAMETER_LIMITS as Record<string, number>)[k] ?? (CONFIG_LIMITS as Record<string, number>)[k];
    if (max !== undefined && v > max) throw new ParamError(name(k), `expected at most ${max}, got ${v}`);
  };
  posInt('epochs');
  posInt('batch_size');
  posInt('step_size');
  posInt('max_len');
  posInt('conv_channels');
  posInt('lstm_hidden');
  posInt('lstm_layers');
  posInt('fc_hidden');
  if (!Number.isInteger(h.seed)) throw new ParamError(name('seed'), `expected an integer, got ${h.seed}`);
  if (!(h.lr > 0 && Number.isFinite(h.lr))) throw new ParamError(name('lr'), `expected a positive number, got ${h.lr}`);
  if (!(h.gamma > 0 && h.gamma <= 1)) throw new ParamError(name('gamma'), `expected a number in (0, 1], got ${h.gamma}`);
  if (!(h.weight_decay >= 0)) throw new ParamError(name('weight_decay'), `expected a number ≥ 0, got ${h.weight_decay}`);
  for (const k of ['dropout_conv', 'dropout_fc'] as const) {
    if (!(h[k] >= 0 && h[k] < 1)) throw new ParamError(name(k), `expected a number in [0, 1), got ${h[k]}`);
  }
  if (
    !Array.isArray(h.kernel_sizes) ||
    h.kernel_sizes.length === 0 ||
    h.kernel_sizes.some((k) => !Number.isInteger(k) || k < 1 || k % 2 === 0)
  ) {
    throw new ParamError(name('kernel_sizes'), `expected odd positive integers like 3,5,7, got ${h.kernel_sizes}`);
  }
  if (h.normalization !== 'global' && h.normalization !== 'utterance') {
    throw new ParamError(name('normalization'), `expected global or utterance, got ${h.normalization}`);
  }
  posInt('swa', true);
  posInt('ensemble');
  if (h.swa > h.epochs) throw new ParamError(name('swa'), `averages the last ${h.swa} epochs, but only ${h.epochs} are trained (epochs)`);
  if (typeof h.augment !== 'string') throw new ParamError(name('augment'), `expected a spec string, got ${h.augment}`);
  h.augment = h.augment.trim();
  validateAugmentSpec(h.augment, name('augment')); // names the bad part
  if (typeof h.speaker_reference !== 'string')
    throw new ParamError(name('speaker_reference'), `expected labels like neutral,calm, got ${h.speaker_reference}`);
  h.speaker_reference = parseReferenceLabels(h.speaker_reference, name('speaker_reference')).join(',');
  if (typeof h.trim_silence !== 'boolean') throw new ParamError(name('trim_silence'), `expected true or false, got ${h.trim_silence}`);
  if (typeof h.prosodic_rows !== 'boolean') throw new ParamError(name('prosodic_rows'), `expected true or false, got ${h.prosodic_rows}`);
  const maxWin = HYPERPARAMETER_LIMITS.window_seconds;
  if (typeof h.window !== 'number' || !(h.window >= 0 && h.window <= maxWin))
    throw new ParamError(name('window'), `expected seconds in [0, ${maxWin}] (0 = whole clips), got ${h.window}`);
  if (typeof h.window_hop !== 'number' || !(h.window_hop >= 0 && h.window_hop <= maxWin))
    throw new ParamError(name('window_hop'), `expected seconds in [0, ${maxWin}], got ${h.window_hop}`);
  if (h.window > 0 && h.window_hop === 0) h.window_hop = h.window / 3;
  if (h.window > 0 && h.window_hop > h.window)
    throw new ParamError(name('window_hop'), `expected at most the window (${h.window} s), got ${h.window_hop}`);
  if (typeof h.neutral_class !== 'boolean') throw new ParamError(name('neutral_class'), `expected true or false, got ${h.neutral_class}`);
  if (h.neutral_class && !parseReferenceLabels(h.speaker_reference).includes('neutral')) {
    throw new ParamError(
      name('neutral_class'),
      `the neutral class is made of half of each speaker's neutral reference clips; add neutral to the speaker reference labels (${name('speaker_reference')}, now "${h.speaker_reference}")`,
    );
  }
  if (!FUSION_MODES.includes(h.functional_fusion))
    throw new ParamError(name('functional_fusion'), `expected one of ${FUSION_MODES.join(', ')}, got ${h.functional_fusion}`);
  if (h.functional_fusion !== 'none' && !h.speaker_reference) {
    throw new ParamError(
      name('functional_fusion'),
      `the functional head compares each clip with its speaker's neutral speech; set the speaker reference labels (${name('speaker_reference')})`,
    );
  }
  if (h.functional_fusion === 'gate' && !h.neutral_class) {
    throw new ParamError(
      name('functional_fusion'),
      `gate lets the head decide neutral vs signal and needs the neutral class (${name('neutral_class')}); use product without it`,
    );
  }
  // Whole clips: no scored windows (a recipe's hop under a user's --window 0 means nothing).
  if (h.window === 0) h.window_hop = 0;
  return h;
}

/**
 * What a training run (train, cv) trains with, validated once: the hyper-parameters over the paper's
 * defaults, the feature settings (trim_silence is a hyper-parameter that the front end applies), and a
 * window model's MAX_LEN from the feature frame rate. One call, so the entry points cannot drift.
 *
 * ```ts
 * const { hyper, settings } = resolveRunSettings({ hyper: { window: 2 }, features: { hopLength: 160 } });
 * hyper.max_len; // 200: two seconds of 100 frames/s
 * ```
 */
export function resolveRunSettings(run: Pick<RunSettings, 'hyper' | 'features' | 'loudness'>): {
  hyper: Hyperparameters;
  settings: FeatureSettings;
} {
  // Hyper-parameters first: the feature settings take trim_silence from them.
  const hyper = resolveHyperparameters(run.hyper);
  const settings = resolveFeatureSettings({
    params: run.features,
    loudness: run.loudness,
    trimSilence: hyper.trim_silence,
    prosodicRows: hyper.prosodic_rows,
  });
  // With a window, MAX_LEN is the window's frame count (the network never sees more than a window).
  const frameRate = settings.params.sr / settings.params.hopLength;
  return { hyper: hyper.window > 0 ? { ...hyper, max_len: Math.max(1, Math.round(hyper.window * frameRate)) } : hyper, settings };
}

/** The window a model was trained for (hyper `window`/`window_hop`, seconds), or undefined for whole-clip models. */
export function modelWindowSettings(
  h: Pick<Hyperparameters, 'window' | 'window_hop'>,
): { seconds: number; hopSeconds: number } | undefined {
  if (!(h.window > 0)) return undefined;
  return { seconds: h.window, hopSeconds: h.window_hop > 0 ? h.window_hop : h.window / 3 };
}

/**
 * Hop between a window model's scored windows in feature frames (0 for whole-clip models), from the
 * hyper-parameters a model trained with (its MAX_LEN is the window's frame count, {@link resolveRunSettings}).
 */
export function windowHopFrames(h: Pick<Hyperparameters, 'window' | 'window_hop' | 'max_len'>): number {
  const w = modelWindowSettings(h);
  return w ? Math.max(1, Math.round((h.max_len * w.hopSeconds) / w.seconds)) : 0;
}
