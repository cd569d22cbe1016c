/**
 * `affexion evaluate`: score a trained model on a labelled dataset. Clips whose label is not one of the
 * model's classes are counted apart (`unknown_labels`), never mixed into the figures.
 */
import path from 'node:path';
import { FeatureCache, defaultCacheDir } from '../data/cache.js';
import { describeDataset, scanDataset, type SkippedFile } from '../data/dataset.js';
import { loadSplit, referenceDatasets, type LoadedSplit, type DataSource } from '../data/split.js';
import type { RunSettings } from '../model/hyperparameters.js';
import { loadTrainedModel, modelProbabilities, type TrainedModel } from '../model/model-dir.js';
import { argmaxRows, classificationMetrics, type ClassificationMetrics } from '../report/metrics.js';
import { ParamError } from '../engine/errors.js';
import { fuseWithHead } from './functional-fusion.js';

/** The JSON `evaluate --json` prints. */
export type EvaluationResult = ClassificationMetrics & {
  /** Clips left out because the model does not know their label: label → count. */
  unknown_labels: Record<string, number>;
  /** Clips used as speaker references, not scored: label → count (models trained with speaker reference normalisation). */
  reference_labels: Record<string, number>;
  /** Model classes with no clip in the data (their recall is undefined; left out of macro averages). */
  missing_classes: string[];
  /** Files that could not be used (scan or decode), with reasons. */
  skipped: SkippedFile[];
  model: string;
  data: string;
  /** Per-clip predictions (file, true label, predicted label, probabilities in the model's order). */
  predictions?: { file: string; label: string; predicted: string; probs: number[] }[];
};

/** Options of {@link evaluate}. */
export interface EvaluateOptions extends Pick<RunSettings, 'cacheDir' | 'events'>, DataSource {
  /** Model directory (or a loaded model); its settings decide features and hyper-parameters. */
  model: string | TrainedModel;
  /** Include per-clip predictions in the result (default false). */
  predictions?: boolean;
  /** Batch size for inference (default: the model's training batch size). */
  batchSize?: number;
}

/** Scores `split` (already loaded with the model's classes and feature settings). */
export async function evaluateSplit(
  model: TrainedModel,
  split: LoadedSplit,
  batchSize = model.hyper.batch_size,
): Promise<{ metrics: ClassificationMetrics; probs: Float32Array }> {
  const K = model.classes.length;
  const probs = await modelProbabilities(model, split.features, batchSize);
  const metrics = classificationMetrics(split.targets, argmaxRows(probs, split.targets.length, K), model.classes);
  return { metrics, probs };
}

/** Evaluates a model on a dataset. Throws (ParamError `data`) when no clip carries a label the model knows. */
export async function evaluate(opts: EvaluateOptions): Promise<EvaluationResult> {
  const model = typeof opts.model === 'string' ? loadTrainedModel(opts.model) : opts.model;
  const ds = typeof opts.data === 'string' ? scanDataset(opts.data, { labelMap: opts.labelMap }) : opts.data;
  opts.events?.log?.(describeDataset(ds));
  const cache = new FeatureCache(opts.cacheDir === undefined ? defaultCacheDir() : opts.cacheDir);
  const extra = referenceDatasets(opts.reference);
  if (extra.length && !model.hyper.speaker_reference)
    throw new ParamError('reference', `the model in ${model.dir} was trained without speaker reference normalisation`);
  const split = await loadSplit(ds, {
    classes: model.classes,
    settings: model.featureSettings,
    cache,
    events: opts.events,
    stage: 'features (evaluation)',
    reference: { labels: model.hyper.speaker_reference, extra, maxLen: model.hyper.max_len },
  });
  const refs = Object.entries(split.referenceLabels);
  if (refs.length) opts.events?.log?.(`speaker references (not scored): ${refs.map(([l, n]) => `${l} ${n}`).join(', ')}`);
  if (split.targets.length === 0) {
    const labels = Object.keys(split.unknownLabels);
    throw new ParamError(
      'data',
      `none of the clips in ${ds.source} has a label the model knows ` +
        `(model: ${model.classes.join(', ')}; data: ${labels.join(', ') || 'no usable clips'}); map labels with a label map, e.g. ${labels[0] ?? 'old'}=${model.classes[0]}`,
    );
  }
  let { metrics, probs } = await evaluateSplit(model, split, opts.batchSize);
  if (model.functionalHead) {
    // The head sees each clip beside its speaker's reference clips, the files that normalised the network's input.
    const speakerOf = new Map([ds, ...extra].flatMap((d) => d.items.map((it) => [it.path, it.speaker] as const)));
    probs = await fuseWithHead(
      model,
      probs,
      split.itemIndex.map((i) => ({ path: ds.items[i].path, speaker: ds.items[i].speaker })),
      split.referenceFiles.map((p) => ({ path: p, speaker: speakerOf.get(p) ?? null })),
      cache,
      { events: opts.events },
    );
    metrics = classificationMetrics(split.targets, argmaxRows(probs, split.targets.length, model.classes.length), model.classes);
  }
  const missing = model.classes.filter((_, k) => metrics.per_class[k].support === 0);
  if (missing.length)
    opts.events?.log?.(`note: no clips of class ${missing.join(', ')} in ${ds.source}; those classes are left out of the macro averages`);
  const unknown = Object.entries(split.unknownLabels);
  if (unknown.length) opts.events?.log?.(`left out (label not known to the model): ${unknown.map(([l, n]) => `${l} ${n}`).join(', ')}`);
  const result: EvaluationResult = {
    ...metrics,
    unknown_labels: split.unknownLabels,
    reference_labels: split.referenceLabels,
    missing_classes: missing,
    skipped: split.skipped,
    model: model.dir,
    data: ds.source,
  };
  if (opts.predictions) {
    const K = model.classes.length;
    result.predictions = split.itemIndex.map((item, i) => {
      const p = Array.from(probs.subarray(i * K, (i + 1) * K));
      const best = p.indexOf(Math.max(...p));
      return {
        file: path.relative(process.cwd(), ds.items[item].path),
        label: ds.items[item].label,
        predicted: model.classes[best],
        probs: p,
      };
    });
  }
  return result;
}

/** Short human-readable table of an evaluation. */
export function formatEvaluation(r: ClassificationMetrics & { unknown_labels?: Record<string, number> }): string {
  const pct = (x: number): string => `${(100 * x).toFixed(1)} %`;
  const lines = [
    `n ${r.n} · accuracy ${pct(r.accuracy)} · balanced accuracy (UA) ${pct(r.balanced_accuracy)} · macro P ${pct(r.macro_precision)} · R ${pct(r.macro_recall)} · F1 ${pct(r.macro_f1)}`,
    `${'class'.padEnd(16)} ${'precision'.padStart(9)} ${'recall'.padStart(9)} ${'F1'.padStart(9)} ${'support'.padStart(8)}`,
  ];
  for (const c of r.per_class) {
    if (c.support === 0) continue; // listed below: 0 % rows would read as failure
    lines.push(
      `${c.label.padEnd(16)} ${pct(c.precision).padStart(9)} ${pct(c.recall).padStart(9)} ${pct(c.f1).padStart(9)} ${String(c.support).padStart(8)}`,
    );
  }
  const absent = r.per_class.filter((c) => c.support === 0).map((c) => c.label);
  if (absent.length) lines.push(`(no clips of ${absent.join(', ')} in this set)`);
  const labels = r.confusion.labels;
  const w = Math.max(8, ...labels.map((l) => l.length + 1));
  lines.push(`confusion (rows true, columns predicted):`, `${''.padEnd(16)}${labels.map((l) => l.padStart(w)).join('')}`);
  r.confusion.matrix.forEach((row, i) => lines.push(`${labels[i].padEnd(16)}${row.map((v) => String(v).padStart(w)).join('')}`));
  const unknown = Object.entries(r.unknown_labels ?? {});
  if (unknown.length) lines.push(`not scored (label unknown to the model): ${unknown.map(([l, n]) => `${l} ${n}`).join(', ')}`);
  return lines.join('\n');
}
