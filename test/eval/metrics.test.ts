import { test } from 'node:test';
import assert from 'node:assert/strict';
import { classificationMetrics, argmaxRows, meanStd } from '../../src/report/metrics.js';

const close = (a: number, b: number, msg?: string) => assert.ok(Math.abs(a - b) < 1e-12, `${msg ?? ''} ${a} != ${b}`);

test('hand-computed 3-class case', () => {
  // true:  a a a a b b c c c c
  // pred:  a a b c b a c c c a
  const labels = ['a', 'b', 'c'];
  const t = [0, 0, 0, 0, 1, 1, 2, 2, 2, 2];
  const p = [0, 0, 1, 2, 1, 0, 2, 2, 2, 0];
  const m = classificationMetrics(t, p, labels);
  assert.deepEqual(m.confusion.matrix, [
    [2, 1, 1],
    [1, 1, 0],
    [1, 0, 3],
  ]);
  close(m.accuracy, 6 / 10);
  // precision: a 2/4, b 1/2, c 3/4 ; recall: a 2/4, b 1/2, c 3/4
  const pa = 0.5,
    pb = 0.5,
    pc = 0.75;
  close(m.macro_precision, (pa + pb + pc) / 3);
  close(m.macro_recall, (0.5 + 0.5 + 0.75) / 3);
  close(m.balanced_accuracy, m.macro_recall);
  close(m.per_class[2].f1, 0.75);
  close(m.macro_f1, (0.5 + 0.5 + 0.75) / 3);
  assert.deepEqual(
    m.per_class.map((c) => c.support),
    [4, 2, 4],
  );
  assert.equal(m.n, 10);
});

test('class with no predictions: precision 0 (no NaN), F1 0', () => {
  const m = classificationMetrics([0, 0, 1, 1], [0, 0, 0, 0], ['x', 'y']);
  assert.equal(m.per_class[1].precision, 0);
  assert.equal(m.per_class[1].recall, 0);
  assert.equal(m.per_class[1].f1, 0);
  close(m.per_class[0].precision, 0.5);
  close(m.per_class[0].f1, (2 * 0.5 * 1) / 1.5);
  close(m.macro_f1, 2 / 3 / 2);
  close(m.balanced_accuracy, 0.5);
  close(m.accuracy, 0.5);
});

test('class absent from the true labels is left out of the macro averages (support 0)', () => {
  // 3-class model evaluated on data with classes 0 and 1 only; one clip predicted as class 2.
  const m = classificationMetrics([0, 0, 1, 1], [0, 2, 1, 1], ['p', 'q', 'r']);
  assert.equal(m.per_class[2].support, 0);
  assert.equal(m.per_class[2].precision, 0);
  close(m.macro_recall, (0.5 + 1) / 2);
  close(m.macro_precision, (1 + 1) / 2);
  close(m.balanced_accuracy, 0.75);
  close(m.accuracy, 0.75);
});

test('bad input is rejected', () => {
  assert.throws(() => classificationMetrics([0, 1], [0], ['a', 'b']), /2 true labels but 1 predictions/);
  assert.throws(() => classificationMetrics([0, 3], [0, 1], ['a', 'b']), /out of range at 1/);
  assert.equal(classificationMetrics([], [], ['a']).accuracy, 0);
});

test('argmaxRows and meanStd', () => {
  assert.deepEqual([...argmaxRows(new Float32Array([0.1, 0.7, 0.2, 0.5, 0.5, 0]), 2, 3)], [1, 0]);
  const s = meanStd([1, 2, 3, 4]);
  close(s.mean, 2.5);
  close(s.std, Math.sqrt(5 / 3));
  assert.deepEqual(meanStd([7]), { mean: 7, std: 0 });
  assert.ok(Number.isNaN(meanStd([]).mean) && Number.isNaN(meanStd([]).std));
});

test('real-speech tables leave out classes with no clips (no 0 % rows), in text, HTML and the per-class chart', async () => {
  const { formatEvaluation } = await import('../../src/eval/evaluate.js');
  const { buildHtml } = await import('../../src/report/html.js');
  const { perClassF1Chart } = await import('../../src/report/charts.js');
  // 4 classes, the set has clips of panic and excitement only (as RAVDESS under the paper's map).
  const m = classificationMetrics([1, 1, 2, 2], [1, 0, 2, 2], ['boredom', 'panic', 'excitement', 'uncertainty']);
  const text = formatEvaluation(m);
  assert.doesNotMatch(text, /^boredom\s+0\.0 %/m);
  assert.doesNotMatch(text, /^uncertainty\s+\d+\.\d %/m);
  assert.match(text, /^panic\s+\d+\.\d %/m);
  assert.match(text, /no clips of boredom, uncertainty in this set/);
  const html = buildHtml({ title: 't', evaluations: { 'real speech': m } }, 'now', new Map());
  assert.doesNotMatch(html, /<td>uncertainty<\/td>/);
  assert.match(html, /No clips of boredom, uncertainty in this set/);
  const chart = perClassF1Chart({ 'real speech': m });
  assert.doesNotMatch(JSON.stringify(chart), /"class":"uncertainty"/);
});
