/**
 * Training one recipe with optional early stopping on a held-out split of the training data, and
 * scoring it on the real set: balanced accuracy on panic vs excitement (the model predicts among all
 * of its classes), macro F1, and where the out-of-set real clips (neutral, calm) land.
 */
import type { FeatureMatrix } from '../../features/index.js';
import { classificationMetrics, argmaxRows, type ClassificationMetrics } from '../../report/metrics.js';
import { predictProbabilities } from '../../model/predict.js';
import { initialState, runEpochs, lossAndAccuracy, type EpochRecord, type LabelledFeatures, type TrainingState } from '../../train/fit.js';
import type { Hyperparameters } from '../../model/hyperparameters.js';
import type { ProgressEvents } from '../../report/progress.js';

/** Result of {@link fitWithEarlyStopping}. */
export interface FitResult {
  state: TrainingState;
  history: EpochRecord[];
  /** Epoch whose weights were kept (the last one without early stopping). */
  bestEpoch: number;
}

/**
 * Trains up to `hyper.epochs` epochs. With `val` and `patience > 0`, keeps the weights of the epoch
 * with the lowest validation loss and stops after `patience` epochs without improvement.
 */
export async function fitWithEarlyStopping(
  train: LabelledFeatures,
  val: LabelledFeatures | null,
  nClasses: number,
  hyper: Hyperparameters,
  patience: number,
  events?: ProgressEvents,
): Promise<FitResult> {
  const state = initialState(hyper, train, nClasses);
  const early = patience > 0 && val !== null && val.targets.length > 0;
  let best = { loss: Infinity, epoch: 0, weights: null as Map<string, Float32Array> | null };
  while (state.epoch < hyper.epochs) {
    // One epoch at a time (runEpochs stops at hyper.epochs), so we can look at validation in between.
    await runEpochs(state, { hyper, until: state.epoch + 1, train, val: early ? val : null, events });
    const rec = state.history[state.history.length - 1]!;
    if (!early) continue;
    const loss = rec.val_loss ?? Infinity;
    if (loss < best.loss) {
      best = { loss, epoch: state.epoch, weights: new Map([...state.net.stateDict()].map(([k, v]) => [k, Float32Array.from(v)])) };
    } else if (state.epoch - best.epoch >= patience) {
      events?.log?.(`early stop after epoch ${state.epoch}: validation loss has not improved since epoch ${best.epoch}`);
      break;
    }
  }
  if (early && best.weights) state.net.loadStateDict(best.weights);
  return { state, history: state.history, bestEpoch: early ? best.epoch : state.epoch };
}

/** Scores of a model on the real set. */
export interface RealScores {
  /** Mean recall of panic and excitement, predictions among all model classes (chance 1/K). */
  balanced_accuracy: number;
  /** Macro F1 over panic and excitement (4-class predictions). */
  macro_f1: number;
  accuracy: number;
  n: number;
  recall: Record<string, number>;
  /** Full metrics over the in-set clips (confusion in the model's class order). */
  metrics: ClassificationMetrics;
  /** Out-of-set real clips (neutral, calm …): label → predicted class → count. */
  out_of_set: Record<string, Record<string, number>>;
}

/**
 * Scores probabilities of the real clips. `labels[i]` is clip i's real label; clips whose label is
 * one of `classes` are scored, the rest are tallied in `out_of_set`.
 */
export function scoreReal(probs: Float32Array, labels: readonly string[], classes: readonly string[]): RealScores {
  const K = classes.length;
  const pred = argmaxRows(probs, labels.length, K);
  const index = new Map(classes.map((c, i) => [c, i]));
  const yTrue: number[] = [];
  const yPred: number[] = [];
  const outOfSet: Record<string, Record<string, number>> = {};
  labels.forEach((l, i) => {
    const k = index.get(l);
    if (k !== undefined) {
      yTrue.push(k);
      yPred.push(pred[i]!);
    } else {
      const row = (outOfSet[l] ??= Object.fromEntries(classes.map((c) => [c, 0])));
      row[classes[pred[i]!]!]!++;
    }
  });
  if (yTrue.length === 0) throw new Error(`real set: no clip is labelled with one of the model's classes (${classes.join(', ')})`);
  const metrics = classificationMetrics(yTrue, yPred, classes);
  const present = metrics.per_class.filter((c) => c.support > 0);
  return {
    balanced_accuracy: metrics.balanced_accuracy,
    macro_f1: metrics.macro_f1,
    accuracy: metrics.accuracy,
    n: metrics.n,
    recall: Object.fromEntries(present.map((c) => [c.label, c.recall])),
    metrics,
    out_of_set: outOfSet,
  };
}

/** Probabilities of real clips under a trained state. */
export async function predictReal(state: TrainingState, features: readonly FeatureMatrix[], hyper: Hyperparameters): Promise<Float32Array> {
  return predictProbabilities(state.net, features, state.normalization, hyper.max_len, hyper.batch_size);
}

/** Loss and accuracy of a held-out split (for the results file). */
export async function splitScores(
  state: TrainingState,
  split: LabelledFeatures,
  hyper: Hyperparameters,
  K: number,
): Promise<{ loss: number; acc: number }> {
  const probs = await predictProbabilities(state.net, split.features, state.normalization, hyper.max_len, hyper.batch_size);
  return lossAndAccuracy(probs, split.targets, K);
}
