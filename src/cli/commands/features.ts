/**
 * `affexion features FILE...`: MFCC + delta + delta-delta of audio files, as JSON lines or .npy
 * (see docs/audio-features.md). A thin layer over extractFeaturesFromFiles.
 */
import type { Command } from 'commander';
import { mkdirSync, statSync, writeFileSync, createWriteStream, type WriteStream } from 'node:fs';
import path from 'node:path';
import { resolveFeatureParams, DEFAULT_FEATURE_PARAMS, type FeatureMatrix, type FeatureParams } from '../../features/index.js';
import { extractFeaturesFromFiles } from '../../features/parallel.js';
import { encodeNpyFloat32 } from '../../features/npy.js';

interface Options { sr: string; nMfcc: string; nFft: string; hopLength: string; nMels: string; fmin: string; fmax?: string; deltaWidth: string; format: string; out?: string }

function intOption(name: string, v: string): number {
  const n = Number(v);
  if (!/^\s*\d+\s*$/.test(v) || !Number.isInteger(n) || n <= 0) throw new Error(`--${name}: expected a positive integer, got '${v}'`);
  return n;
}

function numOption(name: string, v: string): number {
  const n = Number(v);
  if (v.trim() === '' || !Number.isFinite(n) || n < 0) throw new Error(`--${name}: expected a number ≥ 0, got '${v}'`);
  return n;
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
  const d = DEFAULT_FEATURE_PARAMS;
  program.command('features')
    .description('Print MFCC + delta + delta-delta features (librosa 0.10 maths) of audio files (WAV, FLAC, MP3, OGG)')
    .argument('<files...>', 'audio files')
    .option('--sr <n>', 'resample to this rate (Hz)', String(d.sr))
    .option('--n-mfcc <n>', 'cepstral coefficients per block', String(d.nMfcc))
    .option('--n-fft <n>', 'FFT size (window length)', String(d.nFft))
    .option('--hop-length <n>', 'hop between frames (samples)', String(d.hopLength))
    .option('--n-mels <n>', 'mel bands', String(d.nMels))
    .option('--fmin <hz>', 'lowest mel frequency', '0')
    .option('--fmax <hz>', 'highest mel frequency (default: sr / 2)')
    .option('--delta-width <n>', 'Savitzky–Golay window of the deltas (odd)', String(d.deltaWidth))
    .option('--format <fmt>', 'json (one object per line: {file, sr, shape, features}) or npy', 'json')
    .option('--out <path>', 'json: write the lines to this file; npy: the .npy file (one input) or a folder (several)')
    .action(async (files: string[], o: Options) => {
      // `affexion features … | head` closes the pipe early: stop quietly rather than crash on EPIPE.
      process.stdout.on('error', (err: NodeJS.ErrnoException) => {
        if (err.code === 'EPIPE') process.exit(0);
        throw err;
      });
      const params: FeatureParams = {
        sr: intOption('sr', o.sr), nMfcc: intOption('n-mfcc', o.nMfcc), nFft: intOption('n-fft', o.nFft),
        hopLength: intOption('hop-length', o.hopLength), nMels: intOption('n-mels', o.nMels), fmin: numOption('fmin', o.fmin),
        fmax: o.fmax === undefined ? null : numOption('fmax', o.fmax), deltaWidth: intOption('delta-width', o.deltaWidth),
      };
      resolveFeatureParams(params); // a ParamError: main prints it under the parameter's flag
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
