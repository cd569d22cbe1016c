import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { train } from '../../src/train/train.js';
import { loadTrainedModel } from '../../src/model/model-dir.js';
import { readSafetensors } from '../../src/model/safetensors.js';
import { makeToneDataset, TINY_FEATURES, TINY_HYPER, tmpDir } from './fixtures.js';

const data = makeToneDataset({ perClass: 6 });
const cacheDir = tmpDir('affexion-cache-');
const base = { data, features: TINY_FEATURES, cacheDir, report: false } as const;

function weights(dir: string): Map<string, Float32Array | BigInt64Array | Float64Array | Int32Array> {
  return new Map([...readSafetensors(path.join(dir, 'weights.safetensors')).tensors].map(([k, t]) => [k, t.data]));
}

test('train writes a usable model dir, metrics.jsonl per epoch, checkpoint; seeded runs are identical', async () => {
  const out = tmpDir();
  const r = await train({ ...base, out, hyper: TINY_HYPER, force: true });
  assert.deepEqual(r.classes, ['boredom', 'panic']);
  assert.equal(r.history.length, 3);
  const lines = readFileSync(path.join(out, 'metrics.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));
  assert.deepEqual(
    lines.map((l) => l.epoch),
    [1, 2, 3],
  );
  assert.ok(lines.every((l) => Number.isFinite(l.train_loss) && l.lr === 0.01));
  assert.ok(existsSync(path.join(out, 'checkpoint.safetensors')));
  assert.ok(!readdirSync(out).some((f) => f.includes('.tmp')), 'no temp files left');
  const m = loadTrainedModel(out);
  assert.equal(m.members.length, 1);
  assert.equal(m.members[0]!.net.config.n_features, 24);
  assert.equal(m.hyper.max_len, 24);
  assert.equal(m.members[0]!.normalization.mode, 'global');
  // Same seed → same weights.
  const out2 = tmpDir();
  await train({ ...base, out: out2, hyper: TINY_HYPER });
  assert.deepEqual(weights(out2), weights(out));
});

test('2 epochs + resume to 3 gives bit-identical weights to 3 epochs straight', async () => {
  const straight = tmpDir();
  await train({ ...base, out: straight, hyper: { ...TINY_HYPER, step_size: 2, gamma: 0.5 } });
  const resumed = tmpDir();
  await train({ ...base, out: resumed, hyper: { ...TINY_HYPER, epochs: 2, step_size: 2, gamma: 0.5 } });
  const r = await train({ ...base, out: resumed, hyper: { ...TINY_HYPER, epochs: 3, step_size: 2, gamma: 0.5 }, resume: true });
  assert.deepEqual(
    r.history.map((h) => h.lr),
    [0.01, 0.01, 0.005],
  );
  assert.deepEqual(weights(resumed), weights(straight));
  // The checkpoints hold the same tensors and state; only the epochs' wall-clock `seconds` may differ.
  const parts = (dir: string) => {
    const buf = readFileSync(path.join(dir, 'checkpoint.safetensors'));
    const n = Number(buf.readBigUInt64LE(0));
    const header = JSON.parse(buf.subarray(8, 8 + n).toString('utf8'));
    const meta = {
      ...header.__metadata__,
      history: JSON.parse(header.__metadata__.history).map((h: { seconds?: number }) => ({ ...h, seconds: 0 })),
    };
    return { tensors: buf.subarray(8 + n), meta };
  };
  const a = parts(resumed);
  const b = parts(straight);
  assert.ok(a.tensors.equals(b.tensors), 'checkpoint tensors (weights, Adam moments) are bit-identical');
  assert.deepEqual(a.meta, b.meta);
});

test('resume refuses other settings or data; an existing model needs --resume or --force', async () => {
  const out = tmpDir();
  await train({ ...base, out, hyper: { ...TINY_HYPER, epochs: 1 } });
  await assert.rejects(train({ ...base, out, hyper: TINY_HYPER }), /out: .* already holds a model; continue it with resume/);
  await assert.rejects(
    train({ ...base, out, hyper: { ...TINY_HYPER, lr: 0.02 }, resume: true }),
    /resume: the checkpoint .* different settings or data \(hyper/,
  );
  await assert.rejects(
    train({ ...base, out: tmpDir(), hyper: TINY_HYPER, resume: true }),
    /resume: .*checkpoint.safetensors does not exist/,
  );
});

test('an aborted run (Ctrl-C) leaves the last complete epoch, resumable', async () => {
  const out = tmpDir();
  const ac = new AbortController();
  const p = train({
    ...base,
    out,
    hyper: TINY_HYPER,
    signal: ac.signal,
    events: {
      batch: (epoch, b) => {
        if (epoch === 2 && b === 1) ac.abort();
      },
    },
  });
  await assert.rejects(p, /interrupted during epoch 2; the model and checkpoint after epoch 1 are intact/);
  const lines = readFileSync(path.join(out, 'metrics.jsonl'), 'utf8').trim().split('\n');
  assert.equal(lines.length, 1);
  assert.equal(loadTrainedModel(out).epochs, 1);
  const r = await train({ ...base, out, hyper: TINY_HYPER, resume: true });
  assert.equal(r.history.length, 3);
  const straight = tmpDir();
  await train({ ...base, out: straight, hyper: TINY_HYPER });
  assert.deepEqual(weights(out), weights(straight));
});
