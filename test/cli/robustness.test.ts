/** Command-line behaviour of the robustness fixes: Ctrl-C exit status, --max-duration, help texts. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeWav16 } from '../../src/audio/wav-write.js';
import { makeToneDataset, tmpDir } from '../train/fixtures.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const cliArgs = (...args: string[]): string[] => ['--import', 'tsx', path.join(root, 'src/cli/main.ts'), ...args];
const cli = (...args: string[]) => spawnSync(process.execPath, cliArgs(...args), { cwd: root, encoding: 'utf8' });

test('Ctrl-C during train: the run stops after the current batch and exits 130, lock released', async () => {
  const data = makeToneDataset({ perClass: 6, seed: 4 });
  const out = tmpDir();
  const child = spawn(
    process.execPath,
    cliArgs(
      'train',
      data,
      '--out',
      out,
      '--epochs',
      '500',
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
      '--n-mfcc',
      '8',
      '--n-fft',
      '256',
      '--n-mels',
      '24',
      '--batch-size',
      '4',
      '--no-cache',
      '--no-report',
    ),
    { cwd: root },
  );
  let stderr = '';
  const sent = new Promise<void>((resolve) => {
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
      // Once an epoch has finished there is a checkpoint to keep.
      if (/epoch\s+2\b|epoch 2\//.test(stderr) && !child.killed) {
        child.kill('SIGINT');
        resolve();
      }
    });
  });
  const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
  await Promise.race([sent, Promise.resolve()]);
  assert.equal(code, 130, stderr.slice(-2000));
  assert.match(stderr, /interrupted/);
  assert.ok(existsSync(path.join(out, 'config.json')), 'the last complete epoch is kept');
  assert.equal(existsSync(path.join(out, '.affexion.lock')), false);
});

test('--max-duration raises or lowers the audio length limit for any command', () => {
  const dir = tmpDir();
  const f = path.join(dir, 'two-seconds.wav');
  writeWav16(
    f,
    new Float32Array(32000).map((_, i) => 0.1 * Math.sin(i / 10)),
    16000,
  );
  const short = cli('--max-duration', '1', 'features', f);
  assert.notEqual(short.status, 0);
  assert.match(short.stderr, /two-seconds\.wav: 2 s long .* over the limit of 1 s/);
  assert.match(cli('--max-duration', 'abc', 'features', f).stderr, /--max-duration: expected a positive number of seconds/);
});
