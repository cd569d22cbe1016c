/**
 * A model directory is input like any other: every config.json field is range-checked at load (naming
 * the field and file, before anything is allocated), and statistics or weights that would make every
 * prediction the same (std 0, NaN) are refused.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { jsKernels } from '../../src/engine/js-kernels.js';
import { PAPER_CONFIG, parseConfig } from '../../src/model/config.js';
import { loadModelDir, saveModelDir } from '../../src/model/io.js';
import { AffexionNet } from '../../src/model/network.js';
import { readSafetensors, writeSafetensors } from '../../src/model/safetensors.js';

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

function modelDir(): { dir: string; conf: Record<string, unknown>; write: (c: unknown) => void } {
  const dir = mkdtempSync(path.join(tmpdir(), 'affx-config-'));
  saveModelDir(dir, {
    net: new AffexionNet(cfg, { kernels: jsKernels }),
    labels: ['a', 'b'],
    featureParams: { sr: 16000, nMfcc: 2, nFft: 512, hopLength: 160, nMels: 20 },
    normalization: { mode: 'global', mean: [0, 0, 0, 0, 0, 0], std: [1, 1, 1, 1, 1, 1] },
  });
  const conf = JSON.parse(readFileSync(path.join(dir, 'config.json'), 'utf8')) as Record<string, unknown>;
  return { dir, conf, write: (c) => writeFileSync(path.join(dir, 'config.json'), JSON.stringify(c)) };
}

test('architecture sizes are bounded: huge values fail at once, naming the field and the file', () => {
  const { dir, conf, write } = modelDir();
  const arch = conf.architecture as Record<string, unknown>;
  for (const [field, value] of [
    ['conv_channels', 1e7],
    ['lstm_hidden', 1e9],
    ['n_classes', 0],
    ['fc_hidden', 2.5],
    ['dropout_fc', 1.5],
    ['kernel_sizes', [4]],
  ] as const) {
    write({ ...conf, architecture: { ...arch, [field]: value } });
    const t0 = Date.now();
    assert.throws(
      () => loadModelDir(dir, { kernels: jsKernels }),
      new RegExp(`config\\.json \\(architecture\\): '${field}(\\.0)?' .*got`),
      field,
    );
    assert.ok(Date.now() - t0 < 1000, `${field}: ${Date.now() - t0} ms`);
  }
  write({ ...conf, architecture: { ...arch, hidden_size: 3 } });
  assert.throws(() => loadModelDir(dir, { kernels: jsKernels }), /unknown key\(s\) 'hidden_size'/);
});

test("the reference's constructor arguments are accepted as they are: defaults fill what is left out, dropout 1 is legal", () => {
  assert.deepEqual(parseConfig({}), { ...PAPER_CONFIG, kernel_sizes: [3, 5, 7] });
  const c = parseConfig({ n_classes: 6, kernel_sizes: [5, 9], dropout_conv: 1 });
  assert.equal(c.n_classes, 6);
  assert.deepEqual(c.kernel_sizes, [5, 9]);
  assert.equal(c.dropout_conv, 1);
  assert.equal(c.lstm_hidden, PAPER_CONFIG.lstm_hidden);
  assert.equal(c.mask_padding, false);
});

test('normalisation statistics of 0 or non-numbers, NaN weights and bad feature parameters are refused at load', () => {
  const { dir, conf, write } = modelDir();
  const norm = conf.normalization as { mean: number[]; std: number[] };
  write({ ...conf, normalization: { ...norm, std: [1, 1, 0, 1, 1, 1] } });
  assert.throws(
    () => loadModelDir(dir, { kernels: jsKernels }),
    /config\.json: 'normalization\.std\[2\]' must be a finite number > 0, got 0/,
  );
  write({ ...conf, normalization: { ...norm, mean: [0, null, 0, 0, 0, 0] } });
  assert.throws(() => loadModelDir(dir, { kernels: jsKernels }), /'normalization\.mean\[1\]' must be a finite number, got null/);
  write({ ...conf, feature_params: { ...(conf.feature_params as object), hopLength: 0 } });
  assert.throws(() => loadModelDir(dir, { kernels: jsKernels }), /config\.json: 'feature_params': hopLength: must be a positive integer/);
  write(conf);
  loadModelDir(dir, { kernels: jsKernels });
  const file = path.join(dir, 'weights.safetensors');
  const t = readSafetensors(file).tensors;
  const w = t.get('fc2.weight')!;
  const data = Float32Array.from(w.data as Float32Array);
  data[3] = NaN;
  t.set('fc2.weight', { ...w, data });
  writeSafetensors(file, t);
  assert.throws(
    () => loadModelDir(dir, { kernels: jsKernels }),
    /weights\.safetensors: non-finite weights in tensor 'fc2\.weight' \(NaN at index 3\)/,
  );
});
