/**
 * The kernel backend a network uses when none is given: the engine's choice (native addon, or the JS
 * reference when AFFEXION_BACKEND=js). Resolved lazily so that merely importing the model code never
 * requires the addon.
 */
import type { Kernels } from '../engine/kernels.js';
import { getKernels } from '../engine/index.js';

export function defaultKernels(): Kernels {
  return getKernels();
}
