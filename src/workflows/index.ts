/** Workflows: whole runs composed from the layers below — reproduce, demo, training recipes, the gap experiment. */
export { reproduce, comparisonTable, formatComparison, PAPER_FIGURES, type ReproduceOptions, type ReproduceResult } from './reproduce.js';
export {
  runDemo, splitSentences, DEMO_HYPERPARAMETERS, DEMO_CONVERT_LIMIT, HELD_OUT_VOICES, RAVDESS_LABEL_MAP, type DemoOptions, type DemoResult,
} from './demo.js';
export { RECIPE_SETTINGS, DEFAULT_RECIPE, TRAINING_RECIPES, type TrainingRecipe, type RecipeSettings } from './recipe.js';
export * from './experiment/index.js';
export * from './sweep/index.js';
