/**
 * ONNX export, checked with onnxruntime-web (WASM) in Node against the native engine: the PyTorch golden
 * cases (plain, masked, paper size) and a trained single network and ensemble on real dev clips —
 * logits within 1e-4. Plus the LSTM gate mapping, metadata, and the errors for layers without a mapping,
 * ensembles that cannot share one input, and ONNX files from elsewhere. The CLI (`model export`) is
 * tested in test/cli/model-export.test.ts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, readFileSync } from 'node:fs';
import path from 'node:path';
import * as ort from 'onnxruntime-web';
import { AffexionNet } from '../../src/model/network.js';
import { loadTrainedModel, modelProbabilities, saveCalibration } from '../../src/model/model-dir.js';
import { train } from '../../src/train/train.js';
import { loadAudio } from '../../src/audio/load.js';
import { featuresFromSamples } from '../../src/data/features.js';
import { toModelBatch } from '../../src/data/normalize.js';
import { buildOnnx, exportSourceOf, writeOnnx } from '../../src/export/onnx-export.js';
import { reorderGates } from '../../src/export/onnx-network.js';
import { checkOnnxModel, readOnnxModel } from '../../src/export/onnx-check.js';
import { GraphBuilder, encodeModel, valueInfo, FLOAT } from '../../src/export/onnx-graph.js';
import { loadGolden } from '../model/golden.js';
import { makeToneDataset, TINY_FEATURES, TINY_HYPER, tmpDir } from '../train/fixtures.js';
import { haveDevCorpus, RAVDESS } from '../monitor/fixtures.js';

ort.env.wasm.numThreads = 1;
ort.env.logLevel = 'error';

const maxAbs = (a: ArrayLike<number>, b: ArrayLike<number>): number => {
  assert.equal(a.length, b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
};
const lengthsTensor = (l: Int32Array | null): ort.Tensor =>
  l
    ? new ort.Tensor(
        'int64',
        BigInt64Array.from(l, (v) => BigInt(v)),
        [l.length],
      )
    : new ort.Tensor('int64', new BigInt64Array(0), [0]);
const noMeta = (labels: string[]) => ({
  labels,
  feature_params: { nMfcc: 25 },
  loudness: 'none',
  normalization: { mode: 'utterance' as const },
  max_len: 1000,
  mask_padding: false,
  speaker_reference: '',
  window: null,
  window_hop: null,
  trim_silence: null,
});

for (const name of ['small', 'small-masked', 'paper-size']) {
  test(`golden ${name}: onnxruntime-web logits equal the native engine's and PyTorch's within 1e-4`, async () => {
    const c = loadGolden(name);
    const net = new AffexionNet(c.config);
    net.loadStateDict(c.weights);
    const labels = Array.from({ length: c.config.n_classes }, (_, i) => `c${i}`);
    const s = await ort.InferenceSession.create(buildOnnx({ nets: [net], what: name, meta: noMeta(labels) }));
    const out = await s.run({
      features: new ort.Tensor('float32', c.input, [c.B, c.T, c.config.n_features]),
      lengths: lengthsTensor(c.lengths),
    });
    const native = net.forward(c.input, c.B, c.T, { train: false, lengths: c.lengths, applyLengths: true });
    const got = out.logits!.data as Float32Array;
    assert.ok(maxAbs(got, native) <= 1e-4, `vs native ${maxAbs(got, native)}`);
    assert.ok(maxAbs(got, c.t('logits_eval')) <= 1e-4, `vs torch ${maxAbs(got, c.t('logits_eval'))}`);
    assert.ok(maxAbs(out.probs!.data as Float32Array, c.t('probs_eval')) <= 1e-5);
    await s.release();
  });
}

test('LSTM gates: PyTorch (i, f, g, o) blocks land in ONNX (i, o, f, c) order', () => {
  const pt = Float32Array.from([1, 1, 2, 2, 3, 3, 4, 4]); // i f g o, 2 values each
  assert.deepEqual([...reorderGates(pt, 2)], [1, 1, 4, 4, 2, 2, 3, 3]);
  assert.throws(() => reorderGates(pt, 3), /not 4 blocks/);
});

test('a layer without an ONNX mapping fails the export, naming the layer', () => {
  const c = loadGolden('small');
  const net = new AffexionNet(c.config);
  const sd = net.stateDict();
  sd.set('gru.weight_ih_l0', new Float32Array(4));
  const fake = Object.create(net) as AffexionNet;
  fake.stateDict = () => sd;
  assert.throws(
    () => buildOnnx({ nets: [fake], what: 'models/x', meta: noMeta(['a', 'b', 'c', 'd'].slice(0, c.config.n_classes)) }),
    /models\/x: layer 'gru' \(parameter gru.weight_ih_l0\) has no ONNX mapping/,
  );
});

// A tiny model (2 members) trained on tones; real speech clips go through it (what matters is parity).
const data = makeToneDataset({ classes: ['boredom', 'panic', 'excitement'], perClass: 6, seed: 9 });
const ensDir = tmpDir('affexion-onnx-ens-');
const trained = train({
  data,
  out: ensDir,
  hyper: { ...TINY_HYPER, ensemble: 2, max_len: 120 },
  features: TINY_FEATURES,
  cacheDir: null,
  report: false,
});

async function devClips(n: number): Promise<Float32Array[]> {
  const rows = readFileSync(path.join(RAVDESS, 'labels.csv'), 'utf8')
    .trim()
    .split('\n')
    .slice(1)
    .map((l) => l.split(','));
  const out: Float32Array[] = [];
  for (const r of rows.filter((_, i) => i % 7 === 0).slice(0, n))
    out.push((await loadAudio(path.join(RAVDESS, r[0]!), { sr: 16000 })).samples);
  return out;
}

test('ensemble and single network on real dev clips: ONNX member logits and probabilities equal the native engine within 1e-4', async (t) => {
  if (!haveDevCorpus()) {
    t.skip('no dev corpus');
    return;
  }
  await trained;
  const m = loadTrainedModel(ensDir);
  assert.equal(m.members.length, 2);
  const clips = await devClips(6);
  const feats = clips.map((x) => featuresFromSamples(x, m.featureSettings));
  const { x, B, T, F } = toModelBatch(feats, m.members[0]!.normalization, m.hyper.max_len);
  const file = path.join(tmpDir('affexion-onnx-'), 'ens.onnx');
  writeOnnx(m, file);
  const { meta, bytes } = readOnnxModel(file);
  assert.deepEqual(meta.labels, m.classes);
  assert.equal(meta.members, 2);
  assert.deepEqual(meta.normalization, m.members[0]!.normalization);
  const s = await ort.InferenceSession.create(bytes);
  const out = await s.run({ features: new ort.Tensor('float32', x, [B, T, F]), lengths: lengthsTensor(null) });
  const K = m.classes.length;
  const ml = out.member_logits!.data as Float32Array;
  m.members.forEach((mem, j) => {
    const native = mem.net.forward(x, B, T, { train: false });
    const onnxJ = Float32Array.from({ length: B * K }, (_, i) => ml[(Math.floor(i / K) * 2 + j) * K + (i % K)]!);
    assert.ok(maxAbs(onnxJ, native) <= 1e-4, `member ${j + 1}: ${maxAbs(onnxJ, native)}`);
  });
  const probs = await modelProbabilities(m, feats);
  assert.ok(maxAbs(out.probs!.data as Float32Array, probs) <= 1e-5, `probs ${maxAbs(out.probs!.data as Float32Array, probs)}`);
  await s.release();

  // One member alone is a plain single-network graph.
  const single = loadTrainedModel(path.join(ensDir, 'members', '1'));
  const s1 = await ort.InferenceSession.create(buildOnnx(exportSourceOf(single)));
  assert.deepEqual(s1.outputNames, ['logits', 'probs']);
  const o1 = await s1.run({ features: new ort.Tensor('float32', x, [B, T, F]), lengths: lengthsTensor(null) });
  assert.ok(maxAbs(o1.logits!.data as Float32Array, single.members[0]!.net.forward(x, B, T, { train: false })) <= 1e-4);
  await s1.release();
});

test('a calibrated model exports its calibration: ONNX probs equal modelProbabilities (temperature, then neutral bias)', async () => {
  await trained;
  const rng = (i: number): number => Math.sin(i * 12.9898) * 0.5;
  const feats = [0, 1, 2].map((k) => ({ rows: 24, frames: 90, data: Float32Array.from({ length: 24 * 90 }, (_, i) => rng(i + 1000 * k)) }));
  // An ensemble with a temperature; a single network with a class neutral, a temperature and a neutral bias.
  const ens = tmpDir('affexion-onnx-cal-');
  cpSync(ensDir, ens, { recursive: true });
  saveCalibration(ens, { temperature: 0.4 }, 'test');
  const withNeutral = tmpDir('affexion-onnx-neutral-');
  await train({
    data: makeToneDataset({ classes: ['panic', 'neutral', 'excitement'], perClass: 4, seed: 3 }),
    out: withNeutral,
    hyper: { ...TINY_HYPER, epochs: 1, max_len: 120 },
    features: TINY_FEATURES,
    cacheDir: null,
    report: false,
  });
  saveCalibration(withNeutral, { temperature: 1.8, neutralBias: 1.2 }, 'test');
  for (const dir of [ens, withNeutral]) {
    const m = loadTrainedModel(dir);
    const { x, B, T, F } = toModelBatch(feats, m.members[0]!.normalization, m.hyper.max_len);
    const s = await ort.InferenceSession.create(buildOnnx(exportSourceOf(m)));
    const out = await s.run({ features: new ort.Tensor('float32', x, [B, T, F]), lengths: lengthsTensor(null) });
    const want = await modelProbabilities(m, feats);
    const plain = await modelProbabilities({ ...m, temperature: undefined, neutralBias: undefined }, feats);
    assert.ok(maxAbs(want, plain) > 1e-3, 'the calibration changes the probabilities');
    assert.ok(
      maxAbs(out.probs!.data as Float32Array, want) <= 1e-5,
      `${path.basename(dir)}: probs ${maxAbs(out.probs!.data as Float32Array, want)}`,
    );
    await s.release();
  }
});

test('an ensemble whose members were normalised differently is refused (one graph takes one input)', async () => {
  await trained;
  const m = loadTrainedModel(ensDir);
  const n0 = m.members[0]!.normalization;
  assert.equal(n0.mode, 'global');
  m.members[1]!.normalization = {
    mode: 'global',
    mean: n0.mode === 'global' ? n0.mean.map((v) => v + 1) : [],
    std: n0.mode === 'global' ? n0.std : [],
  };
  assert.throws(() => exportSourceOf(m), /different input statistics.*export the members one by one/);
});

test('ONNX files from elsewhere: no metadata, wrong inputs, or not ONNX at all → errors naming the file and what is expected', () => {
  const g = new GraphBuilder();
  g.op1('Identity', ['x'], 'y');
  const foreign = encodeModel(
    g,
    { inputs: [valueInfo('x', FLOAT, ['n', 3])], outputs: [valueInfo('y_1', FLOAT, ['n', 3])] },
    {},
    'other',
    '1',
  );
  assert.throws(
    () => checkOnnxModel(foreign, 'other.onnx'),
    /other\.onnx: not exported by affexion model export .*expected inputs features float .*it has inputs x float \[n, 3\]/,
  );
  assert.throws(() => checkOnnxModel(new TextEncoder().encode('hello, not protobuf at all'), 'x.onnx'), /x\.onnx: not an ONNX model/);
  const c = loadGolden('small');
  const net = new AffexionNet(c.config);
  const labels = Array.from({ length: c.config.n_classes }, (_, i) => `c${i}`);
  const ok = buildOnnx({ nets: [net], what: 'g', meta: { ...noMeta(labels), feature_params: { nMfcc: c.config.n_features / 3 } } });
  assert.equal(checkOnnxModel(ok, 'ok.onnx').labels.length, labels.length);
  assert.equal(checkOnnxModel(ok, 'ok.onnx').functional_head, undefined, 'no head: none in the metadata');
  // A functional head in the metadata is checked as functional-head.json is: a broken one names the file and the key.
  const badHead = buildOnnx({
    nets: [net],
    what: 'g',
    meta: { ...noMeta(labels), feature_params: { nMfcc: c.config.n_features / 3 }, functional_head: { format: 'x' } as never },
  });
  assert.throws(() => checkOnnxModel(badHead, 'head.onnx'), /head\.onnx: metadata functional_head: not a functional head/);
  // Our metadata on a graph with other outputs: the output is named in the error.
  const g2 = new GraphBuilder();
  g2.op1('Identity', ['features'], 'out');
  const meta = {
    affexion_format: 'affexion-onnx/1',
    labels: '["a","b"]',
    feature_params: '{"nMfcc":8}',
    normalization: '{"mode":"utterance"}',
    max_len: '100',
  };
  const wrong = encodeModel(
    g2,
    { inputs: [valueInfo('features', FLOAT, ['b', 't', 24])], outputs: [valueInfo('out', FLOAT, ['b', 't', 24])] },
    meta,
    'w',
    '1',
  );
  assert.throws(
    () => checkOnnxModel(wrong, 'w.onnx'),
    /w\.onnx: input lengths must be int64 \(batch\); .*output probs must be float \(batch, 2\)/,
  );
});
