/**
 * Online augmentation for training (hyper-parameter `augment`): every epoch, every *training* clip is drawn
 * afresh — waveform operations (noise, reverb, telephone, gain, speed, pitch) re-run on its audio and
 * its features re-extracted; SpecAugment masks each clip of a batch; mixup blends batch pairs. The
 * validation side of any split is never touched (the trainer only calls this on its training set).
 *
 * Randomness is stateless: the stream of clip i in epoch e derives from (seed, e, i), the stream of
 * batch b from (seed, e, b). So a resumed run draws exactly what an uninterrupted one would, the
 * checkpoint needs no augmentation state, and clip order within an epoch does not matter.
 */
import { makeAugmenter, parseAugmentSpec, AUGMENT_OPS, type Augmenter } from '../augment/augmenter.js';
import { deriveSeed } from '../augment/random.js';
import { applyMixup, planMixup } from '../augment/specaugment.js';
import { Rng } from '../engine/rng.js';
import type { FeatureMatrix } from '../features/index.js';
import type { ClipAudioSource } from '../data/split.js';
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
  constructor(readonly spec: string, readonly seed: number, private readonly audio?: ClipAudioSource) {
    this.levels = augmentLevels(spec);
    if (this.levels.wave && !audio) {
      throw new ParamError('augment', `'${spec}': waveform operations need the training clips' audio (only features were given); use specaugment/mixup, or train from audio files`);
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

  /** SpecAugment of a batch's clips (new matrices; the stored features are never modified). */
  batchFeatures(epoch: number, batch: number, mats: readonly FeatureMatrix[]): FeatureMatrix[] {
    if (!this.levels.features) return [...mats];
    const aug = this.augmenter(`spec/${epoch}/${batch}`);
    return mats.map((m) => aug.features(m));
  }

  /**
   * Mixup of a model batch x (B × stride floats): returns the mixed batch, the partner of each example
   * and the weight λ of the original; null when the spec has no mixup (or B < 2).
   */
  mixBatch(epoch: number, batch: number, x: Float32Array, B: number): { x: Float32Array; partner: Int32Array; lambda: number } | null {
    if (!this.levels.mixup || B < 2) return null;
    const rng = new Rng(deriveSeed(this.seed, `mixup/${epoch}/${batch}`));
    const alpha = makeAugmenter(this.spec, rng, { babbleSources: this.babble ?? [] }).mixup!.alpha;
    const plan = planMixup(B, alpha, rng);
    return { x: applyMixup(x, B, x.length / B, plan), partner: plan.partner, lambda: plan.lambda };
  }
}
