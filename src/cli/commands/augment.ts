/** `affexion augment`: offline augmented copies of a dataset (see docs/augmentation.md). */
import type { Command } from 'commander';
import path from 'node:path';
import { augmentDataset, writeAugmentationCharts } from '../../augment/offline.js';
import { AUGMENT_OPS, DEFAULT_AUGMENT_SPEC } from '../../augment/augmenter.js';

export function register(program: Command): void {
  program
    .command('augment')
    .description('Write augmented copies of a dataset: noise (white/pink/brown/babble), reverb, telephone band, gain, speed, pitch')
    .argument('<data>', 'dataset folder (one sub-folder per class, or labels.csv / manifest.csv) or CSV manifest')
    .requiredOption('--out <dir>', 'output folder: <label>/<id>_aug<k>.wav and manifest.csv')
    .option(
      '--spec <spec>',
      `augmentations, e.g. 'noise:snr=5..20,reverb:p=0.5' ('default' = ${DEFAULT_AUGMENT_SPEC}; operations: ${Object.keys(AUGMENT_OPS).join(', ')})`,
      'default',
    )
    .option('--copies <n>', 'augmented copies per clip', '1')
    .option('--include-original', 'also copy each original clip into the output')
    .option('--seed <n>', 'random seed (same seed → identical output)', '1')
    .option('--force', "allow --out to be the dataset's own folder (its manifest.csv is overwritten)")
    .option('--charts', 'also write charts (SVG + PNG) of what each operation does to the first clip, to OUT/charts')
    .action(
      async (
        data: string,
        o: { out: string; spec: string; copies: string; includeOriginal?: boolean; seed: string; charts?: boolean; force?: boolean },
      ) => {
        const copies = Number(o.copies);
        if (!Number.isInteger(copies) || copies < 1) throw new Error(`--copies: expected a positive integer, got '${o.copies}'`);
        const seed = Number(o.seed);
        if (!Number.isInteger(seed)) throw new Error(`--seed: expected an integer, got '${o.seed}'`);
        const t0 = Date.now();
        const r = await augmentDataset({
          source: data,
          outDir: o.out,
          spec: o.spec,
          copies,
          seed,
          includeOriginal: o.includeOriginal,
          force: o.force,
        });
        process.stdout.write(
          `wrote ${r.written} clips to ${r.outDir} in ${((Date.now() - t0) / 1000).toFixed(1)} s\nmanifest: ${r.manifest}\n`,
        );
        if (o.charts) {
          const files = await writeAugmentationCharts(data, path.join(o.out, 'charts'), seed);
          process.stdout.write(`charts: ${files.filter((f) => f.endsWith('.svg')).join(', ')}\n`);
        }
        if (r.skipped.length)
          process.stdout.write(`skipped ${r.skipped.length}:\n${r.skipped.map((s) => `  ${s.file}: ${s.reason}`).join('\n')}\n`);
      },
    );
}
