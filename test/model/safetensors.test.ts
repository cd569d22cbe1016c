/** safetensors: round trips, the reference writer's files, and clear errors on malformed files. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { encodeSafetensors, parseSafetensors, readSafetensors, toInt32, writeSafetensors } from '../../src/model/safetensors.js';
import { GOLDEN_DIR } from './golden.js';

test('round trip of F32 / I64 / scalar tensors with metadata, 8-byte aligned data', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'affx-st-'));
  const file = path.join(dir, 'a.safetensors');
  const a = new Float32Array([1.5, -2, 3e-8, 4, 5, 6]);
  writeSafetensors(
    file,
    {
      a: { shape: [2, 3], data: a },
      n: { shape: [], data: new BigInt64Array([7n]) },
      i: { shape: [2], data: new BigInt64Array([-1n, 2n ** 40n]) },
    },
    { note: 'x' },
  );
  const { tensors, metadata } = readSafetensors(file);
  assert.deepEqual(metadata, { note: 'x' });
  assert.deepEqual(tensors.get('a'), { dtype: 'F32', shape: [2, 3], data: a });
  assert.deepEqual(tensors.get('n')!.shape, []);
  assert.equal((tensors.get('n')!.data as BigInt64Array)[0], 7n);
  assert.equal((tensors.get('i')!.data as BigInt64Array)[1], 2n ** 40n);
  assert.throws(() => toInt32(tensors.get('i')!, 'i'), /does not fit/);
  const bytes = encodeSafetensors({ a: { shape: [6], data: a } });
  const hlen = Number(new DataView(bytes.buffer).getBigUint64(0, true));
  assert.equal((8 + hlen) % 8, 0);
});

test('reads the files written by the PyTorch reference', () => {
  const { tensors } = readSafetensors(path.join(GOLDEN_DIR, 'small', 'weights.safetensors'));
  assert.deepEqual(tensors.get('conv5.weight')!.shape, [8, 15, 5]);
  assert.equal(tensors.get('bn.num_batches_tracked')!.dtype, 'I64');
  assert.deepEqual(tensors.get('lstm.weight_hh_l1_reverse')!.shape, [24, 6]);
});

test('malformed files give errors naming the file and the problem', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'affx-st-'));
  assert.throws(() => readSafetensors(path.join(dir, 'missing.safetensors')), /missing\.safetensors: cannot read.*ENOENT/);
  const good = encodeSafetensors({ a: { shape: [2], data: new Float32Array([1, 2]) } });
  assert.throws(() => parseSafetensors(good.slice(0, good.length - 4), 'cut.st'), /cut\.st: .*data_offsets/);
  assert.throws(() => parseSafetensors(good.slice(0, 5), 'tiny.st'), /tiny\.st: .*8-byte/);
  const bad = Buffer.from(good);
  const hlen = Number(bad.readBigUInt64LE(0));
  const header = bad
    .subarray(8, 8 + hlen)
    .toString()
    .replace('F32', 'F16');
  bad.write(header, 8);
  const f = path.join(dir, 'f16.safetensors');
  writeFileSync(f, bad);
  assert.throws(() => readSafetensors(f), /f16\.safetensors: .*dtype F16/);
  assert.throws(() => encodeSafetensors({ a: { shape: [3], data: new Float32Array(2) } }), /shape \[3\] but 2 values/);
});
