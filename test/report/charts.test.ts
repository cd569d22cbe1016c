import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  comparisonChart,
  confusionChart,
  cvChart,
  cvHistoryChart,
  datasetChart,
  perClassF1Chart,
  trainingCharts,
  type ChartSpec,
} from '../../src/report/charts.js';
import type { CvReport } from '../../src/report/types.js';
import { formatValue, metricLabel, slugify, UniqueNames } from '../../src/report/stats.js';
import { inlineSvg, commandLine, cvTable } from '../../src/report/html.js';

type Row = Record<string, unknown>;
/** All inline data rows of a (possibly layered) spec, layer by layer. */
function layerData(c: ChartSpec): Row[][] {
  const s = c.spec as { data?: { values: Row[] }; layer?: { data?: { values: Row[] } }[] };
  if (s.layer && s.layer.some((l) => l.data)) return s.layer.map((l) => l.data?.values ?? []);
  return [s.data?.values ?? []];
}

test('cvTable: mean ± std row is the sample standard deviation (n - 1) over the folds that have the figure', () => {
  // Worked by hand: mean 0.5, squared deviations sum 0.32, 0.32 / 7 = 0.04571…, sqrt = 0.2138….
  const values = [0.2, 0.4, 0.4, 0.4, 0.5, 0.5, 0.7, 0.9];
  const folds: CvReport['folds'] = values.map((accuracy, i) => ({ fold: i + 1, metrics: { accuracy } }));
  folds.push({ fold: 9, metrics: {} });
  const html = cvTable({ folds }, 'metrics');
  assert.ok(html.includes('<strong>50.0\u00a0%\u00a0±\u00a021.4\u00a0%</strong>'), html);
  const one = cvTable({ folds: [{ fold: 1, metrics: { accuracy: 0.5 } }] }, 'metrics');
  assert.ok(one.includes('<strong>50.0\u00a0%\u00a0±\u00a00.0\u00a0%</strong>'), one);
});

test('formatValue: rates as percent, counts plain, missing as a dash', () => {
  assert.equal(formatValue('accuracy', 0.7512), '75.1\u00a0%');
  assert.equal(formatValue('macro_f1', 1), '100.0\u00a0%');
  assert.equal(formatValue('n', 52), '52');
  assert.equal(formatValue('lr', 0.0005), '5.00e-4');
  assert.equal(formatValue('train_loss', 0.123456), '0.1235');
  assert.equal(formatValue('accuracy', undefined), '–');
  assert.equal(formatValue('accuracy', NaN), '–');
});

test('slugify and UniqueNames give distinct, file-safe chart names', () => {
  assert.equal(slugify('Real (RAVDESS dev) — Évaluation'), 'real-ravdess-dev-evaluation');
  assert.equal(slugify('***'), 'chart');
  const u = new UniqueNames();
  assert.deepEqual([u.take('a'), u.take('a'), u.take('a'), u.take('b')], ['a', 'a-2', 'a-3', 'b']);
});

test('trainingCharts: train and validation series per quantity, missing values left out', () => {
  const charts = trainingCharts([
    { epoch: 1, train_loss: 1.2, val_loss: 1.4, train_acc: 0.4, lr: 1e-3 },
    { epoch: 2, train_loss: 0.9, train_acc: 0.6, val_acc: 0.5, lr: 5e-4 },
  ]);
  assert.deepEqual(
    charts.map((c) => c.name),
    ['training-loss', 'training-accuracy', 'learning-rate'],
  );
  const [loss, acc, lr] = charts.map((c) => layerData(c)[0]);
  assert.deepEqual(loss, [
    { epoch: 1, series: 'train', value: 1.2 },
    { epoch: 1, series: 'validation', value: 1.4 },
    { epoch: 2, series: 'train', value: 0.9 },
  ]);
  assert.deepEqual(
    acc.map((r) => `${r.epoch}${r.series}`),
    ['1train', '2train', '2validation'],
  );
  assert.deepEqual(lr, [
    { epoch: 1, lr: 1e-3 },
    { epoch: 2, lr: 5e-4 },
  ]);
  const yAcc = (charts[1].spec as { encoding: { y: { scale: { domain: number[] } } } }).encoding.y;
  assert.deepEqual(yAcc.scale.domain, [0, 1]);
  assert.deepEqual(trainingCharts([]), []);
  assert.deepEqual(trainingCharts([{ epoch: 1 }]), []);
});

test('cvChart: one bar per fold and metric, dashed mean line per metric at the mean across folds', () => {
  const cv: CvReport = {
    folds: [
      { fold: 2, metrics: { accuracy: 0.8, macro_f1: 0.6 }, eval: { accuracy: 0.4 } },
      { fold: 1, metrics: { accuracy: 0.7, macro_f1: 0.5 }, eval: { accuracy: 0.5 } },
      { fold: 3, metrics: { accuracy: 0.9, macro_f1: 0.7, custom: 3 } },
    ],
    evalName: 'real',
  };
  const c = cvChart(cv);
  assert.ok(c);
  assert.equal(c.name, 'cv-folds');
  const [bars, rules] = layerData(c);
  assert.equal(bars.length, 6);
  assert.deepEqual(bars.slice(0, 2), [
    { fold: 'Fold 1', metric: 'Accuracy', value: 0.7 },
    { fold: 'Fold 1', metric: 'Macro F1', value: 0.5 },
  ]);
  assert.equal(rules.length, 2);
  assert.ok(Math.abs((rules[0].value as number) - 0.8) < 1e-12);
  assert.ok(Math.abs((rules[1].value as number) - 0.6) < 1e-12);
  const e = cvChart(cv, 'eval');
  assert.ok(e);
  assert.equal(e.name, 'cv-folds-eval');
  assert.match(e.title, /real/);
  assert.ok(Math.abs((layerData(e)[1][0].value as number) - 0.45) < 1e-12);
  // Asked-for metrics win over the defaults; unknown folds give no chart.
  const custom = cvChart({ ...cv, metrics: ['custom'] });
  assert.deepEqual(layerData(custom!)[0], [{ fold: 'Fold 3', metric: 'custom', value: 3 }]);
  assert.equal(cvChart({ folds: [] }), null);
  assert.equal(cvChart(undefined), null);
});

test('cvHistoryChart: one learning curve per fold, validation accuracy preferred', () => {
  const c = cvHistoryChart({
    folds: [
      {
        fold: 2,
        metrics: {},
        history: [
          { epoch: 1, train_acc: 0.5, val_acc: 0.4 },
          { epoch: 2, train_acc: 0.6, val_acc: 0.45 },
        ],
      },
      { fold: 1, metrics: {}, history: [{ epoch: 1, train_acc: 0.55, val_acc: 0.42 }] },
      { fold: 3, metrics: {} },
    ],
  });
  assert.ok(c);
  assert.equal(c.name, 'cv-history');
  assert.match(c.title, /validation accuracy/);
  assert.deepEqual(layerData(c)[0], [
    { epoch: 1, fold: 'Fold 1', value: 0.42 },
    { epoch: 1, fold: 'Fold 2', value: 0.4 },
    { epoch: 2, fold: 'Fold 2', value: 0.45 },
  ]);
  const trainOnly = cvHistoryChart({ folds: [{ fold: 1, metrics: {}, history: [{ epoch: 1, train_acc: 0.5 }] }] });
  assert.match(trainOnly!.title, /training accuracy/);
  assert.equal(cvHistoryChart({ folds: [{ fold: 1, metrics: { accuracy: 1 } }] }), null);
});

test('metricLabel names train/val variants of known metrics', () => {
  assert.equal(metricLabel('macro_f1'), 'Macro F1');
  assert.equal(metricLabel('val_macro_f1'), 'Validation macro F1');
  assert.equal(metricLabel('val_balanced_accuracy'), 'Validation balanced accuracy (UA)');
  assert.equal(metricLabel('val_acc'), 'Validation accuracy');
  assert.equal(metricLabel('something_else'), 'something_else');
});

test('confusionChart: one cell per (true, predicted) with its count and row share, labels in model order', () => {
  const c = confusionChart('real speech', {
    labels: ['b', 'a'],
    matrix: [
      [3, 1],
      [0, 0],
    ],
  });
  assert.equal(c.name, 'confusion-real-speech');
  const rows = layerData(c)[0];
  assert.deepEqual(rows, [
    { true: 'b', predicted: 'b', count: 3, share: 0.75 },
    { true: 'b', predicted: 'a', count: 1, share: 0.25 },
    { true: 'a', predicted: 'b', count: 0, share: 0 },
    { true: 'a', predicted: 'a', count: 0, share: 0 },
  ]);
  const enc = (c.spec as { encoding: { x: { sort: string[] }; y: { sort: string[] } } }).encoding;
  assert.deepEqual(enc.x.sort, ['b', 'a']);
  assert.deepEqual(enc.y.sort, ['b', 'a']);
  assert.throws(() => confusionChart('bad', { labels: ['a', 'b'], matrix: [[1, 2]] }), /"bad".*2×2/);
  assert.throws(() => confusionChart('neg', { labels: ['a'], matrix: [[-1]] }), /non-negative/);
});

test('perClassF1Chart: grouped bars of F1 per class, one series per evaluation', () => {
  const pc = (f1s: number[]) => ['x', 'y'].map((label, i) => ({ label, precision: 0, recall: 0, f1: f1s[i], support: 1 }));
  const c = perClassF1Chart({ synthetic: { per_class: pc([0.8, 0.7]) }, real: { per_class: pc([0.4, 0.3]) }, other: { accuracy: 1 } });
  assert.ok(c);
  assert.equal(c.title, 'Per-class F1: synthetic vs real');
  assert.deepEqual(layerData(c)[0], [
    { class: 'x', evaluation: 'synthetic', f1: 0.8 },
    { class: 'y', evaluation: 'synthetic', f1: 0.7 },
    { class: 'x', evaluation: 'real', f1: 0.4 },
    { class: 'y', evaluation: 'real', f1: 0.3 },
  ]);
  assert.equal(perClassF1Chart({ only: { accuracy: 0.5 } }), null);
});

test('comparisonChart: numeric cells only; chart:false and all-text tables draw nothing', () => {
  const t = {
    title: 'Ours vs paper',
    columns: ['Acc', 'F1'],
    rows: [
      { label: 'paper', values: [0.75, 0.74] },
      { label: 'ours', values: [0.7, 'n/a'] },
    ],
  };
  const c = comparisonChart(t);
  assert.ok(c);
  assert.equal(c.name, 'comparison-ours-vs-paper');
  assert.deepEqual(layerData(c)[0], [
    { column: 'Acc', series: 'paper', value: 0.75 },
    { column: 'F1', series: 'paper', value: 0.74 },
    { column: 'Acc', series: 'ours', value: 0.7 },
  ]);
  assert.equal(comparisonChart({ ...t, chart: false }), null);
  assert.equal(comparisonChart({ ...t, rows: [{ label: 'x', values: [null, 'y'] }] }), null);
});

test('datasetChart: clips per class per dataset', () => {
  const c = datasetChart([
    { name: 'a', counts: { x: 2, y: 3 } },
    { name: 'b', counts: { y: 1 } },
  ]);
  assert.deepEqual(layerData(c!)[0], [
    { class: 'x', dataset: 'a', clips: 2 },
    { class: 'y', dataset: 'a', clips: 3 },
    { class: 'y', dataset: 'b', clips: 1 },
  ]);
  assert.equal(datasetChart([]), null);
});

test('inlineSvg prefixes ids and every reference to them, so inlined charts do not share clip paths', () => {
  const svg =
    '<?xml version="1.0"?><svg><defs><clipPath id="clip1"><rect/></clipPath></defs><g clip-path="url(#clip1)"><use xlink:href="#clip1"/><use href="#clip1"/></g></svg>';
  assert.equal(
    inlineSvg(svg, 'c3'),
    '<svg><defs><clipPath id="c3-clip1"><rect/></clipPath></defs><g clip-path="url(#c3-clip1)"><use xlink:href="#c3-clip1"/><use href="#c3-clip1"/></g></svg>',
  );
});

test('commandLine quotes arguments that need it', () => {
  assert.equal(commandLine(['affexion', 'train', 'my data', "it's", '--out=x/y']), `affexion train 'my data' 'it'\\''s' --out=x/y`);
  assert.equal(commandLine('as given'), 'as given');
  // The npx cache path of the program is not what a user typed.
  assert.equal(commandLine(['/root/.npm/_npx/5f2a/node_modules/affexion/dist/cli/main.js', 'demo']), 'affexion demo');
  assert.equal(commandLine(['/repo/node_modules/.bin/affexion', 'train', 'd']), 'affexion train d');
});
