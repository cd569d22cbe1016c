// Shared helpers of the engine tests: seeded random tensors and a scale-aware comparison.
import assert from 'node:assert/strict';
import { Rng } from '../../src/engine/rng.js';
import type { LstmDirection } from '../../src/engine/kernels.js';

export function randomArray(rng: Rng, n: number, scale = 1): Float32Array {
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = (rng.next() * 2 - 1) * scale;
  return a;
}

export function randomDirection(rng: Rng, I: number, H: number, scale = 0.3): LstmDirection {
  return {
    wih: randomArray(rng, 4 * H * I, scale),
    whh: randomArray(rng, 4 * H * H, scale),
    bih: randomArray(rng, 4 * H, scale),
    bhh: randomArray(rng, 4 * H, scale),
  };
}

export function zeroDirection(I: number, H: number): LstmDirection {
  return { wih: new Float32Array(4 * H * I), whh: new Float32Array(4 * H * H), bih: new Float32Array(4 * H), bhh: new Float32Array(4 * H) };
}

/** Asserts |got − want| ≤ tol · max(1, max|want|) element-wise (fp32 against a float64-accumulated reference). */
export function assertClose(got: Float32Array, want: Float32Array, tol: number, what: string): void {
  assert.equal(got.length, want.length, `${what}: length`);
  let scale = 1;
  for (const v of want) scale = Math.max(scale, Math.abs(v));
  let worst = 0,
    at = -1;
  for (let i = 0; i < want.length; i++) {
    const d = Math.abs(got[i]! - want[i]!);
    if (!(d <= worst)) {
      worst = d;
      at = i;
    }
  }
  assert.ok(worst <= tol * scale, `${what}: max |diff| ${worst} at ${at} (got ${got[at]}, want ${want[at]}) exceeds ${tol} × ${scale}`);
}
