/**
 * Runs offline clip jobs on all cores with worker_threads (synthesis is CPU-bound WebAssembly), or in
 * this thread when one worker is asked for (no start-up cost: small runs and tests).
 */
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { ClipJob } from './plan.js';
import type { ClipRecord } from './record.js';
import { renderOffline } from './render.js';
import { saveClip } from './record.js';

type Reply = { ok: true; id: string; record: ClipRecord } | { ok: false; id: string; error: string };

/** Renders `jobs` with `concurrency` workers; calls `onDone` per finished clip. Rejects on the first failure. */
export async function renderOfflineJobs(jobs: ClipJob[], outDir: string, concurrency: number,
  onDone: (rec: ClipRecord) => void): Promise<void> {
  if (!jobs.length) return;
  if (concurrency <= 1 || jobs.length === 1) {
    for (const job of jobs) onDone(saveClip(outDir, job, await renderOffline(job)));
    return;
  }
  const spawn = workerSpawner();
  const n = Math.min(concurrency, jobs.length);
  let next = 0;
  const workers: Worker[] = [];
  try {
    await new Promise<void>((resolve, reject) => {
      let finished = 0;
      let failed = false;
      for (let w = 0; w < n; w++) {
        const worker = spawn({ outDir });
        workers.push(worker);
        const feed = (): void => { if (next < jobs.length) worker.postMessage(jobs[next++]); };
        worker.on('message', (m: Reply) => {
          if (failed) return;
          if (!m.ok) { failed = true; reject(new Error(`synth: clip ${m.id} failed: ${m.error}`)); return; }
          onDone(m.record);
          if (++finished === jobs.length) resolve(); else feed();
        });
        worker.on('error', (e) => { if (!failed) { failed = true; reject(e); } });
        // A worker that exits on its own (failed start-up, killed) would otherwise leave the run hanging.
        worker.on('exit', (code) => {
          if (!failed && finished < jobs.length) { failed = true; reject(new Error(`synth: a worker thread exited (code ${code}) before the run finished`)); }
        });
        feed();
      }
    });
    // Graceful end: each worker closes its port and exits on its own (terminated if it lingers).
    await Promise.all(workers.map((w) => new Promise<void>((resolve) => {
      const timer = setTimeout(() => void w.terminate(), 5000);
      w.once('exit', () => { clearTimeout(timer); resolve(); });
      w.postMessage(null);
    })));
  } catch (e) {
    await Promise.all(workers.map((w) => w.terminate()));
    throw e;
  }
}

/**
 * Starts workers from the compiled worker.js, or — when running from TypeScript sources (tests, dev) —
 * from worker.ts through tsx, whose loader hooks Node 20 does not pass on to worker threads.
 */
function workerSpawner(): (data: unknown) => Worker {
  if (!import.meta.url.endsWith('.ts')) {
    const url = new URL('./worker.js', import.meta.url);
    return (workerData) => new Worker(url, { workerData });
  }
  // tsx's ESM API registers its hooks for this thread (resolved to the .mjs build of tsx/esm/api).
  const api = pathToFileURL(createRequire(import.meta.url).resolve('tsx/esm/api').replace(/\.cjs$/, '.mjs')).href;
  const entry = new URL('./worker.ts', import.meta.url).href;
  const boot = `import(${JSON.stringify(api)}).then((m) => { m.register(); return import(${JSON.stringify(entry)}); });`;
  return (workerData) => new Worker(boot, { eval: true, workerData });
}
