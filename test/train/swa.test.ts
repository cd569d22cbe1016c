import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { train } from '../../src/train/train.js';
import { resolveHyperparameters } from '../../src/model/hyperparameters.js';
import { AffexionNet } from '../../src/model/network.js';
import { readSafetensors } from '../../src/model/safetensors.js';
import { Rng } from '../../src/engine/rng.js';
import { makeToneDataset, TINY_FEATURES, TINY_HYPER, tmpDir } from './fixtures.js';

const data = makeToneDataset({ perClass: 6, seed: 11 });
const cacheDir = tmpDir('affexion-cache-');
const base = { data, features: TINY_FEATURES, cacheDir, report: false } as const;

function weights(dir: string): Map<string, Float32Array> {
  return new Map(
    [...readSafetensors(path.join(dir, 'weights.safetensors')).tensors]
      .filter(([, t]) => t.data instanceof Float32Array)
      .map(([k, t]) => [k, t.data as Float32Array]),
  );
}

test('--swa k: the model is the mean of the weights after each of the last k epochs', async () => {
  const at = async (epochs: number, swa = 0): Promise<Map<string, Float32Array>> => {
    const out = tmpDir();
    await train({ ...base, out, hyper: { ...TINY_HYPER, epochs, swa } });
    return weights(out);
  };
  const [w2, w3, avg] = [await at(2), await at(3), await at(3, 2)];
  // The trajectory is the plain run's (averaging only touches the final model), so the average is
  // exactly (W2 + W3) / 2 for every trainable tensor.
  for (const [name, a] of avg) {
    if (name.startsWith('bn.running')) continue;
    const want = Float32Array.from(a, (_, i) => (w2.get(name)![i]! + w3.get(name)![i]!) / 2);
    assert.deepEqual(a, want, name);
  }
  // BatchNorm statistics were recomputed for the averaged weights (not the last epoch's).
  assert.notDeepEqual(avg.get('bn.running_mean'), w3.get('bn.running_mean'));
  assert.ok([...avg.get('bn.running_var')!].every((v) => Number.isFinite(v) && v >= 0));
});

test('--swa: resuming inside the averaging window is bit-identical to an uninterrupted run', async () => {
  const hyper = { ...TINY_HYPER, epochs: 4, swa: 3 };
  const straight = tmpDir();
  await train({ ...base, out: straight, hyper });
  // Interrupt after epoch 3 (inside the window, with two epochs summed), then resume.
  const partial = tmpDir();
  const ac = new AbortController();
  await assert.rejects(
    train({
      ...base,
      out: partial,
      hyper,
      signal: ac.signal,
      events: {
        batch: (epoch) => {
          if (epoch === 4) ac.abort();
        },
      },
    }),
    /interrupted during epoch 4/,
  );
  await train({ ...base, out: partial, hyper, resume: true });
  assert.deepEqual(weights(partial), weights(straight));
});

test('--swa: validated against --epochs; 0 is off', () => {
  assert.throws(() => resolveHyperparameters({ epochs: 3, swa: 4 }), /swa: averages the last 4 epochs, but only 3 are trained/);
  assert.throws(() => resolveHyperparameters({ swa: -1 }), /swa: expected a non-negative integer/);
  assert.equal(resolveHyperparameters({}).swa, 0);
});

test('recomputeBatchNormStats: exact mean and unbiased variance of the BatchNorm inputs', () => {
  const cfg = {
    n_features: 6,
    conv_channels: 3,
    kernel_sizes: [3],
    lstm_hidden: 4,
    lstm_layers: 1,
    fc_hidden: 4,
    n_classes: 2,
    dropout_conv: 0,
    dropout_fc: 0,
    mask_padding: false,
  };
  const rng = new Rng(3);
  const B = 2,
    T = 7;
  const x = Float32Array.from({ length: B * T * 6 }, () => rng.normal());
  const a = new AffexionNet(cfg, { seed: 5 });
  a.recomputeBatchNormStats([{ x, B, T }]);
  // PyTorch semantics of one train-mode step from fresh statistics (momentum 0.1):
  // running_mean = 0.1·μ, running_var = 0.9 + 0.1·σ²(unbiased) — with μ, σ² over the same inputs.
  const b = new AffexionNet(cfg, { seed: 5 });
  b.forward(x, B, T, { train: true, rng: new Rng(1) });
  const sa = a.stateDict(),
    sb = b.stateDict();
  for (let c = 0; c < 3; c++) {
    assert.ok(Math.abs(sb.get('bn.running_mean')![c]! - 0.1 * sa.get('bn.running_mean')![c]!) < 1e-6);
    assert.ok(Math.abs(sb.get('bn.running_var')![c]! - (0.9 + 0.1 * sa.get('bn.running_var')![c]!)) < 1e-5);
  }
});
