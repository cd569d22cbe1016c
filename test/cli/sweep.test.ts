/** `affexion sweep` over the CLI (the sweep itself is tested in test/workflows/sweep/sweep.test.ts). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { makeToneDataset, tmpDir } from '../train/fixtures.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const cacheDir = tmpDir('affexion-cache-');
const data = makeToneDataset({ perClass: 6, seed: 21, speakers: true });

test('affexion sweep (CLI): unknown knob is one error; a tiny sweep writes its files and shows done/running/failed', async () => {
  const cli = (args: string[]) =>
    spawnSync(process.execPath, ['--import', 'tsx', path.join(root, 'src/cli/main.ts'), ...args], {
      cwd: root,
      env: { ...process.env, AFFEXION_THREADS: '1' },
      encoding: 'utf8',
    });
  const out = tmpDir();
  const tiny = [
    '--epochs',
    '1',
    '--batch-size',
    '4',
    '--max-len',
    '24',
    '--channels',
    '4',
    '--kernel-sizes',
    '3',
    '--hidden',
    '4',
    '--lstm-layers',
    '1',
    '--fc-hidden',
    '8',
    '--seed',
    '7',
    '--lr',
    '0.01',
    '--n-mfcc',
    '8',
    '--n-fft',
    '256',
    '--n-mels',
    '24',
    '--cache',
    cacheDir,
    '--folds',
    '2',
  ];
  const bad = cli(['sweep', data, '--vary', 'max_lenn=200', '--out', out, ...tiny]);
  assert.equal(bad.status, 1);
  assert.match(bad.stderr, /affexion: --vary: max_lenn: unknown knob/);
  const ok = cli(['sweep', data, '--vary', 'channels=2,4', '--out', out, '--no-report', ...tiny]);
  assert.equal(ok.status, 0, ok.stderr);
  assert.match(ok.stderr, /sweep: 4\/4 jobs done · 0 running · 0 failed/);
  assert.match(ok.stdout, /sweep: 2 run\(s\), 0 failed/);
  assert.ok(existsSync(path.join(out, 'results.json')) && existsSync(path.join(out, 'table.md')));
});
