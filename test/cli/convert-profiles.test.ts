import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { NEUTRAL_POOL } from '../augment/helpers.js';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', '..');

function withFile(content: unknown, fn: (file: string, dir: string) => void): void {
  const dir = mkdtempSync(path.join(tmpdir(), 'affexion-cli-profiles-'));
  const file = path.join(dir, 'profiles.json');
  writeFileSync(file, JSON.stringify(content));
  try {
    fn(file, dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('affexion convert --profiles: a bad file is an error naming --profiles', () => {
  withFile({ panic: { base: 'nope' } }, (file, dir) => {
    const r = spawnSync(
      process.execPath,
      ['--import', 'tsx', path.join(root, 'src/cli/main.ts'), 'convert', NEUTRAL_POOL, '--out', path.join(dir, 'o'), '--profiles', file],
      { encoding: 'utf8', cwd: root },
    );
    assert.notEqual(r.status, 0);
    assert.match(r.stderr, /--profiles: .*panic\.base: unknown profile 'nope'/);
  });
});
