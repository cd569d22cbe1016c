/**
 * Fits the functional head (src/model/functional-head.ts) on a training split after the network: the
 * same clips and classes the network trained on (the neutral class included), each made relative to
 * its speaker's reference clips — the very files that normalised the network's inputs — and nothing
 * else (no dev clip, nothing fitted to evaluation data).
 */
import type { FeatureCache } from '../data/cache.js';
import type { Dataset } from '../data/dataset.js';
import type { FeatureSettings } from '../data/features.js';
import { fileFunctionals } from '../data/functional-features.js';
import type { LoadedSplit } from '../data/split.js';
import { fitFunctionalHead, type FunctionalHead, type FusionMode } from '../model/functional-head.js';
import type { ProgressEvents } from '../report/progress.js';

/** Options of {@link fitHeadOnSplit}. */
export interface FitHeadOptions {
  ds: Dataset;
  /** The `reference` datasets of the run (their reference clips may be among the split's reference files). */
  extra: readonly Dataset[];
  split: Pick<LoadedSplit, 'itemIndex' | 'targets' | 'referenceFiles'>;
  classes: readonly string[];
  settings: FeatureSettings;
  cache: FeatureCache;
  fusion: Exclude<FusionMode, 'none'>;
  events?: ProgressEvents;
}

/** The head of a training split (functionals through the feature cache; a clip without measurable speech is left out, as the network's loader does). */
export async function fitHeadOnSplit(o: FitHeadOptions): Promise<FunctionalHead> {
  const speakerOf = new Map<string, string>();
  for (const d of [o.ds, ...o.extra])
    for (const it of d.items) if (it.speaker !== null && !speakerOf.has(it.path)) speakerOf.set(it.path, it.speaker);
  const clips = o.split.itemIndex.map((i, j) => ({
    path: o.ds.items[i]!.path,
    speaker: o.ds.items[i]!.speaker ?? `clip:${o.ds.items[i]!.path}`,
    target: o.split.targets[j]!,
  }));
  const refs = o.split.referenceFiles.map((p) => ({ path: p, speaker: speakerOf.get(p) ?? `clip:${p}` }));
  const total = clips.length + refs.length;
  const stage = 'functionals (training)';
  let done = 0;
  const vec = async (p: string): Promise<number[] | null> => {
    try {
      return await fileFunctionals(p, o.settings, o.cache);
    } catch {
      return null; // no speech / unreadable: the network's loader skipped it too
    } finally {
      o.events?.stage?.(stage, ++done, total);
    }
  };
  const vectors: number[][] = [],
    targets: number[] = [],
    speakers: string[] = [];
  for (const c of clips) {
    const v = await vec(c.path);
    if (v) {
      vectors.push(v);
      targets.push(c.target);
      speakers.push(c.speaker);
    }
  }
  const refVectors: number[][] = [],
    refSpeakers: string[] = [];
  for (const r of refs) {
    const v = await vec(r.path);
    if (v) {
      refVectors.push(v);
      refSpeakers.push(r.speaker);
    }
  }
  return fitFunctionalHead({ classes: o.classes, vectors, targets, speakers, refVectors, refSpeakers, fusion: o.fusion });
}
