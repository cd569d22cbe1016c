/**
 * `affexion model export MODEL --onnx OUT.onnx`: a trained model (one network or a seed ensemble) as
 * one ONNX file that onnxruntime (web, Node, native, mobile) runs without this project.
 *
 * Inputs:  `features` float (batch, frames, F) — features already normalised as the metadata says
 *          (speaker reference, then z-score), padded/truncated to `max_len` frames like training;
 *          `lengths` int64 (batch,) or empty (shape [0]) — valid frames per clip, masking the padding
 *          in the LSTM, attention keys and pooling (the reference's forward(x, lengths)); empty = no
 *          lengths (every frame counts, as the paper's forward(x)).
 * Outputs: `probs` (batch, K) — the model's class probabilities (an ensemble: the mean of its members'
 *          softmax outputs, then the model's stored calibration — temperature, neutral bias — as
 *          `modelProbabilities`); `logits` (batch, K) for one network, or `member_logits` (batch,
 *          members, K) for an ensemble (both uncalibrated).
 *
 * An ensemble is one graph, not one file per member: one file to ship and check, one session and one
 * run per window in the browser, the input copied into WASM once, and the mean taken in the graph.
 * Its members must share the input statistics (seeds of one training set do); otherwise export fails.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import type { AffexionNet } from '../model/network.js';
import type { TrainedModel } from '../model/model-dir.js';
import type { FunctionalHead } from '../model/functional-head.js';
import type { Normalization } from '../data/normalize.js';
import { FLOAT, GraphBuilder, INT64, encodeModel, valueInfo } from './onnx-graph.js';
import { addNetwork, addSharedInputs } from './onnx-network.js';
import { ParamError } from '../engine/errors.js';

/** Identifies an ONNX file written by this exporter (metadata key `affexion_format`). */
export const ONNX_FORMAT = 'affexion-onnx';
export const ONNX_FORMAT_VERSION = 1;
export const ONNX_INPUTS = { features: 'features', lengths: 'lengths' } as const;

/** What the metadata_props of an exported file hold (values are JSON in the file). */
export interface OnnxMetadata {
  affexion_format: string;
  labels: string[];
  /** Feature extraction parameters (src/features/params.ts names). */
  feature_params: Record<string, unknown>;
  /** Loudness step before features ('peak' | 'none'). */
  loudness: string;
  /** The z-score applied to the features (global statistics, or 'utterance'). */
  normalization: Normalization;
  /** Frames per clip the model was trained on (inputs are padded/truncated to it). */
  max_len: number;
  /** Whether the model was trained with masked padding (then feed `lengths`). */
  mask_padding: boolean;
  /** Speaker reference labels ('' = none): features are first z-scored with the speaker's calm speech. */
  speaker_reference: string;
  /** Window settings of the training recipe, when the model has them (null otherwise). */
  window: unknown;
  window_hop: unknown;
  trim_silence: unknown;
  /** The six prosodic rows appended to the MFCC rows (hyper prosodic_rows); absent in files of older models = false. */
  prosodic_rows?: boolean;
  members: number;
  architecture: Record<string, unknown>;
  /** The calibration applied inside the graph (src/model/calibration.ts); absent = none. */
  calibration?: { temperature: number; neutral_bias: number };
  /**
   * The model's functional head (functional-head.json, src/model/functional-head.ts), fused with `probs` by
   * the runtime, not the graph: its input is functionals of seconds of speech, not the window's features
   * (the on-device monitor computes them in its worker, src/monitor/head.ts); absent = the model has none.
   */
  functional_head?: FunctionalHead;
}

/** The networks and metadata to export; `what` names the model in errors. */
export interface ExportSource {
  nets: AffexionNet[];
  meta: Omit<OnnxMetadata, 'affexion_format' | 'members' | 'architecture'>;
  what: string;
}

const same = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);

/** The export source of a trained model directory (single network or ensemble). */
export function exportSourceOf(m: TrainedModel): ExportSource {
  const norm = m.members[0]!.normalization;
  for (const mem of m.members.slice(1)) {
    if (!same(mem.normalization, norm)) {
      throw new Error(
        `${m.dir}: ensemble members ${path.relative(m.dir, m.members[0]!.dir) || '.'} and ${path.relative(m.dir, mem.dir)} ` +
          'were trained with different input statistics; one ONNX graph takes one normalised input — export the members one by one',
      );
    }
    if (!same(mem.net.config.n_features, m.members[0]!.net.config.n_features))
      throw new Error(`${m.dir}: ensemble members take different feature sizes`);
  }
  const h = m.hyper as unknown as Record<string, unknown>;
  return {
    nets: m.members.map((x) => x.net),
    what: m.dir,
    meta: {
      labels: m.classes,
      feature_params: { ...m.featureSettings.params },
      loudness: m.featureSettings.loudness,
      normalization: norm,
      max_len: m.hyper.max_len,
      mask_padding: m.members[0]!.net.config.mask_padding,
      speaker_reference: m.hyper.speaker_reference ?? '',
      window: h.window ?? null,
      window_hop: h.window_hop ?? null,
      trim_silence: h.trim_silence ?? null,
      ...(m.hyper.prosodic_rows ? { prosodic_rows: true } : {}),
      ...(m.temperature !== undefined || m.neutralBias
        ? { calibration: { temperature: m.temperature ?? 1, neutral_bias: m.neutralBias ?? 0 } }
        : {}),
      ...(m.functionalHead ? { functional_head: m.functionalHead } : {}),
    },
  };
}

/**
 * probs = softmax(log(max(p, 1e-12)) / T + bias·[k = neutral]) — applyTemperature then applyNeutralBias
 * (src/model/calibration.ts) in one step, so every runtime gets the probabilities `predict` reports.
 */
function addCalibration(g: GraphBuilder, p: string, c: NonNullable<OnnxMetadata['calibration']>, labels: readonly string[]): string {
  const logp = g.op1('Log', [g.op1('Max', [p, g.float('calibration.floor', [1e-12], [1])], 'calibration.p')], 'calibration.logp');
  const scaled = g.op1('Div', [logp, g.float('calibration.temperature', [c.temperature], [1])], 'calibration.scaled');
  const shift = labels.map((l) => (l === 'neutral' ? c.neutral_bias : 0));
  return g.op1('Softmax', [g.op1('Add', [scaled, g.float('calibration.bias', shift, [labels.length])], 'calibration.z')], 'probs', {
    axis: -1,
  });
}

/** The ONNX file's bytes for networks sharing one input (one network: plain; several: their mean). */
export function buildOnnx(src: ExportSource, producerVersion = '0'): Uint8Array {
  const { nets, what } = src;
  if (nets.length === 0) throw new Error(`${what}: no networks to export`);
  const first = nets[0]!.config;
  const F = first.n_features,
    K = first.n_classes;
  for (const n of nets) {
    if (n.config.n_features !== F || n.config.n_classes !== K) throw new Error(`${what}: ensemble members differ in features or classes`);
  }
  if (src.meta.labels.length !== K) throw new Error(`${what}: ${src.meta.labels.length} labels for ${K} outputs`);
  const g = new GraphBuilder();
  const x = g.name(ONNX_INPUTS.features);
  // Not an initializer-backed optional input: onnxruntime-web refuses to feed those. An empty tensor
  // (shape [0]) stands for "no lengths" instead.
  const lengths = g.name(ONNX_INPUTS.lengths);
  const shared = addSharedInputs(g, x, lengths);
  const logits = nets.map((n, i) => addNetwork(g, n, shared, nets.length > 1 ? `m${i + 1}.` : '', what));
  const outputs = [];
  const cal = src.meta.calibration;
  if (cal && cal.neutral_bias && !src.meta.labels.includes('neutral')) throw new Error(`${what}: a neutral bias without a class neutral`);
  const probsHint = cal ? 'uncalibrated_probs' : 'probs';
  if (nets.length === 1) {
    const out = g.op1('Identity', [logits[0]!], 'logits');
    const p = g.op1('Softmax', [out], probsHint, { axis: -1 });
    if (cal) addCalibration(g, p, cal, src.meta.labels);
    outputs.push(valueInfo('logits', FLOAT, ['batch', K]), valueInfo('probs', FLOAT, ['batch', K]));
  } else {
    const probs = logits.map((l, i) => g.op1('Softmax', [l], `m${i + 1}.probs`, { axis: -1 }));
    const p = g.op1('Mean', probs, probsHint);
    if (cal) addCalibration(g, p, cal, src.meta.labels);
    const ax = g.int64('member_axis', [1]);
    g.op1(
      'Concat',
      logits.map((l, i) => g.op1('Unsqueeze', [l, ax], `m${i + 1}.logits_1`)),
      'member_logits',
      { axis: 1 },
    );
    outputs.push(valueInfo('probs', FLOAT, ['batch', K]), valueInfo('member_logits', FLOAT, ['batch', nets.length, K]));
  }
  const meta: OnnxMetadata = {
    affexion_format: `${ONNX_FORMAT}/${ONNX_FORMAT_VERSION}`,
    ...src.meta,
    members: nets.length,
    architecture: { ...first } as unknown as Record<string, unknown>,
  };
  const props = Object.fromEntries(Object.entries(meta).map(([k, v]) => [k, k === 'affexion_format' ? String(v) : JSON.stringify(v)]));
  return encodeModel(
    g,
    {
      inputs: [valueInfo(x, FLOAT, ['batch', 'frames', F]), valueInfo(lengths, INT64, ['lengths'])],
      outputs,
    },
    props,
    nets.length > 1 ? 'affexion_ensemble' : 'affexion',
    producerVersion,
  );
}

/** Writes the ONNX file of a trained model to `out`; returns its size in bytes. */
export function writeOnnx(m: TrainedModel, out: string, producerVersion?: string): number {
  const bytes = buildOnnx(exportSourceOf(m), producerVersion);
  try {
    writeFileSync(out, bytes);
  } catch (err) {
    throw new ParamError('out', `${out}: cannot write (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  return bytes.length;
}
