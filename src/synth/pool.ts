/**
 * Runs offline clip jobs on all cores in child processes (synthesis is CPU-bound WebAssembly), or in
 * this process when one worker is asked for (no start-up cost: small runs and tests).
 * Why processes, not worker_threads: the flite WASI engine crashes Node 20 now and then (SIGSEGV, in
 * our measurements about one call in fifteen to thirty, in threads and in the main thread alike). A
 * child process contains the crash; the clip it was rendering is rendered again by a fresh worker (a
 * clip is a pure function of its job, so the retry gives the same bytes). Flite jobs therefore always
 * run in worker processes, even at concurrency 1.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { ClipJob } from './plan.js';
import type { ClipRecord } from './record.js';
import { renderOffline } from './render.js';
import { saveClip } from './record.js';

type Reply = { ok: true; id: string; record: ClipRecord } | { ok: false; id: string; error: string };

/** Attempts per clip before a run gives up on a crashing engine. */
const MAX_ATTEMPTS = 4;

/** Renders `jobs` with `concurrency` worker processes; calls `onDone` per finished clip. Rejects on the first failure. */
export async function renderOfflineJobs(
  jobs: ClipJob[],
  outDir: string,
  concurrency: number,
  onDone: (rec: ClipRecord) => void,
): Promise<void> {
  if (!jobs.length) return;
  const needsIsolation = jobs.some((j) => j.voice.engine === 'flite');
  if ((concurrency <= 1 || jobs.length === 1) && !needsIsolation) {
    for (const job of jobs) onDone(saveClip(outDir, job, await renderOffline(job)));
    return;
  }
  const n = Math.max(1, Math.min(concurrency, jobs.length));
  const queue = [...jobs];
  const attempts = new Map<string, number>();
  const workers: ChildProcess[] = [];
  try {
    await new Promise<void>((resolve, reject) => {
      let finished = 0;
      let failed = false;
      const fail = (e: Error): void => {
        if (!failed) {
          failed = true;
          reject(e);
        }
      };
      const start = (): void => {
        const worker = spawnWorker(outDir);
        workers.push(worker);
        let current: ClipJob | null = null;
        const feed = (): void => {
          current = queue.shift() ?? null;
          if (current) {
            attempts.set(current.id, (attempts.get(current.id) ?? 0) + 1);
            worker.send(current);
          }
        };
        worker.on('message', (m: Reply) => {
          if (failed) return;
          if (!m.ok) {
            fail(new Error(`synth: clip ${m.id} failed: ${m.error}`));
            return;
          }
          current = null;
          onDone(m.record);
          if (++finished === jobs.length) resolve();
          else feed();
        });
        worker.on('error', (e) => fail(e));
        // A worker that dies mid-clip (an engine crash): render that clip again in a fresh worker, a few
        // times at most; a worker that dies otherwise would leave the run hanging, so that fails it.
        worker.on('exit', (code, signal) => {
          if (failed || finished === jobs.length) return;
          const why = signal ?? `code ${code}`;
          if (current && (attempts.get(current.id) ?? 0) < MAX_ATTEMPTS) {
            queue.unshift(current);
            start();
            return;
          }
          fail(
            new Error(
              current
                ? `synth: clip ${current.id}: the worker process died ${MAX_ATTEMPTS} times rendering it (${why})`
                : `synth: a worker process exited (${why}) before the run finished`,
            ),
          );
        });
        feed();
      };
      for (let w = 0; w < n; w++) start();
    });
    // Graceful end: closing the IPC channel lets each worker exit on its own (killed if it lingers).
    await Promise.all(
      workers.map(
        (w) =>
          new Promise<void>((resolve) => {
            if (w.exitCode !== null || w.signalCode !== null) {
              resolve();
              return;
            }
            const timer = setTimeout(() => w.kill(), 5000);
            w.once('exit', () => {
              clearTimeout(timer);
              resolve();
            });
            w.disconnect();
          }),
      ),
    );
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
