/**
 * `affexion cv`: stratified k-fold cross-validation, optionally grouped so no speaker (or sentence) is
 * on both sides of a fold, optionally scoring every fold's model on a second dataset (e.g. real
 * speech). Each fold trains in RUN_DIR/fold-NN with per-epoch checkpoints; a finished fold's result is
 * stored there and reused, so an interrupted cv resumes where it stopped.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { FeatureCache, defaultCacheDir, writeFileAtomic } from '../data/cache.js';
import { describeDataset, scanDataset, type Dataset } from '../data/dataset.js';
import type { FeatureSettings } from '../data/features.js';
import type { EpochRecord } from '../train/fit.js';
import { applyTemperature, expectedCalibrationError, fitNeutralBias, fitTemperature } from '../model/calibration.js';
import { resolveRunSettings, windowHopFrames, type CrossValidationRunSettings, type Hyperparameters } from '../model/hyperparameters.js';
import { holdsCheckpointOfOtherRun, trainModelToDir } from '../train/train.js';
import {
  dataFingerprint,
  loadSplit,
  referenceDatasets,
  referenceFingerprint,
  subsetSplit,
  trainingDataset,
  type LoadedSplit,
  type ReferenceData,
  type DataSource,
} from '../data/split.js';
import { clearModelDir, holdsModel, meanProbabilities, scoreMembers } from '../model/model-dir.js';
import { withOutputLock } from '../data/out-lock.js';
import { foldPlan, GROUP_BY, type GroupBy } from '../data/folds.js';
import { argmaxRows, classificationMetrics, summarize, type ClassificationMetrics, type CvSummary } from '../report/metrics.js';
import { ParamError } from '../engine/errors.js';

export { GROUP_BY, type GroupBy } from '../data/folds.js';

/** Options of {@link crossValidate}. */
export interface CvOptions extends CrossValidationRunSettings, DataSource {
  /** Run directory (fold models, results, report). */
  out: string;
  /** Number of folds (default 7, as the paper). */
  folds?: number;
  /** Keep speakers / sentences on one side of every fold (default 'none'). */
  groupBy?: GroupBy;
  /**
   * Overwrite fold models that an earlier cross-validation with other settings left in `out` (default
   * false: refused; with the same settings finished folds are reused and unfinished ones resumed).
   */
  force?: boolean;
  /** Extra dataset every fold's model is scored on (`labelMap` applies when it is a path). */
  eval?: string | Dataset | null;
  /**
   * More speaker reference clips for `eval` only (default: `reference`) (speaker ids of different datasets may collide, so the
   * training speakers' references need not be offered to the evaluation set).
   */
  evalReference?: ReferenceData;
  report?: boolean;
  /**
   * Run only these folds (1-based), e.g. one fold per queue job (workflows/sweep): the folds are the
   * same as in a full run; cv.json and the report are not written for a partial run.
   */
  onlyFolds?: readonly number[];
}

/** One fold's outcome. */
export interface FoldOutcome {
  fold: number;
  n_train: number;
  n_val: number;
  metrics: ClassificationMetrics;
  eval?: ClassificationMetrics;
  history: EpochRecord[];
  /** True when read back from a previous (interrupted) run instead of recomputed. */
  reused?: boolean;
}

// The fold summary is report work (report/metrics.ts); re-exported here, where cv's results are described.
export { CV_METRICS, summarize, type CvSummary } from '../report/metrics.js';

/** What {@link crossValidate} returns (also written to RUN_DIR/cv.json). */
export interface CvResult {
  k: number;
  groupBy: GroupBy;
  classes: string[];
  folds: FoldOutcome[];
  summary: CvSummary;
  evalSummary?: CvSummary;
  /** Figures of all folds' validation predictions pooled together. */
  pooled: ClassificationMetrics;
  /**
   * Temperature fitted on the pooled out-of-fold probabilities (held-out speakers when grouped by
   * speaker) and the expected calibration error before/after (src/model/calibration.ts).
   */
  calibration?: {
    temperature: number;
    ece_before: number;
    ece_after: number;
    n: number;
    /**
     * With a class neutral: the operating point (applyNeutralBias) with the best balanced accuracy on the same
     * out-of-fold predictions after the temperature, and that balanced accuracy before / after it.
     */
    neutral_bias?: number;
    balanced_accuracy_before?: number;
    balanced_accuracy_after?: number;
  };
  warnings: string[];
  out: string;
  report?: string;
}

/** Runs k-fold cross-validation; see the module comment. */
export async function crossValidate(opts: CvOptions): Promise<CvResult> {
  const k = opts.folds ?? 7;
  const groupBy = opts.groupBy ?? 'none';
  if (!GROUP_BY.includes(groupBy)) throw new ParamError('groupBy', `expected speaker, text or none, got "${groupBy}"`);
  const { hyper, settings } = resolveRunSettings(opts);
  return withOutputLock(opts.out, () => crossValidateLocked(opts, k, groupBy, hyper, settings), { command: opts.command?.join(' ') });
}

async function crossValidateLocked(
  opts: CvOptions,
  k: number,
  groupBy: GroupBy,
  hyper: Hyperparameters,
  settings: FeatureSettings,
): Promise<CvResult> {
  const events = opts.events ?? {};
  const out = path.resolve(opts.out);
  const { ds, classes } = trainingDataset(opts, hyper.speaker_reference, hyper.neutral_class, events);
  if (ds.items.length < k)
    throw new ParamError('folds', `${k}: the dataset has only ${ds.items.length} clips, fewer than the number of folds`);
  const cache = new FeatureCache(opts.cacheDir === undefined ? defaultCacheDir() : opts.cacheDir);
  const extra = referenceDatasets(opts.reference);
  const evalExtra = opts.evalReference === undefined ? extra : referenceDatasets(opts.evalReference);
  if ((extra.length || evalExtra.length) && !hyper.speaker_reference)
    throw new ParamError('reference', 'only used with speaker_reference (which labels are the reference clips)');
  // Reference statistics come from each speaker's own neutral clips, never from labelled clips, so they
  // do not leak a validation clip's label into training.
  const all = await loadSplit(ds, {
    classes,
    settings,
    cache,
    events,
    reference: { labels: hyper.speaker_reference, extra, maxLen: hyper.max_len },
  });
  const dataPrint = dataFingerprint(ds, all.itemIndex);
  const labels = Array.from(all.targets);
  const plan = foldPlan(ds, all.itemIndex, labels, classes, { k, groupBy, seed: hyper.seed });
  const warnings = plan.warnings;
  for (const w of warnings) events.log?.(`warning: ${w}`);

  let evalSplit: LoadedSplit | null = null;
  let evalDs: Dataset | null = null;
  if (opts.eval) {
    const evalData = opts.eval;
    evalDs = typeof evalData === 'string' ? scanDataset(evalData, { labelMap: opts.labelMap, param: 'eval' }) : evalData;
    events.log?.(describeDataset(evalDs));
    evalSplit = await loadSplit(evalDs, {
      classes,
      settings,
      cache,
      events,
      stage: 'features (extra evaluation set)',
      param: 'eval',
      reference: { labels: hyper.speaker_reference, extra: evalExtra, maxLen: hyper.max_len },
    });
    if (evalSplit.targets.length === 0)
      throw new ParamError('eval', `none of its clips has one of the training classes (${classes.join(', ')}); use a label map`);
    const unknown = Object.entries(evalSplit.unknownLabels);
    if (unknown.length)
      events.log?.(`extra evaluation set: left out (label not among the classes): ${unknown.map(([l, n]) => `${l} ${n}`).join(', ')}`);
  }

  mkdirSync(out, { recursive: true });
  const baseSig = {
    hyper,
    classes,
    features: settings,
    data: dataPrint,
    k,
    groupBy,
    eval: evalSplit && evalDs ? dataFingerprint(evalDs, evalSplit.itemIndex) : null,
    ...(hyper.speaker_reference ? { reference: referenceFingerprint([...all.referenceFiles, ...(evalSplit?.referenceFiles ?? [])]) } : {}),
  };
  const outcomes: FoldOutcome[] = [];
  const pooledTrue: number[] = [];
  const pooledPred: number[] = [];
  const pooledProbs: number[] = [];
  let calibratable = true; // folds saved by older versions have no probabilities
  for (const [f, { val, train: trainIdx }] of plan.folds.entries()) {
    const fold = f + 1;
    if (opts.onlyFolds && !opts.onlyFolds.includes(fold)) continue;
    const dir = path.join(out, `fold-${String(fold).padStart(2, '0')}`);
    const fe = opts.foldEvents?.(fold, k) ?? events;
    const signature = {
      ...baseSig,
      hyper: { ...hyper, epochs: undefined },
      fold,
      val: createHash('sha256').update(val.join(',')).digest('hex').slice(0, 16),
    };
    const resultFile = path.join(dir, 'result.json');
    const reused = readFoldResult(resultFile, { ...signature, epochs: hyper.epochs });
    if (!reused && !opts.force && (existsSync(resultFile) || holdsCheckpointOfOtherRun(dir, signature, hyper))) {
      // Same settings resume or reuse a fold; other settings would silently replace an earlier run's models.
      throw new ParamError(
        'out',
        `${opts.out}: ${path.basename(dir)} holds a fold of a cross-validation with other settings (data, folds, ` +
          'hyper-parameters or features); use another folder, or force to overwrite it',
      );
    }
    if (!reused && opts.force && holdsModel(dir)) clearModelDir(dir);
    const valSet = subsetSplit(all, val);
    const tag = opts.foldEvents ? '' : `fold ${fold}/${k}: `; // foldEvents already prefix each line with the fold
    let outcome: FoldOutcome & { val_pred?: number[]; val_probs?: number[] };
    if (reused) {
      outcome = { ...reused, reused: true };
      fe.log?.(`${tag}finished earlier, reusing ${path.relative(process.cwd(), resultFile) || resultFile}`);
    } else {
      fe.log?.(`${tag}training on ${trainIdx.length} clips, validating on ${val.length}`);
      // With --ensemble N each fold trains N networks (members) and is scored by their mean probabilities.
      const members = await trainModelToDir({
        out: dir,
        train: subsetSplit(all, trainIdx),
        val: valSet,
        classes,
        hyper,
        settings,
        signature,
        resume: 'auto',
        events: fe,
        signal: opts.signal,
      });
      const probs = await meanProbabilities(members, valSet.features, hyper.max_len, hyper.batch_size, windowHopFrames(hyper));
      const pred = Array.from(argmaxRows(probs, val.length, classes.length));
      outcome = {
        fold,
        n_train: trainIdx.length,
        n_val: val.length,
        metrics: classificationMetrics(valSet.targets, pred, classes),
        history: members[0]!.history,
        val_pred: pred,
        val_probs: Array.from(probs, (v) => Math.round(v * 1e6) / 1e6),
      };
      if (evalSplit) outcome.eval = await scoreMembers(members, hyper, evalSplit, classes);
      for (const m of members) m.net.releaseActivations();
      writeFileAtomic(resultFile, JSON.stringify({ signature: { ...signature, epochs: hyper.epochs }, outcome }, null, 1));
    }
    pooledTrue.push(...valSet.targets);
    pooledPred.push(...(outcome.val_pred ?? []));
    if (outcome.val_probs?.length === val.length * classes.length) pooledProbs.push(...outcome.val_probs);
    else calibratable = false;
    delete outcome.val_pred;
    delete outcome.val_probs;
    outcomes.push(outcome);
    const m = outcome.metrics;
    fe.log?.(
      `${tag}accuracy ${(100 * m.accuracy).toFixed(1)} % · UA ${(100 * m.balanced_accuracy).toFixed(1)} % · macro F1 ${(100 * m.macro_f1).toFixed(1)} %` +
        (outcome.eval
          ? ` · on --eval: accuracy ${(100 * outcome.eval.accuracy).toFixed(1)} %, macro F1 ${(100 * outcome.eval.macro_f1).toFixed(1)} %`
          : ''),
    );
  }

  const result: CvResult = {
    k,
    groupBy,
    classes,
    folds: outcomes,
    summary: summarize(outcomes.map((o) => o.metrics)),
    evalSummary: evalSplit ? summarize(outcomes.map((o) => o.eval as ClassificationMetrics)) : undefined,
    pooled: classificationMetrics(pooledTrue, pooledPred, classes),
    warnings,
    out,
  };
  if (opts.onlyFolds) return result; // a part of a cross-validation: its folds' result.json files are the output
  if (calibratable && pooledTrue.length) {
    const P = Float32Array.from(pooledProbs);
    const T = fitTemperature(P, pooledTrue, classes.length);
    const PT = applyTemperature(P, classes.length, T);
    result.calibration = {
      temperature: T,
      ece_before: expectedCalibrationError(P, pooledTrue, classes.length),
      ece_after: expectedCalibrationError(PT, pooledTrue, classes.length),
      n: pooledTrue.length,
    };
    if (classes.includes('neutral')) {
      const nb = fitNeutralBias(PT, pooledTrue, classes.length, classes.indexOf('neutral'));
      Object.assign(result.calibration, { neutral_bias: nb.bias, balanced_accuracy_before: nb.before, balanced_accuracy_after: nb.after });
    }
  }
  writeFileAtomic(path.join(out, 'cv.json'), JSON.stringify(result, null, 1));
  if (opts.report !== false) {
    const { writeCvReport } = await import('./cv-report.js');
    result.report = await writeCvReport(out, result, ds, evalDs, opts.command);
  }
  return result;
}

/** A stored fold result when its signature matches this run, else null. */
function readFoldResult(file: string, signature: Record<string, unknown>): (FoldOutcome & { val_pred?: number[] }) | null {
  if (!existsSync(file)) return null;
  try {
    const saved = JSON.parse(readFileSync(file, 'utf8')) as { signature: unknown; outcome: FoldOutcome & { val_pred?: number[] } };
    return JSON.stringify(saved.signature) === JSON.stringify(JSON.parse(JSON.stringify(signature))) ? saved.outcome : null;
  } catch {
    return null;
  }
}

/** "75.1 ± 2.0 %" style line of a summary. */
export function formatSummary(s: CvSummary): string {
  const f = (m: { mean: number; std: number }): string => `${(100 * m.mean).toFixed(1)} ± ${(100 * m.std).toFixed(1)} %`;
  return `accuracy ${f(s.accuracy)} · UA ${f(s.balanced_accuracy)} · macro P ${f(s.macro_precision)} · R ${f(s.macro_recall)} · F1 ${f(s.macro_f1)}`;
}
