/**
 * Features of many files on all cores (worker_threads), results in input order. A file that cannot be
 * read gives an error entry naming it; the others go on.
 */
import { Worker } from 'node:worker_threads';
import { availableParallelism } from 'node:os';
import { extractFeaturesFromFile } from './index.js';
import type { FeatureMatrix } from './extract.js';
import type { FeatureParams } from './params.js';

/** One file's outcome: features, or the reason it could not be read (the message names the file). */
export type FileFeatures =
  { file: string; features: FeatureMatrix; error?: undefined } | { file: string; features?: undefined; error: string };

/** Below this many files the workers' start-up (loading the modules) costs more than it saves. */
const MIN_FILES_FOR_WORKERS = 4;

function workerUrl(): URL {
  const here = import.meta.url;
  return here.endsWith('.ts') ? new URL('./parallel-worker-tsx.mjs', here) : new URL('./parallel-worker.js', here);
}

/**
 * Extracts the features of `files` with `opts.workers` threads (default: one per core). Calls
 * `opts.onResult` as each result becomes available in input order (so output can stream), and returns
 * all results in input order.
 */
export async function extractFeaturesFromFiles(
  files: readonly string[],
  params: Partial<FeatureParams> = {},
  opts: { workers?: number; onResult?: (r: FileFeatures, index: number) => void | Promise<void> } = {},
): Promise<FileFeatures[]> {
  const workers = Math.max(1, Math.min(opts.workers ?? availableParallelism(), files.length));
  const results: (FileFeatures | undefined)[] = new Array(files.length);
  let emitted = 0;
  const emit = async () => {
    while (emitted < files.length && results[emitted]) {
      const i = emitted++;
      if (opts.onResult) await opts.onResult(results[i]!, i);
    }
  };
  if (workers === 1 || files.length < MIN_FILES_FOR_WORKERS) {
    for (let i = 0; i < files.length; i++) {
      try {
        results[i] = { file: files[i], features: await extractFeaturesFromFile(files[i], params) };
      } catch (err) {
        results[i] = { file: files[i], error: err instanceof Error ? err.message : String(err) };
      }
      await emit();
    }
    return results as FileFeatures[];
  }
  const pool = Array.from({ length: workers }, () => new Worker(workerUrl()));
  let next = 0;
  let emitting = Promise.resolve();
  try {
    await Promise.all(
      pool.map(
        (w) =>
          new Promise<void>((resolve, reject) => {
            const feed = () => {
              if (next >= files.length) return resolve();
              const id = next++;
              w.postMessage({ id, file: files[id], params });
            };
            w.on('message', (m: { id: number; rows?: number; frames?: number; data?: Float32Array; error?: string }) => {
              results[m.id] =
                m.error !== undefined
                  ? { file: files[m.id], error: m.error }
                  : { file: files[m.id], features: { rows: m.rows!, frames: m.frames!, data: m.data! } };
              emitting = emitting.then(emit);
              feed();
            });
            w.on('error', reject);
            w.on('exit', (code) => {
              if (next < files.length || code !== 0) reject(new Error(`feature worker stopped early (exit code ${code})`));
            });
            feed();
          }),
      ),
    );
    await emitting;
  } finally {
    await Promise.all(pool.map((w) => w.terminate()));
  }
  return results as FileFeatures[];
}
