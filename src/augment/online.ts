/**
 * Online augmentation for training (hyper-parameter `augment`): every epoch, every *training* clip is drawn
 * afresh — waveform operations (noise, reverb, telephone, gain, speed, pitch) re-run on its audio and
 * its features re-extracted; SpecAugment masks each clip of a batch; mixup blends batch pairs. The
 * validation side of any split is never touched (the trainer only calls this on its training set).
 * Augment layer, beside offline.ts (augmented copies of a dataset on disk): nothing here is training;
 * {@link OnlineAugmentation.batch} hands the epoch loop (train/fit.ts) each batch ready for the network.
 *
 * Randomness is stateless: the stream of clip i in epoch e derives from (seed, e, i), the stream of
 * batch b from (seed, e, b). So a resumed run draws exactly what an uninterrupted one would, the
 * checkpoint needs no augmentation state, and clip order within an epoch does not matter.
 */
import { makeAugmenter, parseAugmentSpec, AUGMENT_OPS, type Augmenter } from './augmenter.js';
import { deriveSeed } from './random.js';
import { Rng } from '../engine/rng.js';
import type { FeatureMatrix } from '../features/index.js';
import type { ClipAudioSource } from '../data/split.js';
import { toModelBatch, type Normalization } from '../data/normalize.js';
import { randomWindow } from '../data/windows.js';
import { ParamError } from '../engine/errors.js';
export type { ClipAudioSource } from '../data/split.js';

/** Clips babble noise is built from (spread evenly over the training set). */
const BABBLE_CLIPS = 16;

/** What an augmentation spec asks of the trainer. */
export function augmentLevels(spec: string): { wave: boolean; features: boolean; mixup: boolean } {
  if (spec.trim() === '') return { wave: false, features: false, mixup: false };
  const ops = parseAugmentSpec(spec);
  return {
    wave: ops.some((o) => AUGMENT_OPS[o.name]!.level === 'wave'),
    features: ops.some((o) => o.name === 'specaugment'),
    mixup: ops.some((o) => o.name === 'mixup'),
  };
}

/** Online augmentation of one training run; see the module comment. */
export class OnlineAugmentation {
  readonly levels: { wave: boolean; features: boolean; mixup: boolean };
  private babble: Float32Array[] | null = null;

  /**
   * @param spec augmentation spec (see src/augment/augmenter.ts); '' = none
   * @param seed the run's seed
   * @param audio the training clips' audio; required when the spec has waveform operations
   */
  constructor(
    readonly spec: string,
    readonly seed: number,
    private readonly audio?: ClipAudioSource,
  ) {
    this.levels = augmentLevels(spec);
    if (this.levels.wave && !audio) {
      throw new ParamError(
        'augment',
        `'${spec}': waveform operations need the training clips' audio (only features were given); use specaugment/mixup, or train from audio files`,
      );
    }
  }

  private augmenter(key: string): Augmenter {
    return makeAugmenter(this.spec, new Rng(deriveSeed(this.seed, key)), { babbleSources: this.babble ?? [] });
  }

  /**
   * Features of all `n` training clips for `epoch`, freshly augmented at the waveform level, or null
   * when the spec has no waveform operation (train on the stored features).
   */
  async epochFeatures(epoch: number, n: number, onProgress?: (done: number, total: number) => void): Promise<FeatureMatrix[] | null> {
    if (!this.levels.wave || !this.audio) return null;
    const audio = this.audio;
    if (!this.babble) {
      const k = Math.min(BABBLE_CLIPS, n);
      this.babble = [];
      for (let j = 0; j < k; j++) this.babble.push(await audio.load(Math.floor((j * n) / k)));
    }
    const out: FeatureMatrix[] = [];
    for (let i = 0; i < n; i++) {
      const samples = await audio.load(i);
      const m = audio.features(this.augmenter(`wave/${epoch}/${i}`).wave(samples, audio.sr), i);
      // Speed perturbation can shorten a clip; a clip must keep at least one frame.
      if (m.frames === 0) throw new ParamError('augment', `training clip ${i} has no frames after augmentation in epoch ${epoch}`);
      out.push(m);
      onProgress?.(i + 1, n);
    }
    return out;
  }

  /**
   * One training batch as the network takes it, in the order the steps apply: each clip's window
   * (window training), SpecAugment, the model batch (normalised, padded to MAX_LEN), mixup.
   * @param clips training-set indices of the batch's clips
   * @param features this epoch's features of every training clip ({@link epochFeatures}, or the stored ones)
   */
  batch(epoch: number, batch: number, clips: ArrayLike<number>, features: readonly FeatureMatrix[], input: BatchInput): TrainingBatch {
    // Window training: one window per clip at a position drawn from (seed, epoch, clip) alone.
    const mats = Array.from(clips, (i) => (input.window ? randomWindow(features[i]!, input.maxLen, this.seed, epoch, i) : features[i]!));
    const spec = this.levels.features ? this.augmenter(`spec/${epoch}/${batch}`) : null;
    const { x, B, T, lengths } = toModelBatch(spec ? mats.map((m) => spec.features(m)) : mats, input.normalization, input.maxLen);
    const mix = this.levels.mixup ? this.augmenter(`mixup/${epoch}/${batch}`).batch(x, B) : null;
    if (!mix) return { x, B, T, lengths, mix: null };
    // A mixed pair covers the frames of both clips.
    return { x: mix.x, B, T, lengths: Int32Array.from(lengths, (l, b) => Math.max(l, lengths[mix.partner[b]!]!)), mix };
  }
}

/** How a run's clips become model input (fixed for the run). */
export interface BatchInput {
  normalization: Normalization;
  /** Frames per example (MAX_LEN; with window training, the window). */
  maxLen: number;
  /** Window training: a random window of `maxLen` frames of each clip, drawn per epoch. */
  window: boolean;
}

/** A training batch ready for the network: x (B × T × F), valid frames per example, and the mixup applied (null: none). */
export interface TrainingBatch {
  x: Float32Array;
  B: number;
  T: number;
  lengths: Int32Array;
  mix: { partner: Int32Array; lambda: number } | null;
}
