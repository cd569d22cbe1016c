/**
 * Chart specifications (Vega-Lite) built from a {@link RunReport}. Pure functions: data in, spec out,
 * so the specs and their data can be unit-tested without rendering. render.ts turns them into SVG/PNG.
 */
import type { TopLevelSpec } from 'vega-lite';
import type {
  ConfusionMatrix,
  CvReport,
  DatasetSummary,
  ComparisonTable,
  HistoryRecord,
  EvaluationMetrics,
  TimelineChart,
} from './types.js';
import { isRate, metricLabel, slugify } from './stats.js';
import { CV_METRICS, meanStd } from './metrics.js';

/** One chart to draw: its file name (without extension), a caption, and the Vega-Lite spec. */
export interface ChartSpec {
  /** File-name stem, e.g. "training-loss" → charts/training-loss.svg and .png. */
  name: string;
  title: string;
  spec: TopLevelSpec;
}

type Row = Record<string, string | number>;

const SCHEMA = 'https://vega.github.io/schema/vega-lite/v6.json';
/** Shared look: white background (PNG viewers show transparency as black or checkerboard), readable sizes. */
const CONFIG = {
  background: 'white',
  font: 'sans-serif',
  title: { fontSize: 14, anchor: 'start' as const, subtitleFontSize: 11, subtitleColor: '#555' },
  axis: { labelFontSize: 11, titleFontSize: 12 },
  legend: { labelFontSize: 11, titleFontSize: 12, labelLimit: 320 },
  view: { stroke: null },
};

function finite(v: unknown): v is number {
  return typeof v === 'number' && Number.isFinite(v);
}

/** Train and validation curves of one quantity (loss or accuracy) over epochs; null if no values. */
function historyChart(history: readonly HistoryRecord[], kind: 'loss' | 'acc'): ChartSpec | null {
  const rows: Row[] = [];
  for (const r of history) {
    for (const [side, series] of [
      ['train', 'train'],
      ['val', 'validation'],
    ] as const) {
      const v = r[`${side}_${kind}`];
      if (finite(v) && finite(r.epoch)) rows.push({ epoch: r.epoch, series, value: v });
    }
  }
  if (rows.length === 0) return null;
  const isAcc = kind === 'acc';
  const title = isAcc ? 'Accuracy per epoch' : 'Loss per epoch';
  return {
    name: isAcc ? 'training-accuracy' : 'training-loss',
    title,
    spec: {
      $schema: SCHEMA,
      title,
      width: 360,
      height: 220,
      data: { values: rows },
      mark: { type: 'line', point: true, tooltip: true },
      encoding: {
        x: { field: 'epoch', type: 'quantitative', title: 'Epoch', axis: { tickMinStep: 1, format: 'd' } },
        y: {
          field: 'value',
          type: 'quantitative',
          title: isAcc ? 'Accuracy' : 'Cross-entropy loss',
          ...(isAcc ? { scale: { domain: [0, 1] }, axis: { format: '%' } } : { scale: { zero: false } }),
        },
        color: { field: 'series', type: 'nominal', title: null, sort: ['train', 'validation'] },
      },
      config: CONFIG,
    },
  };
}

/** Learning rate per epoch (log scale when every value is positive, so StepLR's halvings are even steps). */
function learningRateChart(history: readonly HistoryRecord[]): ChartSpec | null {
  const rows: Row[] = history.filter((r) => finite(r.lr) && finite(r.epoch)).map((r) => ({ epoch: r.epoch, lr: r.lr as number }));
  if (rows.length === 0) return null;
  const positive = rows.every((r) => (r.lr as number) > 0);
  return {
    name: 'learning-rate',
    title: 'Learning rate per epoch',
    spec: {
      $schema: SCHEMA,
      title: 'Learning rate per epoch',
      width: 360,
      height: 160,
      data: { values: rows },
      mark: { type: 'line', interpolate: 'step-after', point: true, tooltip: true },
      encoding: {
        x: { field: 'epoch', type: 'quantitative', title: 'Epoch', axis: { tickMinStep: 1, format: 'd' } },
        y: { field: 'lr', type: 'quantitative', title: 'Learning rate', scale: positive ? { type: 'log' } : {}, axis: { format: '.1e' } },
      },
      config: CONFIG,
    },
  };
}

/** The training charts: loss, accuracy and learning rate, each only when its values are present. */
export function trainingCharts(history: readonly HistoryRecord[] | undefined): ChartSpec[] {
  if (!history || history.length === 0) return [];
  return [historyChart(history, 'loss'), historyChart(history, 'acc'), learningRateChart(history)].filter(
    (c): c is ChartSpec => c !== null,
  );
}

interface GroupedBarsOptions {
  name: string;
  title: string;
  subtitle?: string;
  rows: Row[];
  /** Field and order of the groups along x. */
  x: { field: string; title: string; order: string[] };
  /** Field and order of the bars within a group (one colour each). */
  series: { field: string; title: string | null; order: string[] };
  y: { field: string; title: string; percent: boolean };
  /** Horizontal reference lines, one per series value (e.g. means), drawn dashed in the series colour. */
  rules?: Row[];
  /** Print each bar's value above it. */
  labels?: boolean;
}

/** Grouped bar chart: the building block of the CV, per-class F1, comparison and dataset charts. */
function groupedBars(o: GroupedBarsOptions): ChartSpec {
  // Duplicate names (two datasets called the same) would give the scale a repeated domain value.
  o = { ...o, x: { ...o.x, order: [...new Set(o.x.order)] }, series: { ...o.series, order: [...new Set(o.series.order)] } };
  const nSeries = Math.max(1, o.series.order.length);
  // Each group must fit its bars and its axis label (about 7 px per character at 11 px).
  const longest = Math.max(0, ...o.x.order.map((l) => l.length));
  const groupWidth = Math.max(nSeries * 16 + 24, Math.min(longest, 20) * 7 + 16);
  const width = Math.max(260, o.x.order.length * groupWidth);
  const yScale = o.y.percent ? { domain: [0, 1] } : { zero: true };
  const yAxis = o.y.percent ? { format: '%' } : {};
  const color = {
    field: o.series.field,
    type: 'nominal' as const,
    title: o.series.title,
    sort: o.series.order,
    scale: { domain: o.series.order },
  };
  const x = { field: o.x.field, type: 'nominal' as const, title: o.x.title, sort: o.x.order, axis: { labelAngle: 0, labelLimit: 140 } };
  const xOffset = { field: o.series.field, type: 'nominal' as const, sort: o.series.order, scale: { domain: o.series.order } };
  const y = { field: o.y.field, type: 'quantitative' as const, title: o.y.title, scale: yScale, axis: yAxis };
  const layers: object[] = [{ data: { values: o.rows }, mark: { type: 'bar', tooltip: true }, encoding: { x, xOffset, y, color } }];
  if (o.labels) {
    layers.push({
      data: { values: o.rows },
      // Upright labels would overlap on bars this narrow; rotated they run up from each bar's top.
      mark: { type: 'text', angle: 270, align: 'left', baseline: 'middle', dx: 3, fontSize: 9, color: '#333' },
      encoding: { x, xOffset, y, text: { field: o.y.field, type: 'quantitative', format: o.y.percent ? '.1%' : '.3~g' } },
    });
  }
  if (o.rules && o.rules.length > 0) {
    layers.push({
      data: { values: o.rules },
      mark: { type: 'rule', strokeDash: [6, 4], strokeWidth: 2, tooltip: true },
      encoding: { y, color },
    });
  }
  return {
    name: o.name,
    title: o.title,
    spec: {
      $schema: SCHEMA,
      title: o.subtitle ? { text: o.title, subtitle: o.subtitle } : o.title,
      width,
      height: 240,
      layer: layers,
      config: CONFIG,
    } as TopLevelSpec,
  };
}

/** The metric keys a CV report shows: the requested ones, else the known ones present in any fold. */
export function cvMetricKeys(cv: CvReport, side: 'metrics' | 'eval' = 'metrics'): string[] {
  const present = new Set<string>();
  for (const f of cv.folds) for (const [k, v] of Object.entries(f[side] ?? {})) if (finite(v)) present.add(k);
  if (cv.metrics) return cv.metrics.filter((k) => present.has(k));
  const known = CV_METRICS.filter((k) => present.has(k));
  return known.length > 0 ? known : [...present];
}

/**
 * Per-fold CV metrics as grouped bars (one group per fold), with each metric's mean across folds as a
 * dashed line. `side` picks the validation figures or the extra evaluation set's.
 */
export function cvChart(cv: CvReport | undefined, side: 'metrics' | 'eval' = 'metrics'): ChartSpec | null {
  if (!cv || cv.folds.length === 0) return null;
  const keys = cvMetricKeys(cv, side);
  if (keys.length === 0) return null;
  const labels = keys.map(metricLabel);
  const folds = [...cv.folds].sort((a, b) => a.fold - b.fold);
  const rows: Row[] = [];
  for (const f of folds) {
    for (const k of keys) {
      const v = f[side]?.[k];
      if (finite(v)) rows.push({ fold: `Fold ${f.fold}`, metric: metricLabel(k), value: v });
    }
  }
  const rules: Row[] = keys.map((k) => {
    const { mean } = meanStd(folds.map((f) => f[side]?.[k] ?? NaN).filter(Number.isFinite));
    return { metric: metricLabel(k), value: mean };
  });
  const onEval = side === 'eval';
  const setName = onEval ? (cv.evalName ?? 'evaluation set') : 'validation folds';
  return groupedBars({
    name: onEval ? 'cv-folds-eval' : 'cv-folds',
    title: onEval ? `Cross-validation: each fold's model on ${setName}` : 'Cross-validation: metrics per fold',
    subtitle: `${folds.length} folds${cv.groupBy && cv.groupBy !== 'none' ? `, grouped by ${cv.groupBy}` : ''}; dashed line = mean across folds`,
    rows,
    rules,
    x: { field: 'fold', title: 'Fold', order: folds.map((f) => `Fold ${f.fold}`) },
    series: { field: 'metric', title: null, order: labels },
    y: { field: 'value', title: onEval ? `Score on ${setName}` : 'Score', percent: keys.every(isRate) },
  });
}

/**
 * Learning curves of every fold's model, one line per fold: validation accuracy per epoch (training
 * accuracy when the folds recorded no validation figures). Null when no fold carries a history.
 */
export function cvHistoryChart(cv: CvReport | undefined): ChartSpec | null {
  const folds = [...(cv?.folds ?? [])].filter((f) => f.history && f.history.length > 0).sort((a, b) => a.fold - b.fold);
  if (folds.length === 0) return null;
  const key = folds.some((f) => f.history!.some((r) => finite(r.val_acc))) ? 'val_acc' : 'train_acc';
  const rows: Row[] = [];
  for (const f of folds) {
    for (const r of f.history!) {
      const v = r[key];
      if (finite(v) && finite(r.epoch)) rows.push({ epoch: r.epoch, fold: `Fold ${f.fold}`, value: v });
    }
  }
  if (rows.length === 0) return null;
  const title =
    key === 'val_acc'
      ? 'Cross-validation: validation accuracy per epoch, each fold'
      : 'Cross-validation: training accuracy per epoch, each fold';
  return {
    name: 'cv-history',
    title,
    spec: {
      $schema: SCHEMA,
      title,
      width: 360,
      height: 220,
      data: { values: rows },
      mark: { type: 'line', point: { size: 20 }, tooltip: true, strokeWidth: 1.5 },
      encoding: {
        x: { field: 'epoch', type: 'quantitative', title: 'Epoch', axis: { tickMinStep: 1, format: 'd' } },
        y: { field: 'value', type: 'quantitative', title: metricLabel(key), scale: { domain: [0, 1] }, axis: { format: '%' } },
        color: { field: 'fold', type: 'nominal', title: null, sort: folds.map((f) => `Fold ${f.fold}`) },
      },
      config: CONFIG,
    },
  };
}

/**
 * Confusion-matrix heatmap: rows = true class, columns = predicted class, each cell printed with its
 * count and coloured by its share of the true class (row-normalised), so classes of different sizes
 * compare at a glance.
 */
export function confusionChart(evalName: string, cm: ConfusionMatrix): ChartSpec {
  validateConfusion(evalName, cm);
  const rows: Row[] = [];
  cm.labels.forEach((truth, i) => {
    const row = cm.matrix[i];
    const total = row.reduce((a, b) => a + b, 0);
    cm.labels.forEach((pred, j) => {
      rows.push({ true: truth, predicted: pred, count: row[j], share: total > 0 ? row[j] / total : 0 });
    });
  });
  const step = Math.max(36, Math.min(64, Math.floor(420 / Math.max(1, cm.labels.length))));
  const x = {
    field: 'predicted',
    type: 'nominal' as const,
    title: 'Predicted class',
    sort: cm.labels,
    axis: { labelAngle: -30, orient: 'top' as const },
  };
  const y = { field: 'true', type: 'nominal' as const, title: 'True class', sort: cm.labels };
  const title = `Confusion matrix: ${evalName}`;
  return {
    name: `confusion-${slugify(evalName)}`,
    title,
    spec: {
      $schema: SCHEMA,
      title: { text: title, subtitle: 'cell = clips; colour = share of the true class' },
      width: { step },
      height: { step },
      data: { values: rows },
      encoding: { x, y },
      layer: [
        {
          mark: { type: 'rect', tooltip: true },
          encoding: {
            color: {
              field: 'share',
              type: 'quantitative',
              title: 'Share of row',
              scale: { scheme: 'blues', domain: [0, 1] },
              legend: { format: '%' },
            },
          },
        },
        {
          mark: { type: 'text', fontSize: 12 },
          encoding: {
            text: { field: 'count', type: 'quantitative' },
            color: { condition: { test: 'datum.share > 0.55', value: 'white' }, value: 'black' },
          },
        },
      ],
      config: CONFIG,
    } as TopLevelSpec,
  };
}

/** Throws a clear error when a confusion matrix is not square or does not match its labels. */
export function validateConfusion(evalName: string, cm: ConfusionMatrix): void {
  const n = cm.labels.length;
  if (n === 0) throw new Error(`report: evaluation "${evalName}": confusion matrix has no labels`);
  if (cm.matrix.length !== n || cm.matrix.some((r) => r.length !== n)) {
    throw new Error(`report: evaluation "${evalName}": confusion matrix must be ${n}×${n} to match its ${n} labels`);
  }
  if (cm.matrix.some((r) => r.some((v) => !Number.isFinite(v) || v < 0))) {
    throw new Error(`report: evaluation "${evalName}": confusion matrix counts must be finite and non-negative`);
  }
}

/**
 * Per-class F1 of every evaluation that has per-class figures, as grouped bars (one group per class,
 * one bar per evaluation): with "synthetic" and "real" evaluations this is the synthetic-vs-real gap.
 */
export function perClassF1Chart(evaluations: Record<string, EvaluationMetrics> | undefined): ChartSpec | null {
  if (!evaluations) return null;
  const withClasses = Object.entries(evaluations).filter(([, m]) => Array.isArray(m.per_class) && m.per_class.length > 0);
  if (withClasses.length === 0) return null;
  const classOrder: string[] = [];
  const rows: Row[] = [];
  for (const [name, m] of withClasses) {
    for (const c of m.per_class ?? []) {
      if (!classOrder.includes(c.label)) classOrder.push(c.label);
      // A class with no clips in this set has no F1 to show (a 0 bar would read as "all wrong").
      if (finite(c.f1) && c.support !== 0) rows.push({ class: c.label, evaluation: name, f1: c.f1 });
    }
  }
  const names = withClasses.map(([n]) => n);
  return groupedBars({
    name: 'per-class-f1',
    title: names.length > 1 ? `Per-class F1: ${names.join(' vs ')}` : `Per-class F1: ${names[0]}`,
    rows,
    x: { field: 'class', title: 'Class', order: classOrder },
    series: { field: 'evaluation', title: 'Evaluated on', order: names },
    y: { field: 'f1', title: 'F1', percent: true },
    labels: true,
  });
}

/** Grouped bars of a comparison table's numeric cells (rows = series, columns = groups); null if none. */
export function comparisonChart(table: ComparisonTable): ChartSpec | null {
  if (table.chart === false) return null;
  const rows: Row[] = [];
  for (const r of table.rows) {
    table.columns.forEach((col, j) => {
      const v = r.values[j];
      if (finite(v)) rows.push({ column: col, series: r.label, value: v });
    });
  }
  if (rows.length === 0) return null;
  const percent = (table.unit ?? 'percent') === 'percent';
  return groupedBars({
    name: `comparison-${slugify(table.title)}`,
    title: table.title,
    rows,
    x: { field: 'column', title: '', order: table.columns },
    series: { field: 'series', title: null, order: table.rows.map((r) => r.label) },
    y: { field: 'value', title: percent ? 'Score' : 'Value', percent },
    labels: true,
  });
}

/** Clips per class of every dataset, as grouped bars (one group per class, one bar per dataset). */
export function datasetChart(datasets: readonly DatasetSummary[] | undefined): ChartSpec | null {
  if (!datasets || datasets.length === 0) return null;
  const classOrder: string[] = [];
  const rows: Row[] = [];
  for (const d of datasets) {
    for (const [label, count] of Object.entries(d.counts ?? {})) {
      if (!classOrder.includes(label)) classOrder.push(label);
      if (finite(count)) rows.push({ class: label, dataset: d.name, clips: count });
    }
  }
  if (rows.length === 0) return null;
  return groupedBars({
    name: 'datasets',
    title: 'Clips per class',
    rows,
    x: { field: 'class', title: 'Class', order: classOrder },
    series: { field: 'dataset', title: 'Dataset', order: datasets.map((d) => d.name) },
    y: { field: 'clips', title: 'Clips', percent: false },
    labels: true,
  });
}

/** Lines over time (one per series) over shaded spans (e.g. speech); null without finite points. */
export function timelineChart(tl: TimelineChart): ChartSpec | null {
  const rows: Row[] = tl.points.filter((p) => finite(p.t) && finite(p.value)).map((p) => ({ t: p.t, series: p.series, value: p.value }));
  if (rows.length === 0) return null;
  const spans: Row[] = (tl.spans ?? []).filter((s) => finite(s.t0) && finite(s.t1)).map((s) => ({ t0: s.t0, t1: s.t1 }));
  const layers: object[] = [];
  if (spans.length) {
    layers.push({
      data: { values: spans },
      mark: { type: 'rect', color: '#e8e8e8' },
      encoding: { x: { field: 't0', type: 'quantitative' }, x2: { field: 't1' } },
    });
  }
  layers.push({
    data: { values: rows },
    mark: { type: 'line', interpolate: 'step-after', tooltip: true },
    encoding: {
      x: { field: 't', type: 'quantitative', title: 'Time (s)' },
      y: { field: 'value', type: 'quantitative', title: tl.yTitle ?? 'Value' },
      color: { field: 'series', type: 'nominal', title: null },
    },
  });
  return {
    name: `timeline-${slugify(tl.title)}`,
    title: tl.title,
    spec: {
      $schema: SCHEMA,
      title: { text: tl.title, subtitle: spans.length ? (tl.spanLabel ?? 'shaded: speech') : '' },
      width: 640,
      height: 220,
      layer: layers,
      config: CONFIG,
    } as TopLevelSpec,
  };
}
