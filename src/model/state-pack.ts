/**
 * Packs an arbitrary JSON-like object holding typed arrays (optimizer state, RNG state, history …) into
 * safetensors tensors + one JSON metadata string, and back. Used for checkpoints so one file carries
 * everything needed to resume, whatever shape the optimizer's state() has. Model layer, beside
 * safetensors.ts: it turns the optimizer's state (model/optim) into safetensors tensors and back.
 */
import type { TensorToWrite } from './safetensors.js';

type Packed = { $tensor: string } | Packed[] | { [k: string]: Packed } | string | number | boolean | null;

/** Replaces every Float32Array / Float64Array / Int32Array in `value` by a reference to a named tensor. */
export function packState(value: unknown, prefix: string, tensors: Map<string, TensorToWrite>): Packed {
  if (value instanceof Float32Array || value instanceof Float64Array || value instanceof Int32Array) {
    const name = `${prefix}`;
    tensors.set(name, { shape: [value.length], data: value });
    return { $tensor: name };
  }
  if (ArrayBuffer.isView(value)) throw new Error(`packState: unsupported typed array at ${prefix}`);
  // Long numeric arrays (optimizer moments) go to a tensor instead of JSON: float32 when that is
  // lossless (values that came from Float32Arrays), else float64.
  if (Array.isArray(value) && value.length > 16 && value.every((v) => typeof v === 'number')) {
    const nums = value as number[];
    const lossless = nums.every((v) => Math.fround(v) === v || Number.isNaN(v));
    return packState(lossless ? Float32Array.from(nums) : Float64Array.from(nums), prefix, tensors);
  }
  if (Array.isArray(value)) return value.map((v, i) => packState(v, `${prefix}.${i}`, tensors));
  if (value !== null && typeof value === 'object') {
    const out: { [k: string]: Packed } = {};
    for (const [k, v] of Object.entries(value)) if (v !== undefined) out[k] = packState(v, `${prefix}.${k}`, tensors);
    return out;
  }
  if (typeof value === 'number' && !Number.isFinite(value)) return { $num: String(value) } as unknown as Packed;
  return value as Packed;
}

/** Inverse of {@link packState}: tensors come back as copies of their original typed array kind. */
export function unpackState(
  packed: unknown,
  tensors: Map<string, { data: Float32Array | Float64Array | BigInt64Array | Int32Array }>,
): unknown {
  if (Array.isArray(packed)) return packed.map((v) => unpackState(v, tensors));
  if (packed !== null && typeof packed === 'object') {
    const o = packed as Record<string, unknown>;
    if (typeof o.$tensor === 'string') {
      const t = tensors.get(o.$tensor);
      if (!t) throw new Error(`checkpoint: tensor ${o.$tensor} is missing`);
      return t.data instanceof BigInt64Array ? Float64Array.from(t.data, Number) : t.data.slice();
    }
    if (typeof o.$num === 'string' && Object.keys(o).length === 1) return Number(o.$num);
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(o)) out[k] = unpackState(v, tensors);
    return out;
  }
  return packed;
}
