/**
 * Run reports: a self-contained report.html plus every chart as SVG and PNG.
 *
 * Usage (from train / cv / evaluate / reproduce / demo):
 * ```ts
 * import { writeReport, type RunReport } from './index.js';
 * const report: RunReport = {
 *   title: 'affexion train', kind: 'train', command: process.argv.slice(1),
 *   datasets: [{ name: 'training', path: dataDir, counts: { boredom: 70, panic: 70 }, skipped: [] }],
 *   history: metricsJsonlRecords,                    // [{epoch, train_loss, train_acc, val_loss, val_acc, lr}]
 *   evaluations: { 'validation': evaluateJson },      // {accuracy, balanced_accuracy, macro_*, confusion, per_class, n}
 *   cv: { folds: [{ fold: 1, metrics: { accuracy: 0.71, macro_f1: 0.70 } }], groupBy: 'speaker' },
 *   comparisons: [{ title: 'Ours vs paper', columns: ['accuracy', 'macro_f1'],
 *                   rows: [{ label: 'paper', values: [0.751, 0.744] }, { label: 'ours', values: [0.70, 0.69] }] }],
 *   notes: ['Anything worth saying.'],
 * };
 * const { html, charts } = await writeReport(runDir, report);   // runDir/report.html, runDir/charts/*.svg|png
 * ```
 * Every field of {@link RunReport} is optional; see ./types.ts for the full shape.
 */
export type {
  RunReport,
  EpochRecord,
  HistoryRecord,
  ConfusionMatrix,
  ClassMetrics,
  EvaluationMetrics,
  SkippedFile,
  DatasetSummary,
  FoldResult,
  CvReport,
  ComparisonTable,
  TimelineChart,
  WrittenReport,
} from './types.js';
export { writeReport, planCharts, validateReport } from './write.js';
export type { ChartSpec } from './charts.js';
export { renderSvg, svgToPng } from './render.js';
export { consoleProgress, formatEpoch, SILENT, type ProgressEvents, type BatchStats } from './progress.js';
export { classificationMetrics, argmaxRows, meanStd, type ClassificationMetrics } from './metrics.js';
