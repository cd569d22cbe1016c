/** The model part of the public API: network, training maths, weights and model directories. */
export { AffexionNet, type ForwardOptions } from './network.js';
export { PAPER_CONFIG, parseConfig, type AffexionConfig } from './config.js';
export { softmaxCrossEntropy, softmax } from './loss.js';
export { Adam, StepLR, type AdamState, type OptimParam } from './optim.js';
export { readSafetensors, writeSafetensors, parseSafetensors, encodeSafetensors, toFloat32, toInt32,
  type SafeTensor, type SafetensorsFile, type TensorToWrite } from './safetensors.js';
export { saveModelDir, loadModelDir, importTorchModel, loadWeightsInto, readModelConfig, MODEL_FORMAT_VERSION,
  type LoadedModel, type ModelDirInfo, type ModelConfigJson } from './io.js';
export { predictRaw, type RawPrediction } from './predict.js';
export { predictProbabilities } from './predict.js';
export { PAPER_HYPERPARAMETERS, resolveHyperparameters, type Hyperparameters, type RunSettings, type CrossValidationRunSettings } from './hyperparameters.js';
export {
  saveTrainedModel, loadTrainedModel, modelProbabilities, meanProbabilities, isEnsembleDir, ensembleMemberDir, ensembleMemberDirs, ENSEMBLE_FILE,
  type TrainedModel, type ModelMember,
} from './model-dir.js';
