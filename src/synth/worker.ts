/**
 * Worker process for offline rendering (started by pool.ts): receives clip jobs over IPC, renders and
 * saves them, answers with the record. Engines stay loaded (compiled WebAssembly) for its lifetime.
 */
import { existsSync, writeFileSync } from 'node:fs';
import type { ClipJob } from './plan.js';
import { renderOffline } from './render.js';
import { saveClip } from './record.js';

const outDir = process.argv[2];
if (!outDir || !process.send)
  throw new Error('synth worker: start it through renderOfflineJobs (needs an IPC channel and the output folder)');
const send = process.send.bind(process);

// The pool closes the IPC channel when the run is done; with nothing left to do the process then exits.
// Test hook (test/synth/synth.test.ts): the first worker to see a job dies as an engine crash would,
// once per marker file, so the pool's re-render path is exercised for real.
const crashMarker = process.env.AFFEXION_SYNTH_CRASH_ONCE;

process.on('message', (job: ClipJob) => {
  if (crashMarker && !existsSync(crashMarker)) {
    writeFileSync(crashMarker, job.id);
    process.kill(process.pid, 'SIGSEGV');
    return;
  }
  renderOffline(job)
    .then((clip) => send({ ok: true, id: job.id, record: saveClip(outDir, job, clip) }))
    .catch((e: unknown) => send({ ok: false, id: job.id, error: e instanceof Error ? e.message : String(e) }));
});
