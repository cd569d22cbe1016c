#!/usr/bin/env node
/**
 * The `affexion` command line: a thin layer over the library. Each command lives in
 * src/cli/commands/<name>.ts and exports `register(program)`.
 */
import { Command } from 'commander';
import { readFileSync } from 'node:fs';
import { TrainingInterrupted } from '../train/fit.js';
import { cliMessage, wasInterrupted } from './options.js';
import { tuneAllocator } from '../engine/allocator.js';
import { register as registerModel } from './commands/model.js';
import { register as registerPredict } from './commands/predict.js';
import { register as registerTrain } from './commands/train.js';
import { register as registerEvaluate } from './commands/evaluate.js';
import { register as registerCv } from './commands/cv.js';
import { register as registerDataset } from './commands/dataset.js';
import { register as registerReproduce } from './commands/reproduce.js';
import { register as registerDemo } from './commands/demo.js';
import { register as registerConvert } from './commands/convert.js';
import { register as registerAugment } from './commands/augment.js';
import { register as registerBench } from './commands/bench.js';
import { register as registerFeatures } from './commands/features.js';
import { register as registerSynth } from './commands/synth.js';
import { register as registerExperiment } from './commands/experiment.js';
import { register as registerMonitor } from './commands/monitor.js';
import { register as registerSweep } from './commands/sweep.js';

const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };

// Output piped into a reader that stops early (`affexion model info DIR | head`): end quietly, as
// Unix tools do, instead of crashing with an unhandled EPIPE.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(0);
  throw err;
});

// Large arrays reuse freed pages instead of faulting fresh ones in (src/engine/allocator.ts); before any
// command allocates. AFFEXION_MALLOC_TUNING=off keeps glibc's defaults.
tuneAllocator();

const program = new Command();
let commandPath = '';
program
  .name('affexion')
  .description('Recognise social signals in speech with models trained on synthetic speech.')
  .version(pkg.version)
  .showHelpAfterError()
  .option('--max-duration <sec>', 'longest audio file any command reads, in seconds (default 1800; longer files are reported as errors)')
  .hook('preAction', (cmd, actionCommand) => {
    // The running command's path ('cv', 'experiment gap'): some name a library parameter their own way.
    for (let c: Command | null = actionCommand; c && c !== program; c = c.parent)
      commandPath = commandPath ? `${c.name()} ${commandPath}` : c.name();
    const v = cmd.opts<{ maxDuration?: string }>().maxDuration;
    if (v === undefined) return;
    if (!(Number(v) > 0 && Number.isFinite(Number(v))))
      throw new Error(`--max-duration: expected a positive number of seconds, got '${v}'`);
    // An environment variable, so feature worker threads inherit it.
    process.env.AFFEXION_MAX_DURATION = String(Number(v));
  });

// Commands (one import + register line each).
registerModel(program);
registerPredict(program);
registerTrain(program);
registerEvaluate(program);
registerCv(program);
registerDataset(program);
registerReproduce(program);
registerDemo(program);
registerConvert(program);
registerAugment(program);
registerBench(program);
registerFeatures(program);
registerSynth(program);
registerExperiment(program);
registerMonitor(program);
registerSweep(program);

program.parseAsync(process.argv).catch((err: unknown) => {
  // A library ParamError names its parameter; the user knows it by its flag (options.ts, PARAM_FLAGS).
  const msg = cliMessage(err, commandPath);
  process.stderr.write(`affexion: ${msg}\n`);
  if (process.env.AFFEXION_DEBUG && err instanceof Error) process.stderr.write(`${err.stack}\n`);
  // Ctrl-C stopped the run (after the checkpoint logic): exit as a shell expects of SIGINT, 128 + 2.
  // (demo and reproduce surface the stop as other errors between their stages, hence wasInterrupted.)
  process.exit(err instanceof TrainingInterrupted || wasInterrupted() ? 130 : 1);
});
