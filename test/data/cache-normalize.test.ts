import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, writeFileSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { FeatureCache, decodeFeatureMatrix, encodeFeatureMatrix, settingsHash } from '../../src/data/cache.js';
import { fitNormalization, toModelBatch } from '../../src/data/normalize.js';

const mat = (rows: number, frames: number, f: (r: number, t: number) => number) => {
  const data = new Float32Array(rows * frames);
  for (let r = 0; r < rows; r++) for (let t = 0; t < frames; t++) data[r * frames + t] = f(r, t);
  return { rows, frames, data };
};

test('cache: round trip, hit/miss counting, key depends on content and settings only', async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'affexion-cache-'));
  const cache = new FeatureCache(dir);
  const m = mat(3, 5, (r, t) => r * 10 + t + 0.5);
  const s1 = settingsHash({ nMfcc: 25, hopLength: 160 });
  assert.equal(s1, settingsHash({ hopLength: 160, nMfcc: 25 }), 'key order must not matter');
  assert.notEqual(s1, settingsHash({ nMfcc: 25, hopLength: 512 }));
  const k1 = FeatureCache.key(Buffer.from('audio-a'), s1);
  assert.notEqual(k1, FeatureCache.key(Buffer.from('audio-b'), s1));
  let computed = 0;
  const compute = () => {
    computed++;
    return m;
  };
  const a = await cache.getOrCompute(k1, compute);
  const b = await cache.getOrCompute(k1, compute);
  assert.equal(computed, 1);
  assert.equal(cache.hits, 1);
  assert.deepEqual(b, a);
  assert.deepEqual(
    await new FeatureCache(dir).getOrCompute(k1, () => {
      throw new Error('should hit');
    }),
    m,
  );
  // No temp files left behind.
  const files = readdirSync(path.join(dir, k1.slice(0, 2)));
  assert.deepEqual(files, [`${k1}.afxf`]);
});

test('cache: a truncated or foreign entry is recomputed, not trusted', async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'affexion-cache-'));
  const cache = new FeatureCache(dir);
  const m = mat(2, 4, (r, t) => r - t);
  const key = FeatureCache.key(Buffer.from('x'), 'k');
  cache.put(key, m);
  const file = path.join(dir, key.slice(0, 2), `${key}.afxf`);
  writeFileSync(file, readFileSync(file).subarray(0, 20));
  assert.equal(cache.get(key), null);
  assert.equal(decodeFeatureMatrix(Buffer.from('not a cache entry at all')), null);
  assert.deepEqual(decodeFeatureMatrix(encodeFeatureMatrix(m)), m);
  let computed = 0;
  await cache.getOrCompute(key, () => {
    computed++;
    return m;
  });
  assert.equal(computed, 1);
  assert.equal(new FeatureCache(null).get(key), null, 'a disabled cache never reads');
});

test('fitNormalization: per-channel mean/std over the frames the model sees (first maxLen)', () => {
  const a = mat(2, 4, (r, t) => (r === 0 ? t : 5)); // row 0: 0 1 2 3, row 1 constant
  const b = mat(2, 6, (r, t) => (r === 0 ? t + 4 : 5)); // row 0: 4..9
  const n = fitNormalization([a, b]);
  assert.equal(n.mean[0], 4.5); // mean of 0..9
  assert.ok(Math.abs(n.std[0] - Math.sqrt(8.25)) < 1e-12); // population std of 0..9
  assert.equal(n.mean[1], 5);
  assert.ok(n.std[1] > 0, 'constant channels get a floor, not 0');
  const capped = fitNormalization([a, b], 2); // 0 1 and 4 5
  assert.equal(capped.mean[0], 2.5);
});

test('toModelBatch: z-scores, transposes to (B, T, F), zero-pads after normalising, truncates, keeps lengths', () => {
  const a = mat(2, 3, (r, t) => (r === 0 ? t : 10 + t)); // frames 0,1,2 / 10,11,12
  const b = mat(2, 5, (r, t) => (r === 0 ? -t : t));
  const norm = { mode: 'global' as const, mean: [1, 11], std: [2, 0.5] };
  const { x, B, T, F, lengths } = toModelBatch([a, b], norm, 4);
  assert.deepEqual([B, T, F], [2, 4, 2]);
  assert.deepEqual([...lengths], [3, 4]);
  // clip a, frame t, feature f at (0·T + t)·F + f
  assert.deepEqual([...x.subarray(0, 8)], [-0.5, -2, 0, 0, 0.5, 2, 0, 0]);
  // clip b truncated to 4 frames: row0 = 0,-1,-2,-3 → (v-1)/2 ; row1 = 0..3 → (v-11)/0.5
  assert.deepEqual([...x.subarray(8, 16)], [-0.5, -22, -1, -20, -1.5, -18, -2, -16]);
  const u = toModelBatch([a], { mode: 'utterance' }, 3);
  const sd = Math.sqrt(2 / 3);
  assert.ok(Math.abs(u.x[0] + 1 / sd) < 1e-6 && Math.abs(u.x[1] + 1 / sd) < 1e-6 && Math.abs(u.x[2]) < 1e-6);
  assert.throws(() => toModelBatch([a], { mode: 'global', mean: [0], std: [1] }, 3), /statistics for 1 channels, features have 2/);
});
