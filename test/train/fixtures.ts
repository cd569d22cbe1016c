/**
 * Tiny labelled datasets made on the fly for training tests: each class is a tone at its own pitch
 * with a little seeded noise, so a small network separates them in a few epochs.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { writeWav16 } from '../../src/audio/wav-write.js';
import { Rng } from '../../src/engine/rng.js';

export const CLASS_PITCH: Record<string, number> = { boredom: 150, panic: 600, excitement: 1200 };

/** Writes DIR/<class>/<speaker>_<i>.wav clips; returns DIR. */
export function makeToneDataset(
  opts: { classes?: string[]; perClass?: number; seconds?: number; seed?: number; dir?: string; speakers?: boolean } = {},
): string {
  const classes = opts.classes ?? ['boredom', 'panic'];
  const perClass = opts.perClass ?? 6;
  const seconds = opts.seconds ?? 0.3;
  const rng = new Rng(opts.seed ?? 1);
  const dir = opts.dir ?? mkdtempSync(path.join(os.tmpdir(), 'affexion-tones-'));
  const sr = 16000;
  const rows: string[] = [];
  for (const c of classes) {
    mkdirSync(path.join(dir, c), { recursive: true });
    for (let i = 0; i < perClass; i++) {
      const f = (CLASS_PITCH[c] ?? 300) * (1 + 0.05 * (rng.next() - 0.5));
      const n = Math.round(sr * seconds * (0.8 + 0.4 * rng.next()));
      const x = new Float32Array(n);
      const amp = 0.2 + 0.3 * rng.next();
      for (let t = 0; t < n; t++) x[t] = amp * Math.sin((2 * Math.PI * f * t) / sr) + 0.02 * rng.normal();
      writeWav16(path.join(dir, c, `spk${i % 3}_${i}.wav`), x, sr);
      rows.push(`${c}/spk${i % 3}_${i}.wav,${c},spk${i % 3}`);
    }
  }
  // With `speakers`, a manifest names each clip's speaker (spk0, spk1, spk2 in every class).
  if (opts.speakers) writeFileSync(path.join(dir, 'labels.csv'), `path,label,speaker\n${rows.join('\n')}\n`);
  return dir;
}

/** A tiny network and short clips so a test trains in about a second. */
export const TINY_HYPER = {
  epochs: 3,
  batch_size: 4,
  max_len: 24,
  conv_channels: 4,
  kernel_sizes: [3],
  lstm_hidden: 4,
  lstm_layers: 1,
  fc_hidden: 8,
  seed: 7,
  lr: 0.01,
};
/** Cheap features: 8 MFCCs, small FFT. */
export const TINY_FEATURES = { nMfcc: 8, nFft: 256, hopLength: 160, nMels: 24 };

export function tmpDir(prefix = 'affexion-run-'): string {
  return mkdtempSync(path.join(os.tmpdir(), prefix));
}
