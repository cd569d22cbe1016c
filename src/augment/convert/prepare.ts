/**
 * `prepareConverted`: the converted training set of a run — given, or made once from real neutral
 * speech into RUN_DIR/data/converted and reused on re-runs while its settings are unchanged. Used by
 * reproduce, demo and experiment gap, with the leakage guards (no real evaluation clip or speaker may
 * become training data).
 */
import { existsSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { scanDataset, type Dataset } from '../../data/dataset.js';
import { writeFileAtomic } from '../../data/cache.js';
import { assertDisjointSpeakers, assertNoRealClips } from '../../data/leakage.js';
import type { ProgressEvents } from '../../report/progress.js';
import { CONVERSION_METHOD_VERSION, convertEmotions, EMOTION_PROFILES, type EmotionProfile } from './index.js';
import { ParamError, renameParams } from '../../engine/errors.js';

/** Options of {@link prepareConverted}. */
export interface PrepareConvertedOptions {
  /** An existing converted set (used as is, after the leakage checks). */
  given?: string;
  /** Real neutral speech to convert. */
  neutral: string;
  /** Where to convert into (a folder the run owns: it is replaced when the settings change). */
  out: string;
  seed: number;
  /** Use only the first N neutral clips (quick runs, the demo). */
  limit?: number;
  /** Converted variants per neutral clip and emotion (default 1). */
  perClip?: number;
  /** The profile table to convert with (default the built-ins; see `loadConversionProfiles`). Every label is converted. */
  profiles?: Readonly<Record<string, EmotionProfile>>;
  /** Real evaluation set: sources and results are checked against it. */
  real?: Dataset | null;
  events?: ProgressEvents;
}

const STAMP = '.affexion-convert.json';

/** The converted set; see the module comment. */
export async function prepareConverted(o: PrepareConvertedOptions): Promise<Dataset> {
  let ds: Dataset;
  if (o.given) {
    ds = renameParams({ data: 'converted' }, () => scanDataset(o.given!));
  } else {
    // The method version and the profiles are part of the stamp: a set made by older code is remade.
    const stamp = JSON.stringify({
      neutral: path.resolve(o.neutral),
      seed: o.seed,
      limit: o.limit ?? null,
      perClip: o.perClip ?? 1,
      method: CONVERSION_METHOD_VERSION,
      profiles: o.profiles ?? EMOTION_PROFILES,
    });
    const stampFile = path.join(o.out, STAMP);
    const done = existsSync(path.join(o.out, 'manifest.csv')) && existsSync(stampFile) && readFileSync(stampFile, 'utf8') === stamp;
    if (!done) {
      if (!existsSync(o.neutral))
        throw new ParamError('neutral', `${o.neutral} does not exist (real neutral speech to convert into each emotion)`);
      const neutral = renameParams({ data: 'neutral' }, () => scanDataset(o.neutral));
      // The sources become training data (converted): none may be a real evaluation clip.
      if (o.real)
        assertNoRealClips(
          neutral.items.map((it) => ({ file: it.path })),
          o.real,
          'neutral',
        );
      // A half-written or differently made set is ours to replace (it lives in the run folder).
      if (existsSync(o.out)) rmSync(o.out, { recursive: true, force: true });
      o.events?.log?.(
        `converting ${Math.min(o.limit ?? Infinity, neutral.items.length)} neutral clips of ${o.neutral} into each emotion in ${o.out}`,
      );
      await convertEmotions({
        source: o.neutral,
        outDir: o.out,
        seed: o.seed,
        limit: o.limit,
        perClip: o.perClip,
        profiles: o.profiles,
        charts: false,
        onProgress: (d, total) => o.events?.stage?.('converting', d, total),
      });
      writeFileAtomic(stampFile, stamp);
    }
    ds = renameParams({ data: 'converted' }, () => scanDataset(o.out));
  }
  if (o.real) {
    assertNoRealClips(
      ds.items.map((it) => ({ file: it.path })),
      o.real,
      'converted',
    );
    assertDisjointSpeakers(ds, o.real);
  }
  return ds;
}
