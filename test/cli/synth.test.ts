import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../..');
const cli = (args: string[]) =>
  spawnSync(process.execPath, ['--import', 'tsx', path.join(root, 'src/cli/main.ts'), ...args], { cwd: root, encoding: 'utf8' });

test('affexion synth: a tiny flite run writes clips, manifest and datasheet; a custom class via --profiles', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'affexion-synth-cli-'));
  try {
    const profiles = path.join(dir, 'profiles.json');
    writeFileSync(
      profiles,
      JSON.stringify({
        calm: {
          description: 'slow and low',
          pitchShiftSt: [-2, -1],
          pitchRange: [0.6, 0.8],
          rate: [0.85, 0.9],
          loudnessDb: [-2, 0],
          phrasePauseSec: [0.2, 0.3],
          sentencePauseSec: [0.4, 0.5],
          fillerRate: 0,
          finalRise: 0,
          tremorDepthSt: [0, 0],
          tremorHz: [0, 0],
          tremoloDepth: [0, 0],
        },
      }),
    );
    const out = path.join(dir, 'set');
    const r = cli([
      'synth',
      '--out',
      out,
      '--per-class',
      '1',
      '--classes',
      'calm,panic',
      '--provider',
      'flite',
      '--voices',
      'flite-slt',
      '--lengths',
      'short',
      '--concurrency',
      '1',
      '--profiles',
      profiles,
      '--seed',
      '5',
    ]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /2 clips in .* \(2 generated, 0 kept\)/);
    assert.deepEqual(
      readdirSync(out)
        .filter((f) => !f.startsWith('.'))
        .sort(),
      ['calm', 'datasheet.md', 'manifest.csv', 'panic'],
    );
    const manifest = readFileSync(path.join(out, 'manifest.csv'), 'utf8');
    assert.match(
      manifest,
      /calm\/calm_0001\.wav,calm,flite-slt,female,neutral-\d{3}/,
      'unknown class without sentences speaks neutral sentences',
    );
    assert.match(readFileSync(path.join(out, 'datasheet.md'), 'utf8'), /\| calm \| 1 \|/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('affexion synth: errors name the option (the library tests cover the rest)', () => {
  const out = path.join(os.tmpdir(), 'affexion-synth-cli-never');
  for (const [args, msg] of [
    [['--per-class', 'x'], /affexion: --per-class: expected an integer, got 'x'/],
    [['--classes', 'joy'], /affexion: --classes: no prosody profile for "joy"/],
    [['--sentences', '/nonexistent/s.txt'], /affexion: --sentences: \/nonexistent\/s\.txt: cannot read/],
  ] as const) {
    const r = cli(['synth', '--out', out, ...args]);
    assert.equal(r.status, 1, args.join(' '));
    assert.match(r.stderr, msg);
  }
});
