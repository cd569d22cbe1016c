/** `affexion synth`: a synthetic emotional speech training set (see docs/synth.md). */
import type { Command } from 'commander';
import { synthesize, DEFAULT_CLASSES } from '../../synth/index.js';
import type { ProviderName } from '../../synth/voices.js';
import type { LengthKind } from '../../synth/plan.js';

const list = (s: string | undefined): string[] | undefined =>
  s
    ? s
        .split(',')
        .map((x) => x.trim())
        .filter(Boolean)
    : undefined;

function int(name: string, v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n)) throw new Error(`${name}: expected an integer, got '${v}'`);
  return n;
}

export function register(program: Command): void {
  program
    .command('synth')
    .description('Generate a balanced synthetic emotional speech set: <out>/<class>/<id>.wav, manifest.csv, datasheet.md')
    .requiredOption('--out <dir>', 'output folder (existing clips are kept: runs are resumable)')
    .option('--per-class <n>', 'clips per class', '70')
    .option('--classes <list>', `comma-separated labels; unknown ones need --profiles (default ${DEFAULT_CLASSES.join(',')})`)
    .option('--provider <name>', 'espeak | flite | mixed (espeak + flite) | openai', 'mixed')
    .option('--voices <list>', 'comma-separated voice ids (default: 5 voices, 2 male + 3 female, of the provider)')
    .option('--seed <n>', 'random seed (same seed → byte-identical output)', '1')
    .option('--lengths <list>', 'short (3–4 s) and/or long (10–12 s)', 'short,long')
    .option('--concurrency <n>', 'parallel workers (offline, default all cores) or requests (openai, default 4)')
    .option('--sentences <file>', 'your sentences: .csv with label,text columns, or .txt with one per line (all classes)')
    .option('--profiles <file>', 'JSON prosody profiles for new classes or to override built-in ones')
    .option('--text <mode>', "'emotion' (each class its own sentences, as the paper) or 'shared' (one pool for all)", 'emotion')
    .option('--model <name>', 'OpenAI audio model', 'gpt-4o-audio-preview')
    .option('--base-url <url>', 'OpenAI API base URL (proxy or compatible server)')
    .option('--generate-sentences <n>', 'openai: first write N new sentences per class with a chat model')
    .option('--price-per-minute <usd>', 'openai: USD per minute of generated audio, for the cost estimate', '0.10')
    .action(async (o: Record<string, string | undefined>) => {
      const price = Number(o.pricePerMinute);
      if (!(price >= 0)) throw new Error(`--price-per-minute: expected a number ≥ 0, got '${o.pricePerMinute}'`);
      let last = 0;
      const r = await synthesize({
        out: o.out!,
        perClass: int('--per-class', o.perClass),
        classes: list(o.classes),
        provider: o.provider as ProviderName,
        voices: list(o.voices),
        seed: int('--seed', o.seed),
        lengths: list(o.lengths) as LengthKind[] | undefined,
        concurrency: int('--concurrency', o.concurrency),
        sentencesFile: o.sentences,
        profilesFile: o.profiles,
        textMode: o.text as 'emotion' | 'shared',
        openai: {
          model: o.model,
          baseURL: o.baseUrl,
          pricePerMinuteUsd: price,
          generateSentences: int('--generate-sentences', o.generateSentences),
        },
        log: (m) => process.stderr.write(`${m}\n`),
        onProgress: (done, total) => {
          const now = Date.now();
          if (process.stderr.isTTY && (now - last > 500 || done === total)) {
            last = now;
            process.stderr.write(`\r${done}/${total} clips`);
            if (done === total) process.stderr.write('\n');
          }
        },
      });
      process.stdout.write(
        `${r.records.length} clips in ${r.outDir} (${r.generated} generated, ${r.kept} kept) in ${r.seconds.toFixed(1)} s\n` +
          `manifest: ${r.manifestPath}\ndatasheet: ${r.datasheetPath}\n`,
      );
    });
}
