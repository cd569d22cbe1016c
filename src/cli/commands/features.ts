/**
 * `affexion features FILE...`: MFCC + delta + delta-delta of audio files, as JSON lines or .npy
 * (see docs/audio-features.md). A thin layer over extractFeaturesFromFiles.
 */
import type { Command } from 'commander';
import { mkdirSync, statSync, writeFileSync, createWriteStream, type WriteStream } from 'node:fs';
import path from 'node:path';
import { resolveFeatureParams, type FeatureMatrix, type FeatureParams } from '../../features/index.js';
import { addFeatureOptions, featuresFrom } from '../options.js';
import { extractFeaturesFromFiles } from '../../features/parallel.js';
import { encodeNpyFloat32 } from '../../features/npy.js';

interface Options {
  sr: number;
  nMfcc: number;
  nFft: number;
  hopLength: number;
  nMels: number;
  fmin: number;
  fmax?: number;
  deltaWidth: number;
  format: string;
  out?: string;
}

/** One file's features as a JSON line in librosa's layout (row = coefficient). */
export function featuresToJson(file: string, sr: number, f: FeatureMatrix): string {
  const rows: number[][] = [];
  for (let r = 0; r < f.rows; r++) {
    const row = new Array<number>(f.frames);
    // 9 significant digits round-trip float32 exactly, at half the size of the float64 repr.
    for (let t = 0; t < f.frames; t++) row[t] = Number(f.data[r * f.frames + t].toPrecision(9));
    rows.push(row);
  }
  return JSON.stringify({ file, sr, shape: [f.rows, f.frames], features: rows });
}

export function register(program: Command): void {
  // The feature flags come from the one table (options.ts; defaults DEFAULT_FEATURE_PARAMS); no
  // loudness step here: the features of the file as recorded, as librosa computes them.
  const cmd = program
    .command('features')
    .description('Print MFCC + delta + delta-delta features (librosa 0.10 maths) of audio files (WAV, FLAC, MP3, OGG)')
    .argument('<files...>', 'audio files');
  addFeatureOptions(cmd, { mel: true, loudness: false })
    .option('--format <fmt>', 'json (one object per line: {file, sr, shape, features}) or npy', 'json')
    .option('--out <path>', 'json: write the lines to this file; npy: the .npy file (one input) or a folder (several)')
    .action(async (files: string[], o: Options) => {
      // `affexion features … | head` closes the pipe early: stop quietly rather than crash on EPIPE.
      process.stdout.on('error', (err: NodeJS.ErrnoException) => {
        if (err.code === 'EPIPE') process.exit(0);
        throw err;
      });
      const params: FeatureParams = { ...resolveFeatureParams(featuresFrom(o)), fmax: o.fmax ?? null };
      if (o.format !== 'json' && o.format !== 'npy') throw new Error(`--format: expected json or npy, got '${o.format}'`);
      const npyTarget = o.format === 'npy' ? npyDestination(files, o.out) : null;
      let jsonOut: WriteStream | null = null;
      if (o.format === 'json' && o.out) jsonOut = createWriteStream(o.out);
      const failed: string[] = [];
      // Several files are spread over worker threads (one per core); output keeps the input order.
      await extractFeaturesFromFiles(files, params, {
        onResult: async (r) => {
          if (r.error !== undefined) {
            // Report and go on: one bad file should not hide the features of the others.
            process.stderr.write(`affexion: ${r.error}\n`);
            failed.push(r.file);
            return;
          }
          const f = r.features;
          if (npyTarget) {
            writeFileSync(npyTarget(r.file), encodeNpyFloat32(f.data, [f.rows, f.frames]));
          } else {
            const line = featuresToJson(r.file, params.sr, f) + '\n';
            if (jsonOut) {
              if (!jsonOut.write(line)) await new Promise<void>((res) => jsonOut!.once('drain', () => res()));
            } else if (!process.stdout.write(line)) await new Promise<void>((res) => process.stdout.once('drain', () => res()));
          }
        },
      });
      if (jsonOut) await new Promise<void>((resolve, reject) => jsonOut!.end((err?: Error | null) => (err ? reject(err) : resolve())));
      if (failed.length) throw new Error(`${failed.length} of ${files.length} file(s) could not be read: ${failed.join(', ')}`);
    });
}

/** Where each input's .npy goes: --out itself for one input, --out/<name>.npy for several. */
function npyDestination(files: string[], out: string | undefined): (file: string) => string {
  if (!out) throw new Error('--format npy needs --out <file.npy> (or a folder for several inputs)');
  let isDir = false;
  try {
    isDir = statSync(out).isDirectory();
  } catch {
    /* does not exist yet */
  }
  if (files.length === 1 && !isDir) return () => out;
  mkdirSync(out, { recursive: true });
  const seen = new Set<string>();
  return (file) => {
    let name = path.basename(file).replace(/\.[^.]+$/, '');
    for (let i = 2; seen.has(name); i++) name = `${path.basename(file).replace(/\.[^.]+$/, '')}-${i}`;
    seen.add(name);
    return path.join(out, `${name}.npy`);
  };
}
