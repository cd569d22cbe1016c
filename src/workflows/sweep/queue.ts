/**
 * Scale-out on BullMQ (Redis): the sweep / cv side adds one job per fold and collects the results as
 * they arrive; `startWorker` runs jobs on any machine that reaches the Redis server. BullMQ, not a
 * scheduler of our own: it already handles a worker dying mid-job (the job's lock expires, another
 * worker's stalled-job check moves it back to the wait list), reconnection after a Redis restart
 * (ioredis) and concurrency.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Queue, QueueEvents, UnrecoverableError, Worker, type Job } from 'bullmq';
import { Redis, type RedisOptions } from 'ioredis';
import type { ProgressEvents } from '../../report/progress.js';
import { checkJobFormat, foldJobId, runFoldJob, type FoldJob, type FoldJobResult } from './job.js';
import { runPredictJob, type PredictJob } from './predict-job.js';
import type { JobRunner } from './sweep.js';
import { ParamError } from '../../engine/errors.js';

export const DEFAULT_QUEUE_NAME = 'affexion';

/** BullMQ connection options from redis://[user:pass@]host:port[/db]; throws naming --queue otherwise. */
export function connectionFromUrl(url: string): RedisOptions & { host: string; port: number } {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new ParamError('queue', `${url}: expected redis://HOST:PORT`);
  }
  if (u.protocol !== 'redis:' && u.protocol !== 'rediss:')
    throw new ParamError('queue', `${url}: expected redis://HOST:PORT (got protocol ${u.protocol})`);
  const db = u.pathname.length > 1 ? Number(u.pathname.slice(1)) : 0;
  if (!Number.isInteger(db) || db < 0) throw new ParamError('queue', `${url}: database "${u.pathname.slice(1)}" is not a number`);
  return {
    host: u.hostname || '127.0.0.1',
    port: u.port ? Number(u.port) : 6379,
    db,
    ...(u.username ? { username: decodeURIComponent(u.username) } : {}),
    ...(u.password ? { password: decodeURIComponent(u.password) } : {}),
    ...(u.protocol === 'rediss:' ? { tls: {} } : {}),
  };
}

/** Connects once without retrying: an unreachable Redis is one clear error within seconds, not a hang. */
export async function checkQueueReachable(url: string, timeoutMs = 3000): Promise<void> {
  const probe = new Redis({
    ...connectionFromUrl(url),
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    connectTimeout: timeoutMs,
    enableOfflineQueue: false,
  });
  let cause = '';
  probe.on('error', (e: Error) => {
    cause ||= e.message;
  }); // the socket's reason (ECONNREFUSED …); connect() only says "closed"
  try {
    await probe.connect();
    await probe.ping();
  } catch (err) {
    throw new ParamError(
      'queue',
      `${url}: cannot reach Redis (${cause || (err as Error).message || 'connection failed'}); start redis-server there or check the host and port`,
    );
  } finally {
    probe.disconnect();
  }
}

/** Runs a sweep's / cv's jobs on the queue: adds them, reports starts, collects results and failures. */
export async function queueRunner(o: { url: string; name?: string; events?: ProgressEvents; signal?: AbortSignal }): Promise<JobRunner> {
  await checkQueueReachable(o.url);
  const connection = connectionFromUrl(o.url);
  const name = o.name ?? DEFAULT_QUEUE_NAME;
  const queue = new Queue(name, { connection });
  const queueEvents = new QueueEvents(name, { connection });
  queue.setMaxListeners(0); // job.waitUntilFinished adds one 'closing' listener per waiting job, by design
  queue.on('error', (e) => o.events?.log?.(`queue: ${e.message}`));
  queueEvents.on('error', (e) => o.events?.log?.(`queue events: ${e.message}`));
  await queueEvents.waitUntilReady();
  return {
    async run(jobs, cb) {
      const ours = new Set(jobs.map((j) => foldJobId(j.key, j.fold)));
      const started = new Set<string>();
      const onActive = ({ jobId }: { jobId: string }): void => {
        if (ours.has(jobId) && !started.has(jobId)) {
          started.add(jobId);
          cb.started(jobId);
        }
      };
      queueEvents.on('active', onActive);
      const aborted = new Promise<void>((resolve) => o.signal?.addEventListener('abort', () => resolve(), { once: true }));
      try {
        const added = await addAllOnce(
          queue,
          jobs.map((job) => ({ id: foldJobId(job.key, job.fold), kind: 'fold', data: job })),
        );
        const all = Promise.all(
          added.map(async (job) => {
            const id = job.id as string;
            try {
              const r = (await job.waitUntilFinished(queueEvents)) as FoldJobResult;
              if (!started.has(id)) cb.started(id); // finished before its 'active' event arrived
              cb.done(id, r);
            } catch (err) {
              if (!started.has(id)) cb.started(id);
              cb.failed(id, (err as Error).message);
            }
            await job.remove().catch(() => {}); // the run folder keeps the result
          }),
        );
        await Promise.race([all, aborted]);
      } finally {
        queueEvents.off('active', onActive);
      }
    },
    async close() {
      await queueEvents.close();
      await queue.close();
    },
  };
}

/**
 * Adds jobs under fixed ids. A job of that id still in the queue (an interrupted run's) is reused when
 * waiting, running or finished, and replaced when it failed (so a re-run retries it). New jobs go in
 * one addBulk (one round trip, instead of a listener per pending add).
 */
export async function addAllOnce<T>(queue: Queue, items: readonly { id: string; kind: string; data: T }[]): Promise<Job[]> {
  const jobs: (Job | undefined)[] = [];
  const fresh: { index: number; item: { id: string; kind: string; data: T } }[] = [];
  for (const [index, item] of items.entries()) {
    const existing = await queue.getJob(item.id);
    if (existing && (await existing.getState()) !== 'failed') jobs[index] = existing;
    else {
      if (existing) await existing.remove();
      fresh.push({ index, item });
    }
  }
  const added = await queue.addBulk(
    fresh.map(({ item }) => ({
      name: item.kind,
      data: item.data,
      opts: { jobId: item.id, attempts: 1, removeOnComplete: false, removeOnFail: false },
    })),
  );
  fresh.forEach(({ index }, k) => {
    jobs[index] = added[k];
  });
  return jobs as Job[];
}

/** Options of {@link startWorker}. */
export interface WorkerOptions {
  /** redis://HOST:PORT */
  queue: string;
  name?: string;
  /**
   * Jobs at a time in this process (default 1). Training runs on this process's main thread, so for
   * CPU parallelism start several processes (`affexion worker --concurrency N` does).
   */
  concurrency?: number;
  cacheDir?: string | null;
  /** Where fold models are trained (a temporary folder per job, removed after it; default the OS temp folder). */
  workDir?: string;
  /** ms a job's lock lasts without renewal before it counts as stalled (BullMQ lockDuration; default 30000). */
  lockDuration?: number;
  /** ms between stalled-job checks (BullMQ stalledInterval; default 30000). */
  stalledInterval?: number;
  events?: ProgressEvents;
}

/** A running worker. */
export interface AffexionWorker {
  worker: Worker;
  close(): Promise<void>;
}

/** Starts a worker that runs fold and predict jobs until closed. Throws fast when Redis is unreachable. */
export async function startWorker(o: WorkerOptions): Promise<AffexionWorker> {
  await checkQueueReachable(o.queue);
  const concurrency = o.concurrency ?? 1;
  if (!Number.isInteger(concurrency) || concurrency < 1)
    throw new ParamError('concurrency', `expected a positive integer, got ${concurrency}`);
  const workRoot = o.workDir ?? path.join(os.tmpdir(), 'affexion-worker');
  mkdirSync(workRoot, { recursive: true });
  const log = o.events?.log;
  const processor = async (job: Job): Promise<unknown> => {
    try {
      checkJobFormat(job.data as FoldJob, ['fold', 'predict']);
    } catch (err) {
      throw new UnrecoverableError((err as Error).message); // no retry: another attempt would fail alike
    }
    log?.(`job ${job.id}: started (${job.data.kind})`);
    const workDir = mkdtempSync(path.join(workRoot, 'job-'));
    try {
      const r =
        job.data.kind === 'fold'
          ? await runFoldJob(job.data as FoldJob, { workDir, cacheDir: o.cacheDir })
          : await runPredictJob(job.data as PredictJob, { cacheDir: o.cacheDir });
      log?.(`job ${job.id}: done`);
      return r;
    } catch (err) {
      log?.(`job ${job.id}: failed: ${(err as Error).message}`);
      throw err;
    } finally {
      rmSync(workDir, { recursive: true, force: true });
    }
  };
  const worker = new Worker(o.name ?? DEFAULT_QUEUE_NAME, processor, {
    connection: { ...connectionFromUrl(o.queue), maxRetriesPerRequest: null },
    concurrency,
    lockDuration: o.lockDuration ?? 30000,
    stalledInterval: o.stalledInterval ?? 30000,
    maxStalledCount: 2,
  });
  // Connection drops (Redis restarting) are logged; ioredis reconnects by itself.
  worker.on('error', (e) => log?.(`worker: ${e.message}`));
  await worker.waitUntilReady();
  return { worker, close: () => worker.close() };
}
