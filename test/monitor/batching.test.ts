/**
 * The monitor's cross-session batching: windows of several sessions (each with its own reference) that
 * queue while a forward pass runs are scored together in the next pass, with the probabilities of scoring
 * each alone (≤ 1e-5); a request that fails in a batch fails alone. And a window model scores an audio
 * window of its own length as one network window (the first max_len frames), not two one frame apart.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { featuresFromSamples } from '../../src/data/features.js';
import { applySpeakerReference, type SpeakerReference } from '../../src/data/reference.js';
import { cropFrames } from '../../src/data/windows.js';
import { referenceFromSamples, windowProbabilities } from '../../src/eval/predict.js';
import { loadTrainedModel, modelProbabilities, type TrainedModel } from '../../src/model/model-dir.js';
import { monitorModel } from '../../src/monitor/model.js';
import type { InferencePool } from '../../src/monitor/pool.js';
import { Rng } from '../../src/engine/rng.js';
import { train } from '../../src/train/train.js';
import { makeToneDataset, TINY_FEATURES, TINY_HYPER, tmpDir } from '../train/fixtures.js';

let shared: Promise<TrainedModel> | null = null;
/** A tiny 2-member ensemble with 0.3 s windows (max_len 30 frames) and speaker references, trained once. */
function windowModel(): Promise<TrainedModel> {
  shared ??= (async () => {
    const data = makeToneDataset({ classes: ['boredom', 'panic', 'neutral'], perClass: 4, seconds: 0.6, seed: 21, speakers: true });
    const out = tmpDir('affexion-batching-');
    await train({
      data,
      out,
      hyper: { ...TINY_HYPER, epochs: 1, ensemble: 2, speaker_reference: 'neutral', window: 0.3, window_hop: 0.1, mask_padding: true },
      features: TINY_FEATURES,
      cacheDir: null,
      report: false,
    });
    return loadTrainedModel(out);
  })();
  return shared;
}

function noise(n: number, seed: number): Float32Array {
  const rng = new Rng(seed);
  return new Float32Array(n).map((_, i) => 0.2 * Math.sin((i * (1 + (seed % 5))) / 7) + 0.05 * rng.normal());
}

const close = (a: Float32Array, b: Float32Array, tol: number, what: string): void => {
  assert.equal(a.length, b.length, what);
  a.forEach((v, i) => assert.ok(Math.abs(v - b[i]!) <= tol, `${what}[${i}]: ${v} vs ${b[i]}`));
};

test("windowProbabilities: a window of the model's own length is one network window (its first max_len frames)", async () => {
  const m = await windowModel();
  assert.equal(m.hyper.max_len, 30);
  const w = noise(Math.round(0.3 * 16000), 3);
  const ref = referenceFromSamples(m, [noise(16000, 4)]);
  const mat = featuresFromSamples(w, m.featureSettings);
  assert.equal(mat.frames, 31, "centred framing: one frame more than the window's 30");
  const one = await modelProbabilities(m, [applySpeakerReference(cropFrames(mat, 0, 30), ref)], 1);
  close(await windowProbabilities(m, [w], ref, 1), one, 1e-7, 'one window');
  // Not the mean of the two windows one frame apart (what the 31st frame used to cost).
  const two = await modelProbabilities(m, [applySpeakerReference(mat, ref)], 1);
  assert.ok(
    two.some((v, i) => Math.abs(v - one[i]!) > 1e-7),
    'the test cannot tell one window from two',
  );
});

test('windowProbabilities: one reference per window equals each window scored alone with its reference', async () => {
  const m = await windowModel();
  const windows = [0, 1, 2, 3, 4].map((k) => noise(Math.round(0.3 * 16000), 10 + k));
  const refs: (SpeakerReference | null)[] = windows.map((_, k) => (k === 2 ? null : referenceFromSamples(m, [noise(12000, 20 + k)])));
  const batched = await windowProbabilities(m, windows, refs, windows.length);
  const K = m.classes.length;
  for (let k = 0; k < windows.length; k++)
    close(batched.subarray(k * K, (k + 1) * K), await windowProbabilities(m, [windows[k]!], refs[k]!, 1), 1e-5, `window ${k}`);
  await assert.rejects(windowProbabilities(m, windows, refs.slice(1)), /4 references for 5 windows/);
});

test('monitorModel: windows that queue during a pass are scored in one batch, equal to unbatched; a failing request fails alone', async () => {
  const m = await windowModel();
  // A pool that records the batch sizes and scores in this thread (the batching is monitorModel's).
  const passes: number[] = [];
  const pool: InferencePool = {
    size: 1,
    async classify(windows, ref) {
      passes.push(windows.length);
      return windowProbabilities(m, windows, ref, Math.max(1, windows.length));
    },
    async close() {},
  };
  const mm = monitorModel(m, { pool });
  const sessions = [0, 1, 2, 3, 4, 5].map((k) => ({
    w: noise(Math.round(0.3 * 16000), 30 + k),
    ref: referenceFromSamples(m, [noise(12000, 40 + k)]),
  }));
  const got = await Promise.all(sessions.map((s) => mm.classify([s.w], s.ref)));
  // The first window starts a pass at once; the five that arrived meanwhile share the next one.
  assert.deepEqual(passes, [1, 5]);
  for (const [k, s] of sessions.entries()) close(got[k]!, await windowProbabilities(m, [s.w], s.ref, 1), 1e-5, `session ${k}`);

  // maxBatch bounds a pass; a bad reference in a batch rejects only its own request.
  passes.length = 0;
  const small = monitorModel(m, { pool, maxBatch: 2 });
  const bad: SpeakerReference = { mean: [1], std: [1], clips: 1, frames: 1 };
  const results = await Promise.allSettled([
    ...sessions.slice(0, 3).map((s) => small.classify([s.w], s.ref)),
    small.classify([sessions[3]!.w], bad),
    small.classify([sessions[4]!.w], sessions[4]!.ref),
  ]);
  assert.deepEqual(
    results.map((r) => r.status),
    ['fulfilled', 'fulfilled', 'fulfilled', 'rejected', 'fulfilled'],
  );
  assert.match(String((results[3] as PromiseRejectedResult).reason), /speaker reference: statistics for 1 feature rows/);
  assert.ok(
    passes.every((n) => n <= 2),
    `passes ${passes}`,
  );
  close(
    (results[4] as PromiseFulfilledResult<Float32Array>).value,
    await windowProbabilities(m, [sessions[4]!.w], sessions[4]!.ref, 1),
    1e-5,
    'after the failure',
  );
  assert.throws(() => monitorModel(m, { maxBatch: 0 }), /maxBatch/);
});
