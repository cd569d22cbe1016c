/**
 * The BullMQ queue with real `affexion worker` processes (the workers are the CLI, hence test/cli/):
 * a killed worker's job runs on another, refused job formats and data copies, Redis restarts.
 */
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Queue, QueueEvents } from 'bullmq';
import { sweep } from '../../src/workflows/sweep/sweep.js';
import { connectionFromUrl } from '../../src/workflows/sweep/queue.js';
import { JOB_FORMAT_VERSION, type FoldJob } from '../../src/workflows/sweep/job.js';
import { dataRef } from '../../src/workflows/sweep/data-hash.js';
import { resolveHyperparameters } from '../../src/model/hyperparameters.js';
import { resolveFeatureSettings } from '../../src/data/features.js';
import { makeToneDataset, TINY_FEATURES, TINY_HYPER, tmpDir } from '../train/fixtures.js';
import { freePort, startRedis, type TestRedis } from '../workflows/sweep/redis.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const cacheDir = tmpDir('affexion-cache-');
const data = makeToneDataset({ perClass: 6, seed: 31, speakers: true });
const real = makeToneDataset({ perClass: 3, seed: 32 });
const base = {
  data,
  real: [real],
  folds: 2,
  groupBy: 'speaker' as const,
  seeds: 2,
  vary: ['epochs=2,3'],
  hyper: { ...TINY_HYPER, epochs: 2 },
  features: TINY_FEATURES,
  cacheDir,
  report: false,
};

let redis: TestRedis;
const workers: ChildProcess[] = [];
before(async () => {
  redis = await startRedis();
});
after(async () => {
  for (const w of workers) if (w.exitCode === null && w.signalCode === null) w.kill('SIGKILL');
  await redis?.stop();
});

/** `affexion worker` in a child process; `lines` collects its log. */
function startWorkerProcess(url: string): { proc: ChildProcess; lines: string[]; waitFor(re: RegExp): Promise<RegExpMatchArray> } {
  const proc = spawn(
    process.execPath,
    ['--import', 'tsx', path.join(root, 'src/cli/main.ts'), 'worker', '--queue', url, '--lock-ms', '3000', '--cache', cacheDir],
    { cwd: root, env: { ...process.env, AFFEXION_THREADS: '1' }, stdio: ['ignore', 'ignore', 'pipe'] },
  );
  workers.push(proc);
  const lines: string[] = [];
  const waiters: { re: RegExp; resolve(m: RegExpMatchArray): void }[] = [];
  let buf = '';
  proc.stderr!.on('data', (d: Buffer) => {
    buf += d.toString();
    const parts = buf.split('\n');
    buf = parts.pop()!;
    for (const line of parts) {
      lines.push(line);
      for (const w of [...waiters]) {
        const m = line.match(w.re);
        if (m) {
          waiters.splice(waiters.indexOf(w), 1);
          w.resolve(m);
        }
      }
    }
  });
  return {
    proc,
    lines,
    waitFor: (re) => {
      const m = lines.map((l) => l.match(re)).find((x) => x);
      return m ? Promise.resolve(m) : new Promise((resolve) => waiters.push({ re, resolve }));
    },
  };
}

function withoutTimes(file: string): unknown {
  const r = JSON.parse(readFileSync(file, 'utf8')) as { records: { time?: number }[] };
  for (const rec of r.records) delete rec.time;
  return r;
}

test('queue: two workers, one killed mid-job; the stalled job runs on the other and the sweep equals the local run bit for bit', async () => {
  const local = tmpDir();
  await sweep({ ...base, out: local });
  const a = startWorkerProcess(redis.url);
  const b = startWorkerProcess(redis.url);
  await Promise.all([a.waitFor(/waiting for jobs/), b.waitFor(/waiting for jobs/)]);
  const out = tmpDir();
  const run = sweep({ ...base, out, queue: redis.url });
  const [, killedJob] = await a.waitFor(/job (\S+): started/);
  a.proc.kill('SIGKILL');
  const r = await run;
  assert.equal(r.failed, 0);
  // Killed mid-job: worker A never finished it; worker B did (after BullMQ's stalled-job check).
  assert.ok(!a.lines.some((l) => l.includes(`job ${killedJob}: done`)), a.lines.join('\n'));
  assert.ok(
    b.lines.some((l) => l.includes(`job ${killedJob}: done`)),
    b.lines.join('\n'),
  );
  assert.deepEqual(withoutTimes(path.join(out, 'results.json')), withoutTimes(path.join(local, 'results.json')));
  assert.equal(readFileSync(path.join(out, 'table.md'), 'utf8'), readFileSync(path.join(local, 'table.md'), 'utf8'));
});

test('queue: a newer job format and a different copy of the data are refused, naming both versions / hashes', async () => {
  startWorkerProcess(redis.url);
  const connection = connectionFromUrl(redis.url);
  const queue = new Queue('affexion', { connection });
  const events = new QueueEvents('affexion', { connection });
  await events.waitUntilReady();
  try {
    const job: FoldJob = {
      v: JOB_FORMAT_VERSION,
      kind: 'fold',
      key: 'test',
      fold: 1,
      folds: 2,
      groupBy: 'none',
      data: dataRef(data, undefined, 'DATA'),
      real: [],
      hyper: resolveHyperparameters({ ...TINY_HYPER, epochs: 1 }),
      features: resolveFeatureSettings({ params: TINY_FEATURES }),
    };
    const newer = await queue.add('fold', { ...job, v: JOB_FORMAT_VERSION + 1 });
    await assert.rejects(
      newer.waitUntilFinished(events),
      new RegExp(`job format version ${JOB_FORMAT_VERSION + 1} is newer than this worker supports \\(version ${JOB_FORMAT_VERSION}\\)`),
    );
    const other = await queue.add('fold', { ...job, data: { ...job.data, hash: '0123456789abcdef' } });
    await assert.rejects(
      other.waitUntilFinished(events),
      /data: .*: this worker's copy differs from the one the job was made with \(content hash \w+, job expects 0123456789abcdef\)/,
    );
  } finally {
    await events.close();
    await queue.close();
  }
});

test('queue: no Redis at the address is one clear error, before anything runs', async () => {
  const port = await freePort();
  await assert.rejects(
    sweep({ ...base, out: tmpDir(), queue: `redis://127.0.0.1:${port}` }),
    new RegExp(`queue: redis://127.0.0.1:${port}: cannot reach Redis \\(connect ECONNREFUSED .*start redis-server`),
  );
  await assert.rejects(sweep({ ...base, out: tmpDir(), queue: 'http://x' }), /queue: http:\/\/x: expected redis:\/\/HOST:PORT/);
});

test('sweep: a failing job is reported with its error and the sweep goes on', async () => {
  const out = tmpDir();
  const { localRunner } = await import('../../src/workflows/sweep/sweep.js');
  const inner = localRunner(out, { cacheDir });
  let first = true;
  const r = await sweep({
    ...base,
    out,
    runner: {
      run: (jobs, cb) =>
        inner.run(jobs, {
          ...cb,
          started: cb.started,
          done: (id, res) => (first ? ((first = false), cb.failed(id, 'disk full (simulated)')) : cb.done(id, res)),
        }),
      close: async () => {},
    },
  });
  assert.equal(r.failed, 1);
  assert.equal(r.records.filter((x) => x.status === 'done').length, 3);
  assert.match(r.records.find((x) => x.status === 'failed')!.error!, /disk full \(simulated\)/);
  assert.match(readFileSync(path.join(out, 'table.md'), 'utf8'), /failed: disk full \(simulated\)/);
});

test('queue: Redis restarting mid-sweep: workers and the sweep reconnect and the sweep completes', async () => {
  for (const p of workers) if (p.exitCode === null && p.signalCode === null) p.kill('SIGKILL'); // only this test's worker takes jobs
  const w = startWorkerProcess(redis.url);
  await w.waitFor(/waiting for jobs/);
  const out = tmpDir();
  const run = sweep({ ...base, seeds: 1, out, queue: redis.url });
  await w.waitFor(/job \S+: done/);
  await redis.restart();
  // A sweep started after the restart (seeds the first one does not have, so new job ids) can only be
  // run by a worker that reconnected: deterministic, however fast the first sweep's jobs finish.
  const after = sweep({ ...base, seeds: [11], out: tmpDir(), queue: redis.url });
  const [r, r2] = await Promise.all([run, after]);
  assert.equal(r.failed, 0);
  assert.equal(r.records.length, 2);
  assert.equal(r2.failed, 0);
  assert.equal(r2.records.length, 2);
  assert.ok(
    r2.records.every((x) => x.status === 'done'),
    w.lines.join('\n'),
  );
});

test('queue: cv --queue and predict --queue give what the local cv / predict give (predictions in input order)', async () => {
  for (const p of workers) if (p.exitCode === null && p.signalCode === null) p.kill('SIGKILL');
  const { startWorker } = await import('../../src/workflows/sweep/queue.js');
  const { crossValidateOnQueue, predictOnQueue } = await import('../../src/workflows/sweep/remote.js');
  const { crossValidate } = await import('../../src/eval/cv.js');
  const { predictFiles } = await import('../../src/eval/predict.js');
  const { train } = await import('../../src/train/train.js');
  const w = await startWorker({ queue: redis.url, cacheDir, workDir: tmpDir() });
  try {
    const cvOpts = {
      data,
      folds: 2,
      groupBy: 'speaker' as const,
      eval: real,
      hyper: { ...TINY_HYPER, epochs: 1 },
      features: TINY_FEATURES,
      cacheDir,
      report: false,
    };
    const local = await crossValidate({ ...cvOpts, out: tmpDir() });
    const queued = await crossValidateOnQueue({ ...cvOpts, out: tmpDir(), queue: redis.url });
    assert.ok(queued.folds.every((f) => f.reused)); // the local pass only gathered the workers' folds
    assert.deepEqual(queued.summary, local.summary);
    assert.deepEqual(queued.evalSummary, local.evalSummary);
    assert.deepEqual(queued.pooled, local.pooled);
    assert.deepEqual(
      queued.folds.map((f) => f.metrics),
      local.folds.map((f) => f.metrics),
    );

    const model = tmpDir();
    await train({ data, out: model, hyper: { ...TINY_HYPER, epochs: 1 }, features: TINY_FEATURES, cacheDir, report: false });
    const { readdirSync } = await import('node:fs');
    const files = ['boredom', 'panic'].flatMap((c) => readdirSync(path.join(real, c)).map((f) => path.join(real, c, f))).reverse();
    const streamed: number[] = [];
    const viaQueue = await predictOnQueue({ queue: redis.url, model, files, chunk: 2, onResult: (_, i) => streamed.push(i) });
    assert.deepEqual(viaQueue, await predictFiles(model, files));
    assert.deepEqual(
      streamed,
      files.map((_, i) => i),
    );
  } finally {
    await w.close();
  }
});
