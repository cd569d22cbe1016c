/** Feature parameters are validated once, up front, with errors naming the parameter. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { resolveFeatureParams } from '../../src/features/params.js';
import { resolveFeatureSettings } from '../../src/data/features.js';

test('impossible feature parameters fail up front (hop 0, hop > nFft, nMels ≤ 0, sr ≤ 0, fmax > sr/2, huge sizes)', () => {
  const cases: [object, RegExp][] = [
    [{ hopLength: 0 }, /hopLength: must be a positive integer, got 0/],
    [{ hopLength: 4096, nFft: 2048 }, /hopLength: 4096 must not exceed nFft \(2048\)/],
    [{ nMels: 0 }, /nMels: must be a positive integer/],
    [{ sr: -16000 }, /sr: must be a positive integer/],
    [{ fmax: 9000 }, /fmax: 9000 must not exceed sr \/ 2 \(8000 Hz\)/],
    [{ nFft: 1 << 24 }, /nFft: must be at most 65536/],
    [{ sr: 1e9 }, /sr: must be at most 384000/],
  ];
  for (const [p, re] of cases) {
    assert.throws(() => resolveFeatureParams(p), re, JSON.stringify(p));
    // What train / cv / evaluate use: the same check, before any clip is read.
    assert.throws(() => resolveFeatureSettings({ params: p }), re, JSON.stringify(p));
  }
  assert.equal(resolveFeatureParams({ fmax: 8000 }).fmax, 8000);
});
