/**
 * Library errors name the parameter (ParamError), the CLI names the flag: one table (PARAM_FLAGS in
 * src/cli/options.ts) turns one into the other, and no library message speaks in flags.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command } from 'commander';
import { ParamError, renameParams } from '../../src/engine/errors.js';
import { resolveHyperparameters } from '../../src/model/hyperparameters.js';
import { scanDataset } from '../../src/data/dataset.js';
import { resolveFeatureParams } from '../../src/features/params.js';
import { cliMessage, flagOf, PARAM_FLAGS } from '../../src/cli/options.js';
import { tmpDir } from '../train/fixtures.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const cli = (...args: string[]) =>
  spawnSync(process.execPath, ['--import', 'tsx', path.join(root, 'src/cli/main.ts'), ...args], { cwd: root, encoding: 'utf8' });

const thrown = (f: () => unknown): ParamError => {
  try {
    f();
  } catch (err) {
    assert.ok(err instanceof ParamError, `expected a ParamError, got ${String(err)}`);
    return err;
  }
  assert.fail('did not throw');
};

test('library calls throw ParamErrors naming their own parameter, never a flag', () => {
  const h = thrown(() => resolveHyperparameters({ batch_size: 0 }));
  assert.equal(h.param, 'batch_size');
  assert.equal(h.message, 'batch_size: expected a positive integer, got 0');
  assert.equal(thrown(() => scanDataset('/nonexistent/affexion')).param, 'data');
  assert.equal(thrown(() => resolveFeatureParams({ hopLength: 0 })).param, 'hopLength');
  assert.equal(thrown(() => resolveHyperparameters({ augment: 'nosie' })).param, 'augment');
  for (const e of [h, thrown(() => scanDataset('/nonexistent/affexion'))]) assert.doesNotMatch(e.message, /--/);
});

test('renameParams renames only the listed ParamErrors, sync and async; other errors pass untouched', async () => {
  assert.equal(thrown(() => renameParams({ data: 'val' }, () => scanDataset('/nonexistent/affexion'))).param, 'val');
  assert.equal(thrown(() => renameParams({ data: 'val' }, () => resolveHyperparameters({ lr: -1 }))).param, 'lr');
  await assert.rejects(
    renameParams({ data: 'eval' }, async () => {
      throw new ParamError('data', 'x');
    }),
    (e: unknown) => e instanceof ParamError && e.param === 'eval' && e.detail === 'x',
  );
  const plain = new Error('disk full');
  assert.throws(
    () =>
      renameParams({ data: 'val' }, () => {
        throw plain;
      }),
    (e: unknown) => e === plain,
  );
  assert.equal(
    renameParams({ data: 'val' }, () => 7),
    7,
  );
});

test('the CLI turns a parameter into its flag, per command where a command names it otherwise', () => {
  assert.equal(
    cliMessage(new ParamError('batch_size', 'expected a positive integer, got 0')),
    '--batch-size: expected a positive integer, got 0',
  );
  assert.equal(cliMessage(new ParamError('data', '/x does not exist')), 'DATA: /x does not exist');
  assert.equal(flagOf('source', 'convert'), 'NEUTRAL_DATA');
  assert.equal(flagOf('augment', 'experiment gap'), '--train-augment');
  assert.equal(flagOf('augment', 'train'), '--augment');
  assert.equal(flagOf('augmentSpec', 'experiment gap'), '--augment', "the gap experiment's offline augmentation spec");
  assert.equal(flagOf('not-a-param'), 'not-a-param', 'an unknown name is printed as it is');
  assert.equal(cliMessage(new Error('plain')), 'plain');
});

test('the gap experiment checks its augmentation spec up front, under its own parameter name', async () => {
  const { runGapExperiment } = await import('../../src/workflows/experiment/run.js');
  await assert.rejects(
    runGapExperiment({ out: tmpDir(), augmentSpec: 'nosie' }),
    (e: unknown) => e instanceof ParamError && e.param === 'augmentSpec' && /unknown operation 'nosie'/.test(e.detail),
  );
});

test('every flag in PARAM_FLAGS is an option of some command', async () => {
  const program = new Command();
  const dir = path.join(root, 'src/cli/commands');
  for (const f of readdirSync(dir).filter((n) => n.endsWith('.ts'))) {
    const mod = (await import(path.join(dir, f))) as { register: (p: Command) => void };
    mod.register(program);
  }
  const flags = new Set<string>();
  const walk = (c: Command): void => {
    for (const o of c.options) if (o.long) flags.add(o.long.replace(/^--no-/, '--'));
    c.commands.forEach(walk);
  };
  walk(program);
  const missing = Object.entries(PARAM_FLAGS).filter(([, flag]) => flag.startsWith('--') && !flags.has(flag));
  assert.deepEqual(missing, []);
});

test('no library error message under src/ (outside src/cli) is written in flags', () => {
  const files: string[] = [];
  const walk = (d: string): void => {
    for (const n of readdirSync(d)) {
      const p = path.join(d, n);
      if (statSync(p).isDirectory()) walk(p);
      else if (p.endsWith('.ts')) files.push(p);
    }
  };
  walk(path.join(root, 'src'));
  const offenders = files
    .filter((f) => !f.includes(`${path.sep}cli${path.sep}`))
    .flatMap((f) =>
      readFileSync(f, 'utf8')
        .split('\n')
        .flatMap((line, i) => (/(Error|ParamError)\(\s*['`"]--[a-z]/.test(line) ? [`${path.relative(root, f)}:${i + 1}`] : [])),
    );
  assert.deepEqual(offenders, []);
});

test('affexion prints the flag of a bad library parameter', () => {
  const out = tmpDir();
  const bad = cli('train', path.join(out, 'no-data'), '--out', path.join(out, 'run'), '--batch-size', '0');
  assert.equal(bad.status, 1);
  assert.match(bad.stderr, /affexion: --batch-size: expected a positive integer, got 0/);
  const missing = cli('cv', path.join(out, 'no-data'), '--out', path.join(out, 'cv'), '--epochs', '1');
  assert.match(missing.stderr, /affexion: DATA: .*no-data does not exist/);
  // Options that cannot apply are refused before any conversion, not silently ignored.
  const refOnly = cli('experiment', 'real-speech', '--out', path.join(out, 'rs'), '--neutral', out, '--reference-resynthesis');
  assert.equal(refOnly.status, 1);
  assert.match(refOnly.stderr, /affexion: --reference-resynthesis: only with neutralResynthesis/);
  const noClass = cli(
    'experiment',
    'real-speech',
    '--out',
    path.join(out, 'rs2'),
    '--neutral',
    out,
    '--neutral-resynthesis',
    '--no-neutral-class',
  );
  assert.match(noClass.stderr, /affexion: --neutral-resynthesis: resynthesises the neutral class: it needs neutral_class/);
  const mixNoClass = cli(
    'experiment',
    'real-speech',
    '--out',
    path.join(out, 'rs3'),
    '--neutral',
    out,
    '--synthetic-mix',
    '4',
    '--no-neutral-class',
  );
  assert.match(mixNoClass.stderr, /affexion: --synthetic-mix: with speaker references it needs the neutral class/);
  const mixNegative = cli('experiment', 'real-speech', '--out', path.join(out, 'rs4'), '--neutral', out, '--synthetic-mix', '-1');
  assert.match(mixNegative.stderr, /affexion: --synthetic-mix: expected a whole number of clips per class ≥ 0, got -1/);
  // A bad augmentation spec fails before the conversion, named by real-speech's own flag.
  const badAug = cli('experiment', 'real-speech', '--out', path.join(out, 'rs5'), '--neutral', out, '--train-augment', 'noise:snr=x');
  assert.equal(badAug.status, 1);
  assert.match(badAug.stderr, /affexion: --train-augment: noise:snr=x is not a number/);
  assert.equal(existsSync(path.join(out, 'rs5', 'data')), false);
});
