/**
 * writeReport: turns a {@link RunReport} into runDir/report.html (charts inlined) and
 * runDir/charts/<name>.svg + .png.
 */
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { RunReport, WrittenReport } from './types.js';
import {
  comparisonChart,
  timelineChart,
  confusionChart,
  cvChart,
  cvHistoryChart,
  datasetChart,
  perClassF1Chart,
  trainingCharts,
  validateConfusion,
  type ChartSpec,
} from './charts.js';
import { buildHtml, type RenderedChart } from './html.js';
import { renderSvg, svgToPng } from './render.js';
import { UniqueNames } from './stats.js';

/** Writes via a temporary file and a rename, so an interrupted run never leaves a half-written file. */
async function writeAtomic(file: string, content: string | Buffer): Promise<void> {
  const tmp = `${file}.${process.pid}.tmp`;
  await writeFile(tmp, content);
  await rename(tmp, file);
}

/** Lists the chart files a report wrote, so the next report in the same folder can remove the ones it no longer draws. */
const MANIFEST = '.report-charts.json';

/** Deletes chart files an earlier report listed in its manifest that this report did not write. */
async function removeStaleCharts(chartDir: string, written: readonly string[]): Promise<void> {
  let previous: unknown;
  try {
    previous = JSON.parse(await readFile(path.join(chartDir, MANIFEST), 'utf8'));
  } catch {
    return; // no earlier report here (or an unreadable manifest): nothing of ours to clean up
  }
  if (!Array.isArray(previous)) return;
  const keep = new Set(written.map((f) => path.basename(f)));
  for (const name of previous) {
    // Only plain file names the report itself could have written; never a path elsewhere.
    if (typeof name !== 'string' || keep.has(name) || !/^[a-z0-9-]+\.(svg|png)$/.test(name)) continue;
    await rm(path.join(chartDir, name), { force: true });
  }
}

/** Checks the parts a chart or table relies on, with messages naming the offending field. */
export function validateReport(data: RunReport): void {
  if (data === null || typeof data !== 'object') throw new Error('report: data must be a RunReport object');
  if (data.history !== undefined && !Array.isArray(data.history)) throw new Error('report: history must be an array of epoch records');
  data.history?.forEach((r, i) => {
    if (typeof r?.epoch !== 'number' || !Number.isFinite(r.epoch)) throw new Error(`report: history[${i}].epoch must be a number`);
  });
  if (data.cv && !Array.isArray(data.cv.folds)) throw new Error('report: cv.folds must be an array');
  data.cv?.folds.forEach((f, i) => {
    if (typeof f?.fold !== 'number') throw new Error(`report: cv.folds[${i}].fold must be a number`);
    if (f.metrics === null || typeof f.metrics !== 'object') throw new Error(`report: cv.folds[${i}].metrics must be an object of numbers`);
  });
  for (const [name, m] of Object.entries(data.evaluations ?? {})) {
    if (m === null || typeof m !== 'object') throw new Error(`report: evaluations["${name}"] must be an object`);
    if (m.confusion) validateConfusion(name, m.confusion);
    if (m.per_class !== undefined && !Array.isArray(m.per_class))
      throw new Error(`report: evaluations["${name}"].per_class must be an array`);
  }
  if (data.comparisons !== undefined && !Array.isArray(data.comparisons)) throw new Error('report: comparisons must be an array');
  if (data.datasets !== undefined && !Array.isArray(data.datasets)) throw new Error('report: datasets must be an array');
  data.comparisons?.forEach((t, i) => {
    if (!Array.isArray(t?.columns) || !Array.isArray(t?.rows)) throw new Error(`report: comparisons[${i}] needs columns and rows arrays`);
    t.rows.forEach((r, j) => {
      if (!Array.isArray(r.values) || r.values.length !== t.columns.length) {
        throw new Error(
          `report: comparisons[${i}] ("${t.title}") row ${j} ("${r.label}") has ${r.values?.length ?? 0} values for ${t.columns.length} columns`,
        );
      }
    });
  });
  data.datasets?.forEach((d, i) => {
    if (d?.counts === null || typeof d?.counts !== 'object')
      throw new Error(`report: datasets[${i}].counts must be an object (class → clips)`);
  });
}

/**
 * The charts a report shows, keyed by the section they appear in, with unique file names. Exposed for
 * tests and for callers that want the specs without writing files.
 */
export function planCharts(data: RunReport): Map<string, ChartSpec[]> {
  const names = new UniqueNames();
  const plan = new Map<string, ChartSpec[]>();
  const add = (sectionId: string, chart: ChartSpec | null): void => {
    if (!chart) return;
    chart.name = names.take(chart.name);
    plan.set(sectionId, [...(plan.get(sectionId) ?? []), chart]);
  };
  add('datasets', datasetChart(data.datasets));
  for (const c of trainingCharts(data.history)) add('training', c);
  add('cv', cvChart(data.cv, 'metrics'));
  add('cv', cvHistoryChart(data.cv));
  add('cv-eval', cvChart(data.cv, 'eval'));
  add('evaluations', perClassF1Chart(data.evaluations));
  for (const [name, m] of Object.entries(data.evaluations ?? {})) {
    if (m.confusion) add(`evaluation:${name}`, confusionChart(name, m.confusion));
  }
  data.comparisons?.forEach((t, i) => add(`comparison:${i}`, comparisonChart(t)));
  data.timelines?.forEach((t, i) => add(`timeline:${i}`, timelineChart(t)));
  return plan;
}

/**
 * Writes a self-contained `runDir/report.html` (every chart inlined as SVG; no network fetches) and
 * each chart as `runDir/charts/<name>.svg` and `.png`. Creates runDir if needed; overwrites an earlier
 * report there (removing chart files the earlier report drew and this one does not). Every part of `data` is optional — sections without data are left out.
 *
 * @returns absolute paths of report.html and of every chart file written.
 * @throws Error naming the field when `data` is malformed (e.g. a confusion matrix that is not square).
 */
export async function writeReport(runDir: string, data: RunReport): Promise<WrittenReport> {
  if (typeof runDir !== 'string' || runDir.trim() === '') throw new Error('report: runDir must be a non-empty path');
  validateReport(data);
  const dir = path.resolve(runDir);
  const chartDir = path.join(dir, 'charts');
  const created = data.created instanceof Date ? data.created.toISOString() : (data.created ?? new Date().toISOString());
  const plan = planCharts(data);
  try {
    await mkdir(chartDir, { recursive: true });
  } catch (err) {
    throw new Error(`report: cannot create ${chartDir}: ${(err as Error).message}`);
  }
  const rendered = new Map<string, RenderedChart[]>();
  const files: string[] = [];
  for (const [sectionId, specs] of plan) {
    const list: RenderedChart[] = [];
    for (const c of specs) {
      const svg = await renderSvg(c.spec);
      const svgFile = path.join(chartDir, `${c.name}.svg`);
      const pngFile = path.join(chartDir, `${c.name}.png`);
      await writeAtomic(svgFile, svg);
      await writeAtomic(pngFile, svgToPng(svg));
      files.push(svgFile, pngFile);
      list.push({ name: c.name, title: c.title, svg });
    }
    rendered.set(sectionId, list);
  }
  await removeStaleCharts(chartDir, files);
  await writeAtomic(path.join(chartDir, MANIFEST), `${JSON.stringify(files.map((f) => path.basename(f)))}\n`);
  const html = path.join(dir, 'report.html');
  await writeAtomic(html, buildHtml(data, created, rendered));
  return { html, charts: files };
}
