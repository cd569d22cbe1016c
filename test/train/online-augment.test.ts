import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { train } from '../../src/train/train.js';
import { initialState, runEpochs, type LabelledFeatures } from '../../src/train/fit.js';
import { OnlineAugmentation } from '../../src/augment/online.js';
import { resolveHyperparameters } from '../../src/model/hyperparameters.js';
import { crossValidate } from '../../src/eval/cv.js';
import { loadTrainedModel } from '../../src/model/model-dir.js';
import { readSafetensors } from '../../src/model/safetensors.js';
import { Rng } from '../../src/engine/rng.js';
import type { FeatureMatrix } from '../../src/features/index.js';
import { makeToneDataset, TINY_FEATURES, TINY_HYPER, tmpDir } from './fixtures.js';

const data = makeToneDataset({ perClass: 6 });
const cacheDir = tmpDir('affexion-cache-');
const base = { data, features: TINY_FEATURES, cacheDir, report: false } as const;
const WAVE_SPEC = 'noise:p=1:snr=10..20:type=white|pink,gain:p=1,speed:p=0.5,specaugment:maxt=4:maxf=2';

function weights(dir: string): Map<string, unknown> {
  return new Map([...readSafetensors(path.join(dir, 'weights.safetensors')).tensors].map(([k, t]) => [k, t.data]));
}

test('--augment: seeded (same seed, same weights), changes training, recorded in the model config', async () => {
  const a = tmpDir();
  const r = await train({ ...base, out: a, hyper: { ...TINY_HYPER, augment: WAVE_SPEC } });
  assert.equal(r.hyper.augment, WAVE_SPEC);
  assert.equal(loadTrainedModel(a).hyper.augment, WAVE_SPEC);
  const b = tmpDir();
  await train({ ...base, out: b, hyper: { ...TINY_HYPER, augment: WAVE_SPEC } });
  assert.deepEqual(weights(b), weights(a));
  const plain = tmpDir();
  await train({ ...base, out: plain, hyper: TINY_HYPER });
  assert.notDeepEqual(weights(plain), weights(a));
  assert.equal(loadTrainedModel(plain).hyper.augment, '');
});

test('--augment: 2 epochs + resume to 3 is bit-identical to 3 straight (stateless per-epoch streams)', async () => {
  const hyper = { ...TINY_HYPER, augment: `${WAVE_SPEC},mixup:alpha=0.4` };
  const straight = tmpDir();
  await train({ ...base, out: straight, hyper });
  const resumed = tmpDir();
  await train({ ...base, out: resumed, hyper: { ...hyper, epochs: 2 } });
  await train({ ...base, out: resumed, hyper, resume: true });
  assert.deepEqual(weights(resumed), weights(straight));
  // Another spec is another run: resuming it is refused.
  await assert.rejects(
    train({ ...base, out: resumed, hyper: { ...hyper, epochs: 4, augment: 'gain' }, resume: true }),
    /different settings or data \(hyper/,
  );
});

test('--augment: bad specs name the option and the bad part', () => {
  assert.throws(() => resolveHyperparameters({ augment: 'nosie' }), /augment: unknown operation 'nosie'/);
  assert.throws(() => resolveHyperparameters({ augment: 'noise:snr=abc' }), /augment: noise:snr=abc/);
  assert.throws(() => resolveHyperparameters({ augment: 'gain:p=2' }), /augment: gain:p must be/);
  assert.equal(resolveHyperparameters({ augment: '  ' }).augment, '');
});

/** A feature-only training set whose "audio" is a counter, to see what augmentation touches. */
function spySet(n: number, rows: number, frames: number, seed: number): { set: LabelledFeatures; loads: number[] } {
  const rng = new Rng(seed);
  const loads: number[] = [];
  const features: FeatureMatrix[] = Array.from({ length: n }, () => ({
    rows,
    frames,
    data: Float32Array.from({ length: rows * frames }, () => rng.normal()),
  }));
  const set: LabelledFeatures = {
    features,
    targets: Int32Array.from({ length: n }, (_, i) => i % 2),
    audio: {
      sr: 16000,
      load: async (i) => {
        loads.push(i);
        return Float32Array.from({ length: 1600 }, (_, t) => Math.sin(t * (0.05 + 0.01 * i)));
      },
      features: (s) => ({ rows, frames, data: Float32Array.from({ length: rows * frames }, (_, k) => s[k % s.length]!) }),
    },
  };
  return { set, loads };
}

test('online augmentation touches the training side only: stored features unchanged, validation never loaded', async () => {
  const { set: trainSet, loads } = spySet(8, 6, 10, 1);
  const { set: valSet, loads: valLoads } = spySet(4, 6, 10, 2);
  const before = trainSet.features.map((m) => Float32Array.from(m.data));
  const valBefore = valSet.features.map((m) => Float32Array.from(m.data));
  const hyper = resolveHyperparameters({ ...TINY_HYPER, max_len: 10, epochs: 2, augment: 'gain:p=1,specaugment,mixup' });
  const state = initialState(hyper, trainSet, 2);
  await runEpochs(state, { hyper, train: trainSet, val: valSet });
  assert.deepEqual(
    trainSet.features.map((m) => m.data),
    before,
    'stored training features are not modified',
  );
  assert.deepEqual(
    valSet.features.map((m) => m.data),
    valBefore,
  );
  assert.equal(valLoads.length, 0, 'validation audio is never read');
  // Every training clip is re-read every epoch (plus the babble sources, read once per run).
  for (let i = 0; i < 8; i++) assert.ok(loads.filter((j) => j === i).length >= 2, `clip ${i} augmented each epoch`);
  assert.ok(state.history.every((h) => Number.isFinite(h.val_loss)));
});

test('online augmentation: per-epoch features differ between epochs and repeat for the same (seed, epoch)', async () => {
  const { set } = spySet(4, 6, 10, 3);
  const aug = new OnlineAugmentation('gain:p=1:db=-10..10', 5, set.audio);
  const e1 = await aug.epochFeatures(1, 4);
  const e2 = await aug.epochFeatures(2, 4);
  const e1again = await new OnlineAugmentation('gain:p=1:db=-10..10', 5, set.audio).epochFeatures(1, 4);
  assert.ok(e1 && e2 && e1again);
  assert.deepEqual(
    e1again.map((m) => m.data),
    e1.map((m) => m.data),
  );
  assert.notDeepEqual(
    e2.map((m) => m.data),
    e1.map((m) => m.data),
  );
  // Without waveform operations the stored features are used.
  assert.equal(await new OnlineAugmentation('specaugment', 5, set.audio).epochFeatures(1, 4), null);
});

test('online augmentation: mixup blends pairs of the model batch with λ ≥ 0.5; waveform ops without audio are refused', () => {
  const features: FeatureMatrix[] = Array.from({ length: 4 }, (_, c) => ({
    rows: 3,
    frames: 2,
    data: Float32Array.from({ length: 6 }, (_, i) => (c + 1) * (i - 2)),
  }));
  const input = { normalization: { mode: 'utterance' as const }, maxLen: 2, window: false };
  const clips = [0, 1, 2, 3];
  const plain = new OnlineAugmentation('', 1).batch(1, 0, clips, features, input);
  assert.equal(plain.mix, null);
  const m = new OnlineAugmentation('mixup:alpha=0.4', 1).batch(1, 0, clips, features, input);
  const mix = m.mix!;
  assert.ok(mix.lambda >= 0.5 && mix.lambda <= 1);
  const stride = plain.x.length / 4;
  for (let b = 0; b < 4; b++) {
    for (let j = 0; j < stride; j++) {
      const want = mix.lambda * plain.x[b * stride + j]! + (1 - mix.lambda) * plain.x[mix.partner[b]! * stride + j]!;
      assert.ok(Math.abs(m.x[b * stride + j]! - want) < 1e-5);
    }
  }
  assert.equal(new OnlineAugmentation('specaugment', 1).batch(1, 0, clips, features, input).mix, null);
  assert.throws(() => new OnlineAugmentation('noise', 1), /augment: 'noise': waveform operations need the training clips' audio/);
});

test('cv --augment: every fold trains with it, deterministically', async () => {
  const out = tmpDir();
  const r = await crossValidate({
    data,
    out,
    folds: 2,
    hyper: { ...TINY_HYPER, epochs: 1, augment: 'gain:p=1,noise:p=1' },
    features: TINY_FEATURES,
    cacheDir,
    report: false,
  });
  assert.equal(r.folds.length, 2);
  for (const f of r.folds) assert.ok(f.metrics.accuracy >= 0 && f.n_val > 0);
  const again = await crossValidate({
    data,
    out: tmpDir(),
    folds: 2,
    hyper: { ...TINY_HYPER, epochs: 1, augment: 'gain:p=1,noise:p=1' },
    features: TINY_FEATURES,
    cacheDir,
    report: false,
  });
  assert.deepEqual(
    again.folds.map((f) => f.val_pred),
    r.folds.map((f) => f.val_pred),
  );
});
