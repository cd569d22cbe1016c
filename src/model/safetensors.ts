/**
 * safetensors reader/writer (https://github.com/huggingface/safetensors): an 8-byte little-endian
 * header length, a JSON header {name: {dtype, shape, data_offsets}, __metadata__?}, then raw
 * little-endian tensor bytes. Our own code because the format is tiny and the npm packages for it are
 * either browser/ML-framework bound or unmaintained; we need only F32 and I64 (what PyTorch's
 * state_dict holds here), plus F64/I32 on reading for convenience.
 */
import { readFileSync, writeFileSync } from 'node:fs';

/** Element types we read; we write F32 and I64 (and I32/F64 when given such arrays). */
export type SafetensorsDtype = 'F32' | 'F64' | 'I64' | 'I32';

/** One tensor: dtype, shape and its data (row-major). */
export interface SafeTensor {
  dtype: SafetensorsDtype;
  shape: number[];
  data: Float32Array | Float64Array | BigInt64Array | Int32Array;
}

/** What readSafetensors returns. */
export interface SafetensorsFile {
  tensors: Map<string, SafeTensor>;
  metadata: Record<string, string>;
}

const BYTES: Record<SafetensorsDtype, number> = { F32: 4, F64: 8, I64: 8, I32: 4 };

/** Number of elements of a shape (1 for a scalar, shape []). */
export function numel(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** Parse a safetensors byte buffer; `source` names the file in errors. */
export function parseSafetensors(buf: Uint8Array, source = '<buffer>'): SafetensorsFile {
  const fail = (msg: string): never => {
    throw new Error(`${source}: not a valid safetensors file: ${msg}`);
  };
  if (buf.length < 8) fail('shorter than the 8-byte header length');
  const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const n = Number(dv.getBigUint64(0, true));
  if (n > buf.length - 8) fail(`header length ${n} exceeds the file size ${buf.length}`);
  let header: Record<string, unknown>;
  try {
    header = JSON.parse(Buffer.from(buf.buffer, buf.byteOffset + 8, n).toString('utf8')) as Record<string, unknown>;
  } catch (e) {
    return fail(`header is not JSON (${(e as Error).message})`);
  }
  const dataStart = 8 + n;
  const dataLen = buf.length - dataStart;
  const tensors = new Map<string, SafeTensor>();
  let metadata: Record<string, string> = {};
  for (const [name, raw] of Object.entries(header)) {
    if (name === '__metadata__') {
      metadata = (raw ?? {}) as Record<string, string>;
      continue;
    }
    const info = raw as { dtype?: string; shape?: number[]; data_offsets?: [number, number] };
    const dtype = info.dtype as SafetensorsDtype;
    if (!(dtype in BYTES)) fail(`tensor '${name}' has dtype ${info.dtype}; supported: ${Object.keys(BYTES).join(', ')}`);
    if (!Array.isArray(info.shape) || info.shape.some((d) => !Number.isInteger(d) || d < 0)) fail(`tensor '${name}' has a bad shape`);
    const [a, b] = info.data_offsets ?? [-1, -1];
    const bytes = numel(info.shape!) * BYTES[dtype];
    if (!(Number.isInteger(a) && Number.isInteger(b) && a >= 0 && b <= dataLen && b - a === bytes)) {
      fail(`tensor '${name}': data_offsets [${a}, ${b}] do not hold ${bytes} bytes within ${dataLen} data bytes`);
    }
    // Copy into an aligned buffer: the data section need not be aligned for the typed array.
    const slice = buf.slice(dataStart + a, dataStart + b);
    const ab = slice.buffer;
    const data =
      dtype === 'F32'
        ? new Float32Array(ab)
        : dtype === 'F64'
          ? new Float64Array(ab)
          : dtype === 'I64'
            ? new BigInt64Array(ab)
            : new Int32Array(ab);
    tensors.set(name, { dtype, shape: info.shape!.slice(), data });
  }
  return { tensors, metadata };
}

/** Read a .safetensors file. Throws an error naming the file when it is missing or malformed. */
export function readSafetensors(file: string): SafetensorsFile {
  let buf: Buffer;
  try {
    buf = readFileSync(file);
  } catch (e) {
    throw new Error(`${file}: cannot read safetensors file (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  return parseSafetensors(new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength), file);
}

/** A tensor to write: data plus shape; dtype follows the array type (Float32Array → F32, BigInt64Array → I64, …). */
export interface TensorToWrite {
  shape: number[];
  data: Float32Array | Float64Array | BigInt64Array | Int32Array;
}

function dtypeOf(data: TensorToWrite['data']): SafetensorsDtype {
  if (data instanceof Float32Array) return 'F32';
  if (data instanceof Float64Array) return 'F64';
  if (data instanceof BigInt64Array) return 'I64';
  return 'I32';
}

/**
 * Metadata entries `keys` of a safetensors file parsed as JSON (for writers that store objects there,
 * e.g. checkpoints); a missing or unparsable entry is an error naming the file and the key.
 */
export function jsonMetadata(
  metadata: Record<string, string>,
  keys: readonly string[],
  source: string,
  what = 'metadata',
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of keys) {
    try {
      out[key] = JSON.parse(metadata[key]!);
    } catch {
      throw new Error(`${source}: ${what} "${key}" is missing or corrupt`);
    }
  }
  return out;
}

/** Serialise tensors (in insertion order) to safetensors bytes. */
export function encodeSafetensors(
  tensors: Map<string, TensorToWrite> | Record<string, TensorToWrite>,
  metadata?: Record<string, string>,
): Uint8Array {
  const entries = tensors instanceof Map ? [...tensors.entries()] : Object.entries(tensors);
  const header: Record<string, unknown> = {};
  let offset = 0;
  for (const [name, t] of entries) {
    if (numel(t.shape) !== t.data.length)
      throw new Error(`safetensors: tensor '${name}' has shape [${t.shape}] but ${t.data.length} values`);
    const dtype = dtypeOf(t.data);
    header[name] = { dtype, shape: t.shape, data_offsets: [offset, offset + t.data.byteLength] };
    offset += t.data.byteLength;
  }
  if (metadata) header.__metadata__ = metadata;
  let json = JSON.stringify(header);
  json += ' '.repeat((8 - (Buffer.byteLength(json) % 8)) % 8); // data section 8-byte aligned, as the reference writer does
  const hbytes = Buffer.from(json, 'utf8');
  const out = new Uint8Array(8 + hbytes.length + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(hbytes.length), true);
  out.set(hbytes, 8);
  let pos = 8 + hbytes.length;
  for (const [, t] of entries) {
    // Typed arrays are little-endian on every platform Node supports (x86-64, arm64).
    out.set(new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength), pos);
    pos += t.data.byteLength;
  }
  return out;
}

/** Write tensors to a .safetensors file. */
export function writeSafetensors(
  file: string,
  tensors: Map<string, TensorToWrite> | Record<string, TensorToWrite>,
  metadata?: Record<string, string>,
): void {
  writeFileSync(file, encodeSafetensors(tensors, metadata));
}

/** A tensor's values as float32 (F64 narrowed, integers converted); names the file/tensor in errors. */
export function toFloat32(t: SafeTensor): Float32Array {
  if (t.data instanceof Float32Array) return t.data;
  if (t.data instanceof BigInt64Array) return Float32Array.from(t.data, (v) => Number(v));
  return Float32Array.from(t.data as ArrayLike<number>);
}

/** A tensor's values as int32 (for targets/lengths stored as I64 by PyTorch). */
export function toInt32(t: SafeTensor, what = 'tensor'): Int32Array {
  if (t.data instanceof Int32Array) return t.data;
  if (t.data instanceof BigInt64Array) {
    const out = new Int32Array(t.data.length);
    for (let i = 0; i < out.length; i++) {
      const v = t.data[i]!;
      if (v > 2147483647n || v < -2147483648n) throw new Error(`${what}: value ${v} does not fit in int32`);
      out[i] = Number(v);
    }
    return out;
  }
  const out = new Int32Array(t.data.length);
  for (let i = 0; i < out.length; i++) {
    const v = t.data[i]!;
    if (!Number.isInteger(v)) throw new Error(`${what}: value ${v} is not an integer`);
    out[i] = v;
  }
  return out;
}
