/** Training: the loop on in-memory features, checkpoints, online augmentation, and `train()` on a dataset. */
export { train, trainToDir, trainModelToDir, writeMetricsJsonl, METRICS_FILE, type TrainOptions, type TrainResult, type TrainToDirOptions } from './train.js';
export {
  runEpochs, initialState, architecture, TrainingInterrupted,
  type TrainingState, type EpochRecord as TrainEpochRecord,
} from './fit.js';
export { saveCheckpoint, loadCheckpoint, CHECKPOINT_FILE } from './checkpoint.js';
export { OnlineAugmentation } from './online-augment.js';
