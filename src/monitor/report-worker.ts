/**
 * Writes one session's report in a worker thread (src/monitor/session-report.ts): rendering the charts
 * takes a good fraction of a second, which on the server's main thread would hold up every other
 * session's frames and events.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { MonitorEvent } from './core.js';
import { writeSessionReport } from './session-report.js';

const { dir, events, meta } = workerData as { dir: string; events: MonitorEvent[]; meta: Parameters<typeof writeSessionReport>[2] };
writeSessionReport(dir, events, meta).then(
  (r) => parentPort!.postMessage({ html: r.html }),
  (err: Error) => parentPort!.postMessage({ error: err.message }),
);
