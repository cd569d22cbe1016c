/**
 * `affexion experiment real-speech` (issue 13): trains the default recipe (demo size unless told
 * otherwise) once per seed and scores it on both real dev corpora with one protocol — balanced
 * accuracy on panic vs excitement (predictions among all classes), confusion, calm false alarms
 * (held-out neutral/calm clips, never the reference clips), expected calibration error, the same
 * figures without speaker references (utterance normalisation, the no-reference fallback), the length
 * and join probes, and a duration-only baseline — per corpus, mean over seeds, and the mean of the
 * corpora. Resumable: trained models are reused while their settings are unchanged.
 */
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { loadAudio } from '../../audio/load.js';
import { ParamError, renameParams } from '../../engine/errors.js';
import { FeatureCache, defaultCacheDir, writeFileAtomic } from '../../data/cache.js';
import { mergeDatasets, scanDataset, type Dataset } from '../../data/dataset.js';
import { fileFeatures } from '../../data/features.js';
import { assertNoRealClips } from '../../data/leakage.js';
import {
  applySpeakerReference,
  parseReferenceLabels,
  referenceHalf,
  speakerReferences,
  type SpeakerReference,
} from '../../data/reference.js';
import { existingSharedData, sharedDataPath } from '../../data/shared-data.js';
import type { FeatureMatrix } from '../../features/index.js';
import { prepareConverted } from '../../augment/convert/prepare.js';
import { EMOTION_PROFILES, loadConversionProfiles } from '../../augment/convert/profiles.js';
import { DEFAULT_CLASSES } from '../../synth/index.js';
import { prepareSynthetic } from './data.js';
import { resynthesiseNeutral } from '../../augment/convert/neutral.js';
import { evaluate } from '../../eval/evaluate.js';
import { loadTrainedModel, modelProbabilities, saveCalibration, type TrainedModel } from '../../model/model-dir.js';
import { crossValidate } from '../../eval/cv.js';
import { resolveHyperparameters, type Hyperparameters } from '../../model/hyperparameters.js';
import { meanStd } from '../../report/metrics.js';
import { clipHeadProbabilities, speakerFunctionalMeans } from '../../eval/functional-fusion.js';
import { fuseProbabilities } from '../../model/functional-head.js';
import type { ProgressEvents } from '../../report/progress.js';
import { train } from '../../train/train.js';
import { DEMO_CONVERT_LIMIT, DEMO_HYPERPARAMETERS, RAVDESS_LABEL_MAP } from '../demo.js';
import { RECIPE_SETTINGS } from '../recipe.js';
import {
  boundaryDiagnostics,
  calmFalseAlarms,
  durationBaseline,
  expectedCalibrationError,
  lengthsPerClass,
  signalScores,
  type ScoredClip,
} from './real-metrics.js';
import { joinProbe, lengthProbe, type LengthProbeResult, type ProbeClip } from './real-probes.js';

/** Options of {@link runRealSpeech}. */
export interface RealSpeechOptions {
  out: string;
  /** Real neutral speech to convert (default ../shared/data/neutral-pool). */
  neutral?: string;
  /** Real dev corpora (default ravdess-dev and tess-dev); labels fearful → panic, happy → excitement. */
  real?: string[];
  /** One model per seed (default [1]); the converted data is made once, with the first seed. */
  seeds?: number[];
  /** Neutral clips converted (default the demo's). */
  convertLimit?: number;
  /** Conversion variants per neutral clip and emotion (default 1; each variant draws its own profile settings). */
  convertPerClip?: number;
  /** A conversion profile file (JSON; `loadConversionProfiles`) changing or adding the emotions converted into. */
  profilesFile?: string;
  /** The neutral class resynthesised by the converter (src/augment/convert/neutral.ts; default the recipe's, false). */
  neutralResynthesis?: boolean;
  /** With neutralResynthesis: resynthesise the training speakers' reference clips too (default false). */
  referenceResynthesis?: boolean;
  /**
   * Offline synthetic voices mixed into training (issue 13 item 5): this many clips per class of every offline
   * voice (espeak + flite), the signals and — with a neutral class — neutral readings, one sentence pool for all
   * classes; each voice's neutral readings are split into its references and its neutral class as for real
   * speakers. Default 0 (converted speech only).
   */
  syntheticMix?: number;
  /**
   * Calibrate each seed's network on held-out training speakers before scoring (a 3-fold speaker-grouped
   * cross-validation of the same recipe into seed-<s>/cv): the temperature, and with a neutral class the
   * neutral operating point with the best balanced accuracy there (src/model/calibration.ts fitNeutralBias).
   * Default false (the network's own argmax, uncalibrated).
   */
  operatingPoint?: boolean;
  /** Over the default recipe at the demo's size, one network per seed. */
  hyper?: Partial<Hyperparameters>;
  /** Clips per corpus for the length and join probes (default 48). */
  probeClips?: number;
  cacheDir?: string | null;
  events?: ProgressEvents;
  signal?: AbortSignal;
  command?: string[];
}

/** Folds of the calibration cross-validation of operatingPoint (3, as reproduce's default for the demo). */
const OPERATING_POINT_FOLDS = 3;

/** Figures of one model on one corpus. */
export interface CorpusFigures {
  balanced_accuracy: number;
  recall: Record<string, number>;
  confusion: { labels: string[]; matrix: number[][] };
  n: number;
  calm_false_alarm: number | null;
  n_calm: number;
  ece: number;
  /** The balanced accuracy taken apart: emotion discrimination, missed signals, the neutral decision's AUC (real-metrics.ts). */
  pair_balanced_accuracy: number | null;
  missed_signal: number | null;
  neutral_auc: number | null;
  /** The same clips without speaker references (each clip normalised with its own statistics). */
  no_reference: { balanced_accuracy: number; calm_false_alarm: number | null; ece: number } | null;
  length_probe: LengthProbeResult;
  join_probe: { changed: number; correct: number | null; pairs: number };
  duration_baseline: { balanced_accuracy: number };
  /**
   * With a functional head: the figures of every way of combining it, from the same network and head —
   * `none` (the network alone), `product`, `product_no_prior` (without dividing by the training prior), `gate` (with a
   * neutral class) and `head` (the head alone).
   */
  fusion_variants?: Record<
    string,
    { balanced_accuracy: number; recall: Record<string, number>; calm_false_alarm: number | null; ece: number }
  >;
  /** Per-clip probabilities (for the ensemble of the seeds; written to seed-<s>/probs-<corpus>.json, not to results.json). */
  clips?: (ScoredClip & { file: string })[];
}

const VARIANTS = ['none', 'product', 'product_no_prior', 'gate', 'head'] as const;
const SUMMARY_KEYS = [
  'balanced_accuracy',
  'calm_false_alarm',
  'pair_balanced_accuracy',
  'missed_signal',
  'neutral_auc',
  'ece',
  'length_probe',
  'join_changed',
  'no_reference_balanced_accuracy',
  'no_reference_calm_false_alarm',
  'duration_baseline',
  ...VARIANTS.flatMap((v) => [`${v}_balanced_accuracy`, `${v}_calm_false_alarm`] as const),
] as const;
type SummaryKey = (typeof SUMMARY_KEYS)[number];

function flat(f: CorpusFigures): Record<SummaryKey, number | null> {
  return {
    balanced_accuracy: f.balanced_accuracy,
    calm_false_alarm: f.calm_false_alarm,
    pair_balanced_accuracy: f.pair_balanced_accuracy,
    missed_signal: f.missed_signal,
    neutral_auc: f.neutral_auc,
    ece: f.ece,
    length_probe: f.length_probe.changed,
    join_changed: f.join_probe.changed,
    no_reference_balanced_accuracy: f.no_reference?.balanced_accuracy ?? null,
    no_reference_calm_false_alarm: f.no_reference?.calm_false_alarm ?? null,
    duration_baseline: f.duration_baseline.balanced_accuracy,
    ...Object.fromEntries(
      VARIANTS.flatMap((v) => [
        [`${v}_balanced_accuracy`, f.fusion_variants?.[v]?.balanced_accuracy ?? null],
        [`${v}_calm_false_alarm`, f.fusion_variants?.[v]?.calm_false_alarm ?? null],
      ]),
    ),
  } as Record<SummaryKey, number | null>;
}

/** Mean (and sd over seeds) of each summary figure. */
function summarise(
  rows: readonly Record<SummaryKey, number | null>[],
): Record<string, { mean: number | null; sd: number | null; per_seed: (number | null)[] }> {
  return Object.fromEntries(
    SUMMARY_KEYS.map((k) => {
      const xs = rows.map((r) => r[k]);
      const ok = xs.filter((x): x is number => x !== null && Number.isFinite(x));
      const ms = ok.length ? meanStd(ok) : null;
      return [k, { mean: ms ? ms.mean : null, sd: ms ? ms.std : null, per_seed: xs }];
    }),
  );
}

/** What the dev corpora are called in the results. */
function corpusName(dir: string): string {
  return path.basename(path.resolve(dir));
}

/** Runs the experiment; see the module comment. */
export async function runRealSpeech(o: RealSpeechOptions): Promise<Record<string, unknown>> {
  const events = o.events ?? {};
  const out = path.resolve(o.out);
  mkdirSync(out, { recursive: true });
  const seeds = o.seeds?.length ? o.seeds : [1];
  const neutral = o.neutral ?? sharedDataPath('neutral-pool');
  if (!existsSync(neutral)) throw new ParamError('neutral', `${neutral} does not exist (real neutral speech to convert)`);
  // Settings first: a bad combination fails before any conversion.
  const hyper: Partial<Hyperparameters> = { ...DEMO_HYPERPARAMETERS, ...RECIPE_SETTINGS.converted.hyper, ensemble: 1, ...(o.hyper ?? {}) };
  resolveHyperparameters(hyper); // every value checked (ranges, the augmentation spec) before minutes of conversion
  const refLabels = parseReferenceLabels(hyper.speaker_reference ?? '');
  if (o.neutralResynthesis && !hyper.neutral_class)
    throw new ParamError('neutralResynthesis', 'resynthesises the neutral class: it needs neutral_class');
  const resynthesised = Boolean(hyper.neutral_class) && (o.neutralResynthesis ?? RECIPE_SETTINGS.converted.neutralResynthesis);
  if (o.referenceResynthesis && !resynthesised)
    throw new ParamError(
      'referenceResynthesis',
      'only with neutralResynthesis (the references are resynthesised alongside the neutral class)',
    );
  const mixN = o.syntheticMix ?? 0;
  if (!Number.isInteger(mixN) || mixN < 0)
    throw new ParamError('syntheticMix', `expected a whole number of clips per class ≥ 0, got ${mixN}`);
  // The voices' references are their neutral readings, which exist only as the neutral class's half.
  if (mixN > 0 && refLabels.length && !hyper.neutral_class)
    throw new ParamError(
      'syntheticMix',
      "with speaker references it needs the neutral class (the voices' references are their neutral readings)",
    );
  const realDirs = o.real?.length
    ? o.real
    : [existingSharedData('ravdess-dev'), existingSharedData('tess-dev')].filter((d): d is string => d !== null);
  if (realDirs.length === 0) throw new ParamError('real', 'no dev corpus given and none found at ../shared/data/{ravdess-dev,tess-dev}');
  const reals = realDirs.map((d) => {
    if (!existsSync(d)) throw new ParamError('real', `${d} does not exist`);
    return renameParams({ data: 'real' }, () => scanDataset(d, { labelMap: RAVDESS_LABEL_MAP }));
  });
  const cache = new FeatureCache(o.cacheDir === undefined ? defaultCacheDir() : o.cacheDir);
  const profiles = o.profilesFile !== undefined ? loadConversionProfiles(o.profilesFile) : undefined;
  const converted = await prepareConverted({
    neutral,
    out: path.join(out, 'data', 'converted'),
    seed: seeds[0]!,
    limit: o.convertLimit ?? DEMO_CONVERT_LIMIT,
    ...(o.convertPerClip !== undefined ? { perClip: o.convertPerClip } : {}),
    profiles,
    real: reals[0],
    events,
  });
  for (const r of reals.slice(1))
    assertNoRealClips(
      converted.items.map((it) => ({ file: it.path })),
      r,
      'converted',
    );
  const pool = renameParams({ data: 'neutral' }, () => scanDataset(neutral));
  for (const r of reals)
    assertNoRealClips(
      pool.items.map((it) => ({ file: it.path })),
      r,
      'neutral',
    );
  const neutralData = resynthesised
    ? await resynthesiseNeutral({
        pool,
        labels: refLabels,
        out: path.join(out, 'data', 'neutral-resynthesised'),
        seed: seeds[0]!,
        events,
        references: o.referenceResynthesis ?? false,
      })
    : pool;
  const synthetic =
    mixN > 0
      ? await prepareSynthetic({
          out: path.join(out, 'data', 'synthetic-mix'),
          perClass: mixN,
          seed: seeds[0]!,
          allOfflineVoices: true,
          textMode: 'shared',
          classes: hyper.neutral_class ? [...DEFAULT_CLASSES, 'neutral'] : DEFAULT_CLASSES,
          events,
        })
      : null;
  if (synthetic)
    for (const r of reals)
      assertNoRealClips(
        synthetic.items.map((it) => ({ file: it.path })),
        r,
        'synthetic',
      );
  const parts = [converted, ...(hyper.neutral_class ? [neutralData] : []), ...(synthetic ? [synthetic] : [])];
  const data: Dataset = parts.length > 1 ? mergeDatasets(parts, converted.source) : converted;
  const reference = refLabels.length && !hyper.neutral_class ? pool : null;

  const perSeed: { seed: number; model: string; corpora: Record<string, CorpusFigures>; calibration?: Record<string, unknown> }[] = [];
  let trainingLengths: unknown = null;
  for (const seed of seeds) {
    const dir = path.join(out, `seed-${seed}`, 'model');
    events.log?.(`real-speech: seed ${seed} — training into ${dir}`);
    await train({
      data,
      reference,
      out: dir,
      hyper: { ...hyper, seed },
      loudness: RECIPE_SETTINGS.converted.loudness,
      resume: 'auto',
      report: false,
      cacheDir: o.cacheDir,
      events,
      signal: o.signal,
      command: o.command,
    });
    let calibration: Record<string, unknown> | null = null;
    if (o.operatingPoint) {
      const cv = await crossValidate({
        data,
        reference,
        out: path.join(out, `seed-${seed}`, 'cv'),
        folds: OPERATING_POINT_FOLDS,
        groupBy: 'speaker',
        hyper: { ...hyper, seed, ensemble: 1 },
        loudness: RECIPE_SETTINGS.converted.loudness,
        report: false,
        force: true,
        cacheDir: o.cacheDir,
        events,
        signal: o.signal,
        command: o.command,
      });
      if (!cv.calibration)
        throw new Error(`real-speech: seed ${seed}: the cross-validation gave no out-of-fold probabilities to calibrate on`);
      const c = cv.calibration;
      saveCalibration(
        dir,
        { temperature: c.temperature, ...(c.neutral_bias !== undefined ? { neutralBias: c.neutral_bias } : {}) },
        `out-of-fold predictions of a ${OPERATING_POINT_FOLDS}-fold cross-validation grouped by speaker (${c.n} clips)`,
      );
      calibration = { ...c };
      events.log?.(
        `real-speech: seed ${seed} — temperature ${c.temperature.toFixed(2)}, neutral bias ${c.neutral_bias ?? '–'} on held-out training speakers`,
      );
    }
    const model = loadTrainedModel(dir);
    if (!o.operatingPoint && (model.temperature !== undefined || model.neutralBias !== undefined)) {
      throw new ParamError(
        'operatingPoint',
        `${dir} was calibrated by an earlier run with operatingPoint; give another out folder to score it uncalibrated`,
      );
    }
    const lengths = await trainingDurations(model, data, refLabels, cache);
    trainingLengths ??= lengthsPerClass(lengths);
    const baseline = durationBaseline(lengths, model.classes);
    const corpora: Record<string, CorpusFigures> = {};
    for (const [i, ds] of reals.entries()) {
      const name = corpusName(realDirs[i]!);
      events.log?.(`real-speech: seed ${seed} — scoring ${name}`);
      corpora[name] = await scoreCorpus(model, ds, refLabels, baseline, cache, o.probeClips ?? 48, seed);
      const f = corpora[name]!;
      // Every clip's probabilities, to study operating points and ensembles afterwards without re-scoring.
      writeFileAtomic(
        path.join(out, `seed-${seed}`, `probs-${name}.json`),
        `${JSON.stringify({
          classes: model.classes,
          clips: f.clips!.map((c) => ({
            file: path.relative(realDirs[i]!, c.file),
            label: c.label,
            probs: Array.from(c.probs, (v) => Number(v.toFixed(6))),
          })),
        })}\n`,
      );
      events.log?.(
        `real-speech: seed ${seed} ${name}: balanced accuracy ${(100 * f.balanced_accuracy).toFixed(1)} %, calm false alarms ` +
          `${f.calm_false_alarm === null ? '–' : `${(100 * f.calm_false_alarm).toFixed(1)} %`}, length probe ${(100 * f.length_probe.changed).toFixed(1)} % changed`,
      );
    }
    perSeed.push({ seed, model: dir, corpora, ...(calibration ? { calibration } : {}) });
  }
  const names = realDirs.map(corpusName);
  const summary: Record<string, unknown> = Object.fromEntries(names.map((n) => [n, summarise(perSeed.map((s) => flat(s.corpora[n]!)))]));
  // The mean of the corpora, seed by seed (recipes are chosen on it, never on one corpus).
  summary.mean_of_corpora = summarise(
    perSeed.map((s) => {
      const rows = names.map((n) => flat(s.corpora[n]!));
      return Object.fromEntries(
        SUMMARY_KEYS.map((k) => {
          const xs = rows.map((r) => r[k]).filter((x): x is number => x !== null);
          return [k, xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : null];
        }),
      ) as Record<SummaryKey, number | null>;
    }),
  );
  // The ensemble of the seeds' networks (mean probability per clip), as the recipe's seed ensemble would score.
  const ensemble: Record<string, unknown> = {};
  if (seeds.length > 1) {
    // The classes of the seeds' models (one load, not one per corpus: only the labels are needed).
    const classes = loadTrainedModel(perSeed[0]!.model).classes;
    for (const n of names) {
      const runs = perSeed.map((s) => s.corpora[n]!.clips!);
      const clips: ScoredClip[] = runs[0]!.map((c, i) => ({
        label: c.label,
        probs: Float32Array.from(c.probs, (_, k) => runs.reduce((a, r) => a + r[i]!.probs[k]!, 0) / runs.length),
      }));
      const sig = signalScores(clips, classes);
      ensemble[n] = {
        balanced_accuracy: sig.balanced_accuracy,
        recall: sig.recall,
        calm_false_alarm: calmFalseAlarms(clips, classes).rate,
        ece: expectedCalibrationError(clips, classes),
        ...boundaryDiagnostics(clips, classes),
      };
    }
    const vals = names.map((n) => ensemble[n] as { balanced_accuracy: number; calm_false_alarm: number | null });
    ensemble.mean_of_corpora = {
      balanced_accuracy: vals.reduce((a, v) => a + v.balanced_accuracy, 0) / vals.length,
      calm_false_alarm: vals.every((v) => v.calm_false_alarm !== null)
        ? vals.reduce((a, v) => a + v.calm_false_alarm!, 0) / vals.length
        : null,
    };
    summary.ensemble_of_seeds = ensemble;
  }
  for (const s of perSeed) for (const f of Object.values(s.corpora)) delete f.clips;
  const result = {
    experiment: 'real-speech',
    command: o.command ?? null,
    seeds,
    hyper: { ...hyper, seed: seeds[0] },
    convert_limit: o.convertLimit ?? DEMO_CONVERT_LIMIT,
    convert_per_clip: o.convertPerClip ?? 1,
    profiles_file: o.profilesFile ?? null,
    // The profiles the file changed or added, as used: the run stays readable if the file changes later.
    profiles_from_file: profiles ? Object.fromEntries(Object.entries(profiles).filter(([k, v]) => EMOTION_PROFILES[k] !== v)) : null,
    neutral_resynthesis: resynthesised,
    reference_resynthesis: resynthesised && Boolean(o.referenceResynthesis),
    synthetic_mix: mixN,
    operating_point: Boolean(o.operatingPoint),
    corpora: names,
    label_map: RAVDESS_LABEL_MAP,
    training_lengths_seconds: trainingLengths,
    summary,
    per_seed: perSeed,
  };
  writeFileAtomic(path.join(out, 'results.json'), JSON.stringify(result, null, 1));
  return result;
}

/** Trimmed durations (seconds, what the model sees) of the training clips, labelled as trained (reference halves left out). */
async function trainingDurations(
  m: TrainedModel,
  ds: Dataset,
  refLabels: readonly string[],
  cache: FeatureCache,
): Promise<{ label: string; seconds: number }[]> {
  const refs = m.classes.includes('neutral') ? referenceHalf(ds.items, refLabels) : null;
  const out: { label: string; seconds: number }[] = [];
  const fps = m.featureSettings.params.sr / m.featureSettings.params.hopLength;
  for (const it of ds.items) {
    let label = it.label;
    if (refLabels.includes(label)) {
      if (!refs || refs.has(it.path)) continue;
      label = 'neutral';
    }
    if (!m.classes.includes(label)) continue;
    try {
      out.push({ label, seconds: (await fileFeatures(it.path, m.featureSettings, cache)).frames / fps });
    } catch {
      // skipped in training too (no speech, unreadable)
    }
  }
  return out;
}

/** Every figure of one model on one corpus. */
async function scoreCorpus(
  m: TrainedModel,
  ds: Dataset,
  refLabels: readonly string[],
  baseline: (s: number) => Float32Array,
  cache: FeatureCache,
  probeClips: number,
  seed: number,
): Promise<CorpusFigures> {
  // The network alone first; a functional head is fused below, every mode from the same probabilities.
  const { functionalHead: head, ...net } = m;
  const ev = await evaluate({ model: net, data: ds, predictions: true, cacheDir: cache.dir ?? null });
  const byPath = new Map(ds.items.map((it) => [it.path, it]));
  const hasNeutral = m.classes.includes('neutral');
  // Held-out neutral/calm clips are scored as the class neutral (src/data/split.ts).
  const truth = (label: string): string => (hasNeutral && refLabels.includes(label) ? 'neutral' : label);
  const preds = ev.predictions!.map((p) => ({ ...p, path: path.resolve(p.file), label: truth(p.label) }));
  const K = m.classes.length;
  const netProbs = Float32Array.from(preds.flatMap((p) => p.probs));
  const refItems = corpusReferenceItems(m, ds, refLabels);
  const clipsOf = preds.map((p) => ({ path: p.path, speaker: byPath.get(p.path)?.speaker ?? null }));
  let fused: Float32Array = netProbs;
  let variants: CorpusFigures['fusion_variants'];
  let headMeans = new Map<string, number[]>();
  if (head) {
    const hm = { ...m, functionalHead: head };
    const hp = await clipHeadProbabilities(hm, clipsOf, refItems, cache);
    headMeans = await speakerFunctionalMeans(m, refItems, cache);
    fused = fuseProbabilities(netProbs, hp, m.classes, head.fusion, head.priors);
    const modes: Record<string, Float32Array> = {
      none: netProbs,
      product: fuseProbabilities(netProbs, hp, m.classes, 'product', head.priors),
      product_no_prior: fuseProbabilities(netProbs, hp, m.classes, 'product'),
      head: hp,
    };
    if (hasNeutral) modes.gate = fuseProbabilities(netProbs, hp, m.classes, 'gate', head.priors);
    variants = Object.fromEntries(
      Object.entries(modes).map(([k, pr]) => {
        const cl = preds.map((p, i) => ({ label: p.label, probs: pr.subarray(i * K, (i + 1) * K) }));
        const sg = signalScores(cl, m.classes);
        return [
          k,
          {
            balanced_accuracy: sg.balanced_accuracy,
            recall: sg.recall,
            calm_false_alarm: calmFalseAlarms(cl, m.classes).rate,
            ece: expectedCalibrationError(cl, m.classes),
          },
        ];
      }),
    );
  }
  const scored: (ScoredClip & { file: string })[] = preds.map((p, i) => ({
    file: p.path,
    label: p.label,
    probs: fused.subarray(i * K, (i + 1) * K),
  }));
  const sig = signalScores(scored, m.classes);
  const fps = m.featureSettings.params.sr / m.featureSettings.params.hopLength;
  const feats: FeatureMatrix[] = [];
  for (const p of preds) feats.push(await fileFeatures(p.path, m.featureSettings, cache));
  let noRef: CorpusFigures['no_reference'] = null;
  if (m.hyper.speaker_reference) {
    // The no-reference fallback of predict: the training speakers' pooled neutral speech (older models: the clip's own statistics).
    const own = feats.map((f) =>
      applySpeakerReference(f, m.populationReference ?? speakerReferences([f], ['u'], m.hyper.max_len).get('u')!),
    );
    let probs = await modelProbabilities(m, own);
    // The head without references: every clip relative to the training population's mean functionals.
    if (head)
      probs = fuseProbabilities(
        probs,
        await clipHeadProbabilities({ ...m, functionalHead: head }, clipsOf, [], cache, { useReferences: false }),
        m.classes,
        head.fusion,
        head.priors,
      );
    const clips = preds.map((p, i) => ({ label: p.label, probs: probs.subarray(i * K, (i + 1) * K) }));
    noRef = {
      balanced_accuracy: signalScores(clips, m.classes).balanced_accuracy,
      calm_false_alarm: calmFalseAlarms(clips, m.classes).rate,
      ece: expectedCalibrationError(clips, m.classes),
    };
  }
  const dur = preds.map((p, i) => ({ label: p.label, probs: baseline(feats[i]!.frames / fps) }));
  // Probes: every k-th scored clip, with its speaker's reference (the corpus's reference half).
  const refs = await corpusReferences(m, ds, refLabels, cache);
  const step = Math.max(1, Math.floor(preds.length / probeClips));
  const chosen = preds.filter((_, i) => i % step === 0).slice(0, probeClips);
  const probe: ProbeClip[] = [];
  for (const p of chosen) {
    const spk = byPath.get(p.path)?.speaker ?? p.path;
    probe.push({
      file: p.path,
      label: p.label,
      speaker: spk,
      samples: (await loadAudio(p.path, { sr: m.featureSettings.params.sr })).samples,
      ref: m.hyper.speaker_reference ? (refs.get(spk) ?? null) : null,
      headRef: headMeans.get(spk) ?? null,
    });
  }
  return {
    clips: scored,
    ...sig,
    calm_false_alarm: calmFalseAlarms(scored, m.classes).rate,
    n_calm: calmFalseAlarms(scored, m.classes).n,
    ...boundaryDiagnostics(scored, m.classes),
    ece: expectedCalibrationError(scored, m.classes),
    no_reference: noRef,
    length_probe: await lengthProbe(m, probe, seed),
    join_probe: await joinProbe(m, probe),
    duration_baseline: { balanced_accuracy: signalScores(dur, m.classes).balanced_accuracy },
    ...(variants ? { fusion_variants: variants } : {}),
  };
}

/** The corpus's reference clips (the half evaluate uses) with their speakers. */
function corpusReferenceItems(m: TrainedModel, ds: Dataset, refLabels: readonly string[]): { path: string; speaker: string | null }[] {
  if (!m.hyper.speaker_reference) return [];
  const half = m.classes.includes('neutral') ? referenceHalf(ds.items, refLabels) : null;
  return ds.items
    .filter((it) => refLabels.includes(it.label) && (!half || half.has(it.path)) && it.speaker !== null)
    .map((it) => ({ path: it.path, speaker: it.speaker }));
}

/** Each speaker's reference statistics from the corpus's reference clips (the half evaluate uses). */
async function corpusReferences(
  m: TrainedModel,
  ds: Dataset,
  refLabels: readonly string[],
  cache: FeatureCache,
): Promise<Map<string, SpeakerReference>> {
  if (!m.hyper.speaker_reference) return new Map();
  const items = corpusReferenceItems(m, ds, refLabels);
  const mats: FeatureMatrix[] = [];
  const spk: string[] = [];
  for (const it of items) {
    try {
      mats.push(await fileFeatures(it.path, m.featureSettings, cache));
      spk.push(it.speaker!);
    } catch {
      // a silent reference clip: skipped, as in evaluation
    }
  }
  return speakerReferences(mats, spk, m.hyper.max_len);
}
