import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Command } from 'commander';
import {
  addFeatureOptions,
  addHyperOptions,
  explicitHyperFrom,
  explicitLoudness,
  hyperFrom,
  type CommonOptionValues,
} from '../../src/cli/options.js';
import { PAPER_HYPERPARAMETERS } from '../../src/model/hyperparameters.js';

function parse(args: string[]): { o: CommonOptionValues; cmd: Command } {
  const cmd = addFeatureOptions(addHyperOptions(new Command('x').exitOverride()));
  cmd.parse(args, { from: 'user' });
  return { o: cmd.opts() as CommonOptionValues, cmd };
}

test('hyperFrom maps every hyper-parameter option; explicitHyperFrom keeps only those given on the command line', () => {
  const { o, cmd } = parse(['--max-len', '30', '--augment', 'gain', '--swa', '2', '--mask-padding']);
  assert.deepEqual(Object.keys(hyperFrom(o)).sort(), Object.keys(PAPER_HYPERPARAMETERS).sort());
  assert.equal(hyperFrom(o).epochs, PAPER_HYPERPARAMETERS.epochs, "defaults are the paper's");
  assert.deepEqual(explicitHyperFrom(o, cmd), { max_len: 30, augment: 'gain', swa: 2, mask_padding: true });
  assert.equal(explicitLoudness(o, cmd), undefined, 'the recipe decides the loudness step unless --loudness is given');
  const given = parse(['--loudness', 'none']);
  assert.equal(explicitLoudness(given.o, given.cmd), 'none');
  assert.deepEqual(explicitHyperFrom(given.o, given.cmd), {});
});

test('cli/options.ts is the only table of the shared flags: no command declares its own cache or feature flags', async () => {
  const { readdirSync, readFileSync } = await import('node:fs');
  const dir = new URL('../../src/cli/commands/', import.meta.url);
  const shared = [
    '--cache',
    '--no-cache',
    '--sr',
    '--n-mfcc',
    '--n-fft',
    '--hop-length',
    '--n-mels',
    '--fmin',
    '--fmax',
    '--delta-width',
    '--loudness',
  ];
  const own: string[] = [];
  for (const f of readdirSync(dir).filter((n) => n.endsWith('.ts'))) {
    const text = readFileSync(new URL(f, dir), 'utf8');
    for (const flag of shared) if (new RegExp(`option\\(\\s*['"\`]${flag}[ '"\`]`, 'i').test(text)) own.push(`${f}: ${flag}`);
  }
  assert.deepEqual(own, []);
  // Defaults are the library's: the feature command's --delta-width / --fmin and every command's --loudness.
  const { DEFAULT_FEATURE_PARAMS } = await import('../../src/features/index.js');
  const { DEFAULT_LOUDNESS } = await import('../../src/data/features.js');
  const o = addFeatureOptions(new Command('x'), { mel: true }).parse([], { from: 'user' }).opts();
  assert.deepEqual(
    [o.deltaWidth, o.fmin, o.fmax, o.loudness, o.hopLength],
    [DEFAULT_FEATURE_PARAMS.deltaWidth, DEFAULT_FEATURE_PARAMS.fmin, undefined, DEFAULT_LOUDNESS, DEFAULT_FEATURE_PARAMS.hopLength],
  );
});
