/** Access to the librosa goldens in ../shared/golden/librosa (read-only, see its README). */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { SHARED_DIR } from '../shared-dir.js';

export const GOLDEN_DIR = path.join(SHARED_DIR, 'golden', 'librosa');

export interface GoldenVariant {
  params: { sr: number; n_fft: number; hop_length: number; n_mels: number; n_mfcc: number; fmin: number; fmax: number };
  probe_frames: number[];
  stft: { n_bins: number; n_frames: number; power_probe: number[][] };
  mel_filterbank: { shape: [number, number]; rows: { band: number; start: number; values: number[] }[] };
  mel_power: { probe: number[][] };
  log_mel: { probe: number[][] };
  features: { shape: [number, number]; data: number[][] };
}

export interface Golden {
  name: string;
  wav: string;
  input: { sr_native: number; channels: number; n_samples_native: number };
  load: { resampled: boolean; y: number[] };
  variants: GoldenVariant[];
}

/** Every golden case (NAME.librosa_ref.json + NAME.wav), sorted by name. */
export function goldenNames(): string[] {
  if (!existsSync(GOLDEN_DIR)) return [];
  return readdirSync(GOLDEN_DIR)
    .filter((f) => f.endsWith('.librosa_ref.json'))
    .map((f) => f.replace('.librosa_ref.json', ''))
    .sort();
}

export function loadGolden(name: string): Golden {
  const j = JSON.parse(readFileSync(path.join(GOLDEN_DIR, `${name}.librosa_ref.json`), 'utf8')) as Omit<Golden, 'name' | 'wav'>;
  return { ...j, name, wav: path.join(GOLDEN_DIR, `${name}.wav`) };
}
