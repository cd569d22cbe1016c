/** Data layer: dataset scanning, label maps, feature cache, normalisation and batching. */
export { parseLabelMap, applyLabelMap, formatLabelMap, normalizeLabel, type LabelMap } from './label-map.js';
export {
  scanDataset, describeDataset, subsetDataset, AUDIO_EXTENSIONS, MANIFEST_NAMES,
  type Dataset, type DatasetItem, type SkippedFile, type ScanOptions,
} from './dataset.js';
export { inferSpeaker, inferGroup } from './speakers.js';
export { FeatureCache, defaultCacheDir, writeFileAtomic, encodeFeatureMatrix, decodeFeatureMatrix, settingsHash } from './cache.js';
export {
  datasetFeatures, fileFeatures, featuresFromSamples, normalizePeak, resolveFeatureSettings, LOUDNESS_MODES, PEAK_TARGET,
  type FeatureSettings, type LoudnessMode, type DatasetFeatures,
} from './features.js';
export { fitNormalization, toModelBatch, validateNormalization, type Normalization, type ModelBatch } from './normalize.js';
export {
  parseReferenceLabels, speakerReferences, applySpeakerReference, normalizeBySpeakerReference, requireReferences, referenceItems, assertSpeakerReferences,
  DEFAULT_REFERENCE_LABELS, type SpeakerReference,
} from './reference.js';
export {
  loadSplit, checkTrainable, trainingClasses, referenceDatasets, dataFingerprint, referenceFingerprint,
  type SplitOptions, type SplitReference, type LoadedSplit, type ReferenceData, type DataSource, type LabelledFeatures, type ClipAudioSource,
} from './split.js';
