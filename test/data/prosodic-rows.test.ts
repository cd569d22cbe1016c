// hyper prosodic_rows: six prosodic rows (F0, voicing, energy, deltas) appended to the MFCC rows, through
// training, the model folder, the feature cache and the ONNX export (whose metadata the on-device page
// turns back into the same feature settings).
import { test } from 'node:test';
import assert from 'node:assert/strict';

import path from 'node:path';
import * as ort from 'onnxruntime-web';
import { FeatureCache } from '../../src/data/cache.js';
import { featureRowCount, featuresFromSamples, fileFeatures, resolveFeatureSettings } from '../../src/data/features.js';
import { toModelBatch } from '../../src/data/normalize.js';
import { PROSODIC_ROWS, prosodicFeatures } from '../../src/features/prosodic.js';
import { writeWav16 } from '../../src/audio/wav-write.js';
import { loadTrainedModel, modelProbabilities } from '../../src/model/model-dir.js';
import { resolveHyperparameters } from '../../src/model/hyperparameters.js';
import { buildOnnx, exportSourceOf } from '../../src/export/onnx-export.js';
import { onnxFeatureSettings } from '../../src/monitor/onnx-model.js';
import { train } from '../../src/train/train.js';
import { makeToneDataset, TINY_FEATURES, TINY_HYPER, tmpDir } from '../train/fixtures.js';

/** A voiced, gliding tone (F0 150 → 250 Hz) with harmonics: the pitch tracker finds voicing in it. */
function glide(seconds = 0.8, sr = 16000): Float32Array {
  const x = new Float32Array(Math.round(seconds * sr));
  let phase = 0;
  for (let i = 0; i < x.length; i++) {
    phase += (2 * Math.PI * (150 + (100 * i) / x.length)) / sr;
    x[i] = 0.3 * Math.sin(phase) + 0.15 * Math.sin(2 * phase) + 0.08 * Math.sin(3 * phase);
  }
  return x;
}

test('featuresFromSamples with prosodicRows: the MFCC rows unchanged, then the six prosodic rows (F0 in semitones re 100 Hz)', () => {
  const x = glide();
  // loudness 'none': the rows compared below are computed from the same samples (the peak step scales them first).
  const plain = featuresFromSamples(x, resolveFeatureSettings({ params: TINY_FEATURES, loudness: 'none' }));
  const s = resolveFeatureSettings({ params: TINY_FEATURES, loudness: 'none', prosodicRows: true });
  assert.equal(s.prosodicRows, true);
  assert.equal(resolveFeatureSettings({ params: TINY_FEATURES }).prosodicRows, undefined, 'off: settings (and cache keys) as before');
  const both = featuresFromSamples(x, s);
  assert.equal(featureRowCount(TINY_FEATURES.nMfcc, true), 3 * TINY_FEATURES.nMfcc + PROSODIC_ROWS.length);
  assert.equal(both.rows, featureRowCount(TINY_FEATURES.nMfcc, true));
  assert.equal(both.frames, plain.frames);
  assert.deepEqual(both.data.subarray(0, plain.rows * plain.frames), plain.data);
  const pros = prosodicFeatures(x, 16000, { hopLength: TINY_FEATURES.hopLength, nFft: TINY_FEATURES.nFft, f0Scale: 'absolute' });
  assert.deepEqual(both.data.subarray(plain.rows * plain.frames), pros.data);
  // The F0 row rises with the glide: 150 Hz ≈ 7 st, 250 Hz ≈ 15.9 st re 100 Hz.
  const f0 = pros.data.subarray(0, pros.frames);
  const mid = (a: number, b: number): number => {
    const v = Array.from(f0.subarray(a, b)).sort((p, q) => p - q);
    return v[v.length >> 1]!;
  };
  assert.ok(mid(5, 20) > 5 && mid(5, 20) < 11, `early F0 ${mid(5, 20)} st`);
  assert.ok(
    mid(pros.frames - 20, pros.frames - 5) > 13 && mid(pros.frames - 20, pros.frames - 5) < 18,
    `late F0 ${mid(pros.frames - 20, pros.frames - 5)} st`,
  );
});

test('the feature cache keeps MFCC-only and MFCC + prosodic features of one file apart', async () => {
  const dir = tmpDir('affexion-prosodic-cache-');
  const file = path.join(dir, 'glide.wav');
  writeWav16(file, glide(), 16000);
  const cache = new FeatureCache(path.join(dir, 'cache'));
  const a = await fileFeatures(file, resolveFeatureSettings({ params: TINY_FEATURES }), cache);
  const b = await fileFeatures(file, resolveFeatureSettings({ params: TINY_FEATURES, prosodicRows: true }), cache);
  assert.equal(a.rows, 3 * TINY_FEATURES.nMfcc);
  assert.equal(b.rows, 3 * TINY_FEATURES.nMfcc + 6);
  // Read back from the cache in the other order: each key holds its own matrix.
  assert.deepEqual((await fileFeatures(file, resolveFeatureSettings({ params: TINY_FEATURES, prosodicRows: true }), cache)).data, b.data);
  assert.deepEqual((await fileFeatures(file, resolveFeatureSettings({ params: TINY_FEATURES }), cache)).data, a.data);
});

test('prosodic_rows is checked as a hyper-parameter (true or false)', () => {
  assert.equal(resolveHyperparameters({}).prosodic_rows, false);
  assert.throws(
    () => resolveHyperparameters({ prosodic_rows: 'yes' as unknown as boolean }),
    /prosodic_rows: expected true or false, got yes/,
  );
});

test('a model trained with prosodic_rows: MFCC + prosodic input end to end — folder round trip, predictions, ONNX export read back by the on-device settings', async () => {
  const out = tmpDir('affexion-prosodic-model-');
  await train({
    data: makeToneDataset({ classes: ['boredom', 'panic'], perClass: 4, seconds: 0.6, seed: 5 }),
    out,
    hyper: { ...TINY_HYPER, epochs: 1, max_len: 60, prosodic_rows: true },
    features: TINY_FEATURES,
    cacheDir: null,
    report: false,
  });
  const m = loadTrainedModel(out);
  assert.equal(m.hyper.prosodic_rows, true);
  assert.equal(m.featureSettings.prosodicRows, true);
  assert.equal(m.members[0]!.net.config.n_features, 3 * TINY_FEATURES.nMfcc + 6);
  const feats = [glide(0.5), glide(0.7)].map((x) => featuresFromSamples(x, m.featureSettings));
  const want = await modelProbabilities(m, feats);
  // The export carries the flag; the page's settings from the metadata give the same features and probabilities.
  const src = exportSourceOf(m);
  assert.equal(src.meta.prosodic_rows, true);
  const settings = onnxFeatureSettings(src.meta);
  assert.deepEqual(settings, m.featureSettings);
  const again = [glide(0.5), glide(0.7)].map((x) => featuresFromSamples(x, settings));
  const { x, B, T, F } = toModelBatch(again, m.members[0]!.normalization, m.hyper.max_len);
  assert.equal(F, 3 * TINY_FEATURES.nMfcc + 6);
  const s = await ort.InferenceSession.create(buildOnnx(src));
  const probs = (
    await s.run({ features: new ort.Tensor('float32', x, [B, T, F]), lengths: new ort.Tensor('int64', new BigInt64Array(0), [0]) })
  ).probs!.data as Float32Array;
  await s.release();
  for (let i = 0; i < want.length; i++) assert.ok(Math.abs(probs[i]! - want[i]!) <= 1e-5, `p[${i}] ${probs[i]} vs ${want[i]}`);
});
