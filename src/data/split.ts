/**
 * A dataset turned into labelled features: which clips count as which class, their (cached) features,
 * speaker reference normalisation, and fingerprints of the data a run used. One entry point,
 * {@link loadSplit} with one options object, shared by train, cv, evaluate and the workflows.
 *
 * ```ts
 * const ds = scanDataset('data/train');
 * const classes = trainingClasses(ds, '');                  // no speaker reference labels
 * const split = await loadSplit(ds, { classes, settings: resolveFeatureSettings({}), cache: new FeatureCache(null) });
 * split.features.length === split.targets.length;           // one (3·nMfcc, frames) matrix per kept clip
 * ```
 */
import { createHash } from 'node:crypto';
import { statSync } from 'node:fs';
import { loadAudio } from '../audio/load.js';
import type { FeatureMatrix } from '../features/index.js';
import type { ProgressEvents } from '../report/progress.js';
import type { FeatureCache } from './cache.js';
import { describeDataset, scanDataset, type Dataset, type SkippedFile } from './dataset.js';
import type { LabelMap } from './label-map.js';
import { datasetFeatures, featuresFromSamples, speechSamples, type FeatureSettings } from './features.js';
import {
  applySpeakerReference,
  parseReferenceLabels,
  referenceHalf,
  referenceItems,
  requireReferences,
  speakerReferences,
  type SpeakerReference,
} from './reference.js';
import { ParamError } from '../engine/errors.js';

/**
 * Where online waveform augmentation gets each training clip's audio, and how augmented audio becomes
 * features (the same loudness step and front-end as the un-augmented clips).
 */
export interface ClipAudioSource {
  /** Sample rate of `load`'s output and `features`' input. */
  sr: number;
  /** The samples of training clip `i` (index into the training set's features). */
  load(i: number): Promise<Float32Array>;
  /** Features of (augmented) samples of training clip `i` (its speaker reference applies). */
  features(samples: Float32Array, i: number): FeatureMatrix;
}

/** Clips with class indices into `classes`. */
export interface LabelledFeatures {
  features: FeatureMatrix[];
  targets: Int32Array;
  /** The clips' audio, for online waveform augmentation (`hyper.augment`); training side only. */
  audio?: ClipAudioSource;
}

/** Throws a clear error (ParamError `data`) when a dataset cannot be trained on (empty, empty classes, one class). */
export function checkTrainable(ds: Dataset): void {
  if (ds.items.length === 0) {
    throw new ParamError(
      'data',
      `no usable clips in ${ds.source}${ds.skipped.length ? ` (${ds.skipped.length} skipped, e.g. ${ds.skipped[0].file}: ${ds.skipped[0].reason})` : ''}`,
    );
  }
  if (ds.emptyClasses.length) {
    throw new ParamError(
      'data',
      `class${ds.emptyClasses.length > 1 ? 'es' : ''} ${ds.emptyClasses.map((c) => `"${c}"`).join(', ')} ha${ds.emptyClasses.length > 1 ? 've' : 's'} no clips in ${ds.source} (remove the folder or add audio)`,
    );
  }
  if (ds.classes.length < 2) {
    throw new ParamError('data', `only one class ("${ds.classes[0]}") in ${ds.source}; a classifier needs at least two`);
  }
}

/**
 * The classes a model learns from a dataset: its labels, less the speaker reference labels (those clips
 * are references, not a class). Throws when fewer than two remain.
 */
export function trainingClasses(ds: Dataset, speakerReference: string | readonly string[], neutralClass = false): string[] {
  const ref = new Set(typeof speakerReference === 'string' ? parseReferenceLabels(speakerReference) : speakerReference);
  if (neutralClass && !ref.has(NEUTRAL_CLASS)) {
    throw new ParamError(
      'neutral_class',
      `the class "${NEUTRAL_CLASS}" is made of each speaker's reference-labelled clips; add ${NEUTRAL_CLASS} to the speaker reference labels (now "${[...ref].join(',')}")`,
    );
  }
  // With a neutral class, half of each speaker's reference-labelled clips are that class (src/data/reference.ts referenceHalf).
  const classes = [
    ...ds.classes.filter((c) => !ref.has(c)),
    ...(neutralClass && ds.items.some((it) => ref.has(it.label)) ? [NEUTRAL_CLASS] : []),
  ].sort();
  if (classes.length < 2) {
    throw new ParamError(
      'data',
      `${classes.length ? `only one class ("${classes[0]}")` : 'no class'} besides the speaker reference labels ` +
        `(${[...ref].join(', ')}) in ${ds.source}; a classifier needs at least two`,
    );
  }
  return classes;
}

/** The class of "no signal" (hyper `neutral_class`): calm speech, made of reference-labelled clips. */
export const NEUTRAL_CLASS = 'neutral';

/** Labelled features for a dataset; clips whose label is not in `classes` are counted, not used. */
export interface LoadedSplit extends LabelledFeatures {
  /** Dataset item index of each clip kept. */
  itemIndex: number[];
  unknownLabels: Record<string, number>;
  /** Clips of this dataset used as speaker references (label → count); they are not in `unknownLabels`. */
  referenceLabels: Record<string, number>;
  /** Files whose statistics normalised the clips (speaker reference normalisation; empty when off). */
  referenceFiles: string[];
  /**
   * Statistics of all those reference clips together (every speaker's neutral speech): the no-reference
   * fallback of a model trained with speaker references (src/eval/predict.ts). Null when off.
   */
  populationReference?: SpeakerReference | null;
  skipped: SkippedFile[];
}

/** Speaker reference normalisation for {@link loadSplit} (src/data/reference.ts). */
export interface SplitReference {
  /** Labels of each speaker's reference clips: a comma list as in `hyper.speaker_reference`, or an array; empty = off. */
  labels: string | readonly string[];
  /** Datasets with more reference clips (the `reference` data of train / cv / evaluate), beside the dataset itself. */
  extra?: readonly Dataset[];
  /** Frames of each reference clip that count (the model's MAX_LEN). */
  maxLen: number;
}

/** Options of {@link loadSplit}. */
export interface SplitOptions {
  /** Classes in class-index order; clips with other labels are counted in `unknownLabels`, not used. */
  classes: readonly string[];
  settings: FeatureSettings;
  cache: FeatureCache;
  /** Speaker reference normalisation; off when null/absent or when it names no label. */
  reference?: SplitReference | null;
  events?: ProgressEvents;
  /** Progress stage name (default 'features'). */
  stage?: string;
  /** The parameter the dataset was given as, named in errors about it (default `data`). */
  param?: string;
}

/**
 * The training dataset of a run and the classes a model learns from it: `source.data` scanned (with
 * `source.labelMap` when it is a path), described through `events.log`, checked trainable, its classes
 * as {@link trainingClasses} makes them. What train and cv both start with.
 */
export function trainingDataset(
  source: Pick<DataSource, 'data' | 'labelMap'>,
  speakerReference: string | readonly string[],
  neutralClass: boolean,
  events: ProgressEvents = {},
): { ds: Dataset; classes: string[] } {
  const ds = typeof source.data === 'string' ? scanDataset(source.data, { labelMap: source.labelMap }) : source.data;
  events.log?.(describeDataset(ds));
  checkTrainable(ds);
  return { ds, classes: trainingClasses(ds, speakerReference, neutralClass) };
}

/** Extra speaker reference data (`reference`): dataset paths or scanned datasets, one or several. */
export type ReferenceData = string | Dataset | readonly (string | Dataset)[] | null | undefined;

/**
 * The data of a run, as every entry point that reads a dataset takes it (train, cv, evaluate): one
 * definition that their `*Options` extend. The run side is RunSettings (src/model/hyperparameters.ts).
 */
export interface DataSource {
  /** Dataset folder / manifest path, or an already scanned dataset. */
  data: string | Dataset;
  /** Rename / drop labels of datasets given as paths, e.g. 'fearful=panic,calm='. */
  labelMap?: string | LabelMap;
  /**
   * More speaker reference clips for `hyper.speaker_reference` (e.g. the neutral folder a converted set
   * was made from): dataset paths or scanned datasets; their clips with a reference label count.
   */
  reference?: ReferenceData;
}

/** Scans the `reference` data (paths are scanned without a label map: their reference labels count as written). */
export function referenceDatasets(ref: ReferenceData): Dataset[] {
  const list = ref == null ? [] : Array.isArray(ref) ? ref : [ref as string | Dataset];
  return list.map((r) => (typeof r === 'string' ? scanDataset(r, { param: 'reference' }) : r));
}

/**
 * Extracts features of a dataset's clips and maps labels to class indices. With `reference`, every
 * kept clip is z-scored with its speaker's reference statistics (src/data/reference.ts).
 */
export async function loadSplit(ds: Dataset, opts: SplitOptions): Promise<LoadedSplit> {
  const { classes, settings, cache, events, stage: stageName = 'features' } = opts;
  const refLabelList = opts.reference
    ? typeof opts.reference.labels === 'string'
      ? parseReferenceLabels(opts.reference.labels)
      : [...opts.reference.labels]
    : [];
  const reference = refLabelList.length
    ? { labels: refLabelList, extra: opts.reference!.extra ?? [], maxLen: opts.reference!.maxLen }
    : null;
  const classIndex = new Map(classes.map((c, i) => [c, i]));
  const refLabels = new Set(reference?.labels ?? []);
  const clash = classes.filter((c) => refLabels.has(c));
  if (clash.length > 1)
    throw new ParamError(
      'speaker_reference',
      `${clash.join(', ')} are also classes; only one class (${NEUTRAL_CLASS}) may be made of reference-labelled clips`,
    );
  // A class that is also a reference label (the neutral class): per speaker, half of the reference-labelled
  // clips are references, the other half are that class — never the same clip in both.
  const splitClass = clash[0];
  const refPaths = splitClass !== undefined ? referenceHalf(ds.items, [...refLabels]) : null;
  const unknownLabels: Record<string, number> = {};
  const referenceLabels: Record<string, number> = {};
  const wanted: number[] = [];
  const wantedClass: number[] = [];
  ds.items.forEach((it, i) => {
    if (refPaths && refLabels.has(it.label) && !refPaths.has(it.path)) {
      wanted.push(i);
      wantedClass.push(classIndex.get(classIndex.has(it.label) ? it.label : splitClass!)!);
    } else if (classIndex.has(it.label) && !refLabels.has(it.label)) {
      wanted.push(i);
      wantedClass.push(classIndex.get(it.label)!);
    } else if (refLabels.has(it.label)) referenceLabels[it.label] = (referenceLabels[it.label] ?? 0) + 1;
    else unknownLabels[it.label] = (unknownLabels[it.label] ?? 0) + 1;
  });
  events?.stage?.(stageName, 0, wanted.length);
  const { features, skipped } = await datasetFeatures(
    wanted.map((i) => ds.items[i].path),
    settings,
    cache,
    (done, total) => events?.stage?.(stageName, done, total),
  );
  const kept: LoadedSplit = {
    features: [],
    targets: new Int32Array(0),
    itemIndex: [],
    unknownLabels,
    referenceLabels,
    referenceFiles: [],
    skipped: [...ds.skipped, ...skipped],
  };
  const targets: number[] = [];
  features.forEach((m, j) => {
    if (!m) return;
    kept.features.push(m);
    kept.itemIndex.push(wanted[j]);
    targets.push(wantedClass[j]!);
  });
  kept.targets = Int32Array.from(targets);
  let refs: SpeakerReference[] | null = null;
  if (reference) {
    const found = await clipReferences(ds, kept.itemIndex, settings, cache, { ...reference, only: refPaths }, opts.param ?? 'data', events);
    refs = found.refs;
    kept.referenceFiles = found.files;
    kept.populationReference = found.population;
    kept.features = kept.features.map((m, i) => applySpeakerReference(m, found.refs[i]!));
  }
  // Audio of the kept clips, re-read on demand, for online waveform augmentation (--augment).
  const files = kept.itemIndex.map((i) => ds.items[i].path);
  kept.audio = {
    sr: settings.params.sr,
    // Trimmed like the stored features, so augmented copies cover the same speech.
    load: async (i) => speechSamples((await loadAudio(files[i]!, { sr: settings.params.sr })).samples, settings, files[i]!),
    features: (samples, i) => {
      const m = featuresFromSamples(samples, settings);
      return refs ? applySpeakerReference(m, refs[i]!) : m;
    },
  };
  return kept;
}

/** The reference statistics of each kept clip's speaker; errors name the data and what is missing. */
async function clipReferences(
  ds: Dataset,
  itemIndex: readonly number[],
  settings: FeatureSettings,
  cache: FeatureCache,
  reference: { labels: readonly string[]; extra: readonly Dataset[]; maxLen: number; only: Set<string> | null },
  param: string,
  events?: ProgressEvents,
): Promise<{ refs: SpeakerReference[]; files: string[]; population: SpeakerReference | null }> {
  // `only`: the dataset's own reference half (the other half is a class); extra datasets are all references.
  const own = referenceItems([ds], reference.labels).filter((it) => !reference.only || reference.only.has(it.path));
  const seen = new Set(own.map((it) => it.path));
  const items = [...own, ...referenceItems(reference.extra ?? [], reference.labels).filter((it) => !seen.has(it.path))];
  const stage = 'features (speaker references)';
  const { features, skipped } = await datasetFeatures(
    items.map((it) => it.path),
    settings,
    cache,
    (d, t) => events?.stage?.(stage, d, t),
  );
  for (const s of skipped) events?.log?.(`skipped reference clip ${s.file}: ${s.reason}`);
  const mats: FeatureMatrix[] = [];
  const speakers: string[] = [];
  const files: string[] = [];
  features.forEach((m, i) => {
    if (!m) return;
    files.push(items[i]!.path);
    const spk = items[i]!.speaker;
    if (spk === null)
      throw new ParamError(param, `reference clip ${items[i]!.path} has no speaker id (add a "speaker" column to its manifest)`);
    mats.push(m);
    speakers.push(spk);
  });
  const refs = speakerReferences(mats, speakers, reference.maxLen);
  const clipRefs = requireReferences(
    refs,
    itemIndex.map((i) => ds.items[i].speaker),
    itemIndex.map((i) => ds.items[i].path),
    reference.labels,
    param,
  );
  const population = mats.length
    ? speakerReferences(
        mats,
        mats.map(() => 'all'),
        reference.maxLen,
      ).get('all')!
    : null;
  return { refs: clipRefs, files, population };
}

/** Fingerprint of the data a run trains on (paths, labels, sizes): resuming on other data is refused. */
export function dataFingerprint(ds: Dataset, itemIndex: readonly number[]): string {
  const h = createHash('sha256');
  for (const i of itemIndex) {
    const it = ds.items[i];
    h.update(`${it.path}\0${it.label}\0${statSync(it.path).size}\n`);
  }
  return h.digest('hex').slice(0, 16);
}

/** Fingerprint of the reference clips a split was normalised with ('' when none). */
export function referenceFingerprint(files: readonly string[]): string {
  if (files.length === 0) return '';
  const h = createHash('sha256');
  for (const f of files) h.update(`${f}\0${statSync(f).size}\n`);
  return h.digest('hex').slice(0, 16);
}

/** The audio source of a subset of clips (subset index j → original clip idx[j]). */
export function subsetAudio(audio: ClipAudioSource | undefined, idx: readonly number[]): ClipAudioSource | undefined {
  if (!audio) return undefined;
  return { sr: audio.sr, load: (j) => audio.load(idx[j]!), features: (s, j) => audio.features(s, idx[j]!) };
}

/** Features, targets and audio source of a subset of a split (e.g. one side of a fold). */
export function subsetSplit(split: LabelledFeatures, idx: readonly number[]): LabelledFeatures {
  return {
    features: idx.map((i) => split.features[i]!),
    targets: Int32Array.from(idx, (i) => split.targets[i]!),
    audio: subsetAudio(split.audio, idx),
  };
}
