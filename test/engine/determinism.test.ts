// Same inputs, same bits: the native kernels' results must not depend on the number of pool threads
// (static work split, fixed summation order), nor vary from run to run.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const script = fileURLToPath(new URL('./fixtures/kernel-digest.ts', import.meta.url));

function digest(threads: number): string {
  const r = spawnSync(process.execPath, ['--import', 'tsx', script], {
    env: { ...process.env, AFFEXION_THREADS: String(threads) },
    encoding: 'utf8',
  });
  assert.equal(r.status, 0, r.stderr);
  const [, n, hex] = r.stdout.trim().split(' ');
  assert.equal(Number(n), threads, 'AFFEXION_THREADS sizes the pool');
  return hex!;
}

test('kernel outputs are bit-identical with 1, 2 and 3 threads', () => {
  const one = digest(1);
  assert.equal(digest(2), one);
  assert.equal(digest(3), one);
});
