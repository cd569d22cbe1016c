/** Hyper-parameters stored with a trained model are range-checked at load, before any buffer is sized by them. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { jsKernels } from '../../src/engine/js-kernels.js';
import { saveModelDir } from '../../src/model/io.js';
import { AffexionNet } from '../../src/model/network.js';
import { loadTrainedModel } from '../../src/model/model-dir.js';
import { resolveHyperparameters } from '../../src/model/hyperparameters.js';

test("max_len 1e7 / 1e9 in a model's config.json: a clear error naming the field and file, in milliseconds", () => {
  const cfg = {
    n_features: 6,
    conv_channels: 3,
    kernel_sizes: [3],
    lstm_hidden: 4,
    lstm_layers: 1,
    fc_hidden: 5,
    n_classes: 2,
    dropout_conv: 0,
    dropout_fc: 0,
    mask_padding: false,
  };
  for (const maxLen of [1e7, 1e9, 2.5]) {
    const dir = mkdtempSync(path.join(tmpdir(), 'affx-maxlen-'));
    saveModelDir(dir, {
      net: new AffexionNet(cfg, { kernels: jsKernels }),
      labels: ['a', 'b'],
      featureParams: { sr: 16000, nMfcc: 2, nFft: 512, hopLength: 160, nMels: 20 },
      normalization: { mode: 'utterance' },
      training: { loudness: 'none', hyperparameters: { max_len: maxLen } },
    });
    const t0 = Date.now();
    assert.throws(
      () => loadTrainedModel(dir),
      new RegExp(`config\\.json: 'training\\.hyperparameters\\.max_len': expected (at most 30000|a positive integer), got ${maxLen}`),
    );
    assert.ok(Date.now() - t0 < 1000);
  }
  // The CLI's own options are bounded the same way, and named as options.
  assert.throws(() => resolveHyperparameters({ max_len: 1e9 }), /max_len: expected at most 30000, got 1000000000/);
  assert.throws(() => resolveHyperparameters({ batch_size: 1e6 }), /batch_size: expected at most 4096/);
});
