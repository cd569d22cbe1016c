/** Output folders: one run at a time (O_EXCL lock with stale-lock detection), friendly errors, nothing half-written. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { LOCK_FILE, lockOutputDir, withOutputLock } from '../../src/data/out-lock.js';
import { writeFileAtomic } from '../../src/data/cache.js';
import { train } from '../../src/train/train.js';
import { makeToneDataset, TINY_FEATURES, TINY_HYPER, tmpDir } from '../train/fixtures.js';

test('a folder is locked by one run; a live owner is named, a dead one is taken over', async () => {
  const dir = path.join(tmpDir('affexion-lock-'), 'out');
  const release = lockOutputDir(dir);
  assert.ok(existsSync(path.join(dir, LOCK_FILE)));
  assert.throws(
    () => lockOutputDir(dir),
    new RegExp(`out: .*out: another Affexion run is writing there \\(pid ${process.pid} on ${os.hostname()}`),
  );
  release();
  assert.equal(existsSync(path.join(dir, LOCK_FILE)), false);
  // Another live process on this host (our parent) holds it.
  writeFileSync(
    path.join(dir, LOCK_FILE),
    JSON.stringify({ pid: process.ppid, host: os.hostname(), started: 'earlier', command: 'train x' }),
  );
  assert.throws(() => lockOutputDir(dir), /pid \d+ .*since earlier: affexion train x/);
  // A process that has exited: its lock is stale (a crashed or killed run) and taken over.
  const gone = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  writeFileSync(
    path.join(dir, LOCK_FILE),
    JSON.stringify({ pid: Number(gone.stdout), host: os.hostname(), started: 'earlier', command: '' }),
  );
  lockOutputDir(dir)();
  // The lock goes even when the work fails; a folder the failed run created is not left behind empty.
  const fresh = path.join(path.dirname(dir), 'fresh');
  await assert.rejects(
    withOutputLock(fresh, async () => {
      throw new Error('boom');
    }),
    /boom/,
  );
  assert.equal(existsSync(fresh), false);
});

test('--out pointing at a file, and writes into a non-folder: friendly errors, no temp files left', () => {
  const base = tmpDir('affexion-out-');
  const file = path.join(base, 'model.txt');
  writeFileSync(file, 'not a folder');
  assert.throws(() => lockOutputDir(file), /out: .*model\.txt is a file, not a folder/);
  assert.throws(
    () => writeFileAtomic(path.join(file, 'config.json'), '{}'),
    /cannot write .*config\.json: .*(a part of the path is a file|exists and is not a folder)/,
  );
  mkdirSync(path.join(base, 'm'));
  writeFileAtomic(path.join(base, 'm', 'a.json'), '{}');
  assert.deepEqual(readdirSync(path.join(base, 'm')), ['a.json']);
});

test('two train runs into one --out: the second fails clearly, the first succeeds', async () => {
  const data = makeToneDataset({ perClass: 4, seed: 5 });
  const out = tmpDir();
  const run = () => train({ data, out, features: TINY_FEATURES, cacheDir: null, report: false, hyper: { ...TINY_HYPER, epochs: 1 } });
  const [a, b] = await Promise.allSettled([run(), run()]);
  assert.equal(a.status, 'fulfilled');
  assert.equal(b.status, 'rejected');
  assert.match(String((b as PromiseRejectedResult).reason), /another Affexion run is writing there/);
  assert.equal(existsSync(path.join(out, LOCK_FILE)), false);
});

test('file-system errors a user can act on are named in words, with the code kept', async () => {
  const { describeFsError } = await import('../../src/data/out-lock.js');
  const full = Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
  const e = describeFsError(full, 'cannot write m/weights.safetensors') as NodeJS.ErrnoException;
  assert.equal(e.message, 'cannot write m/weights.safetensors: no space left on the device (ENOSPC)');
  assert.equal(e.code, 'ENOSPC');
  assert.match(describeFsError(Object.assign(new Error('x'), { code: 'EACCES' }), 'w').message, /permission denied \(EACCES\)/);
});
