/**
 * Runs offline clip jobs on all cores in child processes (synthesis is CPU-bound WebAssembly), or in
 * this process when one worker is asked for (no start-up cost: small runs and tests).
 * Why processes, not worker_threads: on Node 20, threads holding the WASI/WebAssembly engines have
 * crashed the whole process (SIGSEGV/SIGABRT) while being torn down; a child process contains that.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { ClipJob } from './plan.js';
import type { ClipRecord } from './record.js';
import { renderOffline } from './render.js';
import { saveClip } from './record.js';

type Reply = { ok: true; id: string; record: ClipRecord } | { ok: false; id: string; error: string };

/** Renders `jobs` with `concurrency` worker processes; calls `onDone` per finished clip. Rejects on the first failure. */
export async function renderOfflineJobs(jobs: ClipJob[], outDir: string, concurrency: number,
  onDone: (rec: ClipRecord) => void): Promise<void> {
  if (!jobs.length) return;
  if (concurrency <= 1 || jobs.length === 1) {
    for (const job of jobs) onDone(saveClip(outDir, job, await renderOffline(job)));
    return;
  }
  const n = Math.min(concurrency, jobs.length);
  let next = 0;
  const workers: ChildProcess[] = [];
  try {
    await new Promise<void>((resolve, reject) => {
      let finished = 0;
      let failed = false;
      for (let w = 0; w < n; w++) {
        const worker = spawnWorker(outDir);
        workers.push(worker);
        const feed = (): void => { if (next < jobs.length) worker.send(jobs[next++]); };
        worker.on('message', (m: Reply) => {
          if (failed) return;
          if (!m.ok) { failed = true; reject(new Error(`synth: clip ${m.id} failed: ${m.error}`)); return; }
          onDone(m.record);
          if (++finished === jobs.length) resolve(); else feed();
        });
        worker.on('error', (e) => { if (!failed) { failed = true; reject(e); } });
        // A worker that exits on its own (failed start-up, crash) would otherwise leave the run hanging.
        worker.on('exit', (code, signal) => {
          if (!failed && finished < jobs.length) {
            failed = true;
            reject(new Error(`synth: a worker process exited (${signal ?? `code ${code}`}) before the run finished`));
          }
        });
        feed();
      }
    });
    // Graceful end: closing the IPC channel lets each worker exit on its own (killed if it lingers).
    await Promise.all(workers.map((w) => new Promise<void>((resolve) => {
      if (w.exitCode !== null || w.signalCode !== null) { resolve(); return; }
      const timer = setTimeout(() => w.kill(), 5000);
      w.once('exit', () => { clearTimeout(timer); resolve(); });
      w.disconnect();
    })));
  } catch (e) {
    for (const w of workers) w.kill();
    throw e;
  }
}

/**
 * Starts a worker process from the compiled worker.js, or — when running from TypeScript sources
 * (tests, dev) — from worker.ts through tsx's loader.
 */
function spawnWorker(outDir: string): ChildProcess {
  const fromSource = import.meta.url.endsWith('.ts');
  const entry = fileURLToPath(new URL(fromSource ? './worker.ts' : './worker.js', import.meta.url));
  return fork(entry, [outDir], {
    execArgv: fromSource ? ['--import', 'tsx'] : [],
    serialization: 'advanced',
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
}
