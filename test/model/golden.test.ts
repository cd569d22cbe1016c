/**
 * AffexionNet against PyTorch: every golden case of /work/shared/golden/model (written by the reference
 * implementation in float64), on every available backend. Small cases run on the JS reference and the
 * native engine; paper-size (T = 1000) runs on the native engine only, or on JS when
 * AFFEXION_TEST_PAPER_JS=1 (slow, ~a minute).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Kernels } from '../../src/engine/kernels.js';
import { jsKernels } from '../../src/engine/js-kernels.js';
import { AffexionNet } from '../../src/model/network.js';
import { softmaxCrossEntropy, softmax } from '../../src/model/loss.js';
import { Adam, StepLR } from '../../src/model/optim.js';
import { loadGolden, type GoldenCase } from './golden.js';
import { nativeBackend } from './backends.js';

function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  assert.equal(a.length, b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}
const maxAbs = (a: Float32Array) => a.reduce((m, v) => Math.max(m, Math.abs(v)), 0);

function checkCase(g: GoldenCase, kernels: Kernels): void {
  const net = new AffexionNet(g.config, { kernels });
  net.loadStateDict(g.weights, `${g.dir}/weights.safetensors`);
  const opts = { lengths: g.lengths };

  // eval mode: running BatchNorm statistics, no dropout
  const logitsEval = net.forward(g.input, g.B, g.T, { ...opts, train: false });
  assert.ok(maxAbsDiff(logitsEval, g.t('logits_eval')) <= 1e-4, `eval logits differ by ${maxAbsDiff(logitsEval, g.t('logits_eval'))}`);
  const probs = softmax(logitsEval, g.config.n_classes);
  assert.ok(maxAbsDiff(probs, g.t('probs_eval')) <= 1e-4, 'eval probabilities');

  // train mode: batch statistics (dropout is 0 in the goldens)
  const logitsTrain = net.forward(g.input, g.B, g.T, { ...opts, train: true });
  assert.ok(maxAbsDiff(logitsTrain, g.t('logits_train')) <= 1e-4, `train logits differ by ${maxAbsDiff(logitsTrain, g.t('logits_train'))}`);
  const { loss, dLogits } = softmaxCrossEntropy(logitsTrain, g.target, g.config.n_classes);
  assert.ok(Math.abs(loss - g.t('loss_train')[0]!) <= 1e-5, `loss ${loss} vs ${g.t('loss_train')[0]}`);

  net.zeroGrad();
  net.backward(dLogits);
  const params = net.parameters();
  assert.equal(
    params.length,
    [...g.weights.keys()].filter((k) => !k.startsWith('bn.running') && !k.endsWith('num_batches_tracked')).length,
  );
  for (const p of params) {
    const ref = g.t(`grad.${p.name}`);
    // key.bias's exact gradient is 0 (softmax ignores a per-query constant), so floor its scale.
    const scale = Math.max(maxAbs(ref), 1e-6);
    const rel = maxAbsDiff(p.grad, ref) / scale;
    assert.ok(rel <= 1e-3, `grad of ${p.name}: max error ${rel.toExponential(2)} of its largest magnitude ${scale.toExponential(2)}`);
  }

  // BatchNorm running statistics after that one train-mode forward (momentum 0.1, unbiased variance)
  const sd = net.stateDict();
  for (const k of ['bn.running_mean', 'bn.running_var']) {
    assert.ok(maxAbsDiff(sd.get(k)!, g.t(`after_step.${k}`)) <= 1e-5, `${k} after the step`);
  }
  assert.equal(sd.get('bn.num_batches_tracked')![0], 1 + g.weights.get('bn.num_batches_tracked')![0]!);

  // one Adam step (PyTorch defaults: betas 0.9/0.999, eps 1e-8)
  const o = g.raw.optimizer;
  const opt = new Adam(params, { lr: o.lr, betas: o.betas, eps: o.eps });
  opt.step();
  for (const p of params) {
    const d = maxAbsDiff(p.value, g.t(`after_step.${p.name}`));
    assert.ok(d <= 1e-5, `${p.name} after one Adam step differs by ${d}`);
  }
}

const native = await nativeBackend();
const backends = native ? [jsKernels, native] : [jsKernels];

for (const name of ['small', 'small-masked']) {
  for (const k of backends) {
    test(`golden ${name} [${k.name}]: eval logits/probs, train loss, all gradients, BN stats, Adam step`, () =>
      checkCase(loadGolden(name), k));
  }
}

const paperBackend = native ?? (process.env.AFFEXION_TEST_PAPER_JS === '1' ? jsKernels : null);
test(`golden paper-size [${paperBackend?.name ?? 'skipped: no native engine'}]`, { skip: !paperBackend }, () => {
  checkCase(loadGolden('paper-size'), paperBackend!);
});

test('golden small-masked really exercises masking (lengths change the result)', () => {
  const g = loadGolden('small-masked');
  assert.ok(g.lengths && g.lengths.some((l) => l < g.T), 'the case has padded clips');
  const net = new AffexionNet({ ...g.config, mask_padding: false }, { kernels: jsKernels });
  net.loadStateDict(g.weights);
  const unmasked = net.forward(g.input, g.B, g.T, { train: false, lengths: g.lengths });
  assert.ok(maxAbsDiff(unmasked, g.t('logits_eval')) > 1e-3, 'ignoring lengths must not match the masked golden');
});

for (const name of ['small', 'small-masked', 'paper-size']) {
  test(`golden ${name}: StepLR(10, 0.5) schedule over 25 epochs`, () => {
    const g = loadGolden(name);
    const s = g.raw.scheduler;
    const opt = { lr: g.raw.optimizer.lr };
    const sched = new StepLR(opt, s.step_size, s.gamma);
    const lrs: number[] = [];
    for (let e = 0; e < 25; e++) {
      lrs.push(opt.lr);
      sched.step();
    }
    assert.deepEqual(lrs, s.lr_per_epoch_first_25);
  });
}
