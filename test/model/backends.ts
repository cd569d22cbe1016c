/**
 * The kernel backends the model tests run on: always the JS reference, plus the native one once
 * src/engine/index.ts (getKernels) exists and the addon provides it.
 */
import type { Kernels } from '../../src/engine/kernels.js';
import { jsKernels } from '../../src/engine/js-kernels.js';

export async function nativeBackend(): Promise<Kernels | null> {
  try {
    const mod = (await import('../../src/engine/index.js' as string)) as { getKernels?: () => Kernels };
    const k = mod.getKernels?.();
    return k && k.name !== 'js' ? k : null;
  } catch {
    return null;
  }
}

export async function availableBackends(): Promise<Kernels[]> {
  const n = await nativeBackend();
  return n ? [jsKernels, n] : [jsKernels];
}
