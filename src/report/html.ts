/**
 * The report.html document: plain HTML tables and the charts' SVG inlined, with its CSS embedded, so the
 * one file opens anywhere without fetching anything.
 */
import type { ComparisonTable, CvReport, DatasetSummary, HistoryRecord, EvaluationMetrics, RunReport } from './types.js';
import { cvMetricKeys } from './charts.js';
import { formatValue, metricLabel } from './stats.js';
import { meanStd } from './metrics.js';
import { architectureFromConfig, architectureSvg, describeArchitecture } from './architecture.js';
import { modelCardHtml } from './model-card.js';

/** A chart already rendered, ready to inline. */
export interface RenderedChart {
  name: string;
  title: string;
  svg: string;
}

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);
}

/**
 * Makes an SVG safe to inline next to others: vega numbers its clip paths and gradients from 1 in every
 * SVG, so two inlined charts would share ids and one would clip with the other's shapes. Prefixes every
 * id and every reference to one. Also drops the XML prolog if any.
 */
export function inlineSvg(svg: string, prefix: string): string {
  return svg
    .replace(/^<\?xml[^>]*>\s*/, '')
    .replace(/\bid="([^"]+)"/g, `id="${prefix}-$1"`)
    .replace(/url\(#([^)]+)\)/g, `url(#${prefix}-$1)`)
    .replace(/\b(xlink:href|href)="#([^"]+)"/g, `$1="#${prefix}-$2"`);
}

/** Shell-quotes one argument when it needs it, so a copied command line runs as it ran. */
function shellQuote(arg: string): string {
  return /^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}

/**
 * The command as a user would type it: the program path that `process.argv[1]` holds (under npx an
 * npm cache path such as ~/.npm/_npx/…/dist/cli/main.js) is shown as `affexion`.
 */
export function commandLine(command: string | string[]): string {
  if (!Array.isArray(command)) return command;
  const [first, ...rest] = command;
  const program = first !== undefined && /(^|[/\\])(affexion|main\.[cm]?[jt]s)$/.test(first) ? 'affexion' : first;
  return (program === undefined ? rest : [program, ...rest]).map(shellQuote).join(' ');
}

function table(head: string[], rows: string[][], cls = ''): string {
  const th = head.map((h) => `<th>${h}</th>`).join('');
  const body = rows.map((r) => `<tr>${r.map((c) => `<td>${c}</td>`).join('')}</tr>`).join('\n');
  return `<table${cls ? ` class="${cls}"` : ''}><thead><tr>${th}</tr></thead><tbody>\n${body}\n</tbody></table>`;
}

function figure(chart: RenderedChart, index: number): string {
  const file = `charts/${encodeURIComponent(chart.name)}`;
  return (
    `<figure class="chart" data-chart="${escapeHtml(chart.name)}">\n${inlineSvg(chart.svg, `c${index}`)}\n` +
    `<figcaption>${escapeHtml(chart.title)} — <a href="${file}.svg">SVG</a> · <a href="${file}.png">PNG</a></figcaption></figure>`
  );
}

function section(id: string, heading: string, body: string): string {
  return `<section id="${id}"><h2>${escapeHtml(heading)}</h2>\n${body}\n</section>`;
}

/** Renders a value of config (nested objects as compact JSON). */
function configValue(v: unknown): string {
  if (v === null || v === undefined) return '–';
  if (typeof v === 'object') return `<code>${escapeHtml(JSON.stringify(v))}</code>`;
  return escapeHtml(String(v));
}

const MAX_SKIPPED_SHOWN = 50;

function datasetsSection(datasets: readonly DatasetSummary[]): string {
  const parts = datasets.map((d) => {
    const counts = Object.entries(d.counts ?? {});
    const total = counts.reduce((a, [, n]) => a + (Number.isFinite(n) ? n : 0), 0);
    const rows = counts.map(([label, n]) => [escapeHtml(label), formatValue('n', n)]);
    rows.push(['<strong>total</strong>', `<strong>${total}</strong>`]);
    let html = `<h3>${escapeHtml(d.name)}</h3>`;
    if (d.path) html += `<p class="meta">from <code>${escapeHtml(d.path)}</code></p>`;
    html += table(['Class', 'Clips'], rows, 'narrow');
    const skipped = d.skipped ?? [];
    if (skipped.length > 0) {
      const shown = skipped.slice(0, MAX_SKIPPED_SHOWN).map((s) => [`<code>${escapeHtml(s.file)}</code>`, escapeHtml(s.reason)]);
      html += `<details><summary>${skipped.length} file${skipped.length === 1 ? '' : 's'} skipped</summary>${table(['File', 'Reason'], shown)}`;
      if (skipped.length > MAX_SKIPPED_SHOWN) html += `<p class="meta">… and ${skipped.length - MAX_SKIPPED_SHOWN} more.</p>`;
      html += '</details>';
    } else {
      html += '<p class="meta">No files skipped.</p>';
    }
    for (const n of d.notes ?? []) html += `<p>${escapeHtml(n)}</p>`;
    return html;
  });
  return parts.join('\n');
}

function historyTable(history: readonly HistoryRecord[]): string {
  const preferred = ['epoch', 'train_loss', 'train_acc', 'val_loss', 'val_acc', 'lr', 'seconds'];
  const keys = new Set<string>();
  for (const r of history) for (const [k, v] of Object.entries(r)) if (typeof v === 'number') keys.add(k);
  const cols = [...preferred.filter((k) => keys.has(k)), ...[...keys].filter((k) => !preferred.includes(k))];
  const rows = history.map((r) => cols.map((k) => formatValue(k, r[k])));
  return `<details><summary>Per-epoch figures (${history.length} epochs)</summary>${table(
    cols.map((k) => escapeHtml(k === 'epoch' ? 'Epoch' : metricLabel(k))),
    rows,
  )}</details>`;
}

/** Per-fold table with a mean ± std row, for the validation side or the extra evaluation set. */
export function cvTable(cv: CvReport, side: 'metrics' | 'eval'): string {
  const keys = cvMetricKeys(cv, side);
  const folds = [...cv.folds].sort((a, b) => a.fold - b.fold);
  const counts = side === 'metrics' && folds.some((f) => f.n_train !== undefined || f.n_val !== undefined);
  const head = ['Fold', ...(counts ? ['Train clips', 'Val clips'] : []), ...keys.map(metricLabel)].map(escapeHtml);
  const rows = folds.map((f) => [
    String(f.fold),
    ...(counts ? [formatValue('n', f.n_train), formatValue('n', f.n_val)] : []),
    ...keys.map((k) => formatValue(k, f[side]?.[k])),
  ]);
  const summary = keys.map((k) => {
    // A fold without this figure is left out of the mean, not counted as NaN.
    const { mean, std } = meanStd(folds.map((f) => f[side]?.[k] ?? NaN).filter(Number.isFinite));
    return `${formatValue(k, mean)}\u00a0±\u00a0${formatValue(k, std)}`;
  });
  rows.push(['<strong>mean ± std</strong>', ...(counts ? ['', ''] : []), ...summary.map((s) => `<strong>${s}</strong>`)]);
  return table(head, rows);
}

const SUMMARY_KEYS = ['n', 'accuracy', 'balanced_accuracy', 'macro_precision', 'macro_recall', 'macro_f1'];

function evaluationsSummary(evaluations: Record<string, EvaluationMetrics>): string {
  const entries = Object.entries(evaluations);
  const extra = new Set<string>();
  for (const [, m] of entries) {
    for (const [k, v] of Object.entries(m)) if (typeof v === 'number' && !SUMMARY_KEYS.includes(k)) extra.add(k);
  }
  const keys = [...SUMMARY_KEYS.filter((k) => entries.some(([, m]) => typeof m[k] === 'number')), ...extra];
  const head = ['Evaluated on', ...keys.map((k) => (k === 'n' ? 'Clips' : metricLabel(k)))].map(escapeHtml);
  const rows = entries.map(([name, m]) => [escapeHtml(name), ...keys.map((k) => formatValue(k, m[k]))]);
  return table(head, rows);
}

function perClassTable(m: EvaluationMetrics): string {
  // Classes with no clips in this set would show 0 % everywhere, which reads as failure: listed apart.
  const absent = (m.per_class ?? []).filter((c) => c.support === 0).map((c) => c.label);
  const rows = (m.per_class ?? [])
    .filter((c) => c.support !== 0)
    .map((c) => [
      escapeHtml(c.label),
      formatValue('precision', c.precision),
      formatValue('recall', c.recall),
      formatValue('f1', c.f1),
      formatValue('n', c.support),
    ]);
  return (
    table(['Class', 'Precision', 'Recall', 'F1', 'Support'], rows, 'narrow') +
    (absent.length
      ? `<p class="note">No clips of ${absent.map(escapeHtml).join(', ')} in this set (not shown; they count only as predictions).</p>`
      : '')
  );
}

function unknownLabelsNote(m: EvaluationMetrics): string {
  const entries = Object.entries(m.unknown_labels ?? {});
  if (entries.length === 0) return '';
  const total = entries.reduce((a, [, n]) => a + n, 0);
  const list = entries.map(([l, n]) => `${escapeHtml(l)} (${n})`).join(', ');
  return `<p class="warn">${total} clip${total === 1 ? '' : 's'} with labels the model does not know were left out of these figures: ${list}.</p>`;
}

function missingClassesNote(m: EvaluationMetrics): string {
  const missing = Array.isArray(m.missing_classes) ? m.missing_classes : [];
  if (missing.length === 0) return '';
  return `<p class="warn">No clips of ${missing.map(escapeHtml).join(', ')} in this data; ${missing.length === 1 ? 'that class is' : 'those classes are'} left out of the macro averages.</p>`;
}

function comparisonTable(t: ComparisonTable): string {
  const unit = t.unit ?? 'percent';
  const rows = t.rows.map((r) => [
    escapeHtml(r.label),
    ...t.columns.map((_, j) => {
      const v = r.values[j];
      if (typeof v === 'number') return unit === 'percent' ? formatValue('accuracy', v) : formatValue('value', v);
      return v === null || v === undefined ? '–' : escapeHtml(v);
    }),
  ]);
  let html = table(['', ...t.columns.map(escapeHtml)], rows);
  if (t.caption) html += `<p class="meta">${escapeHtml(t.caption)}</p>`;
  return html;
}

const CSS = `
body{font-family:system-ui,-apple-system,"Segoe UI","DejaVu Sans",sans-serif;margin:0 auto;max-width:1100px;padding:1.5rem;color:#1d1d1f;line-height:1.45}
h1{margin:.2rem 0 .4rem;font-size:1.7rem}h2{margin-top:2.2rem;border-bottom:1px solid #ddd;padding-bottom:.25rem}h3{margin-bottom:.4rem}
.meta{color:#555;font-size:.9rem}code{font-family:"DejaVu Sans Mono",monospace;font-size:.88em;background:#f4f4f6;padding:.05rem .25rem;border-radius:3px}
pre{background:#f4f4f6;padding:.6rem;border-radius:4px;overflow-x:auto;white-space:pre-wrap;word-break:break-all}
table{border-collapse:collapse;margin:.6rem 0;font-size:.92rem}th,td{border:1px solid #d5d5da;padding:.3rem .6rem;text-align:right}
th:first-child,td:first-child{text-align:left}thead th{background:#f0f0f4}table.narrow{min-width:18rem}
.charts{display:flex;flex-wrap:wrap;gap:0 1.5rem;align-items:flex-start}figure.chart{margin:.5rem 0;flex:0 1 auto;max-width:100%;overflow-x:auto}
figure.chart svg{display:block}figcaption{font-size:.85rem;color:#555}
.warn{background:#fff4e0;border-left:4px solid #e69500;padding:.45rem .7rem}nav a{margin-right:.8rem}
`;

/** Builds the whole document. `charts` maps a section id to the charts shown in it. */
export function buildHtml(data: RunReport, created: string, charts: Map<string, RenderedChart[]>): string {
  let chartIndex = 0;
  const chartBlock = (sectionId: string): string => {
    const list = charts.get(sectionId) ?? [];
    if (list.length === 0) return '';
    return `<div class="charts">${list.map((c) => figure(c, chartIndex++)).join('\n')}</div>`;
  };
  const title = data.title ?? 'Affexion run';
  const sections: { id: string; heading: string; body: string }[] = [];

  if (data.config && Object.keys(data.config).length > 0) {
    const rows = Object.entries(data.config).map(([k, v]) => [escapeHtml(k), configValue(v)]);
    sections.push({ id: 'config', heading: 'Settings', body: table(['Setting', 'Value'], rows) });
  }
  if (data.datasets && data.datasets.length > 0) {
    sections.push({ id: 'datasets', heading: 'Data', body: chartBlock('datasets') + datasetsSection(data.datasets) });
  }
  if (data.history && data.history.length > 0) {
    sections.push({ id: 'training', heading: 'Training', body: chartBlock('training') + historyTable(data.history) });
  }
  if (data.cv && data.cv.folds.length > 0) {
    const cv = data.cv;
    let body = '';
    for (const w of cv.warnings ?? []) body += `<p class="warn">${escapeHtml(w)}</p>`;
    const k = cv.k ?? cv.folds.length;
    body +=
      `<p class="meta">${k}-fold cross-validation${cv.groupBy ? `, grouped by ${escapeHtml(cv.groupBy)}` : ''}; ` +
      `std is the sample standard deviation across folds (n − 1).</p>`;
    body += chartBlock('cv') + cvTable(cv, 'metrics');
    if (cv.folds.some((f) => f.eval && Object.keys(f.eval).length > 0)) {
      body +=
        `<h3>Each fold's model on ${escapeHtml(cv.evalName ?? 'the evaluation set')}</h3>` + chartBlock('cv-eval') + cvTable(cv, 'eval');
    }
    sections.push({ id: 'cv', heading: 'Cross-validation', body });
  }
  if (data.evaluations && Object.keys(data.evaluations).length > 0) {
    let body = evaluationsSummary(data.evaluations) + chartBlock('evaluations');
    for (const [name, m] of Object.entries(data.evaluations)) {
      body += `<h3>${escapeHtml(name)}</h3>` + unknownLabelsNote(m) + missingClassesNote(m);
      if (m.per_class && m.per_class.length > 0) body += perClassTable(m);
      body += chartBlock(`evaluation:${name}`);
    }
    sections.push({ id: 'evaluations', heading: 'Evaluations', body });
  }
  if (data.comparisons && data.comparisons.length > 0) {
    const body = data.comparisons
      .map((t, i) => `<h3>${escapeHtml(t.title)}</h3>` + comparisonTable(t) + chartBlock(`comparison:${i}`))
      .join('\n');
    sections.push({ id: 'comparisons', heading: 'Comparisons', body });
  }
  if (data.timelines && data.timelines.length > 0) {
    const body = data.timelines.map((t, i) => `<h3>${escapeHtml(t.title)}</h3>` + chartBlock(`timeline:${i}`)).join('\n');
    sections.push({ id: 'timelines', heading: 'Timeline', body });
  }
  // Figure 1 in every report about a model: drawn from the architecture given, or from the settings.
  const arch = data.architecture ?? architectureFromConfig(data.config);
  if (arch) {
    const a = describeArchitecture(arch);
    sections.push({
      id: 'architecture',
      heading: 'Network (Figure 1)',
      body:
        `<figure class="architecture">${inlineSvg(architectureSvg(a), 'fig1')}<figcaption>Figure 1 — the network as configured: ` +
        `${a.layers.length} layers, ${a.params.toLocaleString('en-US')} trainable parameters${(arch.members ?? 1) > 1 ? ` per network, ${arch.members} networks averaged` : ''}.</figcaption></figure>`,
    });
  }
  if (data.modelCard) {
    sections.push({ id: 'model-card', heading: 'Model card', body: modelCardHtml(data.modelCard) });
  }
  if (data.notes && data.notes.length > 0) {
    sections.push({ id: 'notes', heading: 'Notes', body: data.notes.map((n) => `<p>${escapeHtml(n)}</p>`).join('\n') });
  }

  const nav = sections.map((s) => `<a href="#${s.id}">${escapeHtml(s.heading)}</a>`).join('');
  const header =
    `<header><p class="meta">Affexion report${data.kind ? ` · ${escapeHtml(data.kind)}` : ''} · ${escapeHtml(created)}</p>` +
    `<h1>${escapeHtml(title)}</h1>` +
    (data.command ? `<pre>$ ${escapeHtml(commandLine(data.command))}</pre>` : '') +
    (nav ? `<nav>${nav}</nav>` : '') +
    '</header>';
  const main = sections.map((s) => section(s.id, s.heading, s.body)).join('\n');
  return (
    `<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n` +
    `<meta name="viewport" content="width=device-width, initial-scale=1">\n` +
    `<title>${escapeHtml(title)}</title>\n<style>${CSS}</style>\n</head>\n<body>\n${header}\n<main>\n${main}\n</main>\n</body>\n</html>\n`
  );
}
