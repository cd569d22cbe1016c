import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { writeFileSync } from 'node:fs';
import { train } from '../../src/train/train.js';
import { predictFiles, windowStarts } from '../../src/eval/predict.js';
import { writeWav16 } from '../../src/audio/wav-write.js';
import { Rng } from '../../src/engine/rng.js';
import { makeToneDataset, TINY_FEATURES, TINY_HYPER, tmpDir } from '../train/fixtures.js';

test('windowStarts covers the file, last window flush with the end', () => {
  assert.deepEqual(windowStarts(50, 100, 50), [0]);
  assert.deepEqual(windowStarts(250, 100, 50), [0, 50, 100, 150]);
  assert.deepEqual(windowStarts(260, 100, 50), [0, 50, 100, 150, 160]);
});

test('predictFiles: probabilities per file; a long file gets a timeline; unreadable files get an error', async () => {
  const data = makeToneDataset({ perClass: 8, seed: 11 });
  const model = tmpDir();
  await train({ data, out: model, features: TINY_FEATURES, cacheDir: null, report: false, hyper: { ...TINY_HYPER, epochs: 8 } });
  // 0.24 s model window (24 frames × 10 ms): a 1 s file → timeline; first half boredom tone, second half panic tone.
  const dir = tmpDir();
  const long = path.join(dir, 'long.wav');
  const sr = 16000;
  const x = new Float32Array(sr);
  const rng = new Rng(4); // same recipe as the training tones: sine + a little noise
  for (let t = 0; t < sr; t++) x[t] = 0.4 * Math.sin((2 * Math.PI * (t < sr / 2 ? 150 : 600) * t) / sr) + 0.02 * rng.normal();
  writeWav16(long, x, sr);
  const bad = path.join(dir, 'bad.wav');
  writeFileSync(bad, 'RIFF garbage');
  const short = path.join(dir, 'short.wav'); // 0.2 s panic tone, shorter than the window
  writeWav16(short, x.slice(sr / 2 + 800, sr / 2 + 4000), sr);
  const [pl, pb, ps] = await predictFiles(model, [long, bad, short], { hop: 0.12 });
  assert.ok(pl.timeline && pl.timeline.length >= 7, `windows: ${pl.timeline?.length}`);
  assert.equal(pl.timeline[0].start, 0);
  assert.ok(Math.abs(pl.timeline[pl.timeline.length - 1].end - 1) < 1e-9);
  assert.equal(pl.timeline[0].label, 'boredom');
  assert.equal(pl.timeline[pl.timeline.length - 1].label, 'panic');
  const sum = Object.values(pl.probs).reduce((a, b) => a + b, 0);
  assert.ok(Math.abs(sum - 1) < 1e-5);
  assert.match(pb.error ?? '', /bad\.wav/);
  assert.equal(ps.timeline, undefined);
  assert.equal(ps.label, 'panic');
  await assert.rejects(predictFiles(model, [short], { window: -1 }), /--window: expected a positive number/);
});
