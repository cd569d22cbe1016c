/** Model directories, PyTorch weight import and raw-feature prediction (the CLI over them: test/cli/model.test.ts). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { jsKernels } from '../../src/engine/js-kernels.js';
import { importTorchModel, loadModelDir, saveModelDir, MODEL_FORMAT_VERSION } from '../../src/model/io.js';
import { AffexionNet } from '../../src/model/network.js';
import { predictRaw } from '../../src/model/predict.js';
import { readSafetensors, writeSafetensors } from '../../src/model/safetensors.js';
import { GOLDEN_DIR, loadGolden } from './golden.js';

const tmp = () => mkdtempSync(path.join(tmpdir(), 'affx-model-'));
const cfg = {
  n_features: 5,
  conv_channels: 3,
  kernel_sizes: [3, 5],
  lstm_hidden: 4,
  lstm_layers: 1,
  fc_hidden: 6,
  n_classes: 3,
  dropout_conv: 0.1,
  dropout_fc: 0.2,
  mask_padding: true,
};

test('saveModelDir → loadModelDir round-trips weights, buffers and metadata', () => {
  const net = new AffexionNet(cfg, { seed: 9, kernels: jsKernels });
  const x = Float32Array.from({ length: 2 * 7 * 5 }, (_, i) => Math.cos(i * 0.7));
  net.forward(x, 2, 7, { train: true }); // moves the BatchNorm running stats and counter
  const dir = tmp();
  const normalization = { mode: 'global' as const, mean: [0, 1, 2, 3, 4], std: [1, 1, 1, 1, 2] };
  saveModelDir(dir, {
    net,
    labels: ['calm', 'panic', 'boredom'],
    featureParams: { sr: 16000, nMfcc: 25, nFft: 2048, hopLength: 160, nMels: 128 },
    normalization,
    training: { epochs: 3 },
  });
  const m = loadModelDir(dir, { kernels: jsKernels });
  assert.deepEqual(m.labels, ['calm', 'panic', 'boredom']);
  assert.deepEqual(m.normalization, normalization);
  assert.deepEqual(m.training, { epochs: 3 });
  assert.equal(m.formatVersion, MODEL_FORMAT_VERSION);
  assert.deepEqual(m.config, net.config);
  for (const [k, v] of net.stateDict()) assert.deepEqual(m.net.stateDict().get(k), v, k);
  assert.equal(m.net.stateDict().get('bn.num_batches_tracked')![0], 1);
  const w = readSafetensors(path.join(dir, 'weights.safetensors')).tensors;
  assert.equal(w.get('bn.num_batches_tracked')!.dtype, 'I64', 'as in PyTorch, so load_state_dict accepts it');
  assert.deepEqual(predictRaw(m, x, 2, 7).logits, net.forward(x, 2, 7, { train: false }));
});

test('loading says clearly what does not fit', () => {
  const net = new AffexionNet(cfg, { kernels: jsKernels });
  const dir = tmp();
  saveModelDir(dir, { net, labels: ['a', 'b', 'c'] });
  const conf = JSON.parse(readFileSync(path.join(dir, 'config.json'), 'utf8'));
  writeFileSync(path.join(dir, 'config.json'), JSON.stringify({ ...conf, architecture: { ...conf.architecture, lstm_hidden: 5 } }));
  assert.throws(
    () => loadModelDir(dir, { kernels: jsKernels }),
    /weights\.safetensors does not fit the architecture.*'lstm\.weight_ih_l0' is \[16,6\], the architecture needs \[20,6\]/,
  );
  writeFileSync(path.join(dir, 'config.json'), JSON.stringify({ ...conf, format_version: MODEL_FORMAT_VERSION + 1 }));
  assert.throws(() => loadModelDir(dir, { kernels: jsKernels }), /newer than this Affexion supports/);
  writeFileSync(path.join(dir, 'config.json'), JSON.stringify({ ...conf, labels: ['a'] }));
  assert.throws(() => loadModelDir(dir, { kernels: jsKernels }), /'labels' must list 3 class names/);
  assert.throws(() => loadModelDir(path.join(dir, 'nope'), { kernels: jsKernels }), /not a model directory: config\.json is missing/);
  assert.throws(
    () => loadModelDir(path.join(GOLDEN_DIR, 'small'), { kernels: jsKernels }),
    /small\/config\.json: not an Affexion model config/,
  );
  const t = readSafetensors(path.join(dir, 'weights.safetensors')).tensors;
  t.delete('fc1.bias');
  writeSafetensors(path.join(dir, 'w2.safetensors'), t);
  assert.throws(() => importTorchModel(path.join(dir, 'w2.safetensors'), cfg, tmp(), { kernels: jsKernels }), /missing 'fc1\.bias' \[6\]/);
});

test('importTorchModel + predictRaw reproduce the PyTorch golden (small-masked), lengths checked', () => {
  const g = loadGolden('small-masked');
  const dir = tmp();
  importTorchModel(path.join(g.dir, 'weights.safetensors'), g.config, dir, { kernels: jsKernels });
  const p = predictRaw(dir, g.input, g.B, g.T, g.lengths, { batchSize: 2, kernels: jsKernels });
  const ref = g.t('probs_eval');
  p.probs.forEach((v, i) => assert.ok(Math.abs(v - ref[i]!) < 1e-4));
  const plainDir = tmp();
  importTorchModel(path.join(g.dir, 'weights.safetensors'), { ...g.config, mask_padding: false }, plainDir, { kernels: jsKernels });
  // PyTorch semantics: the reference's forward(x, lengths) masks whenever lengths are passed, whatever
  // the model was built with — so lengths given to any imported model are applied.
  const plain = predictRaw(plainDir, g.input, g.B, g.T, g.lengths, { kernels: jsKernels });
  plain.probs.forEach((v, i) => assert.ok(Math.abs(v - ref[i]!) < 1e-4, `prob ${i}`));
});
