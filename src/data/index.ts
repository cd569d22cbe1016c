/**
 * Data (layer: data / synth): dataset scanning (folder per class or CSV manifest), label maps, the
 * feature cache, z-score normalisation and batching, speaker references, and `loadSplit`, which turns a
 * dataset into labelled features with one options object. Output folders are locked per run
 * (out-lock.ts); labels that become folder names are checked (label-path.ts).
 *
 * ```ts
 * const ds = scanDataset('ravdess/', { labelMap: 'fearful=panic,happy=excitement' });
 * const classes = trainingClasses(ds, '');                        // no speaker reference labels
 * const split = await loadSplit(ds, { classes, settings: resolveFeatureSettings(), cache: new FeatureCache(null) });
 * const norm = fitNormalization(split.features);                  // training-set statistics
 * ```
 */
export { parseLabelMap, applyLabelMap, formatLabelMap, normalizeLabel, type LabelMap } from './label-map.js';
export {
  scanDataset,
  describeDataset,
  subsetDataset,
  AUDIO_EXTENSIONS,
  MANIFEST_NAMES,
  type Dataset,
  type DatasetItem,
  type SkippedFile,
  type ScanOptions,
} from './dataset.js';
export { inferSpeaker, inferGroup } from './speakers.js';
export { FeatureCache, defaultCacheDir, writeFileAtomic, encodeFeatureMatrix, decodeFeatureMatrix, settingsHash } from './cache.js';
export {
  datasetFeatures,
  fileFeatures,
  featuresFromSamples,
  normalizePeak,
  resolveFeatureSettings,
  LOUDNESS_MODES,
  DEFAULT_LOUDNESS,
  PEAK_TARGET,
  type FeatureSettings,
  type LoudnessMode,
  type DatasetFeatures,
} from './features.js';
export { fitNormalization, toModelBatch, validateNormalization, type Normalization, type ModelBatch } from './normalize.js';
export {
  parseReferenceLabels,
  speakerReferences,
  applySpeakerReference,
  normalizeBySpeakerReference,
  requireReferences,
  referenceItems,
  assertSpeakerReferences,
  DEFAULT_REFERENCE_LABELS,
  type SpeakerReference,
} from './reference.js';
export {
  loadSplit,
  checkTrainable,
  trainingClasses,
  trainingDataset,
  referenceDatasets,
  dataFingerprint,
  referenceFingerprint,
  type SplitOptions,
  type SplitReference,
  type LoadedSplit,
  type ReferenceData,
  type DataSource,
  type LabelledFeatures,
  type ClipAudioSource,
} from './split.js';
