/**
 * The folder layering of src/ (docs/dev/contracts.md): no import up the layer order, no folder cycle,
 * every folder placed. The script is also checked against a planted violation, so it cannot pass by
 * finding nothing.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
// @ts-expect-error: a plain .mjs script without type declarations
import { checkLayers, collectImports, LAYERS } from '../scripts/check-layers.mjs';

type Edge = { file: string; line: number; spec: string; from: string; to: string };

test('src/ follows the layering and has no folder cycle', () => {
  const edges: Edge[] = collectImports();
  assert.ok(edges.length > 300, `only ${edges.length} imports found: the parser is broken`);
  assert.deepEqual(checkLayers(edges), []);
});

test('the checker reports an upward import and a folder cycle', () => {
  const up: Edge = { file: 'src/train/x.ts', line: 1, spec: '../eval/cv.js', from: 'train', to: 'eval' };
  const down: Edge = { file: 'src/eval/y.ts', line: 2, spec: '../train/train.js', from: 'eval', to: 'train' };
  const problems: string[] = checkLayers([up, down]);
  assert.ok(
    problems.some((p) => p.includes('src/train/x.ts:1') && p.includes('up the layer order')),
    problems.join('\n'),
  );
  assert.ok(
    problems.some((p) => p.startsWith('folder cycle: eval ⇄ train')),
    problems.join('\n'),
  );
  const sameLayer: Edge[] = [
    { file: 'src/model/a.ts', line: 1, spec: '../augment/b.js', from: 'model', to: 'augment' },
    { file: 'src/augment/b.ts', line: 1, spec: '../model/a.js', from: 'augment', to: 'model' },
  ];
  assert.equal(LAYERS.model, LAYERS.augment);
  assert.ok(checkLayers(sameLayer).some((p: string) => p.startsWith('folder cycle: augment ⇄ model')));
});
