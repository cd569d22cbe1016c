/**
 * Worker thread for offline rendering: receives clip jobs, renders and saves them, answers with the
 * record. Engines stay loaded (compiled WebAssembly) for the worker's lifetime.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { ClipJob } from './plan.js';
import { renderOffline } from './render.js';
import { saveClip } from './record.js';

const { outDir } = workerData as { outDir: string };

parentPort!.on('message', (job: ClipJob | null) => {
  // null: no more work. Closing the port lets the thread end by itself (terminating it from outside
  // while WebAssembly instances are being collected has aborted the process on Node 20).
  if (job === null) { parentPort!.close(); return; }
  renderOffline(job)
    .then((clip) => parentPort!.postMessage({ ok: true, id: job.id, record: saveClip(outDir, job, clip) }))
    .catch((e: unknown) => parentPort!.postMessage({ ok: false, id: job.id, error: e instanceof Error ? e.message : String(e) }));
});
