/**
 * The experiment's data: the synthetic set (generated offline when not given), the converted
 * neutral-pool (converted when not given), the real evaluation set, the training clips of each data
 * recipe — and the guard that no real evaluation clip ever reaches a training set.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { scanDataset, type Dataset } from '../data/dataset.js';
import { synthesize, DEFAULT_CLASSES } from '../synth/index.js';
import { convertEmotions } from '../augment/convert/index.js';
import { Rng } from '../engine/rng.js';
import type { ProgressEvents } from '../train/progress.js';
import type { Clip } from './features.js';
import type { DataRecipe } from './recipes.js';

/** The real set's labels: RAVDESS fearful → panic, happy → excitement; neutral and calm stay as they are
 *  (out-of-set, reported apart). */
export const REAL_LABEL_MAP = 'fearful=panic,happy=excitement';
/** The in-set real classes the headline figures are computed on. */
export const REAL_TARGET_CLASSES = ['panic', 'excitement'] as const;

/** Clips of a scanned dataset, speakers tagged with their source. */
export function datasetClips(ds: Dataset, sourceTag: string): Clip[] {
  // Unknown speaker: each clip is its own group (a class folder's name is no speaker).
  return ds.items.map((it) => ({ file: it.path, label: it.label, speaker: `${sourceTag}:${it.speaker ?? `clip:${it.path}`}` }));
}

/** Options of {@link prepareSynthetic}. */
export interface PrepareSyntheticOptions {
  given?: string;
  out: string;
  perClass: number;
  seed: number;
  events?: ProgressEvents;
}

/** The synthetic set: `given` when set, else generated (offline espeak + flite, 3–4 s clips) into `out`. */
export async function prepareSynthetic(o: PrepareSyntheticOptions): Promise<Dataset> {
  if (o.given) return scanDataset(o.given, { optionName: '--synthetic' });
  o.events?.log?.(`generating the synthetic set (${o.perClass} clips per class, offline espeak + flite) in ${o.out}`);
  await synthesize({
    out: o.out, perClass: o.perClass, classes: [...DEFAULT_CLASSES], provider: 'mixed', seed: o.seed, lengths: ['short'],
    concurrency: 1, onProgress: (done, total) => o.events?.stage?.('synthesising', done, total),
  });
  return scanDataset(o.out, { optionName: '--synthetic' });
}

/** Options of {@link prepareConverted}. */
export interface PrepareConvertedOptions {
  given?: string;
  /** Real neutral speech to convert (the neutral-pool). */
  neutral: string;
  out: string;
  seed: number;
  /** Use only the first N neutral clips (quick runs). */
  limit?: number;
  /** Converted variants per neutral clip and emotion (default 1). */
  perClip?: number;
  /** Real evaluation set: the neutral sources are checked against it before converting. */
  real: Dataset;
  events?: ProgressEvents;
}

/** The converted set: `given` when set, else the neutral-pool converted into each emotion in `out`. */
export async function prepareConverted(o: PrepareConvertedOptions): Promise<Dataset> {
  if (o.given) return scanDataset(o.given, { optionName: '--converted' });
  const manifest = path.join(o.out, 'manifest.csv');
  if (!existsSync(manifest)) {
    const neutral = scanDataset(o.neutral, { optionName: '--neutral' });
    // The sources become training data (converted): none may be a real evaluation clip.
    assertNoRealClips(datasetClips(neutral, 'neutral').slice(0, o.limit ?? Infinity), o.real, '--neutral');
    o.events?.log?.(`converting ${o.limit ?? neutral.items.length} neutral clips of ${o.neutral} into each emotion in ${o.out}`);
    await convertEmotions({
      source: o.neutral, outDir: o.out, seed: o.seed, limit: o.limit, perClip: o.perClip, charts: false,
      onProgress: (done, total) => o.events?.stage?.('converting', done, total),
    });
  }
  return scanDataset(o.out, { optionName: '--converted' });
}

const sha = (file: string): string => createHash('sha256').update(readFileSync(file)).digest('hex');

/**
 * Throws when any training clip is a clip of the real evaluation set: the same file, the same bytes
 * anywhere else, or (for sources with speaker ids, like converted RAVDESS actors) a real set speaker.
 */
export function assertNoRealClips(clips: readonly Clip[], real: Dataset, what: string): void {
  const realPaths = new Set(real.items.map((it) => path.resolve(it.path)));
  const realHashes = new Map(real.items.map((it) => [sha(it.path), it.path]));
  const hashes = new Map<string, string>();
  for (const c of clips) {
    const p = path.resolve(c.file);
    if (realPaths.has(p)) throw new Error(`${what}: ${c.file} is a clip of the real evaluation set; it must never be trained on`);
    const h = hashes.get(p) ?? sha(p);
    hashes.set(p, h);
    const twin = realHashes.get(h);
    if (twin) throw new Error(`${what}: ${c.file} has the same audio as real evaluation clip ${twin}; it must never be trained on`);
  }
}

/**
 * Throws when a converted set was made from speakers of the real set (RAVDESS actor ids in the
 * manifest's speaker column): its clips would carry real evaluation voices into training.
 */
export function assertDisjointSpeakers(converted: Dataset, real: Dataset, what = '--converted'): void {
  const realSpeakers = new Set(real.items.map((it) => it.speaker).filter((s): s is string => !!s).map(canonicalSpeaker));
  for (const it of converted.items) {
    if (it.speaker && realSpeakers.has(canonicalSpeaker(it.speaker))) {
      throw new Error(`${what}: ${it.path} was converted from speaker ${it.speaker}, who is in the real evaluation set`);
    }
  }
}

/** "01", "1", "actor-01", "Actor_01" → "1". */
function canonicalSpeaker(s: string): string {
  const m = /(\d+)\s*$/.exec(s);
  return m ? String(Number(m[1])) : s.toLowerCase();
}

/**
 * Augmentation of recipe (b): waveform operations only (SpecAugment would need online features).
 * `speed` is left out: with the in-progress resampler it rejects the non-integer rates it draws.
 */
export const EXPERIMENT_AUGMENT_SPEC = 'noise,reverb,telephone,gain,pitch';

/** Training clips and a held-out validation split (for early stopping) of one data recipe. */
export interface RecipeClips {
  train: Clip[];
  /** Held-out speakers / voices of the training sources (originals only); empty without early stopping. */
  val: Clip[];
}

/** Options of {@link recipeClips}. */
export interface RecipeClipsOptions {
  synthetic: Clip[];
  converted: Clip[];
  augmentSpec: string;
  augmentCopies: number;
  seed: number;
  /** Hold out about 1/6 of each source's speakers (at least one) for early stopping. */
  holdOut: boolean;
}

/** Splits clips by speaker: about `fraction` of the speakers (at least one, never all) to the held-out side. */
export function splitBySpeaker(clips: readonly Clip[], fraction: number, rng: Rng): { keep: Clip[]; held: Clip[] } {
  const speakers = [...new Set(clips.map((c) => c.speaker))].sort();
  if (speakers.length < 2) return { keep: [...clips], held: [] };
  const nHeld = Math.min(speakers.length - 1, Math.max(1, Math.round(speakers.length * fraction)));
  const order = speakers.map((s) => ({ s, r: rng.next() })).sort((a, b) => a.r - b.r);
  const held = new Set(order.slice(0, nHeld).map((o) => o.s));
  return { keep: clips.filter((c) => !held.has(c.speaker)), held: clips.filter((c) => held.has(c.speaker)) };
}

/** The clips a data recipe trains (and early-stops) on. Augmented copies are made of training-side clips only. */
export function recipeClips(recipe: DataRecipe, o: RecipeClipsOptions): RecipeClips {
  const rng = new Rng(o.seed ^ 0x6a9);
  const parts: { clips: Clip[]; augment: boolean }[] = [];
  if (recipe !== 'converted') parts.push({ clips: o.synthetic, augment: recipe !== 'synthetic' });
  if (recipe === 'converted' || recipe === 'synthetic+aug+converted') parts.push({ clips: o.converted, augment: false });
  const train: Clip[] = [];
  const val: Clip[] = [];
  for (const part of parts) {
    const { keep, held } = o.holdOut ? splitBySpeaker(part.clips, 1 / 6, rng) : { keep: part.clips, held: [] };
    train.push(...keep);
    val.push(...held);
    if (part.augment) {
      for (let copy = 0; copy < o.augmentCopies; copy++) {
        for (const c of keep) train.push({ ...c, augment: { spec: o.augmentSpec, copy, seed: o.seed } });
      }
    }
  }
  return { train, val };
}
