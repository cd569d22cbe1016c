// The benchmark's bookkeeping (not its speed): FLOP counts match the brief's anchors for the paper-size
// network, and a tiny run returns a complete, finite result.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { forwardFlopsPerClip, runTrainBenchmark, trainFlopsPerClip } from '../../src/model/bench.js';
import { PAPER_CONFIG } from '../../src/model/config.js';

test('paper-size FLOPs per clip at T = 1000: ≈ 3.0 GFLOP forward, ≈ 8.9 GFLOP training', () => {
  assert.ok(Math.abs(forwardFlopsPerClip(PAPER_CONFIG, 1000) / 1e9 - 3.0) < 0.05);
  assert.ok(Math.abs(trainFlopsPerClip(PAPER_CONFIG, 1000) / 1e9 - 8.9) < 0.1);
});

test('a tiny benchmark run reports every field, finite, and no stored anchor figure', () => {
  const r = runTrainBenchmark({ batch: 2, frames: 24, steps: 2, inferRuns: 1 });
  assert.match(r.backend, /^native:/);
  for (const key of [
    'median_step_ms',
    'median_step_cpu_ms',
    'infer_ms_per_clip',
    'infer_ms_batch1',
    'infer_cpu_ms_batch1',
    'peak_rss_mb',
    'gflops',
    'loss_first',
    'loss_last',
  ] as const) {
    assert.ok(Number.isFinite(r[key]) && r[key] > 0, `${key} = ${r[key]}`);
  }
  assert.equal(r.step_ms.length, 2);
  assert.ok(Number.isFinite(r.load_avg));
  assert.equal(typeof r.peak_under_load, 'boolean');
  // PyTorch is measured in the same run by bench/engine.ts, never taken from a constant here.
  assert.ok(!Object.keys(r).some((k) => k.includes('torch')), Object.keys(r).join(','));
  assert.throws(() => runTrainBenchmark({ batch: 0 }), /batch: must be an integer ≥ 1/);
});
