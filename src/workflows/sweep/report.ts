/**
 * A sweep's table.md and report.html: per knob, the mean ± sd over seeds of the cross-validated and of
 * each real corpus's balanced accuracy against the knob's value, beside the paper's curve where the
 * repository has the paper's figures (PAPER_CURVES). Charts are Vega-Lite, rendered by src/report.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { TopLevelSpec } from 'vega-lite';
import { writeFileAtomic } from '../../data/cache.js';
import { commandLine, escapeHtml, inlineSvg } from '../../report/html.js';
import { meanStd } from '../../report/metrics.js';
import { renderSvg } from '../../report/render.js';
import { KNOBS, type Vary } from './knobs.js';
import type { SweepResults, TrialRecord } from './sweep.js';

/**
 * The paper's §4.3 curves (knob → value → balanced accuracy), to draw beside ours. Empty: the paper's
 * §4.3 figures are not in this repository's docs, and none are made up; add them here when sourced.
 */
export const PAPER_CURVES: Readonly<Record<string, readonly { value: number; balanced_accuracy: number }[]>> = Object.freeze({});

/** One point of a curve: a knob value, a series, mean ± sd over seeds and how many seeds. */
export interface CurvePoint {
  knob: string;
  value: number;
  series: string;
  mean: number;
  sd: number;
  n: number;
}

/** Records on knob `name`'s curve (one-at-a-time: its study; grid: all, averaged over the other knobs). */
function onCurve(r: TrialRecord, name: string): boolean {
  return r.curves.includes(name);
}

/** The curves of every knob: CV and each real corpus (from finished records), and the paper's. */
export function sweepCurves(results: SweepResults): CurvePoint[] {
  const points: CurvePoint[] = [];
  for (const [name, values] of Object.entries(results.vary)) {
    for (const value of [...values].sort((a, b) => a - b)) {
      const recs = results.records.filter((r) => r.status === 'done' && r.values[name] === value && onCurve(r, name));
      // Per seed first (a grid has several records per seed), then mean ± sd over seeds.
      const series: [string, (r: TrialRecord) => number][] = [
        ['cross-validation', (r) => r.cv?.balanced_accuracy.mean ?? NaN],
        ...results.real.map((c): [string, (r: TrialRecord) => number] => [
          `real: ${c.name}`,
          (r) => r.real?.[c.name]?.balanced_accuracy.mean ?? NaN,
        ]),
      ];
      for (const [label, get] of series) {
        const bySeed = new Map<number, number[]>();
        for (const r of recs) bySeed.set(r.seed, [...(bySeed.get(r.seed) ?? []), get(r)]);
        const perSeed = [...bySeed.values()].map((xs) => xs.reduce((a, b) => a + b, 0) / xs.length).filter(Number.isFinite);
        if (perSeed.length === 0) continue;
        const { mean, std } = meanStd(perSeed);
        points.push({ knob: name, value, series: label, mean, sd: std, n: perSeed.length });
      }
    }
    for (const p of PAPER_CURVES[name] ?? [])
      points.push({ knob: name, value: p.value, series: 'paper', mean: p.balanced_accuracy, sd: 0, n: 1 });
  }
  return points;
}

function chartSpec(name: string, points: CurvePoint[]): TopLevelSpec {
  const rows = points.map((p) => ({ ...p, lo: p.mean - p.sd, hi: p.mean + p.sd }));
  const x = { field: 'value', type: 'quantitative' as const, title: name, scale: { zero: false } };
  const color = { field: 'series', type: 'nominal' as const, title: null };
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: {
      text: `Balanced accuracy vs ${name}`,
      subtitle: `mean ± sd over seeds${PAPER_CURVES[name] ? '' : ' · paper curve: not available in the repository'}`,
    },
    width: 420,
    height: 240,
    background: 'white',
    data: { values: rows },
    layer: [
      {
        mark: { type: 'line', point: true },
        encoding: { x, y: { field: 'mean', type: 'quantitative', title: 'balanced accuracy', axis: { format: '%' } }, color },
      },
      { mark: { type: 'rule' }, encoding: { x, y: { field: 'lo', type: 'quantitative' }, y2: { field: 'hi' }, color } },
    ],
  } as TopLevelSpec;
}

const pct = (m: { mean: number; std: number } | undefined): string =>
  m && Number.isFinite(m.mean) ? `${(100 * m.mean).toFixed(1)} ± ${(100 * m.std).toFixed(1)} %` : '–';

/** table.md: one row per trial × seed (no times, so equal runs give equal tables). */
export function sweepTable(results: SweepResults): string {
  const knobs = Object.keys(results.vary);
  const head = [...knobs, 'seed', 'CV balanced acc.', ...results.real.map((c) => `${c.name} balanced acc.`), 'status'];
  const lines = [`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`];
  for (const r of results.records) {
    lines.push(
      `| ${[
        ...knobs.map((k) => String(r.values[k])),
        String(r.seed),
        pct(r.cv?.balanced_accuracy),
        ...results.real.map((c) => pct(r.real?.[c.name]?.balanced_accuracy)),
        r.status === 'done' ? 'done' : `failed: ${(r.error ?? '').replace(/\|/g, '/').slice(0, 200)}`,
      ].join(' | ')} |`,
    );
  }
  return (
    `# Sweep (${results.design}, ${results.seeds.length} seed(s), ${results.folds}-fold CV grouped by ${results.groupBy})\n\n` +
    `Balanced accuracy: mean ± sd over the CV folds of each run.\n\n${lines.join('\n')}\n`
  );
}

/** Writes RUN/table.md and (with `html`) RUN/report.html + RUN/charts/<knob>.svg. */
export async function writeSweepReport(
  out: string,
  results: SweepResults,
  o: { html: boolean; command?: string[] },
): Promise<{ table: string; html?: string }> {
  const table = path.join(out, 'table.md');
  writeFileAtomic(table, sweepTable(results));
  if (!o.html) return { table };
  const points = sweepCurves(results);
  const chartsDir = path.join(out, 'charts');
  mkdirSync(chartsDir, { recursive: true });
  const figures: string[] = [];
  for (const [i, name] of Object.keys(results.vary).entries()) {
    const svg = await renderSvg(
      chartSpec(
        name,
        points.filter((p) => p.knob === name),
      ),
    );
    writeFileSync(path.join(chartsDir, `${name}.svg`), svg);
    figures.push(
      `<figure class="chart" data-chart="${escapeHtml(name)}">${inlineSvg(svg, `k${i}`)}<figcaption>${escapeHtml(KNOBS[name]?.doc ?? name)} — ` +
        `<a href="charts/${encodeURIComponent(name)}.svg">SVG</a></figcaption></figure>`,
    );
  }
  const failed = results.records.filter((r) => r.status === 'failed');
  const html = `<!doctype html><html><head><meta charset="utf-8"><title>Affexion sweep</title>
<style>body{font-family:sans-serif;max-width:1000px;margin:2em auto;padding:0 1em}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:2px 6px;text-align:right}figure{margin:1em 0}</style></head><body>
<h1>Hyper-parameter sweep</h1>
${o.command ? `<p><code>${escapeHtml(commandLine(o.command))}</code></p>` : ''}
<p>${escapeHtml(results.design)} design · ${results.records.length} trial × seed runs · seeds ${results.seeds.join(', ')} · ${results.folds}-fold CV grouped by ${escapeHtml(results.groupBy)}
 · data ${escapeHtml(results.data.path)} (content ${results.data.hash})${results.real.map((c) => ` · real ${escapeHtml(c.name)} (${c.hash})`).join('')}</p>
<p>The paper's §4.3 curves are drawn only where their figures are in the repository (${Object.keys(PAPER_CURVES).length ? escapeHtml(Object.keys(PAPER_CURVES).join(', ')) : 'none are'}).</p>
${failed.length ? `<p><strong>${failed.length} run(s) failed</strong>: ${failed.map((r) => escapeHtml(`${JSON.stringify(r.values)} seed ${r.seed}: ${r.error}`)).join('<br>')}</p>` : ''}
${figures.join('\n')}
<h2>Curve points</h2>
${curveTable(results.vary, points)}
</body></html>
`;
  const file = path.join(out, 'report.html');
  writeFileAtomic(file, html);
  return { table, html: file };
}

function curveTable(vary: Vary, points: CurvePoint[]): string {
  const rows = points.map(
    (p) =>
      `<tr><td>${escapeHtml(p.knob)}</td><td>${p.value}</td><td>${escapeHtml(p.series)}</td><td>${(100 * p.mean).toFixed(1)} %</td><td>${(100 * p.sd).toFixed(1)}</td><td>${p.n}</td></tr>`,
  );
  return (
    `<table><thead><tr><th>knob</th><th>value</th><th>series</th><th>mean</th><th>sd</th><th>seeds</th></tr></thead><tbody>${rows.join('')}</tbody></table>` +
    `<p>Knobs: ${Object.keys(vary).map(escapeHtml).join(', ')}.</p>`
  );
}
