/**
 * `affexion sweep`: the paper's hyper-parameter studies as one command. Each trial (a setting of the
 * varied knobs) × seed is scored by grouped cross-validation (src/eval/cv.ts, one fold per job) and on
 * every real corpus given (src/eval/evaluate.ts). A job's result is stored under RUN/jobs/ keyed by a
 * hash of its settings and of the data's content, so an interrupted sweep continues and nothing is
 * computed twice. Jobs run in this process, or on BullMQ workers with `queue` (./queue.ts).
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { writeFileAtomic } from '../../data/cache.js';
import { resolveFeatureSettings, type LoudnessMode } from '../../data/features.js';
import { withOutputLock } from '../../data/out-lock.js';
import { GROUP_BY, summarize, type CvSummary, type GroupBy } from '../../eval/cv.js';
import type { FeatureParams } from '../../features/index.js';
import { resolveHyperparameters, type Hyperparameters } from '../../model/hyperparameters.js';
import type { ProgressEvents } from '../../report/progress.js';
import type { ClassificationMetrics } from '../../report/metrics.js';
import { dataRef } from './data-hash.js';
import { foldJobId, JOB_FORMAT_VERSION, runFoldJob, type DataRef, type FoldJob, type FoldJobResult } from './job.js';
import { MAX_UNCONFIRMED_RUNS, parseVary, planTrials, type Design, type Trial, type TrialSettings, type Vary } from './knobs.js';
import { writeSweepReport } from './report.js';
import { ParamError } from '../../engine/errors.js';

/** Options of {@link sweep}. */
export interface SweepOptions {
  /** Training data (folder per class or CSV manifest). */
  data: string;
  /** Knob → values, or the CLI form `['max_len=200,400', …]`. */
  vary: Vary | readonly string[];
  design?: Design;
  /** Number of seeds (base seed, base seed + 1, …) or the seeds themselves (default 1). */
  seeds?: number | readonly number[];
  /** Cross-validation folds (default 7, as the paper). */
  folds?: number;
  groupBy?: GroupBy;
  /** Real-speech dev corpora every fold model is scored on. */
  real?: readonly string[];
  /** Run folder: results.json, table.md, report.html, jobs/ (stored job results). */
  out: string;
  /** redis://HOST:PORT: run the jobs on BullMQ workers (`affexion worker`) instead of in this process. */
  queue?: string;
  /** BullMQ queue name (default 'affexion'). */
  queueName?: string;
  /** Needed when the sweep has more than 1,000 trial × seed runs. */
  yes?: boolean;
  /** Base hyper-parameters (the value of every knob not varied, and of varied ones in the other studies). */
  hyper?: Partial<Hyperparameters>;
  features?: Partial<FeatureParams>;
  loudness?: LoudnessMode;
  labelMap?: string;
  cacheDir?: string | null;
  events?: ProgressEvents;
  onProgress?: (p: SweepProgress) => void;
  signal?: AbortSignal;
  command?: string[];
  /** Write report.html (default true). */
  report?: boolean;
  /** Runs the jobs instead of this process / the queue (e.g. another executor, or tests). */
  runner?: JobRunner;
}

/** Job counts as the sweep goes (fold jobs; a trial × seed has `folds` of them). */
export interface SweepProgress {
  total: number;
  done: number;
  running: number;
  failed: number;
  reused: number;
}

/** A fold's figures in results.json. */
export interface FoldRecord {
  fold: number;
  n_train: number;
  n_val: number;
  metrics: ClassificationMetrics;
  real: Record<string, ClassificationMetrics>;
}

/** One trial × seed in results.json. */
export interface TrialRecord {
  key: string;
  /** Value of each varied knob. */
  values: Record<string, number>;
  /** The knobs whose chart this run is a point of (see Trial.curves). */
  curves: string[];
  seed: number;
  settings: TrialSettings;
  status: 'done' | 'failed';
  /** The first failing fold's error. */
  error?: string;
  folds: FoldRecord[];
  /** Mean ± sd over folds. */
  cv?: CvSummary;
  real?: Record<string, CvSummary>;
  /** Seconds of training and scoring, summed over the folds (machine- and load-dependent). */
  time: number;
}

export interface SweepResults {
  format_version: number;
  design: Design;
  vary: Vary;
  base: TrialSettings;
  seeds: number[];
  folds: number;
  groupBy: GroupBy;
  data: DataRef;
  real: (DataRef & { name: string })[];
  records: TrialRecord[];
}

export interface SweepResult extends SweepResults {
  out: string;
  failed: number;
  report?: string;
}

/** Runs jobs: in this process or on a queue. Calls back as jobs start, finish or fail. */
export interface JobRunner {
  run(
    jobs: readonly FoldJob[],
    cb: { started(id: string): void; done(id: string, r: FoldJobResult): void; failed(id: string, error: string): void },
  ): Promise<void>;
  close(): Promise<void>;
}

/** Plans the sweep and checks everything (knobs, seeds, size) before anything runs. */
export function planSweep(opts: SweepOptions): {
  trials: Trial[];
  seeds: number[];
  base: TrialSettings;
  design: Design;
  vary: Vary;
  folds: number;
  groupBy: GroupBy;
} {
  const design = opts.design ?? 'one-at-a-time';
  const folds = opts.folds ?? 7;
  const groupBy = opts.groupBy ?? 'none';
  if (!GROUP_BY.includes(groupBy)) throw new ParamError('groupBy', `expected speaker, text or none, got "${groupBy}"`);
  if (!Number.isInteger(folds) || folds < 2) throw new ParamError('folds', `need an integer ≥ 2, got ${folds}`);
  const base: TrialSettings = {
    hyper: resolveHyperparameters(opts.hyper),
    features: resolveFeatureSettings({ params: opts.features, loudness: opts.loudness }),
  };
  const vary = Array.isArray(opts.vary) ? parseVary(opts.vary as string[]) : (opts.vary as Vary);
  const trials = planTrials(vary, base, design);
  const s = opts.seeds ?? 1;
  const seeds = typeof s === 'number' ? Array.from({ length: s }, (_, i) => base.hyper.seed + i) : [...s];
  if (typeof s === 'number' && (!Number.isInteger(s) || s < 1)) throw new ParamError('seeds', `expected a positive integer, got ${s}`);
  if (seeds.length === 0 || seeds.some((x) => !Number.isInteger(x)) || new Set(seeds).size !== seeds.length) {
    throw new ParamError('seeds', `expected distinct integers, got ${seeds.join(',')}`);
  }
  const runs = trials.length * seeds.length;
  if (runs > MAX_UNCONFIRMED_RUNS && !opts.yes) {
    throw new ParamError(
      'vary',
      `${trials.length} trials × ${seeds.length} seeds = ${runs} runs (${runs * folds} trainings), more than ${MAX_UNCONFIRMED_RUNS}; ` +
        'confirm with yes to run them all, or vary fewer knobs',
    );
  }
  return { trials, seeds, base, design, vary, folds, groupBy };
}

/** Key of a trial × seed: its settings and the content of its data. */
export function trialKey(
  settings: TrialSettings,
  k: number,
  groupBy: GroupBy,
  labelMap: string | undefined,
  data: DataRef,
  real: readonly DataRef[],
): string {
  const what = { v: JOB_FORMAT_VERSION, settings, k, groupBy, labelMap: labelMap ?? '', data: data.hash, real: real.map((r) => r.hash) };
  return createHash('sha256').update(JSON.stringify(what)).digest('hex').slice(0, 20);
}

/** Names of the real corpora (folder names; repeated names get #2, #3). */
function realNames(paths: readonly string[]): string[] {
  const seen = new Map<string, number>();
  return paths.map((p) => {
    const base = path.basename(path.resolve(p)) || p;
    const n = (seen.get(base) ?? 0) + 1;
    seen.set(base, n);
    return n === 1 ? base : `${base}#${n}`;
  });
}

/** Runs jobs one after another in this process (fold models under RUN/work/, removed once scored). */
export function localRunner(out: string, o: { cacheDir?: string | null; events?: ProgressEvents; signal?: AbortSignal }): JobRunner {
  return {
    async run(jobs, cb) {
      for (const job of jobs) {
        if (o.signal?.aborted) return;
        const id = foldJobId(job.key, job.fold);
        const workDir = path.join(out, 'work', id);
        cb.started(id);
        let result: FoldJobResult;
        try {
          result = await runFoldJob(job, { workDir, cacheDir: o.cacheDir, events: o.events && { log: o.events.log }, signal: o.signal });
        } catch (err) {
          if (o.signal?.aborted) throw err;
          cb.failed(id, (err as Error).message);
          continue;
        }
        cb.done(id, result);
        rmSync(workDir, { recursive: true, force: true });
      }
    },
    async close() {},
  };
}

/** Runs a sweep; see the module comment. */
export async function sweep(opts: SweepOptions): Promise<SweepResult> {
  const plan = planSweep(opts);
  const out = path.resolve(opts.out);
  // The queue is checked before anything else runs, so an unreachable Redis fails fast.
  let runner: JobRunner;
  if (opts.runner) runner = opts.runner;
  else if (opts.queue) {
    const { queueRunner } = await import('./queue.js');
    runner = await queueRunner({ url: opts.queue, name: opts.queueName, events: opts.events, signal: opts.signal });
  } else runner = localRunner(out, opts);
  try {
    return await withOutputLock(out, () => sweepLocked(opts, plan, out, runner), { command: opts.command?.join(' ') });
  } finally {
    await runner.close();
  }
}

async function sweepLocked(opts: SweepOptions, plan: ReturnType<typeof planSweep>, out: string, runner: JobRunner): Promise<SweepResult> {
  const events = opts.events ?? {};
  const data = dataRef(opts.data, opts.labelMap, 'data');
  const realPaths = opts.real ?? [];
  const names = realNames(realPaths);
  const real = realPaths.map((p, i) => ({ ...dataRef(p, opts.labelMap, 'real'), name: names[i] }));
  const realRefs = real.map(({ path: p, hash }) => ({ path: p, hash }));
  const jobsDir = path.join(out, 'jobs');
  mkdirSync(jobsDir, { recursive: true });

  const runs = plan.trials.flatMap((trial) =>
    plan.seeds.map((seed) => {
      const settings: TrialSettings = { hyper: { ...trial.settings.hyper, seed }, features: trial.settings.features };
      return { trial, seed, settings, key: trialKey(settings, plan.folds, plan.groupBy, opts.labelMap, data, realRefs) };
    }),
  );
  const results = new Map<string, FoldJobResult>();
  const errors = new Map<string, string>();
  const pending: FoldJob[] = [];
  for (const r of runs) {
    for (let fold = 1; fold <= plan.folds; fold++) {
      const id = foldJobId(r.key, fold);
      const stored = readJobResult(path.join(jobsDir, `${id}.json`));
      if (stored) results.set(id, stored);
      else {
        pending.push({
          v: JOB_FORMAT_VERSION,
          kind: 'fold',
          key: r.key,
          fold,
          folds: plan.folds,
          groupBy: plan.groupBy,
          data,
          real: realRefs,
          labelMap: opts.labelMap,
          hyper: r.settings.hyper,
          features: r.settings.features,
        });
      }
    }
  }
  const progress: SweepProgress = { total: runs.length * plan.folds, done: results.size, running: 0, failed: 0, reused: results.size };
  events.log?.(
    `sweep: ${plan.trials.length} trial(s) × ${plan.seeds.length} seed(s) × ${plan.folds} folds = ${progress.total} jobs` +
      (progress.reused ? ` (${progress.reused} finished earlier)` : '') +
      (opts.queue ? ` on ${opts.queue}` : ''),
  );
  opts.onProgress?.({ ...progress });
  await runner.run(pending, {
    started: () => {
      progress.running++;
      opts.onProgress?.({ ...progress });
    },
    done: (id, r) => {
      writeFileAtomic(path.join(jobsDir, `${id}.json`), JSON.stringify(r));
      results.set(id, r);
      progress.running = Math.max(0, progress.running - 1);
      progress.done++;
      opts.onProgress?.({ ...progress });
    },
    failed: (id, error) => {
      errors.set(id, error);
      events.log?.(`job ${id} failed: ${error}`);
      progress.running = Math.max(0, progress.running - 1);
      progress.failed++;
      opts.onProgress?.({ ...progress });
    },
  });
  if (opts.signal?.aborted) throw new Error('sweep: interrupted; run the same command again to continue');

  const records: TrialRecord[] = runs.map((r) => {
    const ids = Array.from({ length: plan.folds }, (_, f) => foldJobId(r.key, f + 1));
    const folds = ids
      .map((id) => results.get(id))
      .filter((x): x is FoldJobResult => x !== undefined)
      .map((j) => ({
        fold: j.fold,
        n_train: j.n_train,
        n_val: j.n_val,
        metrics: j.metrics,
        real: Object.fromEntries(real.map((c, i) => [c.name, j.real[i]])),
      }));
    const time = ids.reduce((t, id) => t + (results.get(id)?.seconds ?? 0), 0);
    const base = { key: r.key, values: r.trial.values, curves: r.trial.curves, seed: r.seed, settings: r.settings, folds, time };
    const error = ids.map((id) => errors.get(id)).find((e) => e !== undefined);
    if (folds.length < plan.folds) return { ...base, status: 'failed' as const, error: error ?? 'not run' };
    return {
      ...base,
      status: 'done' as const,
      cv: summarize(folds.map((f) => f.metrics)),
      real: Object.fromEntries(real.map((c) => [c.name, summarize(folds.map((f) => f.real[c.name]))])),
    };
  });
  const summary: SweepResults = {
    format_version: 1,
    design: plan.design,
    vary: plan.vary,
    base: plan.base,
    seeds: plan.seeds,
    folds: plan.folds,
    groupBy: plan.groupBy,
    data,
    real,
    records,
  };
  writeFileAtomic(path.join(out, 'results.json'), JSON.stringify(summary, null, 1));
  const result: SweepResult = { ...summary, out, failed: records.filter((r) => r.status === 'failed').length };
  const { table, html } = await writeSweepReport(out, summary, { html: opts.report !== false, command: opts.command });
  events.log?.(`sweep: wrote ${path.relative(process.cwd(), table) || table}`);
  if (html) result.report = html;
  return result;
}

/** A stored job result, or null when absent or unreadable (then the job runs again). */
function readJobResult(file: string): FoldJobResult | null {
  if (!existsSync(file)) return null;
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as FoldJobResult;
  } catch {
    return null;
  }
}
