/**
 * A monitoring session as the project's usual report (report.html + charts via src/report): the
 * smoothed probability timeline with speech shading, the summary and the alert log.
 */
import { writeReport, type RunReport, type WrittenReport } from '../report/index.js';
import type { MonitorEvent, SummaryEvent } from './core.js';
import { startModuleWorker } from './thread.js';

export function sessionReport(events: readonly MonitorEvent[], meta: { title?: string; model?: string; config?: Record<string, unknown> } = {}): RunReport {
  const points: { t: number; series: string; value: number }[] = [];
  const spans: { t0: number; t1: number }[] = [];
  const alerts: string[] = [];
  let summary: SummaryEvent | undefined;
  for (const e of events) {
    if (e.type === 'window' && e.smoothed) for (const [c, v] of Object.entries(e.smoothed)) points.push({ t: e.t1, series: c, value: v });
    else if (e.type === 'utterance') spans.push({ t0: e.t0, t1: e.t1 });
    else if (e.type === 'alert') alerts.push(`${e.t.toFixed(1)} s: ${e.label} ${e.state === 'enter' ? 'alert' : 'ended'} (smoothed ${e.level.toFixed(2)})`);
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
      ...(meta.model ? { model: meta.model } : {}), ...meta.config,
      ...(summary ? {
        duration_s: +summary.duration.toFixed(2), speech_s: +summary.speechSeconds.toFixed(2), windows: summary.windows,
        classified: summary.classified, dropped: summary.dropped, alerts: summary.alerts,
        lag_p50_ms: Math.round(summary.lagP50 * 1000), lag_p95_ms: Math.round(summary.lagP95 * 1000),
      } : {}),
    },
    ...(summary && summary.classified ? {
      comparisons: [{
        title: 'Mean probability over speech windows', columns: Object.keys(summary.meanProbs),
        rows: [{ label: 'session', values: Object.values(summary.meanProbs) }],
      }],
    } : {}),
    timelines: points.length ? [{ title: 'Smoothed probabilities', points, spans, yTitle: 'Probability' }] : [],
    notes,
  };
}

export function writeSessionReport(dir: string, events: readonly MonitorEvent[], meta: Parameters<typeof sessionReport>[1] = {}): Promise<WrittenReport> {
  return writeReport(dir, sessionReport(events, meta));
}

/**
 * {@link writeSessionReport} in a worker thread (report-worker.ts), so a session's stop does not hold up
 * the server's other sessions while the charts render. Resolves with the report.html path.
 */
export function writeSessionReportOffThread(dir: string, events: readonly MonitorEvent[], meta: Parameters<typeof sessionReport>[1] = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const w = startModuleWorker('report-worker', { dir, events, meta });
    let done = false;
    w.once('message', (m: { html: string } | { error: string }) => {
      done = true;
      if ('error' in m) reject(new Error(m.error));
      else resolve(m.html);
      void w.terminate();
    });
    w.once('error', (err) => { done = true; reject(err); });
    w.once('exit', (code) => { if (!done) reject(new Error(`report worker exited with ${code}`)); });
  });
}
