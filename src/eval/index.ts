/** Evaluation: metrics, folds, evaluate, cross-validation and prediction on audio files. */
export { classificationMetrics, argmaxRows, meanStd, type ClassificationMetrics, type ClassMetrics as ClassFigures } from '../report/metrics.js';
export { stratifiedKFold, stratifiedGroupKFold, foldLeaks, trainIndices, type Folds } from './folds.js';
export { evaluate, evaluateSplit, formatEvaluation, type EvaluateOptions, type EvaluationResult } from './evaluate.js';
export {
  crossValidate, summarize, formatSummary, CV_METRICS, GROUP_BY,
  type CvOptions, type CvResult, type CvSummary, type FoldOutcome, type GroupBy,
} from './cv.js';
export { predictFiles, formatPredictions, windowStarts, windowProbabilities, referenceFromSamples, type FilePrediction, type TimelineWindow, type PredictOptions as PredictFilesOptions } from './predict.js';
