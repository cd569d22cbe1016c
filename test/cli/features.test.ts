/**
 * `affexion features` as a user runs it (spawned through tsx): JSON lines in librosa's layout matching
 * the golden, .npy output numpy can read, and clear errors.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Command } from 'commander';
import { register } from '../../src/cli/commands/features.js';
import { cliMessage } from '../../src/cli/options.js';
import { GOLDEN_DIR, loadGolden } from '../features/golden.js';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../..');
function affexion(...args: string[]) {
  return spawnSync(process.execPath, ['--import', 'tsx', path.join(root, 'src/cli/main.ts'), ...args], {
    cwd: root,
    encoding: 'utf8',
    maxBuffer: 64 << 20,
  });
}

test('features --format json: one object per file per line, librosa layout and values', () => {
  const sine = path.join(GOLDEN_DIR, 'sine440_16k.wav');
  const noise = path.join(GOLDEN_DIR, 'noise_16k.wav');
  const r = affexion('features', sine, noise, '--format', 'json');
  assert.equal(r.status, 0, r.stderr);
  const lines = r.stdout
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { file: string; sr: number; shape: [number, number]; features: number[][] });
  assert.equal(lines.length, 2);
  for (const [i, name] of ['sine440_16k', 'noise_16k'].entries()) {
    const want = loadGolden(name).variants.find((v) => v.params.hop_length === 160)!.features;
    const got = lines[i];
    assert.equal(got.sr, 16000);
    assert.deepEqual(got.shape, want.shape);
    assert.equal(got.features.length, want.shape[0]);
    for (let row = 0; row < want.shape[0]; row++) {
      for (let t = 0; t < want.shape[1]; t++)
        assert.ok(Math.abs(got.features[row][t] - want.data[row][t]) <= 1e-3, `${name} [${row}][${t}]`);
    }
  }
});

test('features --format npy writes a NumPy file (header and data)', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'affexion-npy-'));
  const out = path.join(dir, 'sine.npy');
  const r = affexion('features', path.join(GOLDEN_DIR, 'sine440_16k.wav'), '--format', 'npy', '--out', out);
  assert.equal(r.status, 0, r.stderr);
  const b = readFileSync(out);
  assert.equal(b.subarray(0, 6).toString('latin1'), '\x93NUMPY');
  const hlen = b.readUInt16LE(8);
  assert.equal((10 + hlen) % 64, 0, 'data is 64-byte aligned');
  assert.match(b.subarray(10, 10 + hlen).toString('latin1'), /^\{'descr': '<f4', 'fortran_order': False, 'shape': \(75, 101\), \} *\n$/);
  const data = new Float32Array(b.buffer.slice(b.byteOffset + 10 + hlen, b.byteOffset + b.length));
  assert.equal(data.length, 75 * 101);
  const want = loadGolden('sine440_16k').variants[0].features.data;
  assert.ok(Math.abs(data[0] - want[0][0]) <= 1e-3 && Math.abs(data[74 * 101 + 100] - want[74][100]) <= 1e-3);
});

test('features: bad files and options fail with messages naming them', () => {
  const r = affexion('features', '/no/such/file.wav', path.join(GOLDEN_DIR, 'sine440_16k.wav'));
  assert.equal(r.status, 1);
  assert.match(r.stderr, /\/no\/such\/file\.wav: file not found/);
  assert.equal(r.stdout.trim().split('\n').length, 1, 'the readable file is still processed');
});

test('features: option errors name the option (in-process)', async () => {
  const run = async (...args: string[]) => {
    const program = new Command().exitOverride();
    register(program);
    await program.parseAsync(['node', 'affexion', 'features', ...args]);
  };
  await assert.rejects(run('x.wav', '--n-fft', 'abc'), /--n-fft: expected an integer, got "abc"/);
  // The flags come from cli/options.ts; the range checks are the library's, named by flag.
  await assert.rejects(run('x.wav', '--hop-length', '0'), (e: unknown) => /^--hop-length: /.test(cliMessage(e, 'features')));
  await assert.rejects(run('x.wav', '--fmin', '-1'), (e: unknown) => /^--fmin: must be ≥ 0, got -1/.test(cliMessage(e, 'features')));
  await assert.rejects(run('x.wav', '--delta-width', '4'), (e: unknown) =>
    /^--delta-width: must be an odd integer/.test(cliMessage(e, 'features')),
  );
  await assert.rejects(run('x.wav', '--format', 'npy'), /--format npy needs --out/);
  await assert.rejects(run('x.wav', '--format', 'csv'), /--format: expected json or npy, got 'csv'/);
  await assert.rejects(run('x.wav', '--n-mfcc', '200'), (e: unknown) =>
    /^--n-mfcc: 200 must not exceed nMels/.test(cliMessage(e, 'features')),
  );
});
