import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { train } from '../../src/train/train.js';
import { predictFiles } from '../../src/eval/predict.js';
import { loadTrainedModel } from '../../src/model/model-dir.js';
import { modelWindow } from '../../src/monitor/model.js';
import { modelWindowSettings, resolveHyperparameters, windowHopFrames } from '../../src/model/hyperparameters.js';
import { averageWindows, clipWindows, randomWindow } from '../../src/data/windows.js';
import { writeWav16 } from '../../src/audio/wav-write.js';
import { Rng } from '../../src/engine/rng.js';
import { TINY_FEATURES, TINY_HYPER, tmpDir } from './fixtures.js';

const SR = 16000;

/** A "syllabic" tone: `speech` seconds of a 4 Hz amplitude-modulated sine between silences (seconds). */
function syllables(pitch: number, speech: number, before: number, after: number, rng: Rng): Float32Array {
  const n0 = Math.round(before * SR),
    n1 = Math.round(speech * SR),
    n2 = Math.round(after * SR);
  const x = new Float32Array(n0 + n1 + n2);
  for (let t = 0; t < n1; t++) {
    const env = 0.55 + 0.45 * Math.sin((2 * Math.PI * 4 * t) / SR);
    x[n0 + t] = 0.4 * env * Math.sin((2 * Math.PI * pitch * t) / SR) + 0.005 * rng.normal();
  }
  for (let t = 0; t < n0; t++) x[t] = 1e-4 * rng.normal();
  for (let t = n0 + n1; t < x.length; t++) x[t] = 1e-4 * rng.normal();
  return x;
}

/** Two classes whose clip lengths differ by class (the shortcut window training must not need). */
function lengthConfoundedDataset(): string {
  const dir = tmpDir('affexion-win-');
  const rng = new Rng(5);
  for (const [c, pitch, len] of [
    ['boredom', 150, 1.2],
    ['panic', 600, 0.6],
  ] as const) {
    mkdirSync(path.join(dir, c), { recursive: true });
    for (let i = 0; i < 6; i++)
      writeWav16(path.join(dir, c, `s${i}.wav`), syllables(pitch * (1 + 0.02 * i), len, 0.1 + 0.05 * i, 0.2, rng), SR);
  }
  // All silence: skipped with its reason, not trained on.
  writeWav16(path.join(dir, 'panic', 'silent.wav'), new Float32Array(SR / 2), SR);
  return dir;
}

const WIN = { ...TINY_HYPER, epochs: 3, trim_silence: true, window: 0.5, window_hop: 0.1, mask_padding: true };

test('window hyper-parameters: validated naming the option; hop defaults to a third; MAX_LEN follows the window', () => {
  assert.throws(() => resolveHyperparameters({ window: -1 }), /window: expected seconds in \[0, 60\]/);
  assert.throws(() => resolveHyperparameters({ window: 1, window_hop: 2 }), /window_hop: expected at most the window/);
  assert.equal(resolveHyperparameters({ window_hop: 0.5 }).window_hop, 0, 'whole clips: no hop');
  assert.throws(() => resolveHyperparameters({ trim_silence: 'yes' as unknown as boolean }), /trim_silence: expected true or false/);
  const h = resolveHyperparameters({ window: 1.5 });
  assert.equal(h.window_hop, 0.5);
  assert.deepEqual(modelWindowSettings(h), { seconds: 1.5, hopSeconds: 0.5 });
  assert.equal(modelWindowSettings(resolveHyperparameters({})), undefined);
  assert.equal(windowHopFrames({ window: 1.5, window_hop: 0.5, max_len: 150 }), 50);
});

test('training windows: drawn from (seed, epoch, clip) alone, inside the clip; scored windows cover it and average per clip', () => {
  const m = { rows: 2, frames: 50, data: Float32Array.from({ length: 100 }, (_, i) => i) };
  const a = randomWindow(m, 10, 7, 3, 4);
  assert.deepEqual(a, randomWindow(m, 10, 7, 3, 4));
  assert.equal(a.frames, 10);
  const start = a.data[0]!;
  assert.ok(start >= 0 && start <= 40);
  assert.equal(a.data[10], 50 + start); // second row, same frames
  const starts = new Set(Array.from({ length: 20 }, (_, e) => randomWindow(m, 10, 7, e, 4).data[0]));
  assert.ok(starts.size > 5, 'positions vary by epoch');
  const short = { rows: 2, frames: 6, data: new Float32Array(12) };
  assert.equal(randomWindow(short, 10, 7, 1, 0), short);
  const { windows, owner } = clipWindows([m, short], 10, 5);
  assert.equal(windows.length, 9 + 1);
  assert.deepEqual(Array.from(owner), [0, 0, 0, 0, 0, 0, 0, 0, 0, 1]);
  const probs = Float32Array.from(windows.flatMap((_, w) => (w < 9 ? [w % 2, 1 - (w % 2)] : [0.25, 0.75])));
  const avg = averageWindows(probs, owner, 2, 2);
  assert.ok(Math.abs(avg[0]! - 4 / 9) < 1e-6 && Math.abs(avg[3]! - 0.75) < 1e-6);
});

test('window training: trims silence (silent clips skipped as "no speech"), stores window/window_hop, resumes bit-exactly; predict flags short clips', async () => {
  const data = lengthConfoundedDataset();
  const out = tmpDir();
  const r = await train({ data, out, features: TINY_FEATURES, cacheDir: null, report: false, hyper: WIN });
  assert.ok(
    r.skipped.some((s) => /no speech in .*silent\.wav/.test(s.reason)),
    JSON.stringify(r.skipped),
  );
  const config = JSON.parse(readFileSync(path.join(out, 'config.json'), 'utf8'));
  const hp = config.training.hyperparameters;
  assert.equal(hp.window, 0.5);
  assert.equal(hp.window_hop, 0.1);
  assert.equal(hp.trim_silence, true);
  assert.equal(hp.max_len, 50); // 0.5 s at 100 frames/s
  const m = loadTrainedModel(out);
  assert.deepEqual(modelWindow(m), { seconds: 0.5, hopSeconds: 0.1 });
  assert.equal(m.featureSettings.trimSilence, true);

  // Resume: 2 epochs then 1 more equals 3 straight (the windows depend on seed/epoch/clip only).
  const half = tmpDir();
  await train({ data, out: half, features: TINY_FEATURES, cacheDir: null, report: false, hyper: { ...WIN, epochs: 2 } });
  await train({ data, out: half, features: TINY_FEATURES, cacheDir: null, report: false, hyper: WIN, resume: true });
  assert.deepEqual(readFileSync(path.join(half, 'weights.safetensors')), readFileSync(path.join(out, 'weights.safetensors')));

  const dir = tmpDir();
  const rng = new Rng(9);
  const files = { silent: path.join(dir, 'silent.wav'), short: path.join(dir, 'short.wav'), long: path.join(dir, 'long.wav') };
  writeWav16(files.silent, new Float32Array(SR), SR);
  writeWav16(files.short, syllables(600, 0.2, 0.5, 0.5, rng), SR);
  writeWav16(files.long, syllables(150, 1.0, 0.3, 0.3, rng), SR);
  const [silent, short, long] = await predictFiles(m, [files.silent, files.short, files.long]);
  assert.match(silent!.error ?? '', /no speech in .*silent\.wav/);
  assert.equal(short!.short, true);
  assert.equal(short!.timeline, undefined);
  assert.equal(long!.short, undefined);
  assert.ok(long!.timeline!.length >= 5, `${long!.timeline?.length} windows`);
  // The timeline is in the file's time: the trimmed speech starts near 0.3 s, not at 0.
  assert.ok(long!.timeline![0]!.start > 0.1 && long!.timeline![0]!.start < 0.35, `${long!.timeline![0]!.start}`);
  for (const w of long!.timeline!) assert.ok(Math.abs(w.end - w.start - 0.5) < 0.02);
});
