/**
 * Affexion's public API. Everything the CLI does is available here, typed and documented.
 */
export type { Kernels, LstmDirection } from './engine/kernels.js';
export { encodeWav16, writeWav16 } from './audio/wav-write.js';
export {
  loadAudio,
  resample,
  AudioError,
  type AudioBuffer,
  detectSpeech,
  trimSilence,
  frameLevelsDb,
  speechThresholdDb,
  DEFAULT_SPEECH_DETECT,
  type SpeechDetectOptions,
  type SpeechSegment,
  type TrimmedSpeech,
} from './audio/index.js';
export {
  extractFeatures,
  extractFeaturesFromFile,
  DEFAULT_FEATURE_PARAMS,
  type FeatureParams,
  type FeatureMatrix,
} from './features/index.js';
export { extractFeaturesFromFiles, type FileFeatures } from './features/parallel.js';
export * from './model/index.js';
export { Rng, type RngState } from './engine/rng.js';
export { jsKernels } from './engine/js-kernels.js';
export { getKernels, nativeKernels, ParamError, renameParams, type NativeKernels, type NativeIsa } from './engine/index.js';
export {
  writeReport,
  consoleProgress,
  formatEpoch,
  type ProgressEvents,
  type BatchStats,
  type RunReport,
  type WrittenReport,
  type EpochRecord,
  type EvaluationMetrics,
  type CvReport,
  type FoldResult,
  type DatasetSummary,
  type ComparisonTable,
  type ConfusionMatrix,
  type ClassMetrics,
} from './report/index.js';
export * from './augment/index.js';
export { prosodicFeatures, stackFeatureRows, PROSODIC_ROWS, type ProsodicOptions } from './features/prosodic.js';
export * from './data/index.js';
export * from './train/index.js';
export * from './eval/index.js';
export * from './workflows/index.js';
export { trackPitch, type PitchTrack, type PitchOptions } from './features/pitch.js';
export { measureProsody, type ProsodyStats } from './features/prosody.js';
export { clipFunctionals, functionalVector, FUNCTIONAL_NAMES, FUNCTIONAL_UNITS, type Functionals } from './features/functionals.js';
export { fitFunctionalReference, relativeToSpeaker, type FunctionalReference } from './data/functional-reference.js';
export {
  synthesize,
  estimateOpenAICostUsd,
  DEFAULT_CLASSES,
  BUILTIN_PROFILES,
  VOICES,
  DEFAULT_VOICES,
  SENTENCE_BANK,
  type SynthOptions,
  type SynthResult,
  type ClipRecord,
  type ProsodyProfile,
  type ClipProsody,
  type VoiceSpec,
  type ProviderName,
  type OpenAIOptions,
} from './synth/index.js';
export * from './monitor/index.js';
export * from './export/index.js';
export { startOnDeviceServer, type OnDeviceServer, type OnDeviceServerOptions, type OnDeviceStats } from './monitor/on-device-server.js';
export { onnxMonitorModel, onnxWindowBatch, onnxWindowProbabilities, onnxReference } from './monitor/onnx-model.js';
export { buildModelCard, writeModelCard, calibration, findEvaluations, type Calibration, type CardEvaluation } from './model/model-card.js';
export {
  describeArchitecture,
  architectureSvg,
  architectureFromConfig,
  type ArchitectureSizes,
  type ArchitectureSummary,
} from './report/architecture.js';
export { modelCardMarkdown, modelCardHtml, type ModelCard } from './report/model-card.js';
