import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Command } from 'commander';
import { addFeatureOptions, addHyperOptions, explicitHyperFrom, explicitLoudness, hyperFrom, type CommonOptionValues } from '../../src/cli/options.js';
import { PAPER_HYPERPARAMETERS } from '../../src/model/hyperparameters.js';

function parse(args: string[]): { o: CommonOptionValues; cmd: Command } {
  const cmd = addFeatureOptions(addHyperOptions(new Command('x').exitOverride()));
  cmd.parse(args, { from: 'user' });
  return { o: cmd.opts() as CommonOptionValues, cmd };
}

test('hyperFrom maps every hyper-parameter option; explicitHyperFrom keeps only those given on the command line', () => {
  const { o, cmd } = parse(['--max-len', '30', '--augment', 'gain', '--swa', '2', '--mask-padding']);
  assert.deepEqual(Object.keys(hyperFrom(o)).sort(), Object.keys(PAPER_HYPERPARAMETERS).sort());
  assert.equal(hyperFrom(o).epochs, PAPER_HYPERPARAMETERS.epochs, 'defaults are the paper\'s');
  assert.deepEqual(explicitHyperFrom(o, cmd), { max_len: 30, augment: 'gain', swa: 2, mask_padding: true });
  assert.equal(explicitLoudness(o, cmd), undefined, 'the recipe decides the loudness step unless --loudness is given');
  const given = parse(['--loudness', 'none']);
  assert.equal(explicitLoudness(given.o, given.cmd), 'none');
  assert.deepEqual(explicitHyperFrom(given.o, given.cmd), {});
});
