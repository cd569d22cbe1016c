/** The CLI over a seed ensemble: model info lists the members, predict --features refuses it, EPIPE ends quietly. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { train } from '../../src/train/train.js';
import { makeToneDataset, TINY_FEATURES, TINY_HYPER, tmpDir } from '../train/fixtures.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const data = makeToneDataset({ classes: ['boredom', 'panic', 'excitement'], perClass: 6 });
const ensembleDir = tmpDir();
// Seeds 7 and 8, as test/train/ensemble.test.ts (the members' seeds are checked below).
const ensembleRun = train({
  data,
  features: TINY_FEATURES,
  cacheDir: null,
  report: false,
  out: ensembleDir,
  hyper: { ...TINY_HYPER, seed: 7, ensemble: 2 },
});

test('CLI: model info lists the members; predict --features refuses an ensemble; output piped into a closed reader ends quietly', async () => {
  await ensembleRun;
  const cli = (...args: string[]) =>
    spawnSync(process.execPath, ['--import', 'tsx', path.join(root, 'src/cli/main.ts'), ...args], { cwd: root, encoding: 'utf8' });
  const info = cli('model', 'info', ensembleDir, '--json');
  assert.equal(info.status, 0, info.stderr);
  const j = JSON.parse(info.stdout);
  assert.deepEqual(
    j.ensemble.map((m: { dir: string }) => path.relative(ensembleDir, m.dir)),
    ['members/1', 'members/2'],
  );
  assert.deepEqual(
    j.ensemble.map((m: { training: { hyperparameters: { seed: number } } }) => m.training.hyperparameters.seed),
    [7, 8],
  );
  const raw = cli('predict', ensembleDir, '--features', 'x.safetensors');
  assert.equal(raw.status, 1);
  assert.match(raw.stderr, /--features runs one network, and .* is an ensemble; give one member/);
  // A reader that exits without reading (`| true`): every write hits a closed pipe.
  const piped = spawnSync(
    'bash',
    ['-c', `"${process.execPath}" --import tsx src/cli/main.ts model info "${ensembleDir}" | true; echo "status=\${PIPESTATUS[0]}"`],
    { cwd: root, encoding: 'utf8' },
  );
  assert.match(piped.stdout, /status=0/);
  assert.doesNotMatch(piped.stderr, /EPIPE/);
});
