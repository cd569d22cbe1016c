/**
 * Interoperability with PyTorch itself (skipped unless /usr/bin/python3 has torch, e.g. Debian's
 * python3-torch): a model directory written by Affexion after training steps (so BatchNorm running
 * statistics and the counter have moved) loads into the reference with load_state_dict(strict=True)
 * and gives the same eval-mode logits.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { jsKernels } from '../../src/engine/js-kernels.js';
import { Rng } from '../../src/engine/rng.js';
import { saveModelDir } from '../../src/model/io.js';
import { softmaxCrossEntropy } from '../../src/model/loss.js';
import { AffexionNet } from '../../src/model/network.js';
import { Adam } from '../../src/model/optim.js';
import { writeSafetensors } from '../../src/model/safetensors.js';

const PY = '/usr/bin/python3';
const hasTorch = spawnSync(PY, ['-c', 'import torch'], { stdio: 'ignore' }).status === 0;

test(
  'weights saved by Affexion load into the PyTorch reference and give the same logits',
  { skip: !hasTorch && 'no python3 with torch' },
  () => {
    const cfg = {
      n_features: 6,
      conv_channels: 4,
      kernel_sizes: [3, 5, 7],
      lstm_hidden: 5,
      lstm_layers: 2,
      fc_hidden: 7,
      n_classes: 3,
      dropout_conv: 0.2,
      dropout_fc: 0.3,
      mask_padding: true,
    };
    const net = new AffexionNet(cfg, { seed: 11, kernels: jsKernels });
    const rng = new Rng(12);
    const B = 3,
      T = 20;
    const x = rng.fillNormal(new Float32Array(B * T * cfg.n_features));
    const lengths = new Int32Array([20, 13, 6]);
    const targets = new Int32Array([0, 2, 1]);
    const opt = new Adam(net.parameters(), { lr: 0.01 });
    for (let s = 0; s < 3; s++) {
      net.zeroGrad();
      const { dLogits } = softmaxCrossEntropy(net.forward(x, B, T, { train: true, lengths }), targets, cfg.n_classes);
      net.backward(dLogits);
      opt.step();
    }
    const dir = mkdtempSync(path.join(tmpdir(), 'affx-torch-'));
    saveModelDir(dir, { net, labels: ['a', 'b', 'c'] });
    const inputs = path.join(dir, 'inputs.safetensors');
    writeSafetensors(inputs, {
      input: { shape: [B, T, cfg.n_features], data: x },
      lengths: { shape: [B], data: BigInt64Array.from(lengths, BigInt) },
    });
    const r = spawnSync(PY, [path.resolve('test/model/torch_load.py'), dir, inputs], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    const out = JSON.parse(r.stdout) as { logits: number[][]; num_batches_tracked: number };
    assert.equal(out.num_batches_tracked, 3);
    const ours = net.forward(x, B, T, { train: false, lengths });
    out.logits.flat().forEach((v, i) => assert.ok(Math.abs(v - ours[i]!) < 1e-4, `logit ${i}: torch ${v} vs ours ${ours[i]}`));
  },
);
