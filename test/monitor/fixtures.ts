/**
 * What the monitor tests share: a tiny speaker-reference model trained in about a second on tones
 * (the tests check the pipeline, not accuracy), and the fixture recording built from dev-corpus clips
 * — calm enrolment speech (≥ 8 s of speech), a pause, fearful speech, a pause, happy speech, a pause.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { loadAudio } from '../../src/audio/load.js';
import { trimSilence } from '../../src/audio/speech.js';
import { writeWav16 } from '../../src/audio/wav-write.js';
import { Rng } from '../../src/engine/rng.js';
import { train } from '../../src/train/train.js';
import { makeToneDataset, TINY_FEATURES, TINY_HYPER, tmpDir } from '../train/fixtures.js';
import { SHARED_DIR } from '../shared-dir.js';

export const RAVDESS = path.join(SHARED_DIR, 'data', 'ravdess-dev');

let model: Promise<string> | null = null;
/** A tiny tone model with speaker reference normalisation (reference label `neutral`), trained once per process. */
export function tinyReferenceModel(): Promise<string> {
  model ??= (async () => {
    const data = makeToneDataset({ classes: ['boredom', 'panic', 'neutral'], perClass: 6, seed: 5, speakers: true });
    const out = tmpDir('affexion-monitor-model-');
    await train({
      data,
      out,
      hyper: { ...TINY_HYPER, epochs: 2, speaker_reference: 'neutral' },
      features: TINY_FEATURES,
      cacheDir: null,
      report: false,
    });
    return out;
  })();
  return model;
}

export interface FixtureSpan {
  kind: 'silence' | 'calm' | 'fearful' | 'happy';
  t0: number;
  t1: number;
}

/** Clips of one RAVDESS actor by label, speech only (leading/trailing silence trimmed). */
async function clips(label: string, n: number, actor = '01'): Promise<Float32Array[]> {
  const rows = readFileSync(path.join(RAVDESS, 'labels.csv'), 'utf8')
    .trim()
    .split('\n')
    .slice(1)
    .map((l) => l.split(','));
  const files = rows
    .filter((r) => r[1] === label && r[2] === actor)
    .slice(0, n)
    .map((r) => path.join(RAVDESS, r[0]!));
  const out: Float32Array[] = [];
  for (const f of files) {
    const { samples } = await loadAudio(f);
    out.push(trimSilence(samples, 16000)!.samples);
  }
  return out;
}

export function haveDevCorpus(): boolean {
  return existsSync(path.join(RAVDESS, 'labels.csv'));
}

/**
 * Writes the fixture (16 kHz): 1 s pause, calm clips until ≥ 9 s of speech, 2 s pause, fearful clips,
 * 2.5 s pause, happy clips, 2.5 s pause. Pauses hold faint noise (−80 dBFS), as a quiet room does.
 */
export async function writeFixture(file: string): Promise<{ spans: FixtureSpan[]; seconds: number }> {
  const sr = 16000;
  const rng = new Rng(3);
  const parts: Float32Array[] = [];
  const spans: FixtureSpan[] = [];
  let t = 0;
  const pause = (sec: number): void => {
    const x = new Float32Array(Math.round(sec * sr));
    for (let i = 0; i < x.length; i++) x[i] = 1e-4 * rng.normal();
    parts.push(x);
    spans.push({ kind: 'silence', t0: t, t1: t + sec });
    t += sec;
  };
  const speech = (kind: FixtureSpan['kind'], xs: Float32Array[]): void => {
    const t0 = t;
    xs.forEach((x, i) => {
      if (i) {
        const g = new Float32Array(Math.round(0.15 * sr));
        for (let j = 0; j < g.length; j++) g[j] = 1e-4 * rng.normal();
        parts.push(g);
        t += 0.15;
      }
      parts.push(x);
      t += x.length / sr;
    });
    spans.push({ kind, t0, t1: t });
  };
  pause(1);
  const calm = await clips('calm', 8);
  let need = 9 * sr;
  const enrol: Float32Array[] = [];
  for (const c of calm) {
    if (need <= 0) break;
    enrol.push(c);
    need -= c.length;
  }
  speech('calm', enrol);
  pause(2);
  speech('fearful', await clips('fearful', 2));
  pause(2.5);
  speech('happy', await clips('happy', 2));
  pause(2.5);
  const all = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    all.set(p, o);
    o += p.length;
  }
  writeWav16(file, all, sr);
  return { spans, seconds: all.length / sr };
}

let headModel: Promise<string> | null = null;
/**
 * A tiny tone model with a functional head (gate fusion, speaker references `neutral`), trained once per
 * process in a few seconds (the settings of test/model/functional-head.test.ts), reading the prosodic rows as the
 * default recipe's networks do (so the device and server paths are compared on them too).
 */
export function tinyHeadModel(): Promise<string> {
  headModel ??= (async () => {
    const data = makeToneDataset({ classes: ['boredom', 'neutral', 'panic'], perClass: 9, seconds: 0.5, speakers: true, seed: 8 });
    const out = tmpDir('affexion-monitor-head-model-');
    await train({
      data,
      out,
      features: TINY_FEATURES,
      cacheDir: null,
      report: false,
      hyper: {
        ...TINY_HYPER,
        epochs: 1,
        speaker_reference: 'neutral',
        neutral_class: true,
        functional_fusion: 'gate',
        prosodic_rows: true,
      },
    });
    return out;
  })();
  return headModel;
}

/** Dev-corpus files of one actor by label (paths), in labels.csv order. */
export function devFiles(label: string, n: number, actor = '01'): string[] {
  const rows = readFileSync(path.join(RAVDESS, 'labels.csv'), 'utf8')
    .trim()
    .split('\n')
    .slice(1)
    .map((l) => l.split(','));
  return rows
    .filter((r) => r[1] === label && r[2] === actor)
    .slice(0, n)
    .map((r) => path.join(RAVDESS, r[0]!));
}

/** Speech-only clips (leading/trailing silence trimmed) of one actor by label, at 16 kHz. */
export const devClips = clips;
