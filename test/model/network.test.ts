/** AffexionNet structure: PyTorch names/shapes/order, PyTorch-style seeded initialisation, input checks. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { jsKernels } from '../../src/engine/js-kernels.js';
import { PAPER_CONFIG } from '../../src/model/config.js';
import { AffexionNet } from '../../src/model/network.js';
import { softmaxCrossEntropy } from '../../src/model/loss.js';
import { Adam } from '../../src/model/optim.js';
import { readSafetensors } from '../../src/model/safetensors.js';
import { GOLDEN_DIR } from './golden.js';

test('paper network: state_dict names, order and shapes equal the PyTorch reference', () => {
  const net = new AffexionNet({ ...PAPER_CONFIG, dropout_conv: 0, dropout_fc: 0 }, { kernels: jsKernels });
  const ref = readSafetensors(path.join(GOLDEN_DIR, 'paper-size', 'weights.safetensors')).tensors;
  assert.deepEqual(
    [...net.stateShapes()],
    [...ref].map(([k, t]) => [k, t.shape]),
  );
  const nParams = net.numParameters();
  const refParams = [...ref]
    .filter(([k]) => !k.startsWith('bn.running') && !k.endsWith('tracked'))
    .reduce((a, [, t]) => a + t.data.length, 0);
  assert.equal(nParams, refParams);
});

test('initialisation: seeded, PyTorch default distributions', () => {
  const a = new AffexionNet(PAPER_CONFIG, { seed: 1, kernels: jsKernels }),
    b = new AffexionNet(PAPER_CONFIG, { seed: 1, kernels: jsKernels });
  const c = new AffexionNet(PAPER_CONFIG, { seed: 2, kernels: jsKernels });
  const sa = a.stateDict(),
    sb = b.stateDict(),
    sc = c.stateDict();
  for (const [k, v] of sa) assert.deepEqual(v, sb.get(k), `same seed, same ${k}`);
  assert.notDeepEqual(sa.get('fc1.weight'), sc.get('fc1.weight'));
  const bound = (k: string, fanIn: number) => {
    const v = sa.get(k)!,
      m = v.reduce((x, y) => Math.max(x, Math.abs(y)), 0);
    const bnd = 1 / Math.sqrt(fanIn);
    assert.ok(m <= bnd && m > 0.95 * bnd, `${k}: max |w| ${m} vs bound ${bnd}`);
    const mean = v.reduce((x, y) => x + y, 0) / v.length;
    assert.ok(Math.abs(mean) < 0.1 * bnd, `${k}: mean ${mean} should be ≈ 0`);
  };
  bound('conv3.weight', 75 * 3);
  bound('conv7.bias', 75 * 7);
  bound('lstm.weight_ih_l0', 128);
  bound('lstm.bias_hh_l1_reverse', 128);
  bound('query.weight', 256);
  bound('fc2.weight', 128);
  assert.ok(sa.get('bn.weight')!.every((v) => v === 1) && sa.get('bn.bias')!.every((v) => v === 0));
  assert.ok(sa.get('bn.running_var')!.every((v) => v === 1) && sa.get('bn.running_mean')!.every((v) => v === 0));
  assert.equal(sa.get('bn.num_batches_tracked')![0], 0);
});

test('bad inputs and mismatched state dicts give clear errors', () => {
  const cfg = { ...PAPER_CONFIG, n_features: 4, conv_channels: 2, lstm_hidden: 2, fc_hidden: 3, n_classes: 2 };
  const net = new AffexionNet(cfg, { kernels: jsKernels });
  assert.throws(() => net.forward(new Float32Array(10), 1, 3, { train: false }), /expected B·T·F = 1·3·4 = 12/);
  const masked = new AffexionNet({ ...cfg, mask_padding: true }, { kernels: jsKernels });
  assert.throws(() => masked.forward(new Float32Array(12), 1, 3, { train: false, lengths: new Int32Array([4]) }), /lengths\[0\] = 4/);
  assert.throws(() => net.backward(new Float32Array(2)), /train-mode/);
  const sd = new Map(net.stateDict());
  sd.delete('fc2.bias');
  sd.set('fc3.weight', new Float32Array(1));
  sd.set('fc1.weight', new Float32Array(5));
  assert.throws(
    () => net.loadStateDict(sd, 'w.safetensors'),
    /w\.safetensors does not fit.*'fc1\.weight' has 5 values.*missing 'fc2\.bias'.*unexpected 'fc3\.weight'/,
  );
  assert.throws(() => new AffexionNet({ ...cfg, kernel_sizes: [3, 4] }, { kernels: jsKernels }), /odd/);
  assert.throws(() => new AffexionNet({ ...cfg, dropout_fc: 1.5 }, { kernels: jsKernels }), /dropout_fc/);
});

test('mask_padding: lengths are used only when the architecture masks padding', () => {
  const cfg = { ...PAPER_CONFIG, n_features: 3, conv_channels: 2, lstm_hidden: 2, fc_hidden: 3, n_classes: 2 };
  const x = Float32Array.from({ length: 2 * 6 * 3 }, (_, i) => Math.sin(i));
  const lengths = new Int32Array([6, 3]);
  const plain = new AffexionNet(cfg, { seed: 3, kernels: jsKernels });
  assert.deepEqual(plain.forward(x, 2, 6, { train: false, lengths }), plain.forward(x, 2, 6, { train: false }));
  const masked = new AffexionNet({ ...cfg, mask_padding: true }, { seed: 3, kernels: jsKernels });
  const m = masked.forward(x, 2, 6, { train: false, lengths });
  const u = masked.forward(x, 2, 6, { train: false });
  assert.deepEqual(Array.from(m.subarray(0, 2)), Array.from(u.subarray(0, 2)), 'a full-length clip is unaffected');
  assert.notDeepEqual(Array.from(m.subarray(2)), Array.from(u.subarray(2)), 'a padded clip changes');
});

test('training is deterministic for a seed (init, dropout, Adam): two runs give identical weights', () => {
  const cfg = { ...PAPER_CONFIG, n_features: 3, conv_channels: 2, lstm_hidden: 2, fc_hidden: 3, n_classes: 2 };
  const run = (seed: number) => {
    const net = new AffexionNet(cfg, { seed, kernels: jsKernels });
    const opt = new Adam(net.parameters(), { lr: 0.01 });
    const x = Float32Array.from({ length: 2 * 6 * 3 }, (_, i) => Math.sin(i * 1.3));
    for (let s = 0; s < 3; s++) {
      net.zeroGrad();
      net.backward(softmaxCrossEntropy(net.forward(x, 2, 6, { train: true }), new Int32Array([0, 1]), 2).dLogits);
      opt.step();
    }
    return net.stateDict();
  };
  const a = run(4),
    b = run(4),
    c = run(5);
  for (const [k, v] of a) assert.deepEqual(v, b.get(k), k);
  assert.notDeepEqual(a.get('fc2.weight'), c.get('fc2.weight'));
});

test('releaseActivations frees the training buffers without changing what the network computes or learns next', () => {
  const cfg = { ...PAPER_CONFIG, n_features: 3, conv_channels: 2, lstm_hidden: 2, fc_hidden: 3, n_classes: 2 };
  const x = Float32Array.from({ length: 2 * 6 * 3 }, (_, i) => Math.sin(i * 1.3));
  const run = (release: boolean) => {
    const net = new AffexionNet(cfg, { seed: 4, kernels: jsKernels });
    const opt = new Adam(net.parameters(), { lr: 0.01 });
    const logits: Float32Array[] = [];
    for (let s = 0; s < 3; s++) {
      net.zeroGrad();
      net.backward(softmaxCrossEntropy(net.forward(x, 2, 6, { train: true }), new Int32Array([0, 1]), 2).dLogits);
      opt.step();
      if (release) net.releaseActivations();
      logits.push(Float32Array.from(net.forward(x, 2, 6, { train: false })));
      if (release) net.releaseActivations();
    }
    return { weights: net.stateDict(), logits };
  };
  const kept = run(false);
  const released = run(true);
  for (const [k, v] of kept.weights) assert.deepEqual(released.weights.get(k), v, k);
  assert.deepEqual(released.logits, kept.logits);
  // backward right after a release has nothing to differentiate: it says so instead of using stale buffers.
  const net = new AffexionNet(cfg, { seed: 4, kernels: jsKernels });
  net.forward(x, 2, 6, { train: true });
  net.releaseActivations();
  assert.throws(() => net.backward(new Float32Array(4)));
});
