// Shared by the study aids that re-score an `experiment real-speech` RUN's models on a dev corpus
// (nearest-reference.ts, session-reference.ts): the clips experiment real-speech scores — every clip but the
// speaker's reference half, neutral/calm as the class neutral — with their features and functionals.
import { FeatureCache } from '../src/data/cache.js';
import { scanDataset } from '../src/data/dataset.js';
import { fileFeatures } from '../src/data/features.js';
import { fileFunctionals } from '../src/data/functional-features.js';
import { referenceHalf } from '../src/data/reference.js';
import { existingSharedData } from '../src/data/shared-data.js';
import type { FeatureMatrix } from '../src/features/index.js';
import type { TrainedModel } from '../src/model/model-dir.js';
import { RAVDESS_LABEL_MAP } from '../src/workflows/demo.js';

export interface ScoredCorpusClips {
  feats: FeatureMatrix[];
  funcs: number[][];
  labels: string[];
  speakers: (string | null)[];
}

/** The scored clips of a shared dev corpus (unreadable or speechless clips skipped, as the experiment does). */
export async function scoredCorpusClips(
  m: TrainedModel,
  corpus: string,
  refLabels: readonly string[],
  cache: FeatureCache,
): Promise<ScoredCorpusClips> {
  const ds = scanDataset(existingSharedData(corpus)!, { labelMap: RAVDESS_LABEL_MAP });
  const half = referenceHalf(ds.items, refLabels);
  const out: ScoredCorpusClips = { feats: [], funcs: [], labels: [], speakers: [] };
  for (const it of ds.items) {
    if (half.has(it.path) || !(refLabels.includes(it.label) || m.classes.includes(it.label))) continue;
    try {
      out.feats.push(await fileFeatures(it.path, m.featureSettings, cache));
    } catch {
      continue;
    }
    out.funcs.push(await fileFunctionals(it.path, m.featureSettings, cache));
    out.labels.push(refLabels.includes(it.label) ? 'neutral' : it.label);
    out.speakers.push(it.speaker);
  }
  return out;
}
