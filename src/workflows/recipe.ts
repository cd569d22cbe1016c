/**
 * Training recipes: what a model is trained on and the settings that go with it. `reproduce` and `demo`
 * default to {@link DEFAULT_RECIPE}, the best recipe of `affexion experiment gap` on real speech
 * (docs/experiment.md); `paper` is the paper's own. One definition, so the experiment's best row,
 * reproduce and demo cannot drift apart.
 */
import type { LoudnessMode } from '../data/features.js';
import type { Hyperparameters } from '../model/hyperparameters.js';
import { ParamError } from '../engine/errors.js';

/**
 * - `converted`: real neutral speech of other speakers converted into each emotion (affexion convert),
 *   peak loudness normalisation, MAX_LEN 400 (covers 3–4 s clips), all epochs (no early stopping), a seed
 *   ensemble of 5 networks (on ravdess-dev: +4 points over one network and less than half its seed spread),
 *   and speaker reference normalisation with each speaker's neutral and calm clips (src/data/reference.ts:
 *   the converted clips with the neutral clips they were made from, real speech with the speaker's own
 *   neutral/calm clips; the largest single gain measured, docs/experiment.md), and the functional head fused
 *   with the network by product (src/model/functional-head.ts; +4.3 points on the mean of both dev corpora over
 *   5 seeds, docs/experiment.md sixth round);
 * - `paper`: synthetic speech, no loudness step, MAX_LEN 1000 — the paper's pipeline.
 */
export type TrainingRecipe = 'converted' | 'paper';
export const TRAINING_RECIPES: readonly TrainingRecipe[] = ['converted', 'paper'];

/** What a recipe fixes besides the data; user options override each field. */
export interface RecipeSettings {
  /** What the model trains on. */
  data: 'converted neutral speech' | 'synthetic speech';
  loudness: LoudnessMode;
  hyper: Partial<Hyperparameters>;
  /**
   * With a neutral class on converted data: its clips pass through the converter with a near-identity
   * profile (src/augment/convert/neutral.ts), so "processed or not" does not tell neutral from a signal.
   */
  neutralResynthesis: boolean;
  /** One line for logs and reports. */
  describe: string;
}

/**
 * Length invariance (issue 13): trimmed silence and fixed windows, so the network cannot read a clip's
 * length (converted clips differ in length by class, real ones by corpus). 1.5 s holds a few syllables,
 * and is no longer than the shortest real dev clips (TESS, ~1.5–2 s); 0.5 s hop.
 */
export const WINDOW_HYPER: Partial<Hyperparameters> = Object.freeze({
  trim_silence: true,
  window: 1.5,
  window_hop: 0.5,
  mask_padding: true,
});

export const RECIPE_SETTINGS: Readonly<Record<TrainingRecipe, RecipeSettings>> = Object.freeze({
  converted: {
    data: 'converted neutral speech',
    loudness: 'peak',
    hyper: {
      max_len: 400,
      ensemble: 5,
      speaker_reference: 'neutral,calm',
      neutral_class: true,
      functional_fusion: 'product',
      prosodic_rows: true,
      ...WINDOW_HYPER,
    },
    // Off: it moved the neutral boundary (ravdess-dev gained, tess-dev's calm false alarms rose), not the discrimination (seventh round).
    neutralResynthesis: false,
    describe:
      'real neutral speech converted into each emotion, peak loudness, silence trimmed, MFCC + prosodic rows (F0, voicing, energy), ' +
      '1.5 s windows at random positions ' +
      '(clips scored by the mean of their windows every 0.5 s, padding masked), all epochs, ensemble of 5 networks, ' +
      'each clip normalised with its speaker\'s neutral/calm speech, and a class "neutral" (half of each speaker\'s unconverted neutral/calm ' +
      'clips; the other half are the references), fused with a functional head (a logistic regression on speaker-relative prosodic and ' +
      'voice-quality functionals, product of the probabilities) (docs/experiment.md)',
  },
  paper: {
    data: 'synthetic speech',
    loudness: 'none',
    hyper: { max_len: 1000, trim_silence: false, window: 0, neutral_class: false },
    neutralResynthesis: false,
    describe: "the paper's recipe: synthetic speech, no loudness step, MAX_LEN 1000",
  },
});

/** The recipe reproduce and demo use unless told otherwise. */
export const DEFAULT_RECIPE: TrainingRecipe = 'converted';

/** Validates a recipe name (ParamError `recipe`). */
export function resolveRecipe(name: string | undefined): TrainingRecipe {
  const r = (name ?? DEFAULT_RECIPE) as TrainingRecipe;
  if (!TRAINING_RECIPES.includes(r)) throw new ParamError('recipe', `expected one of ${TRAINING_RECIPES.join(', ')}, got "${name}"`);
  return r;
}
