/**
 * The recipes `affexion experiment gap` compares: what the network is trained on (data recipe), how a
 * clip becomes its input (front-end), and a few training knobs. The paper's recipe is the first row.
 */
import type { Hyperparameters } from '../../model/hyperparameters.js';
import type { LoudnessMode } from '../../data/features.js';
import { RECIPE_SETTINGS } from '../recipe.js';
import { ParamError } from '../../engine/errors.js';

/**
 * Training data of a recipe (ravdess-dev never enters any of them):
 * - `synthetic`: offline espeak/flite clips (a);
 * - `synthetic+aug`: (a) plus augmented copies of every clip (b);
 * - `converted`: the real neutral-pool turned into each emotion by the convert API (c);
 * - `synthetic+aug+converted`: (b) and (c) together (d).
 */
export type DataRecipe = 'synthetic' | 'synthetic+aug' | 'converted' | 'synthetic+aug+converted';
export const DATA_RECIPES: readonly DataRecipe[] = ['synthetic', 'synthetic+aug', 'converted', 'synthetic+aug+converted'];

/**
 * How a clip becomes the network's input:
 * - `paper`: 75 MFCC/Δ/ΔΔ rows z-scored with training-set statistics, zero-padded (the paper);
 * - `cmvn`: utterance-level mean/variance normalisation (each clip standardised by itself);
 * - `masked`: global z-score, padded frames masked out of the LSTM/attention/pooling;
 * - `prosodic`: MFCC rows + F0 (semitones re the clip's median), voicing, energy and their deltas,
 *    with utterance CMVN and masking (the prosodic rows help little without them: F0 level and energy
 *    depend on the speaker and the microphone);
 * - `reference`: the paper's, after speaker reference normalisation — each clip z-scored with its
 *    speaker's neutral/calm clips (src/data/reference.ts): converted clips with the neutral-pool clips of
 *    their speaker, real clips with the actor's own neutral/calm clips (not scored). Converted data only:
 *    the synthetic sets hold no neutral clip of their voices.
 */
export type FrontEnd = 'paper' | 'cmvn' | 'masked' | 'prosodic' | 'reference';
export const FRONT_ENDS: readonly FrontEnd[] = ['paper', 'cmvn', 'masked', 'prosodic', 'reference'];

/** Whether a front-end can be used with a data recipe (speaker references exist for converted speakers only). */
export function frontEndFits(fe: FrontEnd, data: DataRecipe): boolean {
  return fe !== 'reference' || data === 'converted';
}

/** One row of the experiment. */
export interface GapRecipe {
  /** Stable id (folder name under RUN_DIR/recipes; used by --recipes). */
  id: string;
  /** Human-readable description for the table. */
  label: string;
  data: DataRecipe;
  frontEnd: FrontEnd;
  /** Loudness step before features ('none' is the paper's pipeline). */
  loudness: LoudnessMode;
  /** Training overrides for this row (over the run's base hyper-parameters). */
  hyper: Partial<Hyperparameters>;
  /**
   * Early stopping on a validation split of the *training* data (held-out voices / speakers): keep the
   * epoch with the lowest validation loss, stop after `patience` epochs without improvement. Never
   * on ravdess-dev. 0 = train all epochs, keep the last.
   */
  patience: number;
}

/** Front-end → the hyper-parameters it implies. */
export function frontEndHyper(fe: FrontEnd): Partial<Hyperparameters> {
  switch (fe) {
    case 'paper':
      return { normalization: 'global', mask_padding: false, speaker_reference: '' };
    case 'cmvn':
      return { normalization: 'utterance', mask_padding: false, speaker_reference: '' };
    case 'masked':
      return { normalization: 'global', mask_padding: true, speaker_reference: '' };
    case 'prosodic':
      return { normalization: 'utterance', mask_padding: true, speaker_reference: '' };
    case 'reference':
      return {
        normalization: 'global',
        mask_padding: RECIPE_SETTINGS.converted.hyper.mask_padding ?? false,
        speaker_reference: REFERENCE_LABELS,
      };
  }
}

/** Reference labels of the `reference` front-end: the converted recipe's (neutral, calm). */
const REFERENCE_LABELS = RECIPE_SETTINGS.converted.hyper.speaker_reference!;

/** Frames that cover RAVDESS's ~3.5 s clips and the 3–4 s synthetic ones (hop 10 ms), instead of 1000: the converted recipe's. */
export const SHORT_MAX_LEN = RECIPE_SETTINGS.converted.hyper.max_len!;

/** Patience of the early-stopping ablations (`…-es`). */
export const ES_PATIENCE = 3;

/**
 * The default grid: the paper's recipe first (synthetic, no loudness step, MAX_LEN 1000, 15 epochs), then
 * every data recipe × front-end with the settings of the converted training recipe (src/train/recipe.ts:
 * peak loudness, MAX_LEN 400, all epochs, no early stopping) — so `c-reference` is what reproduce and
 * demo train by default, one ensemble member per seed (`--seeds 1,…,5` gives the default ensemble of 5
 * in the table's ensemble column). The front-end sets the normalisation (and the speaker reference).
 */
export function defaultRecipes(): GapRecipe[] {
  const paper = RECIPE_SETTINGS.paper;
  const rows: GapRecipe[] = [
    {
      id: 'paper',
      label: "paper's recipe: synthetic, z-scored MFCC, no loudness step, MAX_LEN 1000, 15 epochs",
      data: 'synthetic',
      frontEnd: 'paper',
      loudness: paper.loudness,
      hyper: { ...paper.hyper },
      patience: 0,
    },
  ];
  const dataName: Record<DataRecipe, string> = {
    synthetic: '(a) synthetic',
    'synthetic+aug': '(b) synthetic + augmentation',
    converted: '(c) converted neutral-pool',
    'synthetic+aug+converted': '(d) = (b) + (c)',
  };
  const dataId: Record<DataRecipe, string> = { synthetic: 'a', 'synthetic+aug': 'b', converted: 'c', 'synthetic+aug+converted': 'd' };
  const converted = RECIPE_SETTINGS.converted;
  for (const data of DATA_RECIPES) {
    for (const fe of FRONT_ENDS) {
      if (!frontEndFits(fe, data)) continue;
      rows.push({
        id: `${dataId[data]}-${fe}`,
        label: `${dataName[data]}, ${fe} front-end`,
        data,
        frontEnd: fe,
        loudness: converted.loudness,
        // One network per row and seed: the experiment's seed ensemble (--seeds s,…,s+N−1) is the recipe's
        // --ensemble N, measured member by member. No neutral class: the grid's data recipes hold only the
        // four signals (`experiment real-speech` measures the neutral class and the functional head).
        hyper: { ...converted.hyper, ensemble: 1, neutral_class: false, functional_fusion: 'none', ...frontEndHyper(fe) },
        patience: 0,
      });
    }
  }
  return rows;
}

/**
 * Extra rows that isolate one ingredient each (run them with --recipes): `<id>-es` is a grid row with
 * early stopping on held-out training speakers (about 1/6 of the voices/speakers held out, the epoch
 * with the lowest held-out loss kept, patience 3); `paper-peak` is the paper's recipe with peak
 * loudness normalisation.
 */
export function ablationRecipes(): GapRecipe[] {
  const grid = defaultRecipes();
  const es = grid
    .filter((r) => r.id !== 'paper')
    .map((r): GapRecipe => ({
      ...r,
      id: `${r.id}-es`,
      label: `${r.label}, early stopping on held-out training speakers`,
      patience: ES_PATIENCE,
    }));
  const paper = grid[0]!;
  return [...es, { ...paper, id: 'paper-peak', label: "paper's recipe with peak loudness normalisation", loudness: 'peak' }];
}

/**
 * Keeps the recipes whose ids are listed (in the given order), looked up among `all` and the
 * ablations; no ids = all of `all`. Throws naming unknown ids.
 */
export function selectRecipes(all: readonly GapRecipe[], ids: readonly string[] | undefined): GapRecipe[] {
  if (!ids || ids.length === 0) return [...all];
  const byId = new Map([...all, ...ablationRecipes()].map((r) => [r.id, r]));
  return ids.map((id) => {
    const r = byId.get(id);
    if (!r) throw new ParamError('recipes', `unknown recipe "${id}" (known: ${[...byId.keys()].join(', ')})`);
    return r;
  });
}
