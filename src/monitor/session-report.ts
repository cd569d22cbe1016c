/**
 * A monitoring session as the project's usual report (report.html + charts via src/report): the
 * smoothed probability timeline with speech shading, the summary and the alert log.
 */
import { writeReport, type RunReport, type WrittenReport } from '../report/index.js';
import type { MonitorEvent, SummaryEvent } from './core.js';
import type { Worker } from 'node:worker_threads';
import { startModuleWorker } from './thread.js';
import type { ReportReply, ReportRequest } from './report-worker.js';

export function sessionReport(
  events: readonly MonitorEvent[],
  meta: { title?: string; model?: string; config?: Record<string, unknown> } = {},
): RunReport {
  const points: { t: number; series: string; value: number }[] = [];
  const spans: { t0: number; t1: number }[] = [];
  const alerts: string[] = [];
  let summary: SummaryEvent | undefined;
  for (const e of events) {
    if (e.type === 'window' && e.smoothed) for (const [c, v] of Object.entries(e.smoothed)) points.push({ t: e.t1, series: c, value: v });
    else if (e.type === 'utterance') spans.push({ t0: e.t0, t1: e.t1 });
    else if (e.type === 'alert')
      alerts.push(`${e.t.toFixed(1)} s: ${e.label} ${e.state === 'enter' ? 'alert' : 'ended'} (smoothed ${e.level.toFixed(2)})`);
    else if (e.type === 'summary') summary = e;
  }
  const notes: string[] = [
    'Research tool, not a diagnostic device. The window length bounds the reaction time: a change of state shows ' +
      'only once enough of the window holds it.',
  ];
  if (alerts.length) notes.push(`Alerts: ${alerts.join('; ')}.`);
  else notes.push('No alerts.');
  return {
    title: meta.title ?? 'Affexion live monitor session',
    kind: 'monitor',
    config: {
      ...(meta.model ? { model: meta.model } : {}),
      ...meta.config,
      ...(summary
        ? {
            duration_s: +summary.duration.toFixed(2),
            speech_s: +summary.speechSeconds.toFixed(2),
            windows: summary.windows,
            classified: summary.classified,
            dropped: summary.dropped,
            alerts: summary.alerts,
            lag_p50_ms: Math.round(summary.lagP50 * 1000),
            lag_p95_ms: Math.round(summary.lagP95 * 1000),
          }
        : {}),
    },
    ...(summary && summary.classified
      ? {
          comparisons: [
            {
              title: 'Mean probability over speech windows',
              columns: Object.keys(summary.meanProbs),
              rows: [{ label: 'session', values: Object.values(summary.meanProbs) }],
            },
          ],
        }
      : {}),
    timelines: points.length ? [{ title: 'Smoothed probabilities', points, spans, yTitle: 'Probability' }] : [],
    notes,
  };
}

export function writeSessionReport(
  dir: string,
  events: readonly MonitorEvent[],
  meta: Parameters<typeof sessionReport>[1] = {},
): Promise<WrittenReport> {
  return writeReport(dir, sessionReport(events, meta));
}

/**
 * {@link writeSessionReport} in a worker thread (report-worker.ts), so a session's stop does not hold up
 * the server's other sessions while the charts render. Resolves with the report.html path.
 *
 * One worker for the whole process, started on the first report and kept while reports are pending
 * (unref'd when idle, so it never keeps a process alive), writing one report at a time. Why: a worker
 * per report loaded the report code anew each time (seconds of CPU each, measured with --cpu-prof), and
 * 16 sessions stopping together started 16 of them at once — a burst that starved the live sessions
 * still running (bench:monitor's next level lost most of its windows to it).
 */
let reportWorker: Worker | null = null;
let nextId = 0;
const waiting = new Map<number, { resolve: (html: string) => void; reject: (e: Error) => void }>();

function worker(): Worker {
  if (reportWorker) return reportWorker;
  const w = startModuleWorker('report-worker', {});
  w.on('message', (m: ReportReply) => {
    const p = waiting.get(m.id);
    if (!p) return;
    waiting.delete(m.id);
    if (waiting.size === 0) w.unref();
    if ('error' in m) p.reject(new Error(m.error));
    else p.resolve(m.html);
  });
  const fail = (err: Error): void => {
    if (reportWorker === w) reportWorker = null;
    for (const p of waiting.values()) p.reject(err);
    waiting.clear();
  };
  w.once('error', fail);
  w.once('exit', (code) => fail(new Error(`report worker exited with ${code}`)));
  reportWorker = w;
  return w;
}

export function writeSessionReportOffThread(
  dir: string,
  events: readonly MonitorEvent[],
  meta: Parameters<typeof sessionReport>[1] = {},
): Promise<string> {
  return new Promise((resolve, reject) => {
    const w = worker();
    const id = nextId++;
    waiting.set(id, { resolve, reject });
    w.ref();
    w.postMessage({ id, dir, events: events as MonitorEvent[], meta } satisfies ReportRequest);
  });
}
