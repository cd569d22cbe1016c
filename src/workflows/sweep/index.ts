/** Hyper-parameter sweeps and BullMQ scale-out (issue 16): sweep, startWorker, cv / predict on the queue. */
export { sweep, planSweep, trialKey, localRunner, type SweepOptions, type SweepResult, type SweepResults, type SweepProgress, type TrialRecord, type FoldRecord, type JobRunner } from './sweep.js';
export { KNOBS, DESIGNS, MAX_UNCONFIRMED_RUNS, parseVary, validateVary, planTrials, type Design, type Vary, type Trial, type TrialSettings } from './knobs.js';
export { JOB_FORMAT_VERSION, runFoldJob, checkJobFormat, foldJobId, type FoldJob, type FoldJobResult, type DataRef } from './job.js';
export { datasetContentHash } from './data-hash.js';
export { PAPER_CURVES, sweepCurves, sweepTable } from './report.js';
export { startWorker, checkQueueReachable, connectionFromUrl, DEFAULT_QUEUE_NAME, type WorkerOptions, type AffexionWorker } from './queue.js';
export { crossValidateOnQueue, predictOnQueue } from './remote.js';
export { modelContentHash, runPredictJob, type PredictJob } from './predict-job.js';
