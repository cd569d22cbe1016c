/**
 * The functional head at evaluation time (src/model/functional-head.ts): functionals of the scored
 * clips (whole trimmed clips, through the feature cache), each relative to its speaker's reference
 * clips — the same files that normalised the network's input — or, for a speaker without any, the
 * training population's mean; then fused with the network's probabilities.
 */
import type { FeatureCache } from '../data/cache.js';
import { fileFunctionals } from '../data/functional-features.js';
import { finiteMeans, fuseProbabilities, headProbabilities, type FunctionalHead, type FusionMode } from '../model/functional-head.js';
import type { TrainedModel } from '../model/model-dir.js';
import type { ProgressEvents } from '../report/progress.js';

/** A clip (or reference clip) and its speaker (null: no speaker, so no reference). */
export interface SpeakerClip {
  path: string;
  speaker: string | null;
}

/** Each speaker's mean functionals over its reference clips (clips without speech are left out). */
export async function speakerFunctionalMeans(
  m: TrainedModel,
  refs: readonly SpeakerClip[],
  cache: FeatureCache,
): Promise<Map<string, number[]>> {
  const groups = new Map<string, number[][]>();
  for (const r of refs) {
    if (r.speaker === null) continue;
    let v: number[];
    try {
      v = await fileFunctionals(r.path, m.featureSettings, cache);
    } catch {
      continue; // a silent reference clip: skipped, as for the network's reference
    }
    (groups.get(r.speaker) ?? groups.set(r.speaker, []).get(r.speaker)!).push(v);
  }
  return new Map([...groups].map(([s, g]) => [s, finiteMeans(g)]));
}

/**
 * The head's probabilities (N, K) of clips, each relative to its speaker's references (`useReferences`
 * false: the population mean for every clip, the no-reference fallback).
 */
export async function clipHeadProbabilities(
  m: TrainedModel & { functionalHead: FunctionalHead },
  clips: readonly SpeakerClip[],
  refs: readonly SpeakerClip[],
  cache: FeatureCache,
  opts: { useReferences?: boolean; events?: ProgressEvents } = {},
): Promise<Float32Array> {
  const means = opts.useReferences === false ? new Map<string, number[]>() : await speakerFunctionalMeans(m, refs, cache);
  const vectors: number[][] = [];
  const stage = 'functionals (evaluation)';
  for (const [i, c] of clips.entries()) {
    // The network scored these clips, so they decode and hold speech.
    vectors.push(await fileFunctionals(c.path, m.featureSettings, cache));
    opts.events?.stage?.(stage, i + 1, clips.length);
  }
  return headProbabilities(
    m.functionalHead,
    vectors,
    clips.map((c) => (c.speaker !== null ? (means.get(c.speaker) ?? null) : null)),
  );
}

/** The network's probabilities fused with the model's head (unchanged when the model has none, or with mode 'none'). */
export async function fuseWithHead(
  m: TrainedModel,
  net: Float32Array,
  clips: readonly SpeakerClip[],
  refs: readonly SpeakerClip[],
  cache: FeatureCache,
  opts: { useReferences?: boolean; mode?: FusionMode; events?: ProgressEvents } = {},
): Promise<Float32Array> {
  const head = m.functionalHead;
  const mode = opts.mode ?? head?.fusion ?? 'none';
  if (!head || mode === 'none') return net;
  return fuseProbabilities(
    net,
    await clipHeadProbabilities({ ...m, functionalHead: head }, clips, refs, cache, opts),
    m.classes,
    mode,
    head.priors,
  );
}
