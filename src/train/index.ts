/**
 * Training (layer: train): `train()` on a dataset (features → normalisation → epochs → model
 * directory, checkpointed every epoch, resumable bit-exact, locked output folder), the epoch loop on
 * in-memory features (fit.ts), checkpoints, online augmentation, weight averaging and seed ensembles.
 *
 * ```ts
 * const r = await train({ data: 'synthetic/', out: 'runs/model', val: 'ravdess/', labelMap: 'fearful=panic',
 *   hyper: { epochs: 15, augment: 'default' }, events: consoleProgress() });
 * console.log(r.modelDir, r.history.at(-1));                       // per-epoch loss / accuracy
 * ```
 */
export {
  train,
  trainToDir,
  trainModelToDir,
  writeMetricsJsonl,
  METRICS_FILE,
  type TrainOptions,
  type TrainResult,
  type TrainToDirOptions,
} from './train.js';
export {
  runEpochs,
  initialState,
  architecture,
  TrainingInterrupted,
  type TrainingState,
  type EpochRecord as TrainEpochRecord,
} from './fit.js';
export { saveCheckpoint, loadCheckpoint } from '../model/checkpoint.js';
export { CHECKPOINT_FILE } from '../model/model-dir.js';
export { OnlineAugmentation } from '../augment/online.js';
