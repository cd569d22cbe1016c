import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fitFunctionalReference, relativeToSpeaker } from '../../src/data/functional-reference.js';

test('functionals relative to the speaker: own reference mean, pooled reference spread', () => {
  // Speaker a's references around (10, 1), b's around (20, NaN); pooled deviation is 1 in dim 0.
  const vectors = [
    [9, 1],
    [11, 1],
    [19, NaN],
    [21, NaN],
    [13, 5],
    [20, 3],
  ];
  const speakers = ['a', 'a', 'b', 'b', 'a', 'b'];
  const ref = fitFunctionalReference(vectors, speakers, [true, true, true, true, false, false]);
  assert.deepEqual(ref.means.get('a'), [10, 1]);
  assert.equal(ref.std[0], 1);
  assert.equal(ref.std[1], 0, 'no spread among the references (b has none measurable)');
  assert.deepEqual(relativeToSpeaker(ref, vectors[4]!, 'a'), [3, 0]);
  // The same raw value means different things for different speakers.
  assert.deepEqual(relativeToSpeaker(ref, [20, 3], 'b'), [0, 0]);
  assert.deepEqual(relativeToSpeaker(ref, [20, 3], 'a'), [10, 0]);
  assert.throws(() => relativeToSpeaker(ref, [1, 1], 'c'), /speaker c: no neutral reference clips/);
});
