/** A diverging run stops with a clear error and leaves only its last good epoch behind. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { train } from '../../src/train/train.js';
import { loadTrainedModel } from '../../src/model/model-dir.js';
import { TrainingDiverged } from '../../src/train/fit.js';
import { makeToneDataset, TINY_FEATURES, TINY_HYPER, tmpDir } from './fixtures.js';

test('--lr 1e10: training stops with a clear error; no broken model is saved, the last good epoch stays', async () => {
  const data = makeToneDataset({ perClass: 6, seed: 2 });
  for (const lr of [1e10, 3]) {
    const out = tmpDir();
    let err: unknown;
    try {
      await train({ data, out, features: TINY_FEATURES, cacheDir: null, report: false, hyper: { ...TINY_HYPER, epochs: 6, lr } });
    } catch (e) {
      err = e;
    }
    if (lr === 3 && err === undefined) continue; // a high but survivable rate may converge; 1e10 never does
    assert.ok(err instanceof TrainingDiverged, `lr ${lr}: ${String(err)}`);
    assert.match(err.message, /training diverged at epoch \d+ \(batch \d+: (loss|non-finite weights)/);
    assert.match(err.message, /try a lower --lr/);
    const kept = err.lastGoodEpoch;
    if (kept === 0) {
      assert.equal(existsSync(path.join(out, 'config.json')), false, 'nothing saved before the first good epoch');
    } else {
      const m = loadTrainedModel(out); // loads: its weights are finite (non-finite weights are refused at load)
      assert.equal(m.epochs, kept);
      assert.equal(readFileSync(path.join(out, 'metrics.jsonl'), 'utf8').trim().split('\n').length, kept);
    }
  }
});
