/**
 * Batch scoring of large archives on the queue (`affexion predict MODEL FILES… --queue URL`): files go
 * in chunks as jobs to the workers, each chunk scored by the existing predictFiles; the results come
 * back in input order. The job carries the model's path and content hash; a worker whose copy of the
 * model differs refuses the job.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { predictFiles, type FilePrediction, type PredictFilesOptions } from '../../eval/index.js';
import { checkJobFormat, JOB_FORMAT_VERSION, type DataRef } from './job.js';
import { ParamError } from '../../engine/errors.js';

/** One chunk of files to score. */
export interface PredictJob {
  v: number;
  kind: 'predict';
  model: DataRef;
  files: string[];
  options: PredictFilesOptions;
}

/** Content hash of a model folder: its config, weights and ensemble manifest (members included), not checkpoints or reports. */
export function modelContentHash(dir: string): string {
  const abs = path.resolve(dir);
  if (!existsSync(abs) || !statSync(abs).isDirectory()) throw new Error(`MODEL ${dir}: not a model directory`);
  const h = createHash('sha256');
  const walk = (d: string): void => {
    for (const name of readdirSync(d).sort()) {
      const p = path.join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (['config.json', 'weights.safetensors', 'ensemble.json'].includes(name)) {
        h.update(`${path.relative(abs, p).split(path.sep).join('/')}\0`)
          .update(readFileSync(p))
          .update('\n');
      }
    }
  };
  walk(abs);
  return h.digest('hex').slice(0, 16);
}

/** Scores one chunk (worker side). */
export async function runPredictJob(job: PredictJob, _o: { cacheDir?: string | null } = {}): Promise<FilePrediction[]> {
  checkJobFormat(job, ['predict']);
  const local = modelContentHash(job.model.path);
  if (local !== job.model.hash) {
    throw new Error(
      `MODEL ${job.model.path}: this worker's copy differs from the one the job was made with (content hash ${local}, job expects ${job.model.hash}); ` +
        'put the model on a shared filesystem or synchronise it first (docs/scale.md)',
    );
  }
  return predictFiles(job.model.path, job.files, job.options);
}

/** Splits files into predict jobs of `chunk` files. */
export function predictJobs(model: string, files: readonly string[], options: PredictFilesOptions, chunk: number): PredictJob[] {
  if (!Number.isInteger(chunk) || chunk < 1) throw new ParamError('chunk', `expected a positive integer, got ${chunk}`);
  const ref = { path: path.resolve(model), hash: modelContentHash(model) };
  const abs = files.map((f) => path.resolve(f));
  const jobs: PredictJob[] = [];
  for (let i = 0; i < abs.length; i += chunk)
    jobs.push({ v: JOB_FORMAT_VERSION, kind: 'predict', model: ref, files: abs.slice(i, i + chunk), options });
  return jobs;
}
