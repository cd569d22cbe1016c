/** Speaker reference normalisation through the CLI: train --speaker-reference, evaluate, predict --reference. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { scanDataset } from '../../src/data/dataset.js';
import { makeToneDataset, tmpDir } from '../train/fixtures.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const cli = (...args: string[]) =>
  spawnSync(process.execPath, ['--import', 'tsx', path.join(root, 'src/cli/main.ts'), ...args], { cwd: root, encoding: 'utf8' });

/** Tones of three speakers: classes a and b, plus each speaker's neutral clips (the references). */
function dataset(seed: number): string {
  return makeToneDataset({ classes: ['boredom', 'panic', 'neutral'], perClass: 6, seed, speakers: true });
}

test('CLI: train --speaker-reference, evaluate lists the references, predict --reference', () => {
  const data = dataset(16);
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
    '--n-mfcc',
    '8',
    '--n-fft',
    '256',
    '--n-mels',
    '24',
    '--no-cache',
    '--no-report',
  ];
  const t = cli('train', data, '--out', out, '--speaker-reference', 'neutral', ...tiny);
  assert.equal(t.status, 0, t.stderr);
  const e = cli('evaluate', out, data, '--no-cache');
  assert.equal(e.status, 0, e.stderr);
  assert.match(e.stderr, /speaker references \(not scored\): neutral 6/);
  const ds = scanDataset(data);
  const target = ds.items.find((it) => it.label === 'panic' && it.speaker === 'spk1')!;
  const refs = ds.items.filter((it) => it.label === 'neutral' && it.speaker === 'spk1').flatMap((it) => ['--reference', it.path]);
  const p = cli('predict', out, target.path, ...refs, '--json');
  assert.equal(p.status, 0, p.stderr);
  assert.ok(['boredom', 'panic'].includes(JSON.parse(p.stdout.trim()).label));
  // No reference: the model's population reference (its training speakers' neutral speech), with a warning.
  const missing = cli('predict', out, target.path, '--json');
  assert.equal(missing.status, 0, missing.stderr);
  assert.match(
    missing.stderr,
    /warning: .*population normalisation.*give a few clips of the speaker's calm speech as reference files \(predict --reference FILE\)/,
  );
  assert.equal(JSON.parse(missing.stdout.trim()).reference, 'population');
  const config = JSON.parse(readFileSync(path.join(out, 'config.json'), 'utf8'));
  assert.match(JSON.stringify(config), /"speaker_reference":"neutral"/);
});
