/** `affexion demo`: synthesise → train → cross-validate → evaluate on held-out voices/sentences (and real speech) → report. */
import type { Command } from 'commander';
import { runDemo } from '../../train/demo.js';
import { formatComparison } from '../../train/reproduce.js';
import { formatSummary } from '../../eval/cv.js';
import { formatEvaluation } from '../../eval/evaluate.js';
import { consoleProgress } from '../../train/progress.js';
import { cacheFrom, intArg, interruptSignal } from '../../train/cli.js';

interface DemoCliOptions {
  out: string; real?: string; labelMap?: string; perClass: number; heldOut: number; folds: number; epochs?: number; seed: number;
  cache: string | boolean;
}

export function register(program: Command): void {
  program.command('demo')
    .description('Offline end-to-end demo (a few minutes): synthesise speech, train, cross-validate, evaluate on held-out voices and sentences (and real speech with --real), write report.html')
    .option('--out <dir>', 'run folder (re-run to continue)', 'affexion-demo')
    .option('--real <data>', 'also evaluate on real labelled speech, e.g. ../shared/data/ravdess-dev')
    .option('--label-map <map>', 'label map for --real (default fearful=panic,happy=excitement,calm=,neutral=)')
    .option('--per-class <n>', 'synthetic training clips per class', intArg('--per-class'), 16)
    .option('--held-out <n>', 'held-out synthetic clips per class', intArg('--held-out'), 6)
    .option('--folds <k>', 'cross-validation folds', intArg('--folds'), 3)
    .option('--epochs <n>', 'training epochs (default 12)', intArg('--epochs'))
    .option('--seed <n>', 'random seed', intArg('--seed'), 1)
    .option('--cache <dir>', 'feature cache folder')
    .option('--no-cache', 'do not read or write the feature cache')
    .action(async (o: DemoCliOptions) => {
      const progress = consoleProgress();
      const interrupt = interruptSignal(progress.log);
      const t0 = Date.now();
      try {
        const r = await runDemo({
          out: o.out, real: o.real, labelMap: o.labelMap, perClass: o.perClass, heldOutPerClass: o.heldOut, folds: o.folds, seed: o.seed,
          hyper: o.epochs ? { epochs: o.epochs } : undefined, cacheDir: cacheFrom(o), events: progress,
          foldEvents: (f, k) => consoleProgress({ prefix: `[fold ${f}/${k}]` }), signal: interrupt.signal, command: process.argv.slice(1),
        });
        progress.stop();
        const held = r.extra['held-out voices & sentences'];
        process.stdout.write(`\n${formatComparison(r.table)}\n\n`);
        process.stdout.write(`${r.cv.k}-fold CV by voice (mean ± std): ${formatSummary(r.cv.summary)}\n`);
        if (held) process.stdout.write(`held-out voices & sentences:\n${formatEvaluation(held)}\n`);
        if (r.real) process.stdout.write(`real speech:\n${formatEvaluation(r.real)}\n`);
        process.stdout.write(`\nmodel: ${r.modelDir}\nreport: ${r.report}\ndone in ${((Date.now() - t0) / 1000).toFixed(0)} s\n`);
      } finally {
        progress.stop();
        interrupt.dispose();
      }
    });
}
