/**
 * Checkpoints: one safetensors file (MODEL_DIR/checkpoint.safetensors) with the network's state_dict,
 * the optimizer's state, and in its metadata the scheduler, RNG state, epoch, history, normalisation
 * and the run's signature (settings + data fingerprint). One file, written atomically (temp + rename),
 * so an interrupted write leaves the previous checkpoint in place. Model layer, beside safetensors.ts
 * and state-pack.ts: a checkpoint holds the network, optimiser, scheduler and RNG, nothing of training
 * (train/ writes one after every epoch through {@link saveEpoch}).
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Rng, type RngState } from '../engine/rng.js';
import type { Adam, AdamState, StepLR } from './optim.js';
import type { AffexionNet } from './network.js';
import { encodeSafetensors, jsonMetadata, parseSafetensors, type TensorToWrite } from './safetensors.js';
import { writeFileAtomic } from '../data/cache.js';
import type { FeatureSettings } from '../data/features.js';
import type { Normalization } from '../data/normalize.js';
import type { SpeakerReference } from '../data/reference.js';
import type { EpochRecord } from '../report/types.js';
import type { Hyperparameters } from './hyperparameters.js';
import type { SwaState } from './swa.js';
import { packState, unpackState } from './state-pack.js';
import { CHECKPOINT_FILE, saveTrainedModel, writeMetricsJsonl } from './model-dir.js';
import { ParamError } from '../engine/errors.js';

const FORMAT = 'affexion-checkpoint';
const VERSION = 1;

/** What must match for a checkpoint to be resumed: settings (minus epochs) and the data. */
export type RunSignature = Record<string, unknown>;

/** Everything needed to continue a run exactly: what a checkpoint holds besides the run's signature. */
export interface TrainingState {
  net: AffexionNet;
  optimizer: Adam;
  scheduler: StepLR;
  rng: Rng;
  /** Epochs completed. */
  epoch: number;
  history: EpochRecord[];
  normalization: Normalization;
  /** Weight averaging (`hyper.swa`): running sums of the parameters over the averaged epochs so far. */
  swa: SwaState | null;
}

export function checkpointPath(dir: string): string {
  return path.join(dir, CHECKPOINT_FILE);
}

/**
 * What a run saves after every epoch, in this order: the model (config.json + weights), the checkpoint,
 * metrics.jsonl — each file atomic, so an interrupted run leaves the last complete epoch.
 */
export function saveEpoch(
  dir: string,
  state: TrainingState,
  signature: RunSignature,
  run: { classes: string[]; featureSettings: FeatureSettings; hyper: Hyperparameters; populationReference?: SpeakerReference | null },
): void {
  saveTrainedModel(dir, { ...run, net: state.net, normalization: state.normalization, history: state.history });
  saveCheckpoint(dir, state, signature);
  writeMetricsJsonl(dir, state.history);
}

/** Writes the state as MODEL_DIR/checkpoint.safetensors, atomically. */
export function saveCheckpoint(dir: string, state: TrainingState, signature: RunSignature): void {
  const tensors = new Map<string, TensorToWrite>();
  for (const [name, value] of state.net.stateDict()) tensors.set(`model.${name}`, { shape: [value.length], data: value });
  const optimizer = packState(state.optimizer.state(), 'optim', tensors);
  const swa = state.swa ? packState(state.swa, 'swa', tensors) : null;
  const metadata: Record<string, string> = {
    format: FORMAT,
    version: String(VERSION),
    epoch: String(state.epoch),
    rng: JSON.stringify(state.rng.state()),
    scheduler: JSON.stringify({ lastEpoch: state.scheduler.lastEpoch, lr: state.optimizer.lr }),
    optimizer: JSON.stringify(optimizer),
    history: JSON.stringify(state.history),
    normalization: JSON.stringify(state.normalization),
    signature: JSON.stringify(signature),
    swa: JSON.stringify(swa),
  };
  writeFileAtomic(checkpointPath(dir), Buffer.from(encodeSafetensors(tensors, metadata)));
}

/** A parsed checkpoint, before it is applied to a fresh state. */
export interface LoadedCheckpoint {
  epoch: number;
  signature: RunSignature;
  history: EpochRecord[];
  normalization: Normalization;
  /** Restores weights, optimizer, scheduler and RNG into a fresh state built with the same settings. */
  applyTo(state: TrainingState): void;
}

/** Reads MODEL_DIR/checkpoint.safetensors; throws an error naming the file if it is missing or foreign. */
export function loadCheckpoint(dir: string): LoadedCheckpoint {
  const file = checkpointPath(dir);
  if (!existsSync(file)) throw new ParamError('resume', `${file} does not exist (nothing to resume; train without resuming)`);
  const buf = readFileSync(file);
  const { tensors, metadata } = parseSafetensors(new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength), file);
  if (metadata.format !== FORMAT) throw new Error(`${file}: not an Affexion checkpoint`);
  if (Number(metadata.version) !== VERSION) {
    throw new Error(
      `${file}: checkpoint format version ${metadata.version}, this Affexion reads version ${VERSION} (retrain without --resume)`,
    );
  }
  // Checkpoints written before weight averaging existed have no "swa" entry.
  const json = jsonMetadata(
    metadata,
    ['rng', 'scheduler', 'optimizer', ...(metadata.swa ? ['swa'] : []), 'signature', 'history', 'normalization'],
    file,
    'checkpoint metadata',
  );
  const epoch = Number(metadata.epoch);
  const rngState = json.rng as RngState;
  const sched = json.scheduler as { lastEpoch: number; lr: number };
  const optimizer = unpackState(json.optimizer, tensors);
  const swa = metadata.swa ? (unpackState(json.swa, tensors) as SwaState | null) : null;
  return {
    epoch,
    signature: json.signature as RunSignature,
    history: json.history as EpochRecord[],
    normalization: json.normalization as Normalization,
    applyTo(state: TrainingState): void {
      const sd = new Map<string, Float32Array>();
      for (const [name, t] of tensors) {
        if (name.startsWith('model.')) sd.set(name.slice(6), t.data as Float32Array);
      }
      state.net.loadStateDict(sd);
      state.optimizer.loadState(optimizer as AdamState);
      while (state.scheduler.lastEpoch < sched.lastEpoch) state.scheduler.step();
      state.optimizer.lr = sched.lr;
      state.rng = Rng.fromState(rngState);
      state.epoch = epoch;
      state.history = this.history.slice();
      state.normalization = this.normalization;
      state.swa = swa ? { count: swa.count, sums: swa.sums.map((a) => Float64Array.from(a)) } : null;
    },
  };
}

/**
 * Whether the checkpoint in `dir` was made with another signature than `expected`; an unreadable
 * checkpoint counts as another run's (not ours to overwrite silently).
 */
export function checkpointDiffers(dir: string, expected: RunSignature): boolean {
  try {
    return signatureMismatch(loadCheckpoint(dir).signature, JSON.parse(JSON.stringify(expected)) as RunSignature) !== null;
  } catch {
    return true;
  }
}

/** Names the first setting that differs between a checkpoint and the current run, or null. */
export function signatureMismatch(saved: RunSignature, current: RunSignature): string | null {
  const keys = new Set([...Object.keys(saved), ...Object.keys(current)]);
  for (const k of keys) {
    const a = JSON.stringify(saved[k]);
    const b = JSON.stringify(current[k]);
    if (a !== b) return `${k}: checkpoint has ${a ?? 'nothing'}, this run has ${b ?? 'nothing'}`;
  }
  return null;
}
