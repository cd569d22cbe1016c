/**
 * The synthetic → real gap experiment (`affexion experiment gap`, docs/experiment.md).
 */
export {
  runGapExperiment,
  MODEL_SIZES,
  type GapExperimentOptions,
  type GapExperimentResult,
  type RecipeResult,
  type ModelSize,
} from './run.js';
export {
  defaultRecipes,
  ablationRecipes,
  selectRecipes,
  frontEndHyper,
  DATA_RECIPES,
  FRONT_ENDS,
  SHORT_MAX_LEN,
  type GapRecipe,
  type DataRecipe,
  type FrontEnd,
} from './recipes.js';
export { assertNoRealClips, assertDisjointSpeakers, recipeClips, splitBySpeaker, REAL_LABEL_MAP, EXPERIMENT_AUGMENT_SPEC } from './data.js';
export { scoreReal, fitWithEarlyStopping, type RealScores, type FitResult } from './fit.js';
export { gapTable, markdownTable, type GapRow } from './table.js';
export type { Clip, ClipFeatureSettings } from './features.js';
