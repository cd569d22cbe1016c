/**
 * The training loop on in-memory features: seeded shuffling, mini-batches, Adam + StepLR, per-epoch
 * validation, and a checkpoint after every epoch from which a run resumes bit-exactly.
 */
import { Rng } from '../engine/rng.js';
import { AffexionNet } from '../model/network.js';
import { Adam, StepLR } from '../model/optim.js';
import { mixupCrossEntropy } from '../model/loss.js';
import type { AffexionConfig } from '../model/config.js';
import { fitNormalization, toModelBatch, type Normalization } from '../data/normalize.js';
import type { Hyperparameters } from '../model/hyperparameters.js';
import type { EpochRecord } from '../report/types.js';
import { clipProbabilities, yieldToEventLoop } from '../model/predict.js';
import { addToAverage, loadAverage } from '../model/swa.js';
import type { TrainingState } from '../model/checkpoint.js';
import { windowHopFrames } from '../model/hyperparameters.js';
import type { ProgressEvents } from '../report/progress.js';
import { OnlineAugmentation } from '../augment/online.js';
import type { LabelledFeatures } from '../data/split.js';
export type { LabelledFeatures } from '../data/split.js';

/** One line of metrics.jsonl (one definition, in the report types). */
export type { EpochRecord } from '../report/types.js';

export type { SwaState } from '../model/swa.js';
// What a checkpoint holds (model/checkpoint.ts): the state a run continues from.
export type { TrainingState } from '../model/checkpoint.js';

/** Thrown when a run is stopped (SIGINT / AbortSignal) between batches; the last checkpoint stands. */
export class TrainingInterrupted extends Error {
  constructor(readonly epochsDone: number) {
    super(
      `training interrupted during epoch ${epochsDone + 1}; the model and checkpoint after epoch ${epochsDone} are intact (train: continue with --resume; cv, reproduce, demo: run the same command again)`,
    );
    this.name = 'TrainingInterrupted';
  }
}

/** The network's architecture for the given hyper-parameters and data. */
export function architecture(h: Hyperparameters, nFeatures: number, nClasses: number): AffexionConfig {
  return {
    n_features: nFeatures,
    conv_channels: h.conv_channels,
    kernel_sizes: [...h.kernel_sizes],
    lstm_hidden: h.lstm_hidden,
    lstm_layers: h.lstm_layers,
    fc_hidden: h.fc_hidden,
    n_classes: nClasses,
    dropout_conv: h.dropout_conv,
    dropout_fc: h.dropout_fc,
    mask_padding: h.mask_padding,
  };
}

/** A fresh state: weights from `seed`, normalisation from the training clips. */
export function initialState(h: Hyperparameters, train: LabelledFeatures, nClasses: number): TrainingState {
  const nFeatures = train.features[0].rows;
  const net = new AffexionNet(architecture(h, nFeatures, nClasses), { seed: h.seed });
  const optimizer = new Adam(net.parameters(), { lr: h.lr, weightDecay: h.weight_decay });
  const scheduler = new StepLR(optimizer, h.step_size, h.gamma);
  // A separate stream from the weight initialisation, so shuffling/dropout do not depend on model size.
  const rng = new Rng(h.seed ^ 0x5eed);
  const normalization: Normalization =
    h.normalization === 'global' ? fitNormalization(train.features, h.window > 0 ? Infinity : h.max_len) : { mode: 'utterance' };
  return { net, optimizer, scheduler, rng, epoch: 0, history: [], normalization, swa: null };
}

/** Mean cross-entropy and accuracy of probabilities against targets. */
export function lossAndAccuracy(probs: Float32Array, targets: Int32Array, K: number): { loss: number; acc: number } {
  let loss = 0;
  let correct = 0;
  for (let i = 0; i < targets.length; i++) {
    loss -= Math.log(Math.max(probs[i * K + targets[i]], 1e-12));
    let best = 0;
    for (let k = 1; k < K; k++) if (probs[i * K + k] > probs[i * K + best]) best = k;
    if (best === targets[i]) correct++;
  }
  return { loss: loss / Math.max(targets.length, 1), acc: correct / Math.max(targets.length, 1) };
}

/** Options of {@link runEpochs}. */
export interface RunEpochsOptions {
  hyper: Hyperparameters;
  train: LabelledFeatures;
  val?: LabelledFeatures | null;
  events?: ProgressEvents;
  signal?: AbortSignal;
  /** Called after every completed epoch (write model + checkpoint + metrics here). */
  onEpoch?: (state: TrainingState, record: EpochRecord) => void | Promise<void>;
  /** Stop after this epoch (default `hyper.epochs`), e.g. to look at each epoch in between; the schedule still follows `hyper`. */
  until?: number;
  /** Extra validation figures for the epoch record (balanced accuracy, macro F1 …). */
  valMetrics?: (probs: Float32Array, val: LabelledFeatures) => Record<string, number>;
}

/**
 * A batch loss above this means the run has diverged: cross-entropy starts near ln K (1.4 for 4 classes)
 * and a healthy run stays within a few units; a loss of 1000 needs logits off by 1000.
 */
export const DIVERGED_LOSS = 1000;

/** Thrown when training diverges; the model folder keeps the last complete (good) epoch. */
export class TrainingDiverged extends Error {
  constructor(
    readonly epoch: number,
    readonly lastGoodEpoch: number,
    detail: string,
  ) {
    super(
      `training diverged at epoch ${epoch} (${detail}); nothing of that epoch was saved — ` +
        (lastGoodEpoch > 0
          ? `the model folder keeps epoch ${lastGoodEpoch}, the last good checkpoint`
          : 'no epoch had finished, so no model was saved') +
        '; try a lower --lr (or --gamma / --step-size to decay it sooner)',
    );
    this.name = 'TrainingDiverged';
  }
}

function diverged(state: TrainingState, epoch: number, batch: number, what: string): TrainingDiverged {
  return new TrainingDiverged(epoch, state.epoch, `batch ${batch}: ${what}`);
}

/** Trains `state` from its current epoch up to `hyper.epochs`. */
export async function runEpochs(state: TrainingState, o: RunEpochsOptions): Promise<TrainingState> {
  const { hyper: h, train } = o;
  const N = train.targets.length;
  const K = state.net.config.n_classes;
  const batches = Math.ceil(N / h.batch_size);
  const maskLengths = state.net.config.mask_padding;
  // Training side only: validation below always sees the stored, un-augmented features.
  const augment = new OnlineAugmentation(h.augment, h.seed, train.audio);
  const input = { normalization: state.normalization, maxLen: h.max_len, window: h.window > 0 };
  const until = Math.min(o.until ?? h.epochs, h.epochs);
  while (state.epoch < until) {
    const epoch = state.epoch + 1;
    const started = Date.now();
    const lr = state.optimizer.lr;
    const epochFeatures =
      (await augment.epochFeatures(epoch, N, (d, t) => o.events?.stage?.(`augmenting (epoch ${epoch})`, d, t))) ?? train.features;
    if (o.signal?.aborted) throw new TrainingInterrupted(state.epoch);
    o.events?.epochStart?.(epoch, h.epochs, batches);
    const order = state.rng.shuffle(Int32Array.from({ length: N }, (_, i) => i)) as Int32Array;
    let lossSum = 0;
    let correct = 0;
    for (let bi = 0; bi < batches; bi++) {
      const idx = order.subarray(bi * h.batch_size, Math.min((bi + 1) * h.batch_size, N));
      const { x, B, T, lengths, mix } = augment.batch(epoch, bi, idx, epochFeatures, input);
      const targets = Int32Array.from(idx, (i) => train.targets[i]);
      state.net.zeroGrad();
      const logits = state.net.forward(x, B, T, { train: true, lengths: maskLengths ? lengths : null, rng: state.rng });
      const { loss, dLogits, probs } = mixupCrossEntropy(logits, targets, K, mix);
      if (!(loss <= DIVERGED_LOSS)) throw diverged(state, epoch, bi + 1, `loss ${loss.toPrecision(3)}`);
      state.net.backward(dLogits);
      state.optimizer.step();
      lossSum += loss * B;
      for (let b = 0; b < B; b++) {
        let best = 0;
        for (let k = 1; k < K; k++) if (probs[b * K + k] > probs[b * K + best]) best = k;
        if (best === targets[b]) correct++;
      }
      const seen = Math.min((bi + 1) * h.batch_size, N);
      o.events?.batch?.(epoch, bi + 1, batches, { loss: lossSum / seen, acc: correct / seen, lr });
      await yieldToEventLoop();
      if (o.signal?.aborted) throw new TrainingInterrupted(state.epoch);
    }
    // Weights gone non-finite would be saved as a model giving every clip the same answer.
    const badParam = state.net.parameters().find((p) => !p.value.every(Number.isFinite));
    if (badParam) throw diverged(state, epoch, batches, `non-finite weights in ${badParam.name}`);
    state.scheduler.step();
    const record: EpochRecord = { epoch, train_loss: lossSum / N, train_acc: correct / N, lr, seconds: 0 };
    if (h.swa > 0 && epoch > h.epochs - h.swa) {
      state.swa = addToAverage(state.net, state.swa, epoch === h.epochs - h.swa + 1);
      record.swa_epochs = state.swa.count;
      if (epoch === h.epochs) {
        // The final model is the average; BatchNorm statistics are recomputed for it on the training
        // clips (validation below sees it).
        const norm = state.normalization;
        loadAverage(
          state.net,
          state.swa,
          (function* batches() {
            for (let s = 0; s < train.features.length; s += h.batch_size)
              yield toModelBatch(train.features.slice(s, s + h.batch_size), norm, h.max_len);
          })(),
        );
      }
    }
    if (o.val && o.val.targets.length > 0) {
      const probs = await clipProbabilities(state.net, o.val.features, state.normalization, h.max_len, h.batch_size, windowHopFrames(h));
      const { loss, acc } = lossAndAccuracy(probs, o.val.targets, K);
      record.val_loss = loss;
      record.val_acc = acc;
      Object.assign(record, o.valMetrics?.(probs, o.val) ?? {});
      if (o.signal?.aborted) throw new TrainingInterrupted(state.epoch);
    }
    record.seconds = (Date.now() - started) / 1000;
    state.epoch = epoch;
    state.history.push(record);
    await o.onEpoch?.(state, record);
    o.events?.epochEnd?.(record);
  }
  return state;
}
