/** Adam and StepLR against PyTorch's update rules, computed by hand here. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Adam, StepLR } from '../../src/model/optim.js';

/** PyTorch 1.13 Adam, written out in float64 for one scalar parameter. */
function torchAdam(p: number, grads: number[], lr: number, b1: number, b2: number, eps: number, wd: number): number {
  let m = 0,
    v = 0;
  grads.forEach((g0, i) => {
    const t = i + 1;
    const g = g0 + wd * p;
    m = b1 * m + (1 - b1) * g;
    v = b2 * v + (1 - b2) * g * g;
    const denom = Math.sqrt(v) / Math.sqrt(1 - b2 ** t) + eps;
    p -= ((lr / (1 - b1 ** t)) * m) / denom;
  });
  return p;
}

test('Adam follows PyTorch (bias correction, L2 weight decay) over several steps', () => {
  for (const wd of [0, 0.01]) {
    const value = new Float32Array([0.5, -1.25, 2]);
    const grad = new Float32Array(3);
    const opt = new Adam([{ name: 'w', value, grad }], { lr: 0.01, betas: [0.8, 0.99], eps: 1e-6, weightDecay: wd });
    const seq = [
      [0.1, -2, 0.003],
      [0.2, 1, -0.004],
      [-0.3, 0.5, 0.001],
    ];
    for (const g of seq) {
      grad.set(g);
      opt.step();
    }
    [0.5, -1.25, 2].forEach((p0, i) => {
      const want = torchAdam(
        p0,
        seq.map((g) => g[i]!),
        0.01,
        0.8,
        0.99,
        1e-6,
        wd,
      );
      assert.ok(Math.abs(value[i]! - want) < 1e-6, `wd=${wd} [${i}]: ${value[i]} vs ${want}`);
    });
    assert.equal(opt.stepCount, 3);
  }
});

test('Adam state round-trips (typed arrays, or plain arrays through JSON) and continues identically', () => {
  const mk = () => ({ name: 'w', value: new Float32Array([1, 2]), grad: new Float32Array([0.3, -0.1]) });
  const a = mk(),
    b = mk();
  const oa = new Adam([a], { lr: 0.1 }),
    ob = new Adam([b], { lr: 0.1 });
  oa.step();
  ob.step();
  const restored = new Adam([{ ...b, value: b.value }], { lr: 0.5 });
  const st = ob.state();
  const json = { ...st, m: { w: Array.from(st.m.w!) }, v: { w: Array.from(st.v.w!) } };
  restored.loadState(JSON.parse(JSON.stringify(json)));
  const again = new Adam([{ name: 'w', value: b.value.slice(), grad: b.grad }], { lr: 0.5 });
  again.loadState(st);
  assert.deepEqual(again.state(), st);
  oa.step();
  restored.step();
  assert.deepEqual(Array.from(a.value), Array.from(b.value));
  assert.equal(restored.lr, 0.1);
  assert.throws(
    () => new Adam([{ name: 'other', value: new Float32Array(2), grad: new Float32Array(2) }], { lr: 1 }).loadState(ob.state()),
    /'other'/,
  );
});

test('StepLR: lr = base · gamma^⌊epoch / step⌋, sets the optimizer lr', () => {
  const opt = { lr: 0.2 };
  const s = new StepLR(opt, 3, 0.1);
  const seen: number[] = [];
  for (let e = 0; e < 7; e++) {
    seen.push(opt.lr);
    s.step();
  }
  assert.deepEqual(
    seen.map((v) => +v.toPrecision(12)),
    [0.2, 0.2, 0.2, 0.02, 0.02, 0.02, 0.002],
  );
  assert.equal(s.lastEpoch, 7);
  assert.throws(() => new StepLR(opt, 0, 0.5), /step size/);
});
