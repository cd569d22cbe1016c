/**
 * Worker process for offline rendering (started by pool.ts): receives clip jobs over IPC, renders and
 * saves them, answers with the record. Engines stay loaded (compiled WebAssembly) for its lifetime.
 */
import type { ClipJob } from './plan.js';
import { renderOffline } from './render.js';
import { saveClip } from './record.js';

const outDir = process.argv[2];
if (!outDir || !process.send) throw new Error('synth worker: start it through renderOfflineJobs (needs an IPC channel and the output folder)');
const send = process.send.bind(process);

// The pool closes the IPC channel when the run is done; with nothing left to do the process then exits.
process.on('message', (job: ClipJob) => {
  renderOffline(job)
    .then((clip) => send({ ok: true, id: job.id, record: saveClip(outDir, job, clip) }))
    .catch((e: unknown) => send({ ok: false, id: job.id, error: e instanceof Error ? e.message : String(e) }));
});
