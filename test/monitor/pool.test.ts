/**
 * The monitor's inference workers: an ensemble split across workers and a single network scored by one
 * give the probabilities of in-process `windowProbabilities` (≤ 1e-6: the ensemble mean is formed from
 * the parts' means), with and without a speaker reference, in request order; the head's functionals only
 * when a worker is idle; a worker error is reported.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { referenceFromSamples, windowProbabilities } from '../../src/eval/predict.js';
import { loadTrainedModel, saveCalibration } from '../../src/model/model-dir.js';
import { createInferencePool, memberRanges } from '../../src/monitor/pool.js';
import { train } from '../../src/train/train.js';
import { Rng } from '../../src/engine/rng.js';
import { makeToneDataset, TINY_FEATURES, TINY_HYPER, tmpDir } from '../train/fixtures.js';

test('memberRanges: contiguous, even, never more parts than members', () => {
  assert.deepEqual(memberRanges(5, 2), [
    [0, 2],
    [2, 5],
  ]);
  assert.deepEqual(memberRanges(1, 4), [[0, 1]]);
  assert.deepEqual(memberRanges(3, 3), [
    [0, 1],
    [1, 2],
    [2, 3],
  ]);
});

test(
  'inference pool: the same probabilities as in-process scoring, ensemble split over workers and single network',
  { timeout: 120_000 },
  async () => {
    const data = makeToneDataset({ classes: ['boredom', 'panic', 'neutral'], perClass: 4, seed: 9, speakers: true });
    const ens = tmpDir('affexion-pool-');
    await train({
      data,
      out: ens,
      hyper: { ...TINY_HYPER, epochs: 1, ensemble: 3, speaker_reference: 'neutral' },
      features: TINY_FEATURES,
      cacheDir: null,
      report: false,
    });
    const m = loadTrainedModel(ens);
    assert.equal(m.members.length, 3);
    const rng = new Rng(4);
    const windows = [0, 1, 2, 3].map((k) => new Float32Array(8000).map((_, i) => 0.2 * Math.sin((i * (k + 1)) / 9) + 0.02 * rng.normal()));
    const ref = referenceFromSamples(m, [windows[0]!]);
    for (const workers of [2, 1]) {
      const pool = await createInferencePool(m, workers);
      try {
        // Several requests in flight at once: each resolves with its own windows' probabilities.
        const got = await Promise.all([...windows.map((w) => pool.classify([w], ref)), pool.classify(windows, null)]);
        for (let i = 0; i < windows.length; i++) {
          const want = await windowProbabilities(m, [windows[i]!], ref, 1);
          want.forEach((v, k) => assert.ok(Math.abs(v - got[i]![k]!) <= 1e-6, `workers ${workers}, window ${i}: ${got[i]![k]} vs ${v}`));
        }
        const want = await windowProbabilities(m, windows, null, windows.length);
        want.forEach((v, k) =>
          assert.ok(Math.abs(v - got[windows.length]![k]!) <= 1e-6, `workers ${workers}, batch: ${got[windows.length]![k]} vs ${v}`),
        );
        await assert.rejects(
          pool.classify([new Float32Array(8000)], { mean: [1], std: [1], clips: 1, frames: 1 }),
          /speaker reference: statistics for 1 feature rows/,
        );
        // The head's functionals run at background priority: a classify asked for after them is answered first.
        const order: string[] = [];
        const first = pool.classify([windows[0]!], ref).then(() => order.push('classify 1'));
        const head = pool
          .functionals(windows.reduce((a, w) => Float32Array.from([...a, ...w]), new Float32Array(0)))
          .then(() => order.push('functionals'));
        const second = pool.classify([windows[1]!], ref).then(() => order.push('classify 2'));
        await Promise.all([first, head, second]);
        assert.deepEqual(order, ['classify 1', 'classify 2', 'functionals'], `workers ${workers}`);
      } finally {
        await pool.close();
      }
    }
    // A calibrated ensemble: the pool calibrates the mean of all parts, as in-process scoring does (calibrating
    // each part and then averaging would differ).
    saveCalibration(ens, { temperature: 0.3 }, 'test');
    const cal = loadTrainedModel(ens);
    const pool = await createInferencePool(cal, 2);
    try {
      const got = await pool.classify(windows, ref);
      const want = await windowProbabilities(cal, windows, ref, windows.length);
      const plain = await windowProbabilities(m, windows, ref, windows.length);
      assert.ok(
        want.some((v, k) => Math.abs(v - plain[k]!) > 1e-3),
        'the calibration changes the probabilities',
      );
      want.forEach((v, k) => assert.ok(Math.abs(v - got[k]!) <= 1e-6, `calibrated, 2 workers: ${got[k]} vs ${v}`));
    } finally {
      await pool.close();
    }
  },
);
