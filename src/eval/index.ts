/**
 * Evaluation (layer: eval): stratified (group) k-fold splits, `evaluate` of a model on a dataset,
 * `crossValidate` (a model per fold, resumable, with a report), and `predictFiles` on audio files of
 * any length (sliding windows). Options extend RunSettings / DataSource.
 *
 * ```ts
 * const cv = await crossValidate({ data: 'synthetic/', out: 'runs/cv', folds: 7, groupBy: 'speaker', hyper: { epochs: 15 } });
 * console.log(formatSummary(cv.summary));                                  // accuracy, macro F1 … mean ± std
 * const r = await evaluate({ model: 'runs/model', data: 'ravdess/', labelMap: 'fearful=panic' });
 * const [p] = await predictFiles('runs/model', ['call.wav']);     // { label, probs, timeline? }
 * ```
 */
export {
  classificationMetrics,
  argmaxRows,
  meanStd,
  type ClassificationMetrics,
  type ClassMetrics as ClassFigures,
} from '../report/metrics.js';
export { stratifiedKFold, stratifiedGroupKFold, foldLeaks, trainIndices, type Folds } from '../data/folds.js';
export { evaluate, evaluateSplit, formatEvaluation, type EvaluateOptions, type EvaluationResult } from './evaluate.js';
export {
  crossValidate,
  summarize,
  formatSummary,
  CV_METRICS,
  GROUP_BY,
  type CvOptions,
  type CvResult,
  type CvSummary,
  type FoldOutcome,
  type GroupBy,
} from './cv.js';
export {
  predictFiles,
  formatPredictions,
  windowStarts,
  windowProbabilities,
  referenceFromSamples,
  type FilePrediction,
  type TimelineWindow,
  type PredictOptions as PredictFilesOptions,
} from './predict.js';
