/**
 * Hyper-parameter sweeps and BullMQ scale-out (issue 16; layer: workflows): `sweep` (the paper's §4.3
 * studies, one-at-a-time or grid, grouped CV + real speech, resumable), `startWorker` (runs queued jobs),
 * `crossValidateOnQueue` / `predictOnQueue` (cv and batch scoring on the same queue).
 *
 * ```ts
 * const r = await sweep({ data: 'data/synth', vary: { max_len: [200, 400] }, seeds: 3, folds: 7, groupBy: 'speaker',
 *   real: ['ravdess-dev/'], out: 'runs/sweep', queue: 'redis://127.0.0.1:6379' });   // queue optional
 * const w = await startWorker({ queue: 'redis://127.0.0.1:6379' });                  // on each worker host
 * ```
 */
export {
  sweep,
  planSweep,
  trialKey,
  localRunner,
  type SweepOptions,
  type SweepResult,
  type SweepResults,
  type SweepProgress,
  type TrialRecord,
  type FoldRecord,
  type JobRunner,
} from './sweep.js';
export {
  KNOBS,
  DESIGNS,
  MAX_UNCONFIRMED_RUNS,
  parseVary,
  validateVary,
  planTrials,
  type Design,
  type Vary,
  type Trial,
  type TrialSettings,
} from './knobs.js';
export { JOB_FORMAT_VERSION, runFoldJob, checkJobFormat, foldJobId, type FoldJob, type FoldJobResult, type DataRef } from './job.js';
export { datasetContentHash } from './data-hash.js';
export { PAPER_CURVES, sweepCurves, sweepTable } from './report.js';
export {
  startWorker,
  checkQueueReachable,
  connectionFromUrl,
  DEFAULT_QUEUE_NAME,
  type WorkerOptions,
  type AffexionWorker,
} from './queue.js';
export { crossValidateOnQueue, predictOnQueue } from './remote.js';
export { modelContentHash, runPredictJob, type PredictJob } from './predict-job.js';
