/**
 * Writes session reports in a worker thread (src/monitor/session-report.ts): rendering the charts
 * takes a good fraction of a second, which on the server's main thread would hold up every other
 * session's frames and events. One worker serves every report of a process, one report at a time, in
 * the order asked (see writeSessionReportOffThread for why).
 */
import { parentPort } from 'node:worker_threads';
import type { MonitorEvent } from './core.js';
import { writeSessionReport } from './session-report.js';

export interface ReportRequest {
  id: number;
  dir: string;
  events: MonitorEvent[];
  meta: Parameters<typeof writeSessionReport>[2];
}
export type ReportReply = { id: number; html: string } | { id: number; error: string };

let chain: Promise<void> = Promise.resolve();
parentPort!.on('message', (req: ReportRequest) => {
  // Every request gets a reply, also when writing throws before returning a promise (the chain goes on).
  chain = chain.then(async () => {
    try {
      const r = await writeSessionReport(req.dir, req.events, req.meta);
      parentPort!.postMessage({ id: req.id, html: r.html } satisfies ReportReply);
    } catch (err) {
      parentPort!.postMessage({ id: req.id, error: (err as Error).message } satisfies ReportReply);
    }
  });
});
