/**
 * extractFeaturesFromFiles: worker threads give the same features as one thread, in input order, and
 * an unreadable file becomes an error entry without stopping the others.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { extractFeaturesFromFiles } from '../../src/features/parallel.js';
import { extractFeaturesFromFile } from '../../src/features/index.js';
import { GOLDEN_DIR, goldenNames } from './golden.js';

test('worker threads: same features as in-process, input order, errors per file', async () => {
  const files = [...goldenNames().map((n) => path.join(GOLDEN_DIR, `${n}.wav`)), '/no/such/clip.wav'];
  files.splice(2, 0, files[0]); // a repeated file too
  const seen: number[] = [];
  const results = await extractFeaturesFromFiles(files, { hopLength: 512 }, { workers: 2, onResult: (_, i) => void seen.push(i) });
  assert.deepEqual(
    seen,
    files.map((_, i) => i),
    'onResult is called in input order',
  );
  assert.equal(results.length, files.length);
  for (const [i, r] of results.entries()) {
    assert.equal(r.file, files[i]);
    if (files[i].startsWith('/no/such')) {
      assert.match(r.error ?? '', /\/no\/such\/clip\.wav: file not found/);
      continue;
    }
    const want = await extractFeaturesFromFile(files[i], { hopLength: 512 });
    assert.ok(r.features, `features for ${files[i]}`);
    assert.deepEqual([r.features.rows, r.features.frames], [want.rows, want.frames]);
    assert.deepEqual(r.features.data, want.data);
  }
});
