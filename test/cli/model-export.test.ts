/**
 * `affexion model export … --onnx` and `monitor --on-device` over the CLI (the library side of the ONNX
 * export is tested in test/export/onnx.test.ts): a trained ensemble exports to a file the checker accepts,
 * a missing model folder is named, a foreign ONNX file is refused before any server starts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { train } from '../../src/train/train.js';
import { readOnnxModel } from '../../src/export/onnx-check.js';
import { GraphBuilder, encodeModel, valueInfo, FLOAT } from '../../src/export/onnx-graph.js';
import { makeToneDataset, TINY_FEATURES, TINY_HYPER, tmpDir } from '../train/fixtures.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
// A tiny two-member ensemble trained on tones (what is tested is the command, not the model).
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

test('affexion model export MODEL --onnx OUT writes a file the checker accepts; a missing model dir is named; monitor --on-device refuses a foreign ONNX file', async () => {
  await trained;
  const out = path.join(tmpDir('affexion-onnx-cli-'), 'm.onnx');
  const cli = (...a: string[]) =>
    spawnSync(process.execPath, ['--import', 'tsx', path.join(root, 'src/cli/main.ts'), ...a], { cwd: root, encoding: 'utf8' });
  const r = cli('model', 'export', ensDir, '--onnx', out, '--json');
  assert.equal(r.status, 0, r.stderr);
  const info = JSON.parse(r.stdout);
  assert.equal(info.members, 2);
  assert.deepEqual(info.outputs, ['probs', 'member_logits']);
  assert.equal(info.functional_head, false, 'a model without a head exports none');
  assert.equal(readOnnxModel(out).meta.members, 2);
  const bad = cli('model', 'export', path.join(ensDir, 'nope'), '--onnx', out);
  assert.notEqual(bad.status, 0);
  assert.match(bad.stderr, /nope/);
  // An ONNX file from elsewhere given to the on-device monitor: refused before any server starts.
  const g = new GraphBuilder();
  g.op1('Identity', ['x'], 'y');
  const foreign = path.join(path.dirname(out), 'foreign.onnx');
  writeFileSync(
    foreign,
    encodeModel(g, { inputs: [valueInfo('x', FLOAT, ['n', 3])], outputs: [valueInfo('y_1', FLOAT, ['n', 3])] }, {}, 'other', '1'),
  );
  const od = cli('monitor', foreign, '--on-device', '--port', '0');
  assert.notEqual(od.status, 0);
  assert.match(od.stderr, /foreign\.onnx: not exported by affexion model export .*expected inputs features/);
  assert.doesNotMatch(od.stdout, /monitor: http/);
  writeFileSync(out, ''); // keep tmp small
});
