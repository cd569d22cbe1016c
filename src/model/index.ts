/**
 * The model (layer: model / augment): the paper's network (parallel Conv1d → BiLSTM → self-attention →
 * pooling → dense) as layers over the engine's kernels, loss, Adam + StepLR, hyper-parameters and
 * RunSettings, safetensors, and model directories (single, ensemble, imported PyTorch weights).
 *
 * ```ts
 * const net = new AffexionNet({ ...PAPER_CONFIG, n_classes: 4 }, { seed: 1 });
 * const logits = net.forward(x, B, T, { train: false });          // x: (B, T, 75) → (B, 4)
 * const model = loadTrainedModel('runs/model');                   // config.json + weights.safetensors (or ensemble.json)
 * const probs = await modelProbabilities(model, features);
 * ```
 */
export { AffexionNet, type ForwardOptions } from './network.js';
export { PAPER_CONFIG, parseConfig, type AffexionConfig } from './config.js';
export { softmaxCrossEntropy, mixupCrossEntropy, softmax } from './loss.js';
export { Adam, StepLR, type AdamState, type OptimParam } from './optim.js';
export {
  readSafetensors,
  writeSafetensors,
  parseSafetensors,
  encodeSafetensors,
  toFloat32,
  toInt32,
  type SafeTensor,
  type SafetensorsFile,
  type TensorToWrite,
} from './safetensors.js';
export {
  saveModelDir,
  loadModelDir,
  importTorchModel,
  loadWeightsInto,
  readModelConfig,
  MODEL_FORMAT_VERSION,
  type LoadedModel,
  type ModelDirInfo,
  type ModelConfigJson,
} from './io.js';
export { predictRaw, type RawPrediction } from './predict.js';
export { predictProbabilities } from './predict.js';
export {
  PAPER_HYPERPARAMETERS,
  resolveHyperparameters,
  type Hyperparameters,
  type RunSettings,
  type CrossValidationRunSettings,
} from './hyperparameters.js';
export {
  saveTrainedModel,
  loadTrainedModel,
  modelProbabilities,
  meanProbabilities,
  isEnsembleDir,
  ensembleMemberDir,
  ensembleMemberDirs,
  ENSEMBLE_FILE,
  type TrainedModel,
  type ModelMember,
} from './model-dir.js';
