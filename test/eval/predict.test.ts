import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { writeFileSync } from 'node:fs';
import { train } from '../../src/train/train.js';
import { predictFiles, windowStarts } from '../../src/eval/predict.js';
import { loadTrainedModel } from '../../src/model/model-dir.js';
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
  await assert.rejects(predictFiles(model, [short], { window: -1 }), /window: expected a positive number/);
});

/** A mono float32 WAV holding exactly `x` (NaN and Inf included). */
function floatWav(file: string, x: Float32Array, sr = 16000): void {
  const b = Buffer.alloc(44 + 4 * x.length);
  b.write('RIFF', 0);
  b.writeUInt32LE(36 + 4 * x.length, 4);
  b.write('WAVEfmt ', 8);
  b.writeUInt32LE(16, 16);
  b.writeUInt16LE(3, 20);
  b.writeUInt16LE(1, 22);
  b.writeUInt32LE(sr, 24);
  b.writeUInt32LE(4 * sr, 28);
  b.writeUInt16LE(4, 32);
  b.writeUInt16LE(32, 34);
  b.write('data', 36);
  b.writeUInt32LE(4 * x.length, 40);
  x.forEach((v, i) => b.writeFloatLE(v, 44 + 4 * i));
  writeFileSync(file, b);
}

test('predictFiles: a NaN/Inf float WAV is an error for that file only; non-finite activations are an error, not equal probabilities', async () => {
  const data = makeToneDataset({ perClass: 4, seed: 3 });
  const modelDir = tmpDir();
  await train({ data, out: modelDir, features: TINY_FEATURES, cacheDir: null, report: false, hyper: { ...TINY_HYPER, epochs: 1 } });
  const dir = tmpDir();
  const tone = Float32Array.from({ length: 4000 }, (_, t) => 0.3 * Math.sin((2 * Math.PI * 150 * t) / 16000));
  const good = path.join(dir, 'good.wav');
  floatWav(good, tone);
  const files = [good];
  for (const [name, v] of [
    ['nan.wav', NaN],
    ['inf.wav', Infinity],
  ] as const) {
    const x = tone.slice();
    x[1234] = v;
    floatWav(path.join(dir, name), x);
    files.push(path.join(dir, name));
  }
  const [pg, pn, pi] = await predictFiles(modelDir, [...files, good]).then((r) => r.slice(0, 3));
  assert.equal(pg.error, undefined);
  assert.ok(Math.abs(Object.values(pg.probs).reduce((a, b) => a + b, 0) - 1) < 1e-5);
  assert.match(pn.error ?? '', /nan\.wav: sample 1234 is not a finite number \(NaN\)/);
  assert.match(pi.error ?? '', /inf\.wav: sample 1234 is not a finite number \(Infinity\)/);
  // A network whose weights went NaN after loading: its output is reported, per file.
  const m = loadTrainedModel(modelDir);
  m.members[0]!.net.stateDict().get('fc2.bias')![0] = NaN;
  const [broken] = await predictFiles(m, [good]);
  assert.match(broken.error ?? '', /good\.wav: the network produced a non-finite output/);
});
