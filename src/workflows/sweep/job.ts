/**
 * One unit of work of a sweep or a queued cv: one cross-validation fold of one trial × seed, trained
 * by the existing crossValidate (restricted to that fold) and its model scored on every real corpus by
 * evaluate. The same function runs in-process (local sweep) and in a queue worker, so a queued run
 * gives the numbers a local one does. Jobs are plain JSON (they travel through Redis).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { crossValidate, type FoldOutcome, type GroupBy } from '../../eval/cv.js';
import { evaluate } from '../../eval/evaluate.js';
import type { FeatureSettings } from '../../data/features.js';
import type { Hyperparameters } from '../../model/hyperparameters.js';
import type { ProgressEvents } from '../../report/progress.js';
import type { ClassificationMetrics } from '../../report/metrics.js';
import { dataRef } from './data-hash.js';
import { ParamError } from '../../engine/errors.js';

/** Version of the job format; a worker refuses jobs of a newer one (they may mean something it cannot do). */
export const JOB_FORMAT_VERSION = 1;

/** A dataset as a job refers to it: where it is, and what its content must hash to. */
export interface DataRef {
  path: string;
  hash: string;
}

/** One fold of one trial × seed. */
export interface FoldJob {
  v: number;
  kind: 'fold';
  /** Key of the trial × seed (settings + data content hashes); the job id adds the fold. */
  key: string;
  fold: number;
  folds: number;
  groupBy: GroupBy;
  data: DataRef;
  /** Scored by each fold model with evaluate (sweep --real). */
  real: DataRef[];
  /** Passed to crossValidate as its eval set (cv --queue --eval), so the fold matches a local cv's. */
  eval?: DataRef;
  labelMap?: string;
  hyper: Hyperparameters;
  features: FeatureSettings;
}

/** What a fold job returns (JSON). */
export interface FoldJobResult {
  key: string;
  fold: number;
  n_train: number;
  n_val: number;
  metrics: ClassificationMetrics;
  /** Per real corpus, in the job's order. */
  real: ClassificationMetrics[];
  /** The fold's result.json as crossValidate wrote it (signature + outcome), for cv --queue. */
  foldResult: { signature: unknown; outcome: FoldOutcome };
  seconds: number;
}

export function foldJobId(key: string, fold: number): string {
  return `${key}-f${String(fold).padStart(2, '0')}`;
}

/** Throws when a job cannot be run by this version (format version, kind). */
export function checkJobFormat(job: { v?: unknown; kind?: unknown }, kinds: readonly string[]): void {
  if (typeof job.v !== 'number') throw new Error('queue job without a format version: not an Affexion job');
  if (job.v > JOB_FORMAT_VERSION) {
    throw new Error(
      `queue job format version ${job.v} is newer than this worker supports (version ${JOB_FORMAT_VERSION}); update Affexion on this worker`,
    );
  }
  if (!kinds.includes(String(job.kind)))
    throw new Error(`queue job of unknown kind "${String(job.kind)}" (this worker runs: ${kinds.join(', ')})`);
}

/** Throws when the local copy of a dataset differs from the one the job was made with. */
export function checkDataRef(ref: DataRef, labelMap: string | undefined, what: string): void {
  const local = dataRef(ref.path, labelMap, what);
  if (local.hash !== ref.hash) {
    throw new ParamError(
      what,
      `${ref.path}: this worker's copy differs from the one the job was made with (content hash ${local.hash}, job expects ${ref.hash}); ` +
        'put the data on a shared filesystem or synchronise it first (docs/scale.md)',
    );
  }
}

/** Keeps the figures of an evaluation (drops paths and per-run details). */
function figures(m: ClassificationMetrics): ClassificationMetrics {
  const { accuracy, balanced_accuracy, macro_precision, macro_recall, macro_f1, n, per_class, confusion } = m;
  return { accuracy, balanced_accuracy, macro_precision, macro_recall, macro_f1, n, per_class, confusion } as ClassificationMetrics;
}

/** Runs one fold job in `workDir` (a folder of its own; fold models are written there). */
export async function runFoldJob(
  job: FoldJob,
  o: { workDir: string; cacheDir?: string | null; events?: ProgressEvents; signal?: AbortSignal },
): Promise<FoldJobResult> {
  checkJobFormat(job, ['fold']);
  checkDataRef(job.data, job.labelMap, 'data');
  for (const r of job.real) checkDataRef(r, job.labelMap, 'real');
  if (job.eval) checkDataRef(job.eval, job.labelMap, 'eval');
  const t0 = performance.now();
  const cv = await crossValidate({
    data: job.data.path,
    out: o.workDir,
    folds: job.folds,
    groupBy: job.groupBy,
    labelMap: job.labelMap,
    eval: job.eval?.path,
    hyper: job.hyper,
    features: job.features.params,
    loudness: job.features.loudness,
    cacheDir: o.cacheDir,
    report: false,
    onlyFolds: [job.fold],
    events: o.events,
    signal: o.signal,
  });
  const outcome = cv.folds[0];
  if (!outcome || outcome.fold !== job.fold) throw new Error(`fold ${job.fold}: cross-validation returned no result for it`);
  const foldDir = path.join(o.workDir, `fold-${String(job.fold).padStart(2, '0')}`);
  const real: ClassificationMetrics[] = [];
  for (const r of job.real) {
    const e = await evaluate({ model: foldDir, data: r.path, labelMap: job.labelMap, cacheDir: o.cacheDir });
    real.push(figures(e));
  }
  const foldResult = JSON.parse(readFileSync(path.join(foldDir, 'result.json'), 'utf8')) as FoldJobResult['foldResult'];
  return {
    key: job.key,
    fold: job.fold,
    n_train: outcome.n_train,
    n_val: outcome.n_val,
    metrics: figures(outcome.metrics),
    real,
    foldResult,
    seconds: (performance.now() - t0) / 1000,
  };
}
