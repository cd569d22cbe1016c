/** `affexion model import` and `predict --features`: the CLI over model directories matches the PyTorch golden. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadGolden } from '../model/golden.js';

const tmp = () => mkdtempSync(path.join(tmpdir(), 'affx-model-'));

function cli(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', path.resolve('src/cli/main.ts'), ...args], { encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('CLI: model import + predict --features --json match the PyTorch golden', () => {
  {
    // small-masked: the case that needs every option (each CLI start costs ~2 s of tsx compilation)
    const name = 'small-masked';
    const g = loadGolden(name);
    const out = path.join(tmp(), 'm');
    const arch = path.join(tmp(), 'arch.json');
    writeFileSync(arch, JSON.stringify(JSON.parse(readFileSync(path.join(g.dir, 'config.json'), 'utf8')).model));
    // The reference's constructor arguments as they are (no mask_padding, which is not one of them);
    // --lengths-tensor below applies the lengths as the reference's forward(x, lengths) does.
    const imp = cli('model', 'import', '--torch-weights', path.join(g.dir, 'weights.safetensors'), '--arch', arch, '--out', out);
    assert.equal(imp.status, 0, imp.stderr);
    const pr = cli(
      'predict',
      out,
      '--features',
      path.join(g.dir, 'case.safetensors'),
      '--json',
      ...(g.lengths ? ['--lengths-tensor', 'lengths'] : []),
    );
    assert.equal(pr.status, 0, pr.stderr);
    const res = JSON.parse(pr.stdout) as { logits: number[][]; probs: number[][] };
    const logits = g.t('logits_eval'),
      probs = g.t('probs_eval');
    assert.equal(res.logits.length, g.B);
    res.logits.flat().forEach((v, i) => assert.ok(Math.abs(v - logits[i]!) < 1e-4, `${name} logit ${i}`));
    res.probs.flat().forEach((v, i) => assert.ok(Math.abs(v - probs[i]!) < 1e-4, `${name} prob ${i}`));
  }
});
