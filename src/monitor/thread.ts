/**
 * Starting one of the monitor's worker modules (inference-worker, report-worker) in a worker thread.
 * Built, the module is a .js file beside this one. Under tsx (tests, benches, running from source) it is
 * .ts, and a worker thread does not inherit tsx's loader: a small bootstrap registers it there first.
 */
import { Worker } from 'node:worker_threads';

export function startModuleWorker(name: string, workerData: unknown): Worker {
  if (!import.meta.url.endsWith('.ts')) return new Worker(new URL(`./${name}.js`, import.meta.url), { workerData });
  const entry = new URL(`./${name}.ts`, import.meta.url).href;
  const boot = `import('tsx/esm/api').then((t) => { t.register(); return import(${JSON.stringify(entry)}); })`;
  return new Worker(boot, { eval: true, workerData });
}
