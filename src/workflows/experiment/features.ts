/**
 * Features of the experiment's clips: decode → (augment) → loudness step → MFCC/Δ/ΔΔ (+ prosodic rows),
 * through the content-addressed feature cache. The data layer's `fileFeatures` covers plain MFCCs of a
 * file; here a clip may also be an augmented copy or need the prosodic rows, both of which need the
 * samples, so this module does the decoding itself and keys the cache on everything that matters.
 */
import { readFileSync } from 'node:fs';
import { loadAudio } from '../../audio/load.js';
import { FeatureCache, settingsHash } from '../../data/cache.js';
import { normalizePeak, type LoudnessMode } from '../../data/features.js';
import { DEFAULT_FEATURE_PARAMS, extractFeatures, type FeatureMatrix, type FeatureParams } from '../../features/index.js';
import { prosodicFeatures, stackFeatureRows } from '../../features/prosodic.js';
import { makeAugmenter } from '../../augment/augmenter.js';
import { deriveSeed } from '../../augment/random.js';
import { Rng } from '../../engine/rng.js';
import type { FrontEnd } from './recipes.js';

/** One clip of a training or evaluation set. */
export interface Clip {
  /** Absolute path of the audio file. */
  file: string;
  /** Class label (after any label map). */
  label: string;
  /** Speaker or voice (for held-out validation splits). */
  speaker: string;
  /** Set for an augmented copy: the spec and the copy number (its random stream derives from these). */
  augment?: { spec: string; copy: number; seed: number };
}

/** Which rows a front-end needs: the MFCC block, or MFCC + prosodic rows. */
export type FeatureKind = 'mfcc' | 'mfcc+prosodic';
export function featureKind(fe: FrontEnd): FeatureKind {
  return fe === 'prosodic' ? 'mfcc+prosodic' : 'mfcc';
}

/** Everything that changes a clip's features. */
export interface ClipFeatureSettings {
  kind: FeatureKind;
  loudness: LoudnessMode;
  params: FeatureParams;
}

/** Features of samples already at `params.sr`: loudness step, MFCCs, and the prosodic rows when asked. */
export function samplesFeatures(samples: Float32Array, s: ClipFeatureSettings): FeatureMatrix {
  const x = s.loudness === 'peak' ? normalizePeak(Float32Array.from(samples)) : samples;
  const mfcc = extractFeatures(x, s.params);
  if (s.kind === 'mfcc') return mfcc;
  // F0 relative to the clip's median: keeps the contour's movement, drops the speaker's register.
  const pros = prosodicFeatures(x, s.params.sr, { hopLength: s.params.hopLength, nFft: s.params.nFft, f0Scale: 'relative' });
  return stackFeatureRows([mfcc, pros]);
}

/** The augmented samples of a copy: a seeded stream per (seed, file, copy), so order never matters. */
export function augmentSamples(samples: Float32Array, sr: number, clip: Clip): Float32Array {
  if (!clip.augment) return samples;
  const rng = new Rng(deriveSeed(clip.augment.seed, `${clip.file}#${clip.augment.copy}`));
  return makeAugmenter(clip.augment.spec, rng).wave(samples, sr);
}

/** Features of one clip (through the cache). Throws the decoder's error, which names the file. */
export async function clipFeatures(clip: Clip, s: ClipFeatureSettings, cache: FeatureCache): Promise<FeatureMatrix> {
  const settings = settingsHash({ ...s.params, loudness: s.loudness, kind: s.kind, augment: clip.augment ?? null, experiment: 1 });
  const key = FeatureCache.key(readFileSync(clip.file), settings);
  return cache.getOrCompute(key, async () => {
    const audio = await loadAudio(clip.file, { sr: s.params.sr });
    return samplesFeatures(augmentSamples(audio.samples, s.params.sr, clip), s);
  });
}

/** Features of many clips, in order; `onProgress(done, total)` after each. */
export async function clipsFeatures(
  clips: readonly Clip[],
  s: ClipFeatureSettings,
  cache: FeatureCache,
  onProgress?: (done: number, total: number) => void,
): Promise<FeatureMatrix[]> {
  const out: FeatureMatrix[] = [];
  for (let i = 0; i < clips.length; i++) {
    const m = await clipFeatures(clips[i]!, s, cache);
    if (m.frames === 0) throw new Error(`${clips[i]!.file}: no feature frames (empty audio)`);
    out.push(m);
    onProgress?.(i + 1, clips.length);
  }
  return out;
}

/** Default feature parameters (the paper's). */
export const EXPERIMENT_FEATURE_PARAMS: FeatureParams = { ...DEFAULT_FEATURE_PARAMS };
