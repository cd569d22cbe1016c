/** Trainable parameters and the small buffer helpers every layer uses. */
import type { Rng } from '../../engine/rng.js';

/** A trainable tensor: PyTorch state_dict name, shape, live values and accumulated gradient. */
export interface Param {
  name: string;
  shape: number[];
  value: Float32Array;
  grad: Float32Array;
}

/** A parameter of the given shape, filled uniformly in [−bound, bound) from `rng` (PyTorch's default inits). */
export function uniformParam(name: string, shape: number[], bound: number, rng: Rng): Param {
  const n = shape.reduce((a, b) => a * b, 1);
  const value = rng.fillUniform(new Float32Array(n), -bound, bound);
  return { name, shape, value, grad: new Float32Array(n) };
}

/** A parameter of the given shape filled with a constant. */
export function constParam(name: string, shape: number[], v: number): Param {
  const n = shape.reduce((a, b) => a * b, 1);
  return { name, shape, value: new Float32Array(n).fill(v), grad: new Float32Array(n) };
}

/**
 * A scratch buffer of exactly n floats, reusing `buf` when it already has that size: layers keep their
 * activations between forward and backward, and steps of equal batch shape then allocate nothing.
 */
export function ensure(buf: Float32Array | undefined, n: number): Float32Array {
  return buf && buf.length === n ? buf : new Float32Array(n);
}

let onesCache = new Float32Array(0);

/**
 * A read-only vector of n ones (shared): row sums and broadcasts become GEMMs with it, which run on
 * the engine's threads instead of a JS loop.
 */
export function ones(n: number): Float32Array {
  if (onesCache.length < n) onesCache = new Float32Array(Math.max(n, 2 * onesCache.length)).fill(1);
  return onesCache.subarray(0, n);
}
