/**
 * `resynthesiseNeutral`: the neutral class of converted training data, made by the converter too.
 *
 * With a neutral class, each training speaker's neutral clips are split in two (src/data/reference.ts
 * `referenceHalf`): one half normalises the speaker (references), the other half is the class `neutral`.
 * Left as recorded, that half is the only unprocessed speech in training, so "not converted" becomes a
 * cue for "neutral" — and every real clip is unprocessed. This module passes that half through the
 * converter with a near-identity profile (`NEUTRAL_RESYNTHESIS`): every training class then carries the
 * same processing, and only the delivery tells them apart. The references stay as recorded, like the
 * references of real speakers at inference.
 *
 * Measured (docs/experiment.md seventh round): fewer real emotional clips called neutral on ravdess-dev, more
 * calm clips called a signal on tess-dev, panic-vs-excitement discrimination unchanged — it moves the neutral
 * boundary, so the converted recipe leaves it off (`neutralResynthesis`, `--neutral-resynthesis` to try it).
 *
 * The result is the neutral data with fixed roles (`referenceRole`): the recorded reference half
 * ('reference') and the resynthesised other half ('class'), ready to merge with the converted emotions.
 * Made once into `out` and reused while the sources and settings are unchanged.
 *
 * @example
 * const pool = scanDataset('../shared/data/neutral-pool');
 * const neutral = await resynthesiseNeutral({ pool, labels: ['neutral', 'calm'], out: 'run/data/neutral', seed: 1 });
 * const data = mergeDatasets([converted, neutral], converted.source); // train with neutral_class: true
 */
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { loadAudio } from '../../audio/load.js';
import { writeWav16 } from '../../audio/wav-write.js';
import { writeFileAtomic } from '../../data/cache.js';
import type { Dataset, DatasetItem, SkippedFile } from '../../data/dataset.js';
import { referenceHalf } from '../../data/reference.js';
import { Rng } from '../../engine/rng.js';
import { ParamError } from '../../engine/errors.js';
import type { ProgressEvents } from '../../report/progress.js';
import { deriveSeed } from '../random.js';
import { NEUTRAL_RESYNTHESIS } from './profiles.js';
import { CONVERSION_METHOD_VERSION, convertClip } from './transform.js';

/** Options of {@link resynthesiseNeutral}. */
export interface ResynthesiseNeutralOptions {
  /** The real neutral speech of the training speakers (with speaker ids). */
  pool: Dataset;
  /** Speaker reference labels (e.g. ['neutral', 'calm']): clips with these labels are split and resynthesised. */
  labels: readonly string[];
  /** Folder for the resynthesised clips (a folder the run owns: it is replaced when the settings change). */
  out: string;
  /** Seeds each clip's draw (with the clip's path). */
  seed: number;
  /**
   * Resynthesise the reference half too (default false: references as recorded). Then a training clip and its
   * speaker's references are both processed, so the processing cancels in the speaker normalisation, as it
   * is absent from both a real clip and its real references at inference.
   */
  references?: boolean;
  events?: ProgressEvents;
}

const STAMP = '.affexion-neutral.json';
const SR = 16000;

/** The neutral data with fixed roles; see the module comment. */
export async function resynthesiseNeutral(o: ResynthesiseNeutralOptions): Promise<Dataset> {
  if (!o.labels.length) throw new ParamError('labels', 'give the speaker reference labels whose clips form the neutral class');
  if (!Number.isInteger(o.seed)) throw new ParamError('seed', `must be an integer, got ${o.seed}`);
  const labels = new Set(o.labels);
  const references = referenceHalf(o.pool.items, o.labels);
  const out = path.resolve(o.out);
  const toMake = o.pool.items.filter((it) => labels.has(it.label) && (o.references || !references.has(it.path)));
  const roleOf = (it: DatasetItem): 'reference' | 'class' => (references.has(it.path) ? 'reference' : 'class');
  // Flat, numbered names: unique whatever the pool's layout (roles are fixed, so path order no longer matters).
  const target = (i: number, it: DatasetItem): string =>
    path.join(out, `${String(i).padStart(4, '0')}_${path.basename(it.path, path.extname(it.path))}.wav`);
  const stamp = JSON.stringify({
    method: CONVERSION_METHOD_VERSION,
    profile: NEUTRAL_RESYNTHESIS,
    seed: o.seed,
    sources: toMake.map((it) => it.path),
    references: Boolean(o.references),
  });
  const stampFile = path.join(out, STAMP);
  const skippedFile = path.join(out, 'skipped.json');
  let skipped: SkippedFile[];
  if (existsSync(stampFile) && readFileSync(stampFile, 'utf8') === stamp && existsSync(skippedFile)) {
    skipped = JSON.parse(readFileSync(skippedFile, 'utf8')) as SkippedFile[];
  } else {
    if (existsSync(out)) rmSync(out, { recursive: true, force: true });
    mkdirSync(out, { recursive: true });
    o.events?.log?.(
      `resynthesising ${toMake.length} neutral clips (the neutral class${o.references ? ' and the references' : `; the other ${references.size} stay as recorded, as references`}) into ${out}`,
    );
    skipped = [];
    for (const [i, it] of toMake.entries()) {
      o.events?.stage?.('resynthesising neutral', i, toMake.length);
      try {
        const audio = await loadAudio(it.path, { sr: SR });
        const { samples } = convertClip(
          audio.samples,
          SR,
          NEUTRAL_RESYNTHESIS,
          new Rng(deriveSeed(o.seed, `${it.path}|neutral-resynthesis`)),
          it.path,
        );
        writeWav16(target(i, it), samples, SR);
      } catch (e) {
        // Left out, not kept as recorded: one unprocessed neutral clip would bring the cue back.
        skipped.push({ file: it.path, reason: `neutral resynthesis: ${e instanceof Error ? e.message : String(e)}` });
      }
    }
    o.events?.stage?.('resynthesising neutral', toMake.length, toMake.length);
    writeFileAtomic(skippedFile, JSON.stringify(skipped));
    writeFileAtomic(stampFile, stamp); // last: a half-made folder is remade
  }
  const failed = new Set(skipped.map((s) => s.file));
  const items: DatasetItem[] = [];
  for (const it of o.pool.items) {
    if (!labels.has(it.label)) items.push(it);
    else if (references.has(it.path) && !o.references) items.push({ ...it, referenceRole: 'reference' });
  }
  toMake.forEach((it, i) => {
    if (!failed.has(it.path)) items.push({ ...it, path: target(i, it), referenceRole: roleOf(it) });
  });
  const counts: Record<string, number> = {};
  for (const it of items) counts[it.label] = (counts[it.label] ?? 0) + 1;
  return {
    source: o.pool.source,
    layout: 'manifest',
    items,
    classes: Object.keys(counts).sort(),
    counts,
    emptyClasses: [],
    dropped: o.pool.dropped,
    skipped: [...o.pool.skipped, ...skipped],
    warnings: o.pool.warnings,
  };
}
