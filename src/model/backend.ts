/**
 * The kernel backend a network uses when none is given. Centralised so the switch to the native
 * engine (src/engine/index.ts getKernels()) is one line.
 */
import type { Kernels } from '../engine/kernels.js';
import { jsKernels } from '../engine/js-kernels.js';

export function defaultKernels(): Kernels {
  return jsKernels;
}
