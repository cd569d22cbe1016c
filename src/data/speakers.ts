/**
 * Speaker and sentence inference for known file-name layouts, used when a manifest has no speaker /
 * group column (grouped cross-validation needs them).
 */
import path from 'node:path';

/** RAVDESS: `MM-VV-EE-II-SS-RR-AA.wav` (modality, channel, emotion, intensity, statement, repetition, actor). */
const RAVDESS = /^(\d{2})-(\d{2})-(\d{2})-(\d{2})-(\d{2})-(\d{2})-(\d{2})$/;

/** Speaker id from a known layout (RAVDESS: `actor-AA`, the last field), else null. */
export function inferSpeaker(file: string): string | null {
  const m = RAVDESS.exec(path.parse(file).name);
  return m ? `actor-${m[7]}` : null;
}

/** Sentence / group id from a known layout (RAVDESS: `statement-SS`), else null. */
export function inferGroup(file: string): string | null {
  const m = RAVDESS.exec(path.parse(file).name);
  return m ? `statement-${m[5]}` : null;
}
