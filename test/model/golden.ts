/** Loads the PyTorch golden cases of shared/golden/model (see its README) for the model tests. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { SHARED_DIR } from '../shared-dir.js';
import { parseConfig, type AffexionConfig } from '../../src/model/config.js';
import { readSafetensors, toFloat32, toInt32 } from '../../src/model/safetensors.js';

export const GOLDEN_DIR = process.env.AFFEXION_GOLDEN_DIR ?? path.join(SHARED_DIR, 'golden', 'model');

export interface GoldenCase {
  name: string;
  dir: string;
  config: AffexionConfig;
  raw: {
    scheduler: { step_size: number; gamma: number; lr_per_epoch_first_25: number[] };
    optimizer: { lr: number; betas: [number, number]; eps: number };
  };
  weights: Map<string, Float32Array>;
  t: (name: string) => Float32Array;
  shape: (name: string) => number[];
  has: (name: string) => boolean;
  input: Float32Array;
  B: number;
  T: number;
  target: Int32Array;
  lengths: Int32Array | null;
}

export function loadGolden(name: string): GoldenCase {
  const dir = path.join(GOLDEN_DIR, name);
  const raw = JSON.parse(readFileSync(path.join(dir, 'config.json'), 'utf8'));
  const config = parseConfig({ ...raw.model, mask_padding: raw.mask_padding }, `${dir}/config.json`);
  const w = readSafetensors(path.join(dir, 'weights.safetensors')).tensors;
  const weights = new Map([...w].map(([k, v]) => [k, toFloat32(v)]));
  const c = readSafetensors(path.join(dir, 'case.safetensors')).tensors;
  const get = (n: string) => {
    const v = c.get(n);
    if (!v) throw new Error(`${dir}: case has no tensor '${n}'`);
    return v;
  };
  const inputT = get('input');
  return {
    name,
    dir,
    config,
    raw,
    weights,
    t: (n) => toFloat32(get(n)),
    shape: (n) => get(n).shape,
    has: (n) => c.has(n),
    input: toFloat32(inputT),
    B: inputT.shape[0]!,
    T: inputT.shape[1]!,
    target: toInt32(get('target')),
    lengths: c.has('lengths') ? toInt32(get('lengths')) : null,
  };
}
