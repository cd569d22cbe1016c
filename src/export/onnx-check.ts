/**
 * Reads an ONNX file and checks it is one the on-device monitor can run: our metadata (labels, feature
 * parameters, normalisation), the inputs `features` float (batch, frames, F) and `lengths` int64, and
 * the output `probs` float (batch, K). A file from elsewhere fails here with what is missing or
 * different, before a browser ever loads it.
 */
import { readFileSync } from 'node:fs';
import { decodeModel, FLOAT, INT64, onnx } from './onnx-graph.js';
import { ONNX_FORMAT, ONNX_FORMAT_VERSION, type OnnxMetadata } from './onnx-export.js';
import { checkFunctionalHead } from '../model/functional-head.js';
import { featureRowCount } from '../data/features.js';

type Dim = number | string | null;
interface Io {
  name: string;
  elemType: number;
  dims: Dim[];
}

const TYPE_NAMES: Record<number, string> = Object.fromEntries(
  Object.entries(onnx.TensorProto.DataType).map(([k, v]) => [v as number, k.toLowerCase()]),
);

function ioOf(v: import('onnx-proto').onnx.IValueInfoProto): Io {
  const t = v.type?.tensorType;
  return {
    name: v.name ?? '',
    elemType: t?.elemType ?? 0,
    dims: (t?.shape?.dim ?? []).map((d) => (d.dimParam ? d.dimParam : d.dimValue != null ? Number(d.dimValue) : null)),
  };
}

const fmt = (io: Io): string =>
  `${io.name} ${TYPE_NAMES[io.elemType] ?? `type ${io.elemType}`} [${io.dims.map((d) => d ?? '?').join(', ')}]`;

/** The metadata of an exported file, checked against its graph; throws naming `file` and the mismatch. */
export function checkOnnxModel(bytes: Uint8Array, file: string): OnnxMetadata {
  let m: import('onnx-proto').onnx.ModelProto;
  try {
    m = decodeModel(bytes);
  } catch (err) {
    throw new Error(`${file}: not an ONNX model (${(err as Error).message})`);
  }
  if (!m.graph) throw new Error(`${file}: not an ONNX model (no graph)`);
  const props = new Map((m.metadataProps ?? []).map((p) => [p.key ?? '', p.value ?? '']));
  const inputs = (m.graph.input ?? []).map(ioOf),
    outputs = (m.graph.output ?? []).map(ioOf);
  const want = 'expected inputs features float (batch, frames, F) and lengths int64 (batch), output probs float (batch, K)';
  const got = `has inputs ${inputs.map(fmt).join(', ') || 'none'}; outputs ${outputs.map(fmt).join(', ') || 'none'}`;
  const fmtId = props.get('affexion_format');
  if (!fmtId) throw new Error(`${file}: not exported by affexion model export (no affexion_format metadata); ${want}; it ${got}`);
  if (fmtId !== `${ONNX_FORMAT}/${ONNX_FORMAT_VERSION}`)
    throw new Error(`${file}: format ${fmtId}, this version reads ${ONNX_FORMAT}/${ONNX_FORMAT_VERSION}`);
  const meta: Record<string, unknown> = { affexion_format: fmtId };
  for (const [k, v] of props) {
    if (k === 'affexion_format') continue;
    try {
      meta[k] = JSON.parse(v);
    } catch {
      throw new Error(`${file}: metadata ${k} is not JSON (${v.slice(0, 40)})`);
    }
  }
  const md = meta as unknown as OnnxMetadata;
  const labels = md.labels,
    fp = md.feature_params as { nMfcc?: number } | undefined;
  if (!Array.isArray(labels) || labels.length === 0 || !fp || typeof fp.nMfcc !== 'number' || !md.normalization || !(md.max_len > 0)) {
    throw new Error(`${file}: metadata lacks labels, feature_params, normalization or max_len`);
  }
  const F = featureRowCount(fp.nMfcc, md.prosodic_rows === true),
    K = labels.length;
  const x = inputs.find((i) => i.name === 'features'),
    len = inputs.find((i) => i.name === 'lengths'),
    p = outputs.find((o) => o.name === 'probs');
  const problems: string[] = [];
  if (!x || x.elemType !== FLOAT || x.dims.length !== 3 || (typeof x.dims[2] === 'number' && x.dims[2] !== F))
    problems.push(`input features must be float (batch, frames, ${F})`);
  if (!len || len.elemType !== INT64 || len.dims.length !== 1) problems.push('input lengths must be int64 (batch)');
  if (inputs.length !== 2) problems.push(`exactly two inputs, not ${inputs.length}`);
  if (!p || p.elemType !== FLOAT || p.dims.length !== 2 || (typeof p.dims[1] === 'number' && p.dims[1] !== K))
    problems.push(`output probs must be float (batch, ${K}) for labels ${labels.join(', ')}`);
  if (problems.length) throw new Error(`${file}: ${problems.join('; ')}; it ${got}`);
  // JSON has no NaN: the head's unmeasurable scales and means come back as null, and are NaN again here.
  if (md.functional_head !== undefined)
    md.functional_head = checkFunctionalHead(md.functional_head, labels, `${file}: metadata functional_head`);
  return md;
}

/** Reads and checks an ONNX file (see {@link checkOnnxModel}); errors name the file. */
export function readOnnxModel(file: string): { bytes: Uint8Array; meta: OnnxMetadata } {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(file);
  } catch (err) {
    throw new Error(`${file}: cannot read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  return { bytes, meta: checkOnnxModel(bytes, file) };
}
