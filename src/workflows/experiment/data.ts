/**
 * The experiment's data: the synthetic set (generated offline when not given), the converted
 * neutral-pool (converted when not given), the real evaluation set, the training clips of each data
 * recipe — and the guard that no real evaluation clip ever reaches a training set.
 */
import { scanDataset, type Dataset } from '../../data/dataset.js';
import { synthesize, DEFAULT_CLASSES, VOICES } from '../../synth/index.js';
import { Rng } from '../../engine/rng.js';
import type { ProgressEvents } from '../../report/progress.js';
import type { Clip } from './features.js';
import type { DataRecipe } from './recipes.js';
import { renameParams } from '../../engine/errors.js';

export { assertNoRealClips, assertDisjointSpeakers } from '../../data/leakage.js';
export { prepareConverted } from '../../augment/convert/prepare.js';

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
  /** Labels to voice (default the four signals). */
  classes?: readonly string[];
  /** Every offline voice (10) instead of synthesize's default 5. */
  allOfflineVoices?: boolean;
  /** 'shared': every class reads from one sentence pool, so the words cannot tell the class (default 'emotion', the paper's). */
  textMode?: 'emotion' | 'shared';
  events?: ProgressEvents;
}

/** The voices `synthesize` can use offline (espeak + flite). */
export const OFFLINE_VOICE_IDS: readonly string[] = VOICES.filter((v) => v.engine !== 'openai').map((v) => v.id);

/** The synthetic set: `given` when set, else generated (offline espeak + flite, 3–4 s clips) into `out`. */
export async function prepareSynthetic(o: PrepareSyntheticOptions): Promise<Dataset> {
  if (o.given) return renameParams({ data: 'synthetic' }, () => scanDataset(o.given!));
  const classes = o.classes ?? DEFAULT_CLASSES;
  o.events?.log?.(
    `generating the synthetic set (${o.perClass} clips per class of ${classes.join(', ')}, offline espeak + flite) in ${o.out}`,
  );
  await synthesize({
    out: o.out,
    perClass: o.perClass,
    classes: [...classes],
    provider: 'mixed',
    seed: o.seed,
    lengths: ['short'],
    ...(o.allOfflineVoices ? { voices: [...OFFLINE_VOICE_IDS] } : {}),
    ...(o.textMode ? { textMode: o.textMode } : {}),
    concurrency: 1,
    onProgress: (done, total) => o.events?.stage?.('synthesising', done, total),
  });
  return renameParams({ data: 'synthetic' }, () => scanDataset(o.out));
}

/**
 * Augmentation of recipe (b): waveform operations only (SpecAugment would need online features).
 * `speed` is left out: when the table in docs/experiment.md was measured the resampler rejected the
 * non-integer rates it draws (fixed since: the augmenter rounds to whole Hz); kept as measured.
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
