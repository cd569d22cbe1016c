/**
 * `affexion reproduce`: the paper's experiment in one command — train, k-fold cross-validation on the
 * training data, evaluation of the trained model on real speech — with a report that puts our figures
 * beside the paper's. The training recipe is {@link DEFAULT_RECIPE} (real neutral speech converted into
 * each emotion: the best recipe on real speech, docs/experiment.md) unless `recipe: 'paper'` asks for the
 * paper's (synthetic speech). Every stage is resumable (re-run the same command).
 */
import { withOutputLock } from '../data/out-lock.js';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { writeFileAtomic } from '../data/cache.js';
import { mergeDatasets, scanDataset, type Dataset } from '../data/dataset.js';
import { assertNoRealClips } from '../data/leakage.js';
import { assertSpeakerReferences, parseReferenceLabels } from '../data/reference.js';
import { sharedDataPath } from '../data/shared-data.js';
import { resynthesiseNeutral } from '../augment/convert/neutral.js';
import { prepareConverted } from '../augment/convert/prepare.js';
import { loadConversionProfiles } from '../augment/convert/profiles.js';
import { crossValidate, type CvResult, type GroupBy } from '../eval/cv.js';
import { evaluate, type EvaluationResult } from '../eval/evaluate.js';
import { writeReport, type ComparisonTable, type RunReport } from '../report/index.js';
import { resolveHyperparameters, type CrossValidationRunSettings, type Hyperparameters } from '../model/hyperparameters.js';
import { RECIPE_SETTINGS, resolveRecipe, type TrainingRecipe } from './recipe.js';
import { datasetSummary } from '../train/reporting.js';
import { train, type TrainResult } from '../train/train.js';
import { loadTrainedModel, saveCalibration } from '../model/model-dir.js';
import { expectedCalibrationError } from '../model/calibration.js';
import { ParamError, renameParams } from '../engine/errors.js';

/** The paper's figures (fractions): accuracy, macro precision, recall, F1. */
export const PAPER_FIGURES = {
  cv: { accuracy: 0.751, macro_precision: 0.779, macro_recall: 0.76, macro_f1: 0.744 },
  real: { accuracy: 0.453, macro_precision: 0.494, macro_recall: 0.455, macro_f1: 0.436 },
} as const;

/** Options of {@link reproduce}. */
export interface ReproduceOptions extends CrossValidationRunSettings {
  /** Training recipe (default 'converted'; see src/workflows/recipe.ts). Its settings sit under `hyper`/`loudness`. */
  recipe?: TrainingRecipe;
  /**
   * Synthetic speech: the training set of the 'paper' recipe (required there); with 'converted' it is
   * scored as an extra evaluation ("synthetic speech, not trained on") when given.
   */
  synthetic?: string | null;
  /** 'converted' recipe: an already converted set (otherwise `neutral` is converted into RUN_DIR/data/converted). */
  converted?: string;
  /** 'converted' recipe: real neutral speech to convert (default ../shared/data/neutral-pool). */
  neutral?: string;
  /** 'converted' recipe: convert only the first N neutral clips (default all). */
  convertLimit?: number;
  /** 'converted' recipe: a conversion profile file (JSON; `loadConversionProfiles`) changing or adding emotions. */
  profilesFile?: string;
  /**
   * 'converted' recipe with a neutral class: pass the class's neutral clips through the converter unchanged in
   * delivery (src/augment/convert/neutral.ts; default the recipe's, false: the clips as recorded).
   */
  neutralResynthesis?: boolean;
  /** Real labelled speech to test on; null skips that stage (the demo without real speech). */
  real: string | null;
  /**
   * More real corpora scored the same way (same label map and references), e.g. tess-dev beside
   * ravdess-dev: every real-speech figure is reported per corpus and as their mean.
   */
  moreReal?: string[];
  out: string;
  /**
   * Applied to the synthetic and real datasets (e.g. fearful=panic,happy=excitement). With speaker
   * reference normalisation (the converted recipe) keep the neutral/calm clips: they are each speaker's
   * reference, not scored.
   */
  labelMap?: string;
  /**
   * More speaker reference clips (a dataset; its clips with a reference label count), for the real and
   * extra evaluation sets. The converted recipe's training speakers use the neutral speech they were converted from.
   */
  reference?: string | null;
  folds?: number;
  /** Fold grouping (default: speaker for 'converted', so a speaker's conversions stay on one side; none for 'paper', as the paper). */
  groupBy?: GroupBy;
  /** Title and extra notes for the report (demo uses these). */
  title?: string;
  /** Report kind shown in report.html (default 'reproduce'; the demo says 'demo'). */
  kind?: string;
  notes?: string[];
  /** Extra evaluations of the trained model: name → dataset (e.g. held-out synthetic voices). */
  extraEvaluations?: Record<string, string>;
}

/** What {@link reproduce} returns (also RUN_DIR/results.json). */
export interface ReproduceResult {
  recipe: TrainingRecipe;
  /** The data the model was trained and cross-validated on. */
  trainingData: string;
  modelDir: string;
  train: TrainResult;
  cv: CvResult;
  real: EvaluationResult | null;
  /** Every real corpus (`real` first, then `moreReal`) by folder name, and their mean: the issue-13 protocol. */
  realCorpora: RealCorporaSummary | null;
  extra: Record<string, EvaluationResult>;
  table: ComparisonTable;
  report: string;
}

/** Figures of one real corpus: panic vs excitement, calm false alarms, calibration. */
export interface RealCorpusFigures {
  /** Mean recall of panic and excitement, predictions among all the model's classes. */
  balanced_accuracy: number;
  recall: Record<string, number>;
  /** Share of held-out neutral/calm clips (never the reference clips) predicted as a signal; null without a neutral class. */
  calm_false_alarm: number | null;
  /** Expected calibration error over the scored clips. */
  ece: number;
  confusion: EvaluationResult['confusion'];
}
export type RealCorporaSummary = {
  corpora: Record<string, RealCorpusFigures>;
  mean: { balanced_accuracy: number; calm_false_alarm: number | null; ece: number };
};

/** The issue-13 figures of an evaluation (with per-clip predictions). */
export function realCorpusFigures(ev: EvaluationResult, classes: readonly string[]): RealCorpusFigures {
  const recall: Record<string, number> = {};
  for (const c of ['panic', 'excitement']) {
    const pc = ev.per_class.find((x) => x.label === c);
    if (pc && pc.support > 0) recall[c] = pc.recall;
  }
  const rs = Object.values(recall);
  const neutral = ev.per_class.find((x) => x.label === 'neutral');
  const preds = ev.predictions ?? [];
  const K = classes.length;
  const probs = Float32Array.from(preds.flatMap((p) => p.probs));
  // Held-out neutral/calm clips count as the class neutral (src/data/split.ts).
  const targets = preds.map((p) => {
    const k = classes.indexOf(p.label);
    return k >= 0 ? k : classes.indexOf('neutral');
  });
  return {
    balanced_accuracy: rs.length ? rs.reduce((a, b) => a + b, 0) / rs.length : NaN,
    recall,
    calm_false_alarm: neutral && neutral.support > 0 ? 1 - neutral.recall : null,
    ece: preds.length ? expectedCalibrationError(probs, targets, K) : NaN,
    confusion: ev.confusion,
  };
}

function corporaSummary(evs: Record<string, EvaluationResult>, classes: readonly string[]): RealCorporaSummary {
  const corpora = Object.fromEntries(Object.entries(evs).map(([n, ev]) => [n, realCorpusFigures(ev, classes)]));
  const vals = Object.values(corpora);
  const mean = (xs: (number | null)[]): number | null => {
    const ok = xs.filter((x): x is number => x !== null && Number.isFinite(x));
    return ok.length ? ok.reduce((a, b) => a + b, 0) / ok.length : null;
  };
  return {
    corpora,
    mean: {
      balanced_accuracy: mean(vals.map((v) => v.balanced_accuracy)) ?? NaN,
      calm_false_alarm: mean(vals.map((v) => v.calm_false_alarm)),
      ece: mean(vals.map((v) => v.ece)) ?? NaN,
    },
  };
}

const COLS = ['accuracy', 'macro_precision', 'macro_recall', 'macro_f1'] as const;

/** Ours beside the paper's, as a ComparisonTable (fractions); extra rows (e.g. held-out synthetic) last. */
export function comparisonTable(
  cv: CvResult,
  real: EvaluationResult | null,
  extra: Record<string, EvaluationResult> = {},
  trainedOn = 'synthetic',
): ComparisonTable {
  return {
    title: `Ours beside the paper: CV on the training data (ours: ${trainedOn}), then real speech`,
    columns: ['accuracy', 'precision', 'recall', 'F1'],
    rows: [
      { label: 'paper: CV on synthetic', values: COLS.map((k) => PAPER_FIGURES.cv[k]) },
      { label: `ours: ${cv.k}-fold CV on ${trainedOn} (mean)`, values: COLS.map((k) => cv.summary[k].mean) },
      { label: 'paper: real speech', values: COLS.map((k) => PAPER_FIGURES.real[k]) },
      { label: 'ours: real speech', values: real ? COLS.map((k) => real[k]) : COLS.map(() => null) },
      ...Object.entries(extra).map(([name, m]) => ({ label: `ours: ${name}`, values: COLS.map((k) => m[k]) })),
    ],
    caption:
      'Precision, recall and F1 are macro averages over the classes present in the evaluated data. ' +
      'Paper figures as reported in the Affexion paper (CV 75.1 / 77.9 / 76.0 / 74.4 %; real 45.3 / 49.4 / 45.5 / 43.6 %).',
  };
}

/** Plain-text version of the comparison table. */
export function formatComparison(t: ComparisonTable): string {
  const w = Math.max(...t.rows.map((r) => r.label.length)) + 2;
  const lines = [`${''.padEnd(w)}${t.columns.map((c) => c.padStart(11)).join('')}`];
  for (const r of t.rows) {
    lines.push(
      `${r.label.padEnd(w)}${r.values.map((v) => (typeof v === 'number' ? `${(100 * v).toFixed(1)} %` : String(v ?? '–')).padStart(11)).join('')}`,
    );
  }
  return lines.join('\n');
}

/** Runs the experiment; see the module comment. */
export async function reproduce(o: ReproduceOptions): Promise<ReproduceResult> {
  if (!o.out) throw new ParamError('out', 'an output folder is required');
  // One run per output folder (src/data/out-lock.ts): a concurrent second run fails instead of mixing files.
  return withOutputLock(o.out, () => reproduceLocked(o));
}

async function reproduceLocked(o: ReproduceOptions): Promise<ReproduceResult> {
  const events = o.events ?? {};
  const out = path.resolve(o.out);
  const recipe = resolveRecipe(o.recipe);
  const rs = RECIPE_SETTINGS[recipe];
  // The user's settings over the recipe's (an undefined value keeps the recipe's).
  const hyperOver: Partial<Hyperparameters> = { ...rs.hyper };
  for (const [k, v] of Object.entries(o.hyper ?? {})) if (v !== undefined) (hyperOver as Record<string, unknown>)[k] = v;
  const loudness = o.loudness ?? rs.loudness;
  const scan = (param: string, dir: string): Dataset => renameParams({ data: param }, () => scanDataset(dir, { labelMap: o.labelMap }));
  const real = o.real ? scan('real', o.real) : null;
  const synthetic = o.synthetic ? scan('synthetic', o.synthetic) : null;
  events.log?.(`recipe ${recipe}: ${rs.describe}`);

  const resolvedHyper = resolveHyperparameters(hyperOver);
  if (o.neutralResynthesis && (recipe === 'paper' || !resolvedHyper.neutral_class)) {
    throw new ParamError(
      'neutralResynthesis',
      'resynthesises the neutral class of converted training data: it needs the converted recipe with neutral_class',
    );
  }
  const referenceLabels = parseReferenceLabels(resolvedHyper.speaker_reference);
  const referenceOn = referenceLabels.length > 0;
  const userReference = o.reference ? renameParams({ data: 'reference' }, () => scanDataset(o.reference!)) : null;
  let neutralReference: Dataset | null = null;
  /** Whether the neutral class was resynthesised by the converter (converted recipe with a neutral class). */
  let neutralResynthesised = false;
  let trainingSet: Dataset;
  if (recipe === 'paper') {
    if (!synthetic)
      throw new ParamError('synthetic', 'the paper recipe trains on synthetic speech; give a synthetic set (affexion synth makes one)');
    // Real evaluation speech never enters training (prepareConverted checks the converted recipe's data).
    if (real)
      assertNoRealClips(
        synthetic.items.map((it) => ({ file: it.path })),
        real,
        'synthetic',
      );
    trainingSet = synthetic;
  } else {
    const neutral = o.neutral ?? sharedDataPath('neutral-pool');
    if (!o.converted && !existsSync(neutral)) {
      throw new ParamError(
        'neutral',
        `${neutral} does not exist; the default recipe "converted" trains on real neutral speech converted into ` +
          'each emotion — give the neutral speech (or an already converted set), or the paper recipe to train on synthetic speech',
      );
    }
    trainingSet = await prepareConverted({
      given: o.converted,
      neutral,
      out: path.join(out, 'data', 'converted'),
      seed: resolvedHyper.seed,
      limit: o.convertLimit,
      real,
      events,
      profiles: o.profilesFile !== undefined ? loadConversionProfiles(o.profilesFile) : undefined,
    });
    if (referenceOn) {
      // Each converted speaker's reference: the neutral speech the conversions were made from.
      if (!existsSync(neutral))
        throw new ParamError(
          'neutral',
          `${neutral} does not exist; speaker reference normalisation needs the neutral speech the converted set was made from (or speaker_reference "")`,
        );
      neutralReference = renameParams({ data: 'neutral' }, () => scanDataset(neutral));
    }
    if (resolvedHyper.neutral_class) {
      // The neutral class: the neutral speech joins the training data; per speaker half of it is the class
      // "neutral" (resynthesised by the converter with neutralResynthesis), the other half the references, never both.
      if (!neutralReference)
        throw new ParamError(
          'neutral_class',
          'needs the neutral speech the converted set was made from (neutral) and speaker references with neutral',
        );
      if (real)
        assertNoRealClips(
          neutralReference.items.map((it) => ({ file: it.path })),
          real,
          'neutral',
        );
      neutralResynthesised = o.neutralResynthesis ?? rs.neutralResynthesis;
      const neutralData = neutralResynthesised
        ? await resynthesiseNeutral({
            pool: neutralReference,
            labels: referenceLabels,
            out: path.join(out, 'data', 'neutral-resynthesised'),
            seed: resolvedHyper.seed,
            events,
          })
        : neutralReference;
      trainingSet = mergeDatasets([trainingSet, neutralData], trainingSet.source);
      neutralReference = null;
    }
  }
  // Training speakers' references: the neutral speech they were converted from, and the user's --reference;
  // evaluation sets get only their own reference clips and the user's (speaker ids of different sets may collide).
  const trainingReference = [neutralReference, userReference].filter((d): d is Dataset => d !== null);
  const extraData: Record<string, string | Dataset> = { ...(o.extraEvaluations ?? {}) };
  if (recipe !== 'paper' && synthetic) extraData['synthetic speech (not trained on)'] = synthetic;
  if (referenceOn) {
    // Every evaluated speaker needs reference clips: say so now, not after the training.
    const userRefs = userReference ? [userReference] : [];
    if (real) renameParams({ data: 'real' }, () => assertSpeakerReferences(real, userRefs, referenceLabels));
    for (const [name, data] of Object.entries(extraData)) {
      assertSpeakerReferences(typeof data === 'string' ? scan(name, data) : data, userRefs, referenceLabels);
    }
  }
  for (const dir of o.moreReal ?? []) {
    // Every real corpus is evaluation-only, checked like --real before any training.
    if (!existsSync(dir)) throw new ParamError('real', `${dir} does not exist`);
    const ds = scan('real', dir);
    assertNoRealClips(
      trainingSet.items.map((it) => ({ file: it.path })),
      ds,
      recipe === 'paper' ? 'synthetic' : 'neutral',
    );
    if (referenceOn)
      renameParams({ data: 'real' }, () => assertSpeakerReferences(ds, userReference ? [userReference] : [], referenceLabels));
  }
  const common = { hyper: hyperOver, features: o.features, loudness, cacheDir: o.cacheDir, signal: o.signal };

  events.log?.(`stage 1/3: training on ${rs.data}`);
  const modelDir = path.join(out, 'model');
  const trained = await train({
    ...common,
    data: trainingSet,
    reference: referenceOn ? trainingReference : null,
    out: modelDir,
    resume: 'auto',
    events,
    report: false,
    command: o.command,
  });

  const k = o.folds ?? 7;
  const groupBy = o.groupBy ?? (recipe === 'paper' ? 'none' : 'speaker');
  events.log?.(
    `stage 2/3: ${k}-fold cross-validation on ${rs.data}${groupBy !== 'none' ? ` (grouped by ${groupBy})` : ''}${real ? " (every fold's model also scored on real speech)" : ''}`,
  );
  // One network per fold: an ensemble in every fold would cost N× the time (`affexion cv --ensemble N` does it).
  const cvHyper = { ...hyperOver, ensemble: 1 };
  const ensembleNote =
    trained.hyper.ensemble > 1
      ? [
          `The model is an ensemble of ${trained.hyper.ensemble} networks (seeds ${trained.hyper.seed}…${trained.hyper.seed + trained.hyper.ensemble - 1}); cross-validation trains one network per fold.`,
        ]
      : [];
  const cv = await crossValidate({
    ...common,
    hyper: cvHyper,
    data: trainingSet,
    out: path.join(out, 'cv'),
    folds: k,
    groupBy,
    eval: real,
    reference: referenceOn ? trainingReference : null,
    evalReference: referenceOn ? userReference : null,
    events,
    foldEvents: o.foldEvents,
    report: false,
    command: o.command,
    // The run folder is reproduce's own: other settings start its folds afresh, as its model does.
    force: true,
  });

  const evaluatedOn = [...(real ? ['real speech'] : []), ...Object.keys(extraData)];
  events.log?.(`stage 3/3: evaluating the trained model${evaluatedOn.length ? ` on ${evaluatedOn.join(' and on ')}` : ''}`);
  if (cv.calibration && cv.groupBy === 'speaker') {
    // Temperature from the held-out speakers of the speaker-grouped folds, stored with the final model.
    const c = cv.calibration;
    saveCalibration(
      modelDir,
      { temperature: c.temperature },
      `out-of-fold predictions of ${cv.k}-fold cross-validation grouped by speaker (${c.n} clips)`,
    );
    events.log?.(
      `calibration: temperature ${c.temperature.toFixed(2)} on held-out training speakers (expected calibration error ${(100 * c.ece_before).toFixed(1)} → ${(100 * c.ece_after).toFixed(1)} %)`,
    );
  }
  const model = loadTrainedModel(modelDir);
  const evalReference = referenceOn ? userReference : null;
  const realResult = real
    ? await renameParams({ data: 'real' }, () =>
        evaluate({ model, data: real, reference: evalReference, cacheDir: o.cacheDir, events, predictions: true }),
      )
    : null;
  const realEvals: Record<string, EvaluationResult> = {};
  if (real && realResult) realEvals[path.basename(path.resolve(o.real!))] = realResult;
  for (const dir of o.moreReal ?? []) {
    const ds = scan('real', dir);
    realEvals[path.basename(path.resolve(dir))] = await renameParams({ data: 'real' }, () =>
      evaluate({ model, data: ds, reference: evalReference, cacheDir: o.cacheDir, events, predictions: true }),
    );
  }
  const realCorpora = Object.keys(realEvals).length ? corporaSummary(realEvals, model.classes) : null;
  if (realCorpora) {
    const pct = (x: number | null): string => (x === null ? '–' : `${(100 * x).toFixed(1)} %`);
    for (const [n, f] of Object.entries(realCorpora.corpora))
      events.log?.(
        `${n}: panic vs excitement ${pct(f.balanced_accuracy)}, calm false alarms ${pct(f.calm_false_alarm)}, ECE ${pct(f.ece)}`,
      );
    events.log?.(
      `mean of the real corpora: panic vs excitement ${pct(realCorpora.mean.balanced_accuracy)}, calm false alarms ${pct(realCorpora.mean.calm_false_alarm)}`,
    );
  }
  const extra: Record<string, EvaluationResult> = {};
  for (const [name, data] of Object.entries(extraData)) {
    extra[name] = await renameParams({ data: name }, () =>
      evaluate({
        model,
        data,
        labelMap: typeof data === 'string' ? o.labelMap : undefined,
        reference: evalReference,
        cacheDir: o.cacheDir,
        events,
      }),
    );
  }

  const table = comparisonTable(cv, realResult, extra, rs.data);
  const report: RunReport = {
    title:
      o.title ??
      (recipe === 'paper'
        ? "Affexion: the paper's experiment (train on synthetic, test on real)"
        : "Affexion: the paper's experiment with the converted-speech recipe (train on converted neutral speech, test on real)"),
    kind: o.kind ?? 'reproduce',
    command: o.command ?? process.argv.slice(1),
    config: {
      recipe,
      ...trained.hyper,
      features: trained.featureSettings.params,
      n_features: trained.state.net.config.n_features,
      loudness: trained.featureSettings.loudness,
      classes: trained.classes,
      label_map: o.labelMap ?? '',
      folds: cv.k,
      group_by: cv.groupBy,
      neutral_resynthesis: neutralResynthesised,
    },
    datasets: [
      datasetSummary(`${rs.data} (training + CV)`, trainingSet, trained.skipped),
      ...(real && realResult ? [datasetSummary('real speech', real, realResult.skipped)] : []),
    ],
    history: trained.history,
    cv: {
      k: cv.k,
      groupBy: cv.groupBy,
      evalName: real ? 'real speech' : undefined,
      warnings: cv.warnings,
      folds: cv.folds.map((f) => ({
        fold: f.fold,
        n_train: f.n_train,
        n_val: f.n_val,
        metrics: pick(f.metrics),
        eval: f.eval ? pick(f.eval) : undefined,
      })),
    },
    evaluations: {
      [`${rs.data} (CV, folds pooled)`]: cv.pooled,
      ...extra,
      ...(realResult ? { 'real speech': realResult } : {}),
      ...Object.fromEntries(
        Object.entries(realEvals)
          .slice(1)
          .map(([n, ev]) => [`real speech (${n})`, ev]),
      ),
    },
    comparisons: [table],
    notes: [
      `Recipe "${recipe}": ${rs.describe}.`,
      ...ensembleNote,
      ...(referenceOn
        ? [
            `Speaker reference normalisation: every clip is z-scored with the statistics of its speaker's ${trained.hyper.speaker_reference.split(',').join('/')} clips ` +
              "(training: the neutral speech each converted clip was made from; evaluation: the speaker's own reference clips, which are not scored).",
          ]
        : []),
      ...(realCorpora
        ? [
            `Real corpora (issue 13 protocol: panic vs excitement balanced accuracy with predictions among all classes; calm false alarms = held-out ` +
              `neutral/calm clips called a signal, never the reference clips): ${Object.entries(realCorpora.corpora)
                .map(
                  ([n, f]) =>
                    `${n} ${(100 * f.balanced_accuracy).toFixed(1)} %` +
                    (f.calm_false_alarm === null ? '' : ` (calm false alarms ${(100 * f.calm_false_alarm).toFixed(1)} %)`),
                )
                .join(', ')}; mean ${(100 * realCorpora.mean.balanced_accuracy).toFixed(1)} %.`,
          ]
        : []),
      ...(cv.calibration && cv.groupBy === 'speaker'
        ? [
            `Calibration: temperature ${cv.calibration.temperature.toFixed(2)} fitted on held-out training speakers (out-of-fold predictions); ` +
              `expected calibration error there ${(100 * cv.calibration.ece_before).toFixed(1)} → ${(100 * cv.calibration.ece_after).toFixed(1)} %.`,
          ]
        : []),
      ...(o.notes ?? []),
      "Real-speech figures count only clips whose (mapped) label is one of the model's classes; others are listed apart. " +
        'Classes absent from the real set are left out of its macro averages.',
    ],
  };
  const written = await writeReport(out, report);
  const result: ReproduceResult = {
    recipe,
    trainingData: trainingSet.source,
    modelDir,
    train: trained,
    cv,
    real: realResult,
    realCorpora,
    extra,
    table,
    report: written.html,
  };
  writeFileAtomic(
    path.join(out, 'results.json'),
    JSON.stringify(
      {
        recipe,
        training_data: trainingSet.source,
        model_dir: modelDir,
        classes: trained.classes,
        neutral_resynthesis: neutralResynthesised,
        cv: { k: cv.k, group_by: cv.groupBy, summary: cv.summary, eval_summary: cv.evalSummary, warnings: cv.warnings },
        real: realResult ? { ...realResult, skipped: realResult.skipped.length, predictions: undefined } : null,
        real_corpora: realCorpora,
        calibration: cv.calibration ?? null,
        extra,
        table,
        paper: PAPER_FIGURES,
        report: written.html,
      },
      null,
      1,
    ),
  );
  return result;
}

function pick(m: Record<string, unknown>): Record<string, number> {
  return Object.fromEntries(
    ['accuracy', 'balanced_accuracy', 'macro_precision', 'macro_recall', 'macro_f1'].map((k) => [k, m[k] as number]),
  );
}
