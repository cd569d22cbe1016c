/**
 * Data tools that close the synthetic → real gap (layer: model / augment): emotion conversion of real
 * neutral speech (convert/), waveform- and feature-level augmentation drawn from a spec string, and
 * offline augmented copies of a dataset (see docs/augmentation.md). Seeded: the same seed gives the
 * same output.
 *
 * ```ts
 * const aug = makeAugmenter('noise:snr=5..20,reverb:p=0.5,gain', new Rng(1));
 * const noisy = aug.wave(samples, 16000);                          // a new Float32Array
 * await convertEmotions({ source: 'neutral/', outDir: 'converted/', emotions: ['panic', 'boredom'] });
 * await augmentDataset({ source: 'data/', outDir: 'data-aug/', spec: 'default', copies: 2 });
 * ```
 */
export {
  convertEmotions,
  convertClip,
  drawProfile,
  profileTable,
  EMOTION_PROFILES,
  resolveProfiles,
  loadConversionProfiles,
  type ConvertOptions,
  type ConvertResult,
  type ConvertedClip,
  type EmotionProfile,
  type DrawnProfile,
  checkConversionProsody,
  measureForCheck,
  type ConversionCheck,
  NEUTRAL_RESYNTHESIS,
  resynthesiseNeutral,
  type ResynthesiseNeutralOptions,
} from './convert/index.js';
export { psola, pitchMarks, type PsolaOptions, type PitchMark } from './psola.js';
export { colouredNoise, babbleNoise, mixAtSnr, NOISE_TYPES, type NoiseColor, type NoiseType } from './noise.js';
export { syntheticRir, applyRir, estimateRt60, type RirOptions } from './reverb.js';
export { bandLimit, applyGain, type BandLimitOptions } from './channel.js';
export {
  specAugment,
  planMixup,
  applyMixup,
  type SpecAugmentOptions,
  type MaskRecord,
  type MixupPlan,
  type FeatureBlock,
} from './specaugment.js';
export type { RandomSource } from './random.js';
export {
  makeAugmenter,
  parseAugmentSpec,
  AUGMENT_OPS,
  DEFAULT_AUGMENT_SPEC,
  type Augmenter,
  type AugmenterOptions,
  type AugmentOp,
} from './augmenter.js';
export { OnlineAugmentation, type BatchInput, type TrainingBatch } from './online.js';
export { augmentDataset, writeAugmentationCharts, type AugmentDatasetOptions, type AugmentDatasetResult } from './offline.js';
export { augmentationCharts, conversionCharts, writeCharts } from './charts.js';
