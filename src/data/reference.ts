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
import type { Dataset } from './dataset.js';
import { normalizeLabel } from './label-map.js';

/** The labels whose clips are each speaker's reference unless told otherwise. */
export const DEFAULT_REFERENCE_LABELS: readonly string[] = ['neutral', 'calm'];

/** Floor for standard deviations so a constant channel does not divide by zero. */
const STD_FLOOR = 1e-8;

/** Per-channel statistics of one speaker's reference clips. */
export interface SpeakerReference {
  mean: Float64Array;
  std: Float64Array;
  /** Reference clips and frames the statistics come from. */
  clips: number;
  frames: number;
}

/**
 * Parses a `--speaker-reference` value: comma-separated labels (lower-cased, de-duplicated); '' = off.
 * Throws naming the option on an empty label.
 */
export function parseReferenceLabels(spec: string, optionName = '--speaker-reference'): string[] {
  if (spec.trim() === '') return [];
  const labels = spec.split(',').map((s) => normalizeLabel(s));
  if (labels.some((l) => l === '')) throw new Error(`${optionName}: expected labels like neutral,calm, got "${spec}"`);
  return [...new Set(labels)];
}

/**
 * Statistics per speaker from reference clips (`speakers[i]` is clip i's speaker), counting the first
 * `maxLen` frames of each clip — the frames the model sees. Accumulated in float64.
 */
export function speakerReferences(mats: readonly FeatureMatrix[], speakers: readonly string[], maxLen = Infinity): Map<string, SpeakerReference> {
  const acc = new Map<string, { sum: Float64Array; sq: Float64Array; clips: number; frames: number }>();
  mats.forEach((m, i) => {
    const spk = speakers[i]!;
    let a = acc.get(spk);
    if (!a) acc.set(spk, (a = { sum: new Float64Array(m.rows), sq: new Float64Array(m.rows), clips: 0, frames: 0 }));
    if (a.sum.length !== m.rows) throw new Error(`speaker reference: clips have ${a.sum.length} and ${m.rows} feature rows`);
    const T = Math.min(m.frames, maxLen);
    for (let r = 0; r < m.rows; r++) {
      const off = r * m.frames;
      let s = 0;
      let s2 = 0;
      for (let t = 0; t < T; t++) {
        const v = m.data[off + t]!;
        s += v;
        s2 += v * v;
      }
      a.sum[r]! += s;
      a.sq[r]! += s2;
    }
    a.clips++;
    a.frames += T;
  });
  const out = new Map<string, SpeakerReference>();
  for (const [spk, a] of acc) {
    const mean = a.sum.map((s) => s / a.frames);
    const std = a.sq.map((s, r) => Math.max(Math.sqrt(Math.max(s / a.frames - mean[r]! ** 2, 0)), STD_FLOOR));
    out.set(spk, { mean, std, clips: a.clips, frames: a.frames });
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
 * The reference statistics each of `speakers` needs; throws naming `where` and the speakers that have
 * no reference clip (or clips without a speaker id), with what to do about it.
 */
export function requireReferences(refs: ReadonlyMap<string, SpeakerReference>, speakers: readonly (string | null)[],
  files: readonly string[], labels: readonly string[], where: string): SpeakerReference[] {
  const noSpeaker = speakers.findIndex((s) => s === null);
  if (noSpeaker >= 0) {
    throw new Error(`${where}: ${files[noSpeaker]} has no speaker id; speaker reference normalisation needs one per clip ` +
      `(a "speaker" column in the manifest, or RAVDESS file names)`);
  }
  const missing = [...new Set(speakers.filter((s) => !refs.has(s!)))] as string[];
  if (missing.length) {
    throw new Error(`${where}: no reference clip (label ${labels.join(' or ')}) for speaker${missing.length > 1 ? 's' : ''} ` +
      `${missing.slice(0, 5).join(', ')}${missing.length > 5 ? ` and ${missing.length - 5} more` : ''}; keep each speaker's ` +
      `${labels.join('/')} clips in the data (do not map them away) or give them with --reference`);
  }
  return speakers.map((s) => refs.get(s!)!);
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
 * (`refSpeakers[j]` is reference clip j's speaker). Throws naming `where` when a speaker has none.
 */
export function normalizeBySpeakerReference(mats: readonly FeatureMatrix[], speakers: readonly (string | null)[], files: readonly string[],
  refMats: readonly FeatureMatrix[], refSpeakers: readonly string[], labels: readonly string[], maxLen: number, where: string): FeatureMatrix[] {
  const refs = requireReferences(speakerReferences(refMats, refSpeakers, maxLen), speakers, files, labels, where);
  return mats.map((m, i) => applySpeakerReference(m, refs[i]!));
}

/**
 * Checks, before any work, that every clip of `ds` that is not itself a reference has a speaker id with
 * at least one reference clip in `ds` or `extra` (the same errors as {@link requireReferences}).
 */
export function assertSpeakerReferences(ds: Dataset, extra: readonly Dataset[], labels: readonly string[], where: string): void {
  const refSpeakers = new Set(referenceItems([ds, ...extra], labels).map((r) => r.speaker).filter((x): x is string => x !== null));
  const stand = new Map([...refSpeakers].map((spk) => [spk, null as unknown as SpeakerReference]));
  const items = ds.items.filter((it) => !labels.includes(it.label));
  requireReferences(stand, items.map((it) => it.speaker), items.map((it) => it.path), labels, where);
}
