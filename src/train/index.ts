/** Training, reproduction of the paper's experiment, and the demo. */
export {
  train, trainToDir, trainModelToDir, loadSplit, checkTrainable, trainingClasses, referenceDatasets, referenceOptions, writeMetricsJsonl, METRICS_FILE,
  type TrainOptions, type TrainResult, type TrainToDirOptions, type LoadedSplit, type ReferenceData, type ReferenceOptions,
} from './train.js';
export { PAPER_HYPERPARAMETERS, resolveHyperparameters, type Hyperparameters } from './options.js';
export {
  runEpochs, initialState, predictProbabilities, architecture, TrainingInterrupted,
  type TrainingState, type LabelledFeatures, type EpochRecord as TrainEpochRecord,
} from './fit.js';
export { saveCheckpoint, loadCheckpoint, CHECKPOINT_FILE } from './checkpoint.js';
export {
  saveTrainedModel, loadTrainedModel, modelProbabilities, meanProbabilities, isEnsembleDir, ensembleMemberDir, ensembleMemberDirs, ENSEMBLE_FILE,
  type TrainedModel, type ModelMember,
} from './model-dir.js';
export { consoleProgress, formatEpoch, type ProgressEvents, type BatchStats } from './progress.js';
export { reproduce, comparisonTable, formatComparison, PAPER_FIGURES, type ReproduceOptions, type ReproduceResult } from './reproduce.js';
export {
  runDemo, splitSentences, DEMO_HYPERPARAMETERS, DEMO_CONVERT_LIMIT, HELD_OUT_VOICES, RAVDESS_LABEL_MAP, type DemoOptions, type DemoResult,
} from './demo.js';
export { RECIPE_SETTINGS, DEFAULT_RECIPE, TRAINING_RECIPES, type TrainingRecipe, type RecipeSettings } from './recipe.js';
export { OnlineAugmentation, type ClipAudioSource } from './online-augment.js';
