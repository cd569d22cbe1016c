/** `affexion convert`: real neutral speech → each target emotion (see docs/augmentation.md). */
import type { Command } from 'commander';
import { convertEmotions, EMOTION_PROFILES, loadConversionProfiles } from '../../augment/convert/index.js';

function positiveInt(option: string, v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new Error(`${option}: expected a positive integer, got '${v}'`);
  return n;
}

export function register(program: Command): void {
  program
    .command('convert')
    .description('Convert real neutral speech into emotional speech (PSOLA pitch/tempo, voice quality, pauses), keeping the human voices')
    .argument('<neutral-data>', 'folder of neutral clips (labels.csv / manifest.csv, class folders or plain audio files) or a CSV manifest')
    .requiredOption('--out <dir>', 'output folder: <emotion>/<id>.wav, manifest.csv, datasheet.md')
    .option(
      '--emotions <list>',
      `comma-separated target emotions (default every profile: built-in ${Object.keys(EMOTION_PROFILES).join(', ')}, plus those of --profiles)`,
    )
    .option('--profiles <file>', 'JSON conversion profiles changing built-in emotions or adding new ones (docs/augmentation.md)')
    .option('--per-clip <n>', 'variants per source clip and emotion, each with its own random draw', '1')
    .option('--limit <n>', 'use only N source clips, taken in turn from each speaker')
    .option('--seed <n>', 'random seed (same seed → identical output)', '1')
    .option('--no-charts', 'skip the F0/level charts of the first clip (DIR/charts)')
    .option(
      '--check',
      "check each boredom/uncertainty clip's prosody against its source (directions from the literature): DIR/check.json, pass rates printed as JSON",
    )
    .action(
      async (
        source: string,
        o: {
          out: string;
          emotions?: string;
          profiles?: string;
          perClip: string;
          limit?: string;
          seed: string;
          charts: boolean;
          check?: boolean;
        },
      ) => {
        const seed = Number(o.seed);
        if (!Number.isInteger(seed)) throw new Error(`--seed: expected an integer, got '${o.seed}'`);
        const emotions = o.emotions
          ?.split(',')
          .map((s) => s.trim())
          .filter(Boolean);
        const profiles = o.profiles === undefined ? undefined : loadConversionProfiles(o.profiles);
        const t0 = Date.now();
        let last = 0;
        const r = await convertEmotions({
          source,
          outDir: o.out,
          emotions,
          profiles,
          seed,
          charts: o.charts,
          check: !!o.check,
          perClip: positiveInt('--per-clip', o.perClip),
          limit: o.limit === undefined ? undefined : positiveInt('--limit', o.limit),
          onProgress: (done, total) => {
            if (process.stderr.isTTY && Date.now() - last > 250) {
              last = Date.now();
              process.stderr.write(`\rconverting ${done}/${total}`);
            }
          },
        });
        if (process.stderr.isTTY) process.stderr.write('\n');
        const n = Object.values(r.counts).reduce((a, b) => a + b, 0);
        process.stdout.write(
          `wrote ${n} clips to ${r.outDir} (${Object.entries(r.counts)
            .map(([k, v]) => `${k} ${v}`)
            .join(', ')}) in ${((Date.now() - t0) / 1000).toFixed(1)} s\n`,
        );
        process.stdout.write(`manifest: ${r.manifest}\ndatasheet: ${r.datasheet}\n`);
        if (r.check) process.stdout.write(`${JSON.stringify({ check: r.check.labels, file: r.check.file })}\n`);
        if (r.skipped.length)
          process.stdout.write(
            `skipped ${r.skipped.length} source clip(s):\n${r.skipped.map((s) => `  ${s.file}: ${s.reason}`).join('\n')}\n`,
          );
      },
    );
}
