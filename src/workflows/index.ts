/**
 * Workflows (layer: workflows / monitor): whole runs composed from the layers below — `reproduce` (the
 * paper's experiment: train, cross-validate, score on real speech), `runDemo` (the same, small and
 * self-contained), the training recipes, and the synthetic → real gap experiment on the same pipeline.
 *
 * ```ts
 * const r = await reproduce({ real: 'ravdess/', out: 'runs/paper', labelMap: 'fearful=panic,happy=excitement' });
 * console.log(formatComparison(r.table));                          // ours vs the paper
 * const demo = await runDemo({ out: 'affexion-demo' });
 * ```
 */
export { reproduce, comparisonTable, formatComparison, PAPER_FIGURES, type ReproduceOptions, type ReproduceResult } from './reproduce.js';
export {
  runDemo,
  splitSentences,
  DEMO_HYPERPARAMETERS,
  DEMO_CONVERT_LIMIT,
  HELD_OUT_VOICES,
  RAVDESS_LABEL_MAP,
  type DemoOptions,
  type DemoResult,
} from './demo.js';
export { RECIPE_SETTINGS, DEFAULT_RECIPE, TRAINING_RECIPES, type TrainingRecipe, type RecipeSettings } from './recipe.js';
export * from './experiment/index.js';
export * from './sweep/index.js';
