/**
 * bench:augment — prints JSON: speed of PSOLA, emotion conversion, each waveform augmentation and the
 * prosodic front-end, as milliseconds per second of audio (median of N runs over neutral-pool clips)
 * and the real-time factor (seconds of audio processed per second).
 *
 *   npm run bench:augment [-- --clips 6] [-- --runs 3]
 *
 * Timings taken while other processes load the machine are noisy: the JSON carries the load average.
 */
import { loadavg } from 'node:os';
import path from 'node:path';
import { readFileSync } from 'node:fs';
import { loadAudio } from '../src/audio/load.js';
import { Rng } from '../src/engine/rng.js';
import { psola } from '../src/augment/psola.js';
import { convertClip } from '../src/augment/convert/transform.js';
import { EMOTION_PROFILES } from '../src/augment/convert/profiles.js';
import { makeAugmenter } from '../src/augment/augmenter.js';
import { prosodicFeatures } from '../src/features/prosodic.js';
import { trackPitch } from '../src/features/pitch.js';

function arg(name: string, dflt: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1]! : dflt;
}
const POOL = process.env.AFFEXION_NEUTRAL_POOL ?? path.resolve(import.meta.dirname, '../../shared/data/neutral-pool');
const nClips = Number(arg('clips', '6'));
const runs = Number(arg('runs', '3'));

const files = readFileSync(path.join(POOL, 'labels.csv'), 'utf8')
  .trim()
  .split('\n')
  .slice(1)
  .map((l) => path.join(POOL, l.split(',')[0]!));
const step = Math.max(1, Math.floor(files.length / nClips));
const clips: Float32Array[] = [];
for (let i = 0; i < nClips && i * step < files.length; i++) clips.push((await loadAudio(files[i * step]!)).samples);
const audioSec = clips.reduce((a, c) => a + c.length, 0) / 16000;

function time(fn: (x: Float32Array, i: number) => unknown): { ms_per_audio_s: number; realtime_factor: number } {
  const per: number[] = [];
  fn(clips[0]!, 0); // warm-up
  for (let r = 0; r < runs; r++) {
    const t0 = performance.now();
    clips.forEach((c, i) => fn(c, i));
    per.push((performance.now() - t0) / audioSec);
  }
  per.sort((a, b) => a - b);
  const ms = per[per.length >> 1]!;
  return { ms_per_audio_s: +ms.toFixed(2), realtime_factor: +(1000 / ms).toFixed(1) };
}

const results: Record<string, unknown> = {
  clips: clips.length,
  audio_s: +audioSec.toFixed(2),
  runs,
  loadavg_1m: +loadavg()[0]!.toFixed(2),
  track_pitch: time((x) => trackPitch(x, 16000)),
  psola_pitch_1_25: time((x) => psola(x, 16000, { pitchRatio: 1.25 })),
  psola_tempo_0_8: time((x) => psola(x, 16000, { stretch: 0.8 })),
};
for (const [name, p] of Object.entries(EMOTION_PROFILES)) results[`convert_${name}`] = time((x, i) => convertClip(x, 16000, p, new Rng(i)));
for (const spec of ['noise:type=pink:p=1', 'noise:type=babble:p=1', 'reverb:p=1', 'telephone:p=1', 'gain:p=1', 'speed:p=1', 'pitch:p=1']) {
  results[spec.split(':p=1')[0]!.replace(/[:=]/g, '_')] = time((x) =>
    makeAugmenter(spec, new Rng(1), { babbleSources: clips }).wave(x, 16000),
  );
}
results.prosodic_features = time((x) => prosodicFeatures(x, 16000));
process.stdout.write(`${JSON.stringify(results)}\n`);
