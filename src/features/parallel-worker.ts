/** Worker thread of extractFeaturesFromFiles: extracts one file's features per message. */
import { parentPort } from 'node:worker_threads';
import { extractFeaturesFromFile } from './index.js';
import type { FeatureParams } from './params.js';

interface Job {
  id: number;
  file: string;
  params: Partial<FeatureParams>;
}

parentPort!.on('message', (job: Job) => {
  extractFeaturesFromFile(job.file, job.params).then(
    (f) => parentPort!.postMessage({ id: job.id, rows: f.rows, frames: f.frames, data: f.data }, [f.data.buffer as ArrayBuffer]),
    (err: unknown) => parentPort!.postMessage({ id: job.id, error: err instanceof Error ? err.message : String(err) }),
  );
});
