/**
 * Finite-difference gradient checks of every layer (and the whole network) on tiny shapes, plus the
 * layer semantics PyTorch fixes: BatchNorm running statistics, dropout scaling, masked pooling,
 * weighted cross-entropy.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { jsKernels } from '../../src/engine/js-kernels.js';
import { Rng } from '../../src/engine/rng.js';
import { SelfAttention } from '../../src/model/layers/attention.js';
import { BatchNorm1d } from '../../src/model/layers/batchnorm.js';
import { MultiScaleConv } from '../../src/model/layers/conv.js';
import { Dropout } from '../../src/model/layers/dropout.js';
import { Linear } from '../../src/model/layers/linear.js';
import { BiLSTM } from '../../src/model/layers/lstm.js';
import { MeanPool } from '../../src/model/layers/pooling.js';
import { AffexionNet } from '../../src/model/network.js';
import { softmaxCrossEntropy } from '../../src/model/loss.js';
import { checkDirectional, checkGradient, dot64, randomArray } from './gradcheck.js';

const K = jsKernels;

test('Linear: gradients of weight, bias and input; accumulate mode adds', () => {
  const rng = new Rng(10);
  const lin = new Linear('l', 4, 3, rng, K);
  const x = randomArray(rng, 5 * 4),
    r = randomArray(rng, 5 * 3);
  const loss = () => dot64(lin.forward(x, 5), r);
  loss();
  const dx = new Float32Array(x.length);
  lin.backward(r, dx);
  checkGradient('linear W', lin.weight.value, lin.weight.grad, loss);
  checkGradient('linear b', lin.bias.value, lin.bias.grad, loss);
  checkGradient('linear x', x, dx, loss);
  const dx2 = dx.slice();
  lin.forward(x, 5);
  lin.backward(r, dx2, true);
  for (let i = 0; i < dx.length; i++) assert.ok(Math.abs(dx2[i]! - 2 * dx[i]!) < 1e-6);
});

test('MultiScaleConv: concatenated ReLU convolutions, gradients of every kernel size', () => {
  const rng = new Rng(11);
  const conv = new MultiScaleConv(3, 2, [1, 3, 5], rng, K);
  const B = 2,
    T = 6,
    x = randomArray(rng, B * T * 3),
    r = randomArray(rng, B * T * 6);
  const loss = () => dot64(conv.forward(x, B, T), r);
  loss();
  conv.backward(r);
  for (const p of conv.params()) checkGradient(p.name, p.value, p.grad, loss, { eps: 1e-3 });
  assert.deepEqual(
    conv.params().map((p) => p.name),
    ['conv1.weight', 'conv1.bias', 'conv3.weight', 'conv3.bias', 'conv5.weight', 'conv5.bias'],
  );
});

test('BatchNorm1d train mode: gradients of input, gamma, beta', () => {
  const rng = new Rng(12);
  const bn = new BatchNorm1d('bn', 3);
  bn.weight.value.set([0.5, 1.5, -1]);
  bn.bias.value.set([0.1, -0.2, 0.3]);
  const n = 7,
    x = randomArray(rng, n * 3, 2),
    r = randomArray(rng, n * 3);
  const loss = () => dot64(bn.forward(x, n, true), r);
  loss();
  const dx = new Float32Array(x.length);
  bn.backward(r, dx);
  checkGradient('bn x', x, dx, loss);
  checkGradient('bn gamma', bn.weight.value, bn.weight.grad, loss);
  checkGradient('bn beta', bn.bias.value, bn.bias.grad, loss);
});

test('BatchNorm1d: running stats use momentum 0.1 and the unbiased variance; eval uses them', () => {
  const bn = new BatchNorm1d('bn', 1);
  const x = new Float32Array([1, 2, 3, 6]); // mean 3, biased var 3.5, unbiased 14/3
  const y = bn.forward(x, 4, true);
  assert.ok(Math.abs(y[0]! - (1 - 3) / Math.sqrt(3.5 + 1e-5)) < 1e-6, 'normalised with the biased variance');
  assert.ok(Math.abs(bn.runningMean[0]! - 0.3) < 1e-7);
  assert.ok(Math.abs(bn.runningVar[0]! - (0.9 + (0.1 * 14) / 3)) < 1e-6);
  assert.equal(bn.numBatchesTracked[0], 1);
  const e = bn.forward(new Float32Array([0.3]), 1, false);
  assert.ok(Math.abs(e[0]!) < 1e-7, 'eval mode normalises with the running mean');
  assert.throws(() => bn.backward(new Float32Array(1), new Float32Array(1)), /train-mode/);
});

test('Dropout: drops about p, scales survivors by 1/(1−p), same seed same mask, identity in eval', () => {
  const d = new Dropout(0.25);
  const x = new Float32Array(20000).fill(1);
  const y = d.forward(x, true, new Rng(1)).slice();
  const zeros = y.filter((v) => v === 0).length;
  assert.ok(Math.abs(zeros / x.length - 0.25) < 0.02, `dropped fraction ${zeros / x.length}`);
  assert.ok(y.every((v) => v === 0 || Math.abs(v - 1 / 0.75) < 1e-6));
  assert.deepEqual(d.forward(x, true, new Rng(1)), y);
  const ref = new Rng(1);
  y.forEach((v, i) => assert.equal(v === 0, ref.next() < 0.25, `element ${i} dropped iff next() < p`));
  const g = d.backward(new Float32Array(x.length).fill(2));
  for (let i = 0; i < y.length; i++) assert.equal(g[i], 2 * y[i]!);
  assert.equal(d.forward(x, false, new Rng(1)), x);
});

test('MeanPool: plain and masked means, gradients', () => {
  const pool = new MeanPool(K);
  const z = new Float32Array([1, 2, 3, 10, 20, 30]); // B=2, T=3, D=1
  assert.deepEqual(Array.from(pool.forward(z, 2, 3, 1, null)), [2, 20]);
  assert.deepEqual(Array.from(pool.forward(z, 2, 3, 1, new Int32Array([2, 1]))), [1.5, 10]);
  const dz = pool.backward(new Float32Array([1, 3]), new Float32Array(6).fill(9));
  assert.deepEqual(Array.from(dz), [0.5, 0.5, 0, 3, 0, 0]);
});

test('SelfAttention: gradients of Q/K/V parameters and input, full and masked', () => {
  for (const lengths of [null, new Int32Array([4, 2])]) {
    const rng = new Rng(13);
    const att = new SelfAttention(3, rng, K);
    const B = 2,
      T = 4,
      x = randomArray(rng, B * T * 3),
      r = randomArray(rng, B * T * 3);
    if (lengths) for (let t = 2; t < T; t++) for (let e = 0; e < 3; e++) r[(T + t) * 3 + e] = 0; // pooled-out queries
    const loss = () => dot64(att.forward(x, B, T, lengths), r);
    loss();
    const dx = att.backward(r).slice();
    for (const p of att.params()) {
      if (p.name === 'key.bias') continue; // exactly zero gradient: softmax ignores a per-query constant
      checkGradient(p.name, p.value, p.grad, loss);
    }
    checkGradient('attention x', x, dx, loss);
  }
});

test('BiLSTM (2 layers): gradients of every parameter and the input, full and packed', () => {
  for (const lengths of [null, new Int32Array([5, 3])]) {
    const rng = new Rng(14);
    const lstm = new BiLSTM('lstm', 3, 2, 2, rng, K);
    const B = 2,
      T = 5,
      x = randomArray(rng, B * T * 3),
      r = randomArray(rng, B * T * 4);
    const loss = () => dot64(lstm.forward(x, B, T, lengths), r);
    loss();
    const dx = lstm.backward(r).slice();
    for (const p of lstm.params()) checkGradient(p.name, p.value, p.grad, loss);
    checkGradient('lstm x', x, dx, loss);
    assert.equal(lstm.params()[4]!.name, 'lstm.weight_ih_l0_reverse');
    assert.deepEqual(lstm.params()[8]!.shape, [8, 4], 'layer 1 input is 2H');
  }
});

test('softmaxCrossEntropy: value, gradient and PyTorch weighted mean', () => {
  const logits = new Float32Array([1, 2, 0.5, -1, 0, 3]);
  const targets = new Int32Array([1, 2]);
  const w = new Float32Array([1, 2, 0.5]);
  const nll = (row: number[], y: number) => Math.log(row.reduce((s, v) => s + Math.exp(v), 0)) - row[y]!;
  const l0 = nll([1, 2, 0.5], 1),
    l1 = nll([-1, 0, 3], 2);
  assert.ok(Math.abs(softmaxCrossEntropy(logits, targets, 3).loss - (l0 + l1) / 2) < 1e-6);
  const weighted = softmaxCrossEntropy(logits, targets, 3, w);
  assert.ok(Math.abs(weighted.loss - (2 * l0 + 0.5 * l1) / 2.5) < 1e-6, 'weighted mean divides by the sum of target weights');
  checkGradient('ce logits', logits, weighted.dLogits, () => softmaxCrossEntropy(logits, targets, 3, w).loss, { eps: 1e-3 });
  assert.throws(() => softmaxCrossEntropy(logits, new Int32Array([1, 3]), 3), /target\[1\] = 3/);
});

test('AffexionNet: whole-network gradients (masked, with dropout replayed from a fixed seed)', () => {
  const cfg = {
    n_features: 4,
    conv_channels: 2,
    kernel_sizes: [1, 3],
    lstm_hidden: 2,
    lstm_layers: 2,
    fc_hidden: 3,
    n_classes: 3,
    dropout_conv: 0.2,
    dropout_fc: 0.3,
    mask_padding: true,
  };
  const net = new AffexionNet(cfg, { seed: 5, kernels: K });
  // Sharpen the attention (default init makes it nearly uniform), so Q/K gradients are not vanishingly small.
  for (const [name, v] of net.stateDict())
    if (/^(query|key)\.weight$/.test(name))
      v.forEach((w, i) => {
        v[i] = 6 * w;
      });
  const rng = new Rng(15);
  const B = 3,
    T = 5,
    x = randomArray(rng, B * T * 4),
    lengths = new Int32Array([5, 4, 2]);
  const r = randomArray(rng, B * 3);
  const loss = () => dot64(net.forward(x, B, T, { train: true, lengths, rng: new Rng(77) }), r);
  loss();
  net.zeroGrad();
  net.backward(r);
  // Directional checks: the whole float32 forward pass (BatchNorm, two LSTM layers) adds rounding noise
  // that swamps element-wise finite differences of the smallest gradients (see checkDirectional).
  for (const p of net.parameters()) {
    if (p.name === 'key.bias') continue; // exactly zero gradient: softmax ignores a per-query constant
    checkDirectional(p.name, p.value, p.grad, loss, { eps: 1e-2, tol: 1e-2 });
  }
});
