/**
 * The compute engine (layer: engine / audio / report, the bottom): the `Kernels` contract
 * (kernels.ts, every convention spelt out), its two backends — plain-loop JS and the native C++ addon —,
 * the seeded RNG, and `ParamError`, the error every library parameter check throws. Layers call
 * `getKernels()` unless given kernels explicitly.
 *
 * ```ts
 * const k = getKernels();                                         // native, or JS with AFFEXION_BACKEND=js
 * const C = new Float32Array(2 * 2);
 * k.gemm(false, false, 2, 2, 3, 1, A, B, 0, C);                   // C (2×2) = A (2×3) · B (3×2)
 * ```
 */
import type { Kernels } from './kernels.js';
import { jsKernels } from './js-kernels.js';
import { nativeKernels } from './native-kernels.js';

export type { Kernels, LstmDirection } from './kernels.js';
export { jsKernels } from './js-kernels.js';
export { nativeKernels, type NativeKernels, type NativeIsa } from './native-kernels.js';
export { ParamError, renameParams } from './errors.js';

/**
 * The kernels to compute with: the native addon by default; the plain-loop reference backend when the
 * environment variable AFFEXION_BACKEND is `js`. Any other value is an error (a typo should not
 * silently change the backend).
 */
export function getKernels(): Kernels {
  const choice = process.env.AFFEXION_BACKEND ?? 'native';
  if (choice === 'js') return jsKernels;
  if (choice === 'native' || choice === '') return nativeKernels();
  throw new Error(`AFFEXION_BACKEND=${choice}: expected 'native' or 'js'`);
}
export { tuneAllocator } from './allocator.js';
