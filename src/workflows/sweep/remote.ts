/**
 * `affexion cv --queue` and `affexion predict --queue`: the same BullMQ queue as the sweep. cv: each fold
 * is a job (./job.ts); the fold results are stored in RUN/fold-NN/result.json as a local cv writes
 * them, then the local crossValidate reuses them all and writes cv.json and the report — the same
 * files, through the same code, as a local run. predict: chunks of files; results in input order.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { writeFileAtomic } from '../../data/cache.js';
import { resolveFeatureSettings } from '../../data/features.js';
import { crossValidate, type CvOptions, type CvResult } from '../../eval/cv.js';
import type { FilePrediction, PredictFilesOptions } from '../../eval/index.js';
import { resolveHyperparameters } from '../../model/hyperparameters.js';
import { dataRef } from './data-hash.js';
import { JOB_FORMAT_VERSION, type FoldJob } from './job.js';
import { predictJobs } from './predict-job.js';
import { addAllOnce, checkQueueReachable, connectionFromUrl, DEFAULT_QUEUE_NAME, queueRunner } from './queue.js';
import { ParamError } from '../../engine/errors.js';

/** Cross-validation with every fold run on the queue's workers; then as {@link crossValidate}. */
export async function crossValidateOnQueue(opts: CvOptions & { queue: string; queueName?: string }): Promise<CvResult> {
  if (typeof opts.data !== 'string' || (opts.eval != null && typeof opts.eval !== 'string')) {
    throw new ParamError(
      'queue',
      'the data must be given as a path (workers read it from there); manifest column options are not supported with a queue',
    );
  }
  if (opts.reference || opts.evalReference) throw new ParamError('queue', 'extra reference data is not supported with a queue');
  if (opts.labelMap !== undefined && typeof opts.labelMap !== 'string')
    throw new ParamError('queue', 'give the label map in its a=b,c= form');
  const k = opts.folds ?? 7;
  const hyper = resolveHyperparameters(opts.hyper);
  const features = resolveFeatureSettings({ params: opts.features, loudness: opts.loudness });
  const labelMap = opts.labelMap as string | undefined;
  const data = dataRef(opts.data, labelMap, 'data');
  const evalRef = opts.eval ? dataRef(opts.eval as string, labelMap, 'eval') : undefined;
  const key =
    'cv-' +
    createHash('sha256')
      .update(
        JSON.stringify({
          v: JOB_FORMAT_VERSION,
          hyper,
          features,
          k,
          groupBy: opts.groupBy ?? 'none',
          labelMap: labelMap ?? '',
          data: data.hash,
          eval: evalRef?.hash ?? '',
        }),
      )
      .digest('hex')
      .slice(0, 20);
  const out = path.resolve(opts.out);
  const jobs: FoldJob[] = [];
  for (let fold = 1; fold <= k; fold++) {
    // A fold finished earlier is checked (and reused) by crossValidate below.
    if (existsSync(path.join(out, `fold-${String(fold).padStart(2, '0')}`, 'result.json'))) continue;
    jobs.push({
      v: JOB_FORMAT_VERSION,
      kind: 'fold',
      key,
      fold,
      folds: k,
      groupBy: opts.groupBy ?? 'none',
      data,
      real: [],
      eval: evalRef,
      labelMap,
      hyper,
      features,
    });
  }
  const runner = await queueRunner({ url: opts.queue, name: opts.queueName, events: opts.events, signal: opts.signal });
  const failures: string[] = [];
  try {
    opts.events?.log?.(`cv: ${jobs.length} fold job(s) on ${opts.queue}`);
    await runner.run(jobs, {
      started: (id) => opts.events?.log?.(`${id}: running`),
      done: (id, r) => {
        const dir = path.join(out, `fold-${String(r.fold).padStart(2, '0')}`);
        mkdirSync(dir, { recursive: true });
        writeFileAtomic(path.join(dir, 'result.json'), JSON.stringify(r.foldResult, null, 1));
        opts.events?.log?.(`${id}: done`);
      },
      failed: (id, error) => failures.push(`${id}: ${error}`),
    });
  } finally {
    await runner.close();
  }
  if (opts.signal?.aborted) throw new Error('cv: interrupted; run the same command again to continue');
  if (failures.length) throw new Error(`cv --queue: ${failures.length} fold(s) failed:\n${failures.join('\n')}`);
  return crossValidate(opts);
}

/**
 * Scores files on the queue in chunks; `onResult` is called in input order as soon as every earlier
 * file is done (so JSONL can be streamed). Returns all predictions in input order.
 */
export async function predictOnQueue(o: {
  queue: string;
  queueName?: string;
  model: string;
  files: readonly string[];
  options?: PredictFilesOptions;
  chunk?: number;
  onResult?: (p: FilePrediction, index: number) => void;
  signal?: AbortSignal;
}): Promise<FilePrediction[]> {
  await checkQueueReachable(o.queue);
  const { Queue, QueueEvents } = await import('bullmq');
  const chunk = o.chunk ?? 16;
  const jobs = predictJobs(o.model, o.files, o.options ?? {}, chunk);
  const connection = connectionFromUrl(o.queue);
  const name = o.queueName ?? DEFAULT_QUEUE_NAME;
  const queue = new Queue(name, { connection });
  queue.setMaxListeners(0); // job.waitUntilFinished adds one 'closing' listener per waiting job, by design
  const events = new QueueEvents(name, { connection });
  await events.waitUntilReady();
  const results: (FilePrediction[] | undefined)[] = new Array(jobs.length);
  let next = 0;
  const flush = (): void => {
    while (next < jobs.length && results[next]) {
      results[next]!.forEach((p, i) => o.onResult?.({ ...p, file: o.files[next * chunk + i] }, next * chunk + i));
      next++;
    }
  };
  try {
    const base = createHash('sha256')
      .update(JSON.stringify({ model: jobs[0]?.model, options: o.options ?? {} }))
      .digest('hex')
      .slice(0, 12);
    const added = await addAllOnce(
      queue,
      jobs.map((job) => ({
        id: `predict-${base}-${createHash('sha256').update(job.files.join('\0')).digest('hex').slice(0, 16)}`,
        kind: 'predict',
        data: job,
      })),
    );
    await Promise.all(
      added.map(async (j, i) => {
        const r = (await j.waitUntilFinished(events)) as FilePrediction[];
        await j.remove().catch(() => {});
        results[i] = r;
        flush();
      }),
    );
  } finally {
    await events.close();
    await queue.close();
  }
  return results.flatMap((r, c) => (r ?? []).map((p, i) => ({ ...p, file: o.files[c * chunk + i] })));
}
