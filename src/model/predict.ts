/** Inference on feature tensors that are already in the model's input layout (no extraction, no normalisation). */
import type { Kernels } from '../engine/kernels.js';
import { loadModelDir, type LoadedModel } from './io.js';
import { softmax } from './loss.js';
import type { AffexionNet } from './network.js';
import type { FeatureMatrix } from '../features/index.js';
import { toModelBatch, type Normalization } from '../data/normalize.js';
import { averageWindows, clipWindows } from '../data/windows.js';

/** Eval-mode outputs for B clips. */
export interface RawPrediction {
  /** (B, n_classes) row-major. */
  logits: Float32Array;
  /** Softmax of the logits, (B, n_classes). */
  probs: Float32Array;
  nClasses: number;
  labels: string[];
}

/**
 * Run a model in eval mode on x (B, T, n_features), in chunks of `batchSize` clips (attention needs
 * B·T² floats, so chunking bounds memory). `lengths` (B valid frame counts), when given, mask padded
 * frames for any model — PyTorch's semantics: the reference's forward(x, lengths) masks whenever
 * lengths are passed, whether or not the model was trained with mask_padding.
 */
export function predictRaw(
  model: string | LoadedModel,
  x: Float32Array,
  B: number,
  T: number,
  lengths?: Int32Array | null,
  opts: { batchSize?: number; kernels?: Kernels } = {},
): RawPrediction {
  const m = typeof model === 'string' ? loadModelDir(model, { kernels: opts.kernels }) : model;
  const { net, config } = m;
  const F = config.n_features,
    K = config.n_classes;
  if (x.length !== B * T * F) {
    throw new RangeError(`predictRaw: input has ${x.length} values, expected (B, T, F) = (${B}, ${T}, ${F}) → ${B * T * F}`);
  }
  if (lengths && lengths.length !== B) throw new RangeError(`predictRaw: ${lengths.length} lengths for ${B} clips`);
  const chunk = Math.max(1, Math.floor(opts.batchSize ?? 16));
  const logits = new Float32Array(B * K);
  for (let b0 = 0; b0 < B; b0 += chunk) {
    const n = Math.min(chunk, B - b0);
    const xs = x.subarray(b0 * T * F, (b0 + n) * T * F);
    const ls = lengths ? lengths.subarray(b0, b0 + n) : null;
    logits.set(net.forward(xs, n, T, { train: false, lengths: ls, applyLengths: true }), b0 * K);
  }
  return { logits, probs: softmax(logits, K), nClasses: K, labels: m.labels };
}

/** Lets pending events (SIGINT, timers, progress output) run between batches. */
export const yieldToEventLoop = (): Promise<void> => new Promise((r) => setImmediate(r));

/** Class probabilities (N, K) in eval mode, in batches. */
export async function predictProbabilities(
  net: AffexionNet,
  features: readonly FeatureMatrix[],
  norm: Normalization,
  maxLen: number,
  batchSize: number,
  onBatch?: (done: number) => void,
): Promise<Float32Array> {
  const K = net.config.n_classes;
  const out = new Float32Array(features.length * K);
  for (let s = 0; s < features.length; s += batchSize) {
    const chunk = features.slice(s, s + batchSize);
    const { x, B, T, lengths } = toModelBatch(chunk, norm, maxLen);
    const logits = net.forward(x, B, T, { train: false, lengths: net.config.mask_padding ? lengths : null });
    // NaN/Inf activations would turn into the same (or NaN) probabilities for every clip: say so instead.
    const bad = logits.findIndex((v) => !Number.isFinite(v));
    if (bad >= 0) {
      throw new Error(
        `the network produced a non-finite output (${logits[bad]}) for clip ${s + Math.floor(bad / K) + 1}; ` +
          'its weights or input statistics hold values it cannot use (a diverged or damaged model?)',
      );
    }
    for (let b = 0; b < B; b++) {
      let mx = -Infinity;
      for (let k = 0; k < K; k++) mx = Math.max(mx, logits[b * K + k]);
      let sum = 0;
      for (let k = 0; k < K; k++) sum += Math.exp(logits[b * K + k] - mx);
      for (let k = 0; k < K; k++) out[(s + b) * K + k] = Math.exp(logits[b * K + k] - mx) / sum;
    }
    onBatch?.(Math.min(s + batchSize, features.length));
    await yieldToEventLoop();
  }
  return out;
}

/**
 * Class probabilities (N, K) of whole clips: with `hopFrames` > 0 (a window model) each clip is scored
 * as the mean of its windows of `maxLen` frames every `hopFrames` frames; otherwise as
 * {@link predictProbabilities} (the first `maxLen` frames).
 */
export async function clipProbabilities(
  net: AffexionNet,
  features: readonly FeatureMatrix[],
  norm: Normalization,
  maxLen: number,
  batchSize: number,
  hopFrames = 0,
): Promise<Float32Array> {
  if (!(hopFrames > 0)) return predictProbabilities(net, features, norm, maxLen, batchSize);
  const { windows, owner } = clipWindows(features, maxLen, hopFrames);
  const probs = await predictProbabilities(net, windows, norm, maxLen, batchSize);
  return averageWindows(probs, owner, features.length, net.config.n_classes);
}
