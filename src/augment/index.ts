/**
 * Data tools that close the synthetic → real gap: emotion conversion of real neutral speech, and
 * waveform- and feature-level augmentation (see docs/augmentation.md).
 */
export { convertEmotions, convertClip, drawProfile, profileTable, EMOTION_PROFILES, resolveProfiles,
  type ConvertOptions, type ConvertResult, type ConvertedClip, type EmotionProfile, type DrawnProfile } from './convert/index.js';
export { psola, pitchMarks, type PsolaOptions, type PitchMark } from './psola.js';
export { colouredNoise, babbleNoise, mixAtSnr, NOISE_TYPES, type NoiseColor, type NoiseType } from './noise.js';
export { syntheticRir, applyRir, estimateRt60, type RirOptions } from './reverb.js';
export { bandLimit, applyGain, type BandLimitOptions } from './channel.js';
export { specAugment, planMixup, applyMixup, type SpecAugmentOptions, type MaskRecord, type MixupPlan, type FeatureBlock } from './specaugment.js';
export type { RandomSource } from './random.js';
export { makeAugmenter, parseAugmentSpec, AUGMENT_OPS, DEFAULT_AUGMENT_SPEC, type Augmenter, type AugmenterOptions, type AugmentOp } from './augmenter.js';
export { augmentDataset, writeAugmentationCharts, type AugmentDatasetOptions, type AugmentDatasetResult } from './offline.js';
export { augmentationCharts, conversionCharts, writeCharts } from './charts.js';
