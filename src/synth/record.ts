/**
 * One generated clip's metadata (a manifest row), how it is rendered and written, and the manifest CSV.
 * Each clip's record is also kept next to the output in DIR/.synth/<id>.json, written right after its
 * WAV, so an interrupted run can resume and still produce a complete manifest.
 */
import { mkdirSync, readFileSync, writeFileSync, renameSync, existsSync } from 'node:fs';
import path from 'node:path';
import { writeWav16 } from '../audio/wav-write.js';
import { measureProsody } from '../features/prosody.js';
import type { ClipJob } from './plan.js';
import { OUT_RATE, type RenderedClip } from './render.js';
import { ParamError } from '../engine/errors.js';

/** A manifest row. Prosody fields are the values the clip was rendered with; stats are measured. */
export interface ClipRecord {
  path: string;
  label: string;
  voice: string;
  sex: 'male' | 'female';
  provider: string;
  length: string;
  sentence_id: string;
  text: string;
  pitch_shift_st: number;
  pitch_range: number;
  rate: number;
  level_db: number;
  phrase_pause_s: number;
  sentence_pause_s: number;
  filler_rate: number;
  final_rise: number;
  tremor_depth_st: number;
  tremor_hz: number;
  tremolo_depth: number;
  effort: number;
  duration_s: number;
  seed: number;
  rms_db: number;
  f0_mean_hz: number;
  f0_median_hz: number;
  f0_range_st: number;
  pause_ratio: number;
}

/** Column order of manifest.csv. */
export const MANIFEST_COLUMNS: readonly (keyof ClipRecord)[] = [
  'path',
  'label',
  'voice',
  'sex',
  'sentence_id',
  'text',
  'provider',
  'length',
  'pitch_shift_st',
  'pitch_range',
  'rate',
  'level_db',
  'phrase_pause_s',
  'sentence_pause_s',
  'filler_rate',
  'final_rise',
  'tremor_depth_st',
  'tremor_hz',
  'tremolo_depth',
  'effort',
  'duration_s',
  'seed',
  'rms_db',
  'f0_mean_hz',
  'f0_median_hz',
  'f0_range_st',
  'pause_ratio',
];

const metaPath = (outDir: string, job: ClipJob): string => path.join(outDir, '.synth', `${job.id}.json`);

const r = (x: number, d: number): number => (Number.isFinite(x) ? Math.round(x * 10 ** d) / 10 ** d : NaN);

/** Writes a rendered clip (WAV, then its record) and returns the record. */
export function saveClip(outDir: string, job: ClipJob, clip: RenderedClip): ClipRecord {
  const wav = path.join(outDir, job.relPath);
  mkdirSync(path.dirname(wav), { recursive: true });
  writeWav16(wav, clip.samples, OUT_RATE);
  const st = measureProsody(clip.samples, OUT_RATE);
  const p = job.prosody;
  const rec: ClipRecord = {
    path: job.relPath,
    label: job.label,
    voice: job.voice.id,
    sex: job.voice.sex,
    provider: job.voice.engine,
    length: job.length,
    sentence_id: clip.sentenceIds.join(';'),
    text: clip.text,
    pitch_shift_st: p.pitchShiftSt,
    pitch_range: p.pitchRange,
    rate: p.rate,
    level_db: p.levelDb,
    phrase_pause_s: p.phrasePauseSec,
    sentence_pause_s: p.sentencePauseSec,
    filler_rate: p.fillerRate,
    final_rise: p.finalRise,
    tremor_depth_st: p.tremorDepthSt,
    tremor_hz: p.tremorHz,
    tremolo_depth: p.tremoloDepth,
    effort: p.effort,
    duration_s: r(st.durationSec, 3),
    seed: job.seed,
    rms_db: r(st.rmsDb, 2),
    f0_mean_hz: r(st.f0MeanHz, 1),
    f0_median_hz: r(st.f0MedianHz, 1),
    f0_range_st: r(st.f0RangeSt, 2),
    pause_ratio: r(st.pauseRatio, 3),
  };
  const mp = metaPath(outDir, job);
  mkdirSync(path.dirname(mp), { recursive: true });
  writeFileSync(`${mp}.tmp`, JSON.stringify(rec, null, 1));
  renameSync(`${mp}.tmp`, mp);
  return rec;
}

/**
 * The record of a clip already on disk (WAV and record both present), or null. Throws when the clip
 * there was made with other settings (seed, voice, provider): resuming must not mix two runs.
 */
export function existingClip(outDir: string, job: ClipJob): ClipRecord | null {
  const mp = metaPath(outDir, job);
  if (!existsSync(path.join(outDir, job.relPath)) || !existsSync(mp)) return null;
  let rec: ClipRecord;
  try {
    rec = JSON.parse(readFileSync(mp, 'utf8')) as ClipRecord;
  } catch {
    return null; // a damaged record: render the clip again
  }
  if (rec.seed !== job.seed || rec.voice !== job.voice.id || rec.provider !== job.voice.engine || rec.length !== job.length) {
    throw new ParamError(
      'out',
      `${outDir}: ${job.relPath} was made with other settings (voice ${rec.voice}, seed ${rec.seed}; ` +
        `this run: voice ${job.voice.id}, seed ${job.seed}). Use a new output folder, or the options of the first run to resume it.`,
    );
  }
  return rec;
}

const csvCell = (v: unknown): string => {
  const s = typeof v === 'number' ? (Number.isFinite(v) ? String(v) : '') : String(v ?? '');
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};

/** manifest.csv text for the records (in the given order). */
export function manifestCsv(records: readonly ClipRecord[]): string {
  const lines = [MANIFEST_COLUMNS.join(',')];
  for (const rec of records) lines.push(MANIFEST_COLUMNS.map((c) => csvCell(rec[c])).join(','));
  return lines.join('\n') + '\n';
}
