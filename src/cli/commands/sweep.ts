/**
 * `affexion sweep DATA --vary k=v1,v2 … --out RUN [--queue redis://HOST:PORT]` and
 * `affexion worker --queue redis://HOST:PORT [--concurrency N]` (issue 16; docs/sweep.md, docs/scale.md).
 */
import { fork } from 'node:child_process';
import type { Command } from 'commander';
import { Option } from 'commander';
import cliProgress from 'cli-progress';
import { sweep, type SweepProgress } from '../../workflows/sweep/sweep.js';
import { startWorker } from '../../workflows/sweep/queue.js';
import { KNOBS } from '../../workflows/sweep/knobs.js';
import type { GroupBy } from '../../eval/cv.js';
import { consoleProgress } from '../../report/progress.js';
import {
  addCacheOptions,
  addDataOptions,
  addFeatureOptions,
  addHyperOptions,
  cacheFrom,
  featuresFrom,
  hyperFrom,
  intArg,
  interruptSignal,
  type CommonOptionValues,
} from '../options.js';

interface SweepCliOptions extends CommonOptionValues {
  vary: string[];
  design: 'one-at-a-time' | 'grid';
  seeds: number;
  folds: number;
  groupBy: GroupBy;
  real: string[];
  out: string;
  queue?: string;
  queueName?: string;
  yes?: boolean;
  report: boolean;
  json?: boolean;
}

/** A cli-progress bar of the sweep's jobs (plain lines when stderr is not a terminal). */
function sweepBar(): { update(p: SweepProgress): void; stop(): void } {
  const tty = Boolean(process.stderr.isTTY) && !process.env.CI;
  let bar: cliProgress.SingleBar | null = null;
  let last = '';
  return {
    update(p) {
      const fields = { running: p.running, failed: p.failed };
      if (!tty) {
        const line = `sweep: ${p.done}/${p.total} jobs done · ${p.running} running · ${p.failed} failed`;
        if (line !== last && (p.running === 0 || p.done === p.total)) process.stderr.write(`${line}\n`);
        last = line;
        return;
      }
      if (!bar) {
        bar = new cliProgress.SingleBar(
          {
            stream: process.stderr,
            hideCursor: true,
            etaBuffer: 20,
            format: 'sweep |{bar}| {value}/{total} jobs done · {running} running · {failed} failed · ETA {eta_formatted}',
          },
          cliProgress.Presets.shades_classic,
        );
        bar.start(p.total, p.done, fields);
      } else bar.update(p.done, fields);
    },
    stop() {
      bar?.stop();
      bar = null;
    },
  };
}

const repeatable = (v: string, acc: string[]): string[] => [...acc, v];

export function register(program: Command): void {
  const cmd = program
    .command('sweep')
    .description(
      'Hyper-parameter study: every trial scored by (grouped) cross-validation and on real speech; resumable, optionally spread over BullMQ workers',
    )
    .argument('<data>', 'training data: folder per class or CSV manifest')
    .requiredOption('--out <dir>', 'run folder (results.json, table.md, report.html, jobs/); the same --out resumes')
    .addOption(
      new Option('--vary <knob=v1,v2>', `values of a knob (repeatable); knobs: ${Object.keys(KNOBS).join(', ')}`)
        .argParser(repeatable)
        .default([], 'none'),
    )
    .addOption(
      new Option('--design <design>', 'one-at-a-time (the paper: other knobs at their base value) or grid')
        .choices(['one-at-a-time', 'grid'])
        .default('one-at-a-time'),
    )
    .option('--seeds <n>', 'seeds per trial (--seed, --seed + 1, …)', intArg('--seeds'), 1)
    .option('--folds <k>', 'cross-validation folds', intArg('--folds'), 7)
    .addOption(
      new Option('--group-by <what>', 'keep each speaker / sentence on one side of every fold')
        .choices(['speaker', 'text', 'none'])
        .default('none'),
    )
    .addOption(
      new Option('--real <dir>', 'real-speech dev corpus every fold model is scored on (repeatable)')
        .argParser(repeatable)
        .default([], 'none'),
    )
    .option('--queue <url>', 'redis://HOST:PORT: run the jobs on `affexion worker` processes through BullMQ')
    .option('--queue-name <name>', 'BullMQ queue name', 'affexion')
    .option('--yes', 'run a sweep of more than 1,000 trial × seed runs')
    .option('--no-report', 'do not write report.html')
    .option('--json', 'print the result as JSON on stdout');
  addHyperOptions(cmd);
  addFeatureOptions(cmd);
  addDataOptions(cmd);
  cmd.action(async (data: string, o: SweepCliOptions) => {
    if (o.reference) throw new Error('--reference: not supported by sweep');
    const progress = consoleProgress();
    const bar = sweepBar();
    const interrupt = interruptSignal(progress.log);
    try {
      const r = await sweep({
        data,
        vary: o.vary,
        design: o.design,
        seeds: o.seeds,
        folds: o.folds,
        groupBy: o.groupBy,
        real: o.real,
        out: o.out,
        queue: o.queue,
        queueName: o.queueName,
        yes: o.yes,
        hyper: hyperFrom(o),
        features: featuresFrom(o),
        loudness: o.loudness,
        labelMap: o.labelMap,
        cacheDir: cacheFrom(o),
        events: {
          log: (m) => {
            bar.stop();
            progress.log(m);
          },
        },
        onProgress: (p) => bar.update(p),
        signal: interrupt.signal,
        command: process.argv.slice(1),
        report: o.report,
      });
      bar.stop();
      if (o.json) process.stdout.write(`${JSON.stringify(r)}\n`);
      else {
        process.stdout.write(
          `sweep: ${r.records.length} run(s), ${r.failed} failed; ${r.out}/results.json, table.md${r.report ? ', report.html' : ''}\n`,
        );
      }
      if (r.failed) process.exitCode = 1;
    } finally {
      bar.stop();
      progress.stop();
      interrupt.dispose();
    }
  });

  addCacheOptions(
    program
      .command('worker')
      .description('Run sweep / cv / predict jobs from a BullMQ queue until stopped (Ctrl-C)')
      .requiredOption('--queue <url>', 'redis://HOST:PORT')
      .option('--queue-name <name>', 'BullMQ queue name', 'affexion')
      .option('--concurrency <n>', 'jobs at a time: one worker process each', intArg('--concurrency'), 1)
      .option('--work-dir <dir>', 'where fold models are trained (a temporary folder per job; default the OS temp folder)')
      .option(
        '--lock-ms <ms>',
        'a job whose worker has not renewed its lock for this long counts as stalled and runs elsewhere',
        intArg('--lock-ms'),
        30000,
      ),
  ).action(
    async (o: { queue: string; queueName: string; concurrency: number; workDir?: string; lockMs: number; cache: string | boolean }) => {
      if (o.concurrency < 1) throw new Error(`--concurrency: expected a positive integer, got ${o.concurrency}`);
      if (o.concurrency > 1) {
        // Training runs on one thread per process: N jobs at a time are N processes of one job each.
        const args = process.argv
          .slice(2)
          .filter((a, i, all) => a !== '--concurrency' && all[i - 1] !== '--concurrency' && !a.startsWith('--concurrency='));
        const children = Array.from({ length: o.concurrency }, () =>
          fork(process.argv[1]!, [...args, '--concurrency', '1'], { execArgv: process.execArgv }),
        );
        const stop = (): void => {
          for (const c of children) c.kill('SIGTERM');
        };
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
        const codes = await Promise.all(children.map((c) => new Promise<number>((res) => c.on('exit', (code) => res(code ?? 0)))));
        process.exitCode = Math.max(...codes);
        return;
      }
      const log = (m: string): void => {
        process.stderr.write(`[worker ${process.pid}] ${m}\n`);
      };
      const w = await startWorker({
        queue: o.queue,
        name: o.queueName,
        concurrency: 1,
        workDir: o.workDir,
        cacheDir: cacheFrom(o),
        lockDuration: o.lockMs,
        stalledInterval: o.lockMs,
        events: { log },
      });
      log(`waiting for jobs on ${o.queue} (queue ${o.queueName})`);
      await new Promise<void>((resolve) => {
        const stop = (): void => {
          log('stopping after the current job');
          void w.close().then(resolve);
        };
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
    },
  );
}
