/**
 * `augmentDataset`: writes augmented copies of a dataset (offline counterpart of the trainer's online
 * `--augment`). Output mirrors `convert`/`synth`: DIR/<label>/<id>_aug<k>.wav, DIR/manifest.csv.
 */
import { withOutputLock } from '../data/out-lock.js';
import { existsSync, mkdirSync, realpathSync } from 'node:fs';
import path from 'node:path';
import { stringify } from 'csv-stringify/sync';
import { loadAudio } from '../audio/load.js';
import { writeWav16 } from '../audio/wav-write.js';
import { scanDataset } from '../data/dataset.js';
import { writeFileAtomic } from '../data/cache.js';
import { assertSafeLabel } from '../data/label-path.js';
import { Rng } from '../engine/rng.js';
import { makeAugmenter } from './augmenter.js';
import { deriveSeed } from './random.js';
import { augmentationCharts, writeCharts } from './charts.js';
import { ParamError, renameParams } from '../engine/errors.js';

/** Options for {@link augmentDataset}. */
export interface AugmentDatasetOptions {
  /** Dataset folder (class folders or labels.csv/manifest.csv) or CSV manifest. */
  source: string;
  outDir: string;
  /** Augmentation spec (waveform-level operations; see makeAugmenter). Default 'default'. */
  spec?: string;
  /** Augmented copies per clip (default 1). */
  copies?: number;
  /** Also write each original clip (as <id>.wav) next to its copies (default false). */
  includeOriginal?: boolean;
  /** Write into the dataset's own folder (overwriting its manifest.csv); refused without it (default false). */
  force?: boolean;
  /** Seed (default 1): each copy's randomness derives from (seed, clip id, copy), independent of order. */
  seed?: number;
  /** Other clips to draw babble noise from (default: up to 24 clips of the dataset itself, spread evenly). */
  babbleClips?: number;
  onProgress?: (done: number, total: number) => void;
}

export interface AugmentDatasetResult {
  outDir: string;
  written: number;
  manifest: string;
  skipped: { file: string; reason: string }[];
}

/** Writes augmented copies of every clip of a dataset; see {@link AugmentDatasetOptions}. */
export async function augmentDataset(opts: AugmentDatasetOptions): Promise<AugmentDatasetResult> {
  if (!opts.outDir) throw new ParamError('outDir', 'an output folder is required');
  // One run per output folder (src/data/out-lock.ts): a concurrent second run fails instead of mixing files.
  return renameParams({ out: 'outDir' }, () => withOutputLock(opts.outDir, () => augmentDatasetLocked(opts)));
}

async function augmentDatasetLocked(opts: AugmentDatasetOptions): Promise<AugmentDatasetResult> {
  const spec = opts.spec ?? 'default';
  const copies = opts.copies ?? 1;
  if (!Number.isInteger(copies) || copies < 1) throw new ParamError('copies', `must be a positive integer, got ${opts.copies}`);
  const seed = opts.seed ?? 1;
  const probe = renameParams({ augment: 'spec' }, () => makeAugmenter(spec, new Rng(0), { babbleSources: [new Float32Array([1])] }));
  if (!probe.hasWave)
    throw new ParamError(
      'spec',
      `'${spec}' has no waveform operation (specaugment and mixup act on features during training: the augment hyper-parameter of train)`,
    );
  const ds = renameParams({ data: 'source' }, () => scanDataset(opts.source));
  if (ds.items.length === 0) throw new ParamError('source', `no labelled clips found in ${opts.source}`);
  for (const label of new Set(ds.items.map((it) => it.label))) assertSafeLabel(label, 'source', ds.source);
  const outDir = path.resolve(opts.outDir);
  const sourceDir = ds.layout === 'manifest' ? path.dirname(ds.source) : ds.source;
  if (!opts.force && existsSync(outDir) && realpathSync(outDir) === realpathSync(sourceDir)) {
    throw new ParamError(
      'outDir',
      `${opts.outDir} is the dataset's own folder; writing there would overwrite its manifest.csv (use another folder, or force)`,
    );
  }
  // Manifest `source` column: relative to the dataset's folder (portable across machines).
  const sourceRoot = ds.layout === 'manifest' && ds.source.toLowerCase().endsWith('.csv') ? path.dirname(ds.source) : ds.source;

  // Babble from clips spread over the dataset: each clip's babble may include itself, which at
  // 4 talkers and random offsets is not a recognisable copy.
  const nBabble = Math.min(opts.babbleClips ?? 24, ds.items.length);
  const babble: Float32Array[] = [];
  for (let i = 0; i < nBabble; i++) {
    const it = ds.items[Math.floor((i * ds.items.length) / nBabble)]!;
    try {
      babble.push((await loadAudio(it.path, { sr: 16000 })).samples);
    } catch {
      /* unreadable clips are reported below */
    }
  }

  const rows: (string | number)[][] = [['path', 'label', 'speaker', 'source', 'copy', 'seed', 'applied']];
  const skipped: { file: string; reason: string }[] = [];
  const used = new Set<string>();
  let written = 0,
    done = 0;
  const total = ds.items.length * copies;
  for (const it of ds.items) {
    let x: Float32Array;
    try {
      x = (await loadAudio(it.path, { sr: 16000 })).samples;
    } catch (e) {
      skipped.push({ file: it.path, reason: (e as Error).message });
      done += copies;
      continue;
    }
    let id = path
      .basename(it.path)
      .replace(/\.[^.]+$/, '')
      .replace(/[^A-Za-z0-9._-]/g, '_');
    for (let k = 1; used.has(`${it.label}/${id}`); k++) id = `${id}_${k}`;
    used.add(`${it.label}/${id}`);
    mkdirSync(path.join(outDir, it.label), { recursive: true });
    const src = path.relative(sourceRoot, it.path).split(path.sep).join('/');
    if (opts.includeOriginal) {
      const rel = `${it.label}/${id}.wav`;
      writeWav16(path.join(outDir, rel), x, 16000);
      rows.push([rel, it.label, it.speaker ?? '', src, 0, '', '']);
      written++;
    }
    for (let c = 1; c <= copies; c++) {
      const s = deriveSeed(seed, `${it.label}/${id}|${c}`);
      const { samples, applied } = makeAugmenter(spec, new Rng(s), { babbleSources: babble }).waveWithLog(x, 16000);
      const rel = `${it.label}/${id}_aug${c}.wav`;
      writeWav16(path.join(outDir, rel), samples, 16000);
      rows.push([rel, it.label, it.speaker ?? '', src, c, s, applied.join(' ')]);
      written++;
      opts.onProgress?.(++done, total);
    }
  }
  const manifest = path.join(outDir, 'manifest.csv');
  // The CSV library quotes labels, speakers and paths holding commas or quotes, so `dataset` reads it back.
  writeFileAtomic(manifest, stringify(rows));
  return { outDir, written, manifest, skipped };
}

/**
 * Charts of each operation applied alone to the dataset's first clip (babble from up to 8 others),
 * written to `dir` as SVG and PNG.
 */
export async function writeAugmentationCharts(source: string, dir: string, seed = 1): Promise<string[]> {
  const ds = renameParams({ data: 'source' }, () => scanDataset(source));
  if (ds.items.length === 0) throw new ParamError('source', `no labelled clips found in ${source}`);
  const clip = (await loadAudio(ds.items[0]!.path, { sr: 16000 })).samples;
  const others: Float32Array[] = [];
  for (const it of ds.items.slice(1, 9)) others.push((await loadAudio(it.path, { sr: 16000 })).samples);
  return writeCharts(dir, augmentationCharts(clip, 16000, others.length ? others : [clip], seed));
}
