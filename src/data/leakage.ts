/**
 * Guards that keep real evaluation speech out of training: used wherever training data is assembled
 * next to a real test set (reproduce, demo, experiment gap). A leak would make real-speech figures
 * meaningless, so these throw instead of warning.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Dataset } from './dataset.js';
import { ParamError } from '../engine/errors.js';

const sha = (file: string): string => createHash('sha256').update(readFileSync(file)).digest('hex');

/**
 * Throws when any training clip is a clip of the real evaluation set: the same file, or the same bytes
 * anywhere else. The ParamError names `param`, the parameter (or stage) the clips came from.
 */
export function assertNoRealClips(clips: readonly { file: string }[], real: Dataset, param: string): void {
  const realPaths = new Set(real.items.map((it) => path.resolve(it.path)));
  const realHashes = new Map(real.items.map((it) => [sha(it.path), it.path]));
  const hashes = new Map<string, string>();
  for (const c of clips) {
    const p = path.resolve(c.file);
    if (realPaths.has(p)) throw new ParamError(param, `${c.file} is a clip of the real evaluation set; it must never be trained on`);
    const h = hashes.get(p) ?? sha(p);
    hashes.set(p, h);
    const twin = realHashes.get(h);
    if (twin) throw new ParamError(param, `${c.file} has the same audio as real evaluation clip ${twin}; it must never be trained on`);
  }
}

/**
 * Throws when a training set (e.g. converted speech) comes from speakers of the real set (RAVDESS actor
 * ids in the manifest's speaker column): its clips would carry real evaluation voices into training.
 */
export function assertDisjointSpeakers(training: Dataset, real: Dataset, param = 'converted'): void {
  const realSpeakers = new Set(
    real.items
      .map((it) => it.speaker)
      .filter((s): s is string => !!s)
      .map(canonicalSpeaker),
  );
  for (const it of training.items) {
    if (it.speaker && realSpeakers.has(canonicalSpeaker(it.speaker))) {
      throw new ParamError(param, `${it.path} was converted from speaker ${it.speaker}, who is in the real evaluation set`);
    }
  }
}

/** "01", "1", "actor-01", "Actor_01" → "1". */
function canonicalSpeaker(s: string): string {
  const m = /(\d+)\s*$/.exec(s);
  return m ? String(Number(m[1])) : s.toLowerCase();
}
