/** The seeded generator: determinism, state snapshots, and the distributions it promises. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../../src/engine/rng.js';

test('same seed, same sequence; different seeds differ', () => {
  const a = new Rng(42),
    b = new Rng(42),
    c = new Rng(43);
  const sa = Array.from({ length: 50 }, () => a.next());
  assert.deepEqual(
    sa,
    Array.from({ length: 50 }, () => b.next()),
  );
  assert.notDeepEqual(
    sa,
    Array.from({ length: 50 }, () => c.next()),
  );
  assert.ok(sa.every((v) => v >= 0 && v < 1));
});

test('state() snapshots resume exactly, through JSON, including the cached normal', () => {
  const r = new Rng(7);
  r.normal(); // leaves a cached second deviate
  const snap = JSON.parse(JSON.stringify(r.state()));
  const want = [r.normal(), r.next(), r.int(10), r.normal()];
  const s = Rng.fromState(snap);
  assert.deepEqual([s.normal(), s.next(), s.int(10), s.normal()], want);
  assert.throws(() => s.setState({ s: [1, 2, 3], spare: null } as never), /four uint32/);
});

test('uniform mean/variance, normal mean/variance, unbiased int range', () => {
  const r = new Rng(1);
  const n = 100000;
  let s = 0,
    s2 = 0,
    ns = 0,
    ns2 = 0;
  const counts = new Array(7).fill(0);
  for (let i = 0; i < n; i++) {
    const u = r.next();
    s += u;
    s2 += u * u;
    const z = r.normal();
    ns += z;
    ns2 += z * z;
    counts[r.int(7)]++;
  }
  assert.ok(Math.abs(s / n - 0.5) < 0.005 && Math.abs(s2 / n - (s * s) / n / n - 1 / 12) < 0.002);
  assert.ok(Math.abs(ns / n) < 0.015 && Math.abs(ns2 / n - 1) < 0.02);
  for (const c of counts) assert.ok(Math.abs(c / n - 1 / 7) < 0.006);
  assert.throws(() => r.int(0), /n must be/);
  assert.throws(() => new Rng(NaN), /seed/);
});

test('fillUint32 gives exactly the nextUint32 sequence and leaves the same state', () => {
  const a = new Rng(5),
    b = new Rng(5);
  a.next();
  b.next();
  const bulk = a.fillUint32(new Uint32Array(1000));
  for (let i = 0; i < 1000; i++) assert.equal(bulk[i], b.nextUint32(), `draw ${i}`);
  assert.deepEqual(a.state(), b.state());
});
