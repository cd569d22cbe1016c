/**
 * Speaker reference normalisation ("speaker calibration"): every clip's features are z-scored per
 * channel with the statistics of *its speaker's neutral speech* — clips labelled with one of the
 * reference labels (default neutral, calm), which are never trained on or scored. What is left is how
 * the clip departs from the way that speaker normally sounds, which is what an emotion changes; voice,
 * vocal-tract length and microphone, which change between speakers, drop out.
 *
 * Why neutral references and not all of a speaker's clips: the mean of all clips depends on the mix of
 * emotions the speaker happens to have recorded (measured: z-scoring each speaker with all their clips
 * cost 7 points on ravdess-dev, docs/experiment.md), while a neutral reference means the same thing in
 * training (the neutral-pool clips a converted set was made from) and in use (a few calm sentences of
 * the person being monitored).
 */
import type { FeatureMatrix } from '../features/index.js';
import { fitNormalization } from './normalize.js';
import type { Dataset } from './dataset.js';
import { normalizeLabel } from './label-map.js';
import { ParamError } from '../engine/errors.js';

/** The labels whose clips are each speaker's reference unless told otherwise. */
export const DEFAULT_REFERENCE_LABELS: readonly string[] = ['neutral', 'calm'];

/** Per-channel statistics of one speaker's reference clips. */
export interface SpeakerReference {
  mean: number[];
  std: number[];
  /** Reference clips and frames the statistics come from. */
  clips: number;
  frames: number;
}

/**
 * Parses a `speaker_reference` value: comma-separated labels (lower-cased, de-duplicated); '' = off.
 * Throws a ParamError about `param` (default `speaker_reference`) on an empty label.
 */
export function parseReferenceLabels(spec: string, param = 'speaker_reference'): string[] {
  if (spec.trim() === '') return [];
  const labels = spec.split(',').map((s) => normalizeLabel(s));
  if (labels.some((l) => l === '')) throw new ParamError(param, `expected labels like neutral,calm, got "${spec}"`);
  return [...new Set(labels)];
}

/**
 * Statistics per speaker from reference clips (`speakers[i]` is clip i's speaker): the same per-channel
 * mean and population std as the model's global z-score ({@link fitNormalization}), over the first
 * `maxLen` frames of each clip — the frames the model sees.
 */
export function speakerReferences(
  mats: readonly FeatureMatrix[],
  speakers: readonly string[],
  maxLen = Infinity,
): Map<string, SpeakerReference> {
  const groups = new Map<string, FeatureMatrix[]>();
  mats.forEach((m, i) => {
    const g = groups.get(speakers[i]!);
    if (g) g.push(m);
    else groups.set(speakers[i]!, [m]);
  });
  const out = new Map<string, SpeakerReference>();
  for (const [spk, group] of groups) {
    const { mean, std } = fitNormalization(group, maxLen);
    out.set(spk, { mean, std, clips: group.length, frames: group.reduce((n, m) => n + Math.min(m.frames, maxLen), 0) });
  }
  return out;
}

/** A clip's features z-scored with its speaker's reference statistics (a new matrix). */
export function applySpeakerReference(m: FeatureMatrix, ref: SpeakerReference): FeatureMatrix {
  if (ref.mean.length !== m.rows) throw new Error(`speaker reference: statistics for ${ref.mean.length} feature rows, clip has ${m.rows}`);
  const data = new Float32Array(m.data.length);
  for (let r = 0; r < m.rows; r++) {
    const off = r * m.frames;
    const mu = ref.mean[r]!;
    const inv = 1 / ref.std[r]!;
    for (let t = 0; t < m.frames; t++) data[off + t] = (m.data[off + t]! - mu) * inv;
  }
  return { ...m, data };
}

/**
 * The reference statistics each of `speakers` needs; throws a ParamError about `param` (the data's
 * parameter, default `data`) naming the speakers that have no reference clip (or clips without a speaker id).
 */
export function requireReferences<T>(
  refs: ReadonlyMap<string, T>,
  speakers: readonly (string | null)[],
  files: readonly string[],
  labels: readonly string[],
  param = 'data',
): T[] {
  const noSpeaker = speakers.findIndex((s) => s === null);
  if (noSpeaker >= 0) {
    throw new ParamError(
      param,
      `${files[noSpeaker]} has no speaker id; speaker reference normalisation needs one per clip ` +
        `(a "speaker" column in the manifest, or RAVDESS file names)`,
    );
  }
  const missing = [...new Set(speakers.filter((s) => !refs.has(s!)))] as string[];
  if (missing.length) {
    throw new ParamError(
      param,
      `no reference clip (label ${labels.join(' or ')}) for speaker${missing.length > 1 ? 's' : ''} ` +
        `${missing.slice(0, 5).join(', ')}${missing.length > 5 ? ` and ${missing.length - 5} more` : ''}; keep each speaker's ` +
        `${labels.join('/')} clips in the data (do not map them away) or give them as extra reference data`,
    );
  }
  return speakers.map((s) => refs.get(s!)!);
}

/**
 * The clips that serve as references when a reference label is also a class (the `neutral` class):
 * per speaker, the clips with a reference label in path order, every other one (the 1st, 3rd, …) — the
 * rest are scored / trained on as that class. Never the same clip in both roles; deterministic, so
 * training, evaluation and every re-run split alike. Clips without a speaker each form their own group.
 * A clip whose `referenceRole` is set keeps that role and is left out of the halving.
 */
export function referenceHalf(
  items: readonly { path: string; label: string; speaker: string | null; referenceRole?: 'reference' | 'class' }[],
  labels: readonly string[],
): Set<string> {
  const set = new Set(labels);
  const bySpeaker = new Map<string, string[]>();
  const out = new Set<string>();
  for (const it of items) {
    if (!set.has(it.label)) continue;
    if (it.referenceRole) {
      if (it.referenceRole === 'reference') out.add(it.path);
      continue;
    }
    const key = it.speaker ?? `clip:${it.path}`;
    const g = bySpeaker.get(key);
    if (g) g.push(it.path);
    else bySpeaker.set(key, [it.path]);
  }
  for (const paths of bySpeaker.values())
    [...new Set(paths)].sort().forEach((p, i) => {
      if (i % 2 === 0) out.add(p);
    });
  return out;
}

/** Reference clips of datasets: items whose label is one of `labels` (paths, speakers; null speaker kept for the error). */
export function referenceItems(datasets: readonly Dataset[], labels: readonly string[]): { path: string; speaker: string | null }[] {
  const set = new Set(labels);
  const seen = new Set<string>();
  const out: { path: string; speaker: string | null }[] = [];
  for (const ds of datasets) {
    for (const it of ds.items) {
      if (!set.has(it.label) || seen.has(it.path)) continue;
      seen.add(it.path);
      out.push({ path: it.path, speaker: it.speaker });
    }
  }
  return out;
}

/**
 * Features of clips normalised with their speakers' references, from reference clips given as features
 * (`refSpeakers[j]` is reference clip j's speaker). Throws (ParamError `data`) when a speaker has none.
 */
export function normalizeBySpeakerReference(
  mats: readonly FeatureMatrix[],
  speakers: readonly (string | null)[],
  files: readonly string[],
  refMats: readonly FeatureMatrix[],
  refSpeakers: readonly string[],
  labels: readonly string[],
  maxLen: number,
): FeatureMatrix[] {
  const refs = requireReferences(speakerReferences(refMats, refSpeakers, maxLen), speakers, files, labels);
  return mats.map((m, i) => applySpeakerReference(m, refs[i]!));
}

/**
 * Checks, before any work, that every clip of `ds` that is not itself a reference has a speaker id with
 * at least one reference clip in `ds` or `extra` (the same errors as {@link requireReferences}).
 */
export function assertSpeakerReferences(ds: Dataset, extra: readonly Dataset[], labels: readonly string[]): void {
  const withReference = new Map(
    referenceItems([ds, ...extra], labels)
      .filter((r) => r.speaker !== null)
      .map((r) => [r.speaker!, true]),
  );
  const items = ds.items.filter((it) => !labels.includes(it.label));
  requireReferences(
    withReference,
    items.map((it) => it.speaker),
    items.map((it) => it.path),
    labels,
  );
}
