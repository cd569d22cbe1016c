/**
 * Process-wide malloc settings for Affexion's workloads (the CLI applies them at start; a library user
 * may call {@link tuneAllocator} or not).
 *
 * Why: every large typed array (a clip, a feature matrix, a resampled signal, a batch) is allocated
 * with malloc. Under glibc's defaults, the memory V8 frees after a garbage collection is often handed
 * back to the kernel (trimmed or unmapped), so the next arrays fault fresh pages in — on these VMs a
 * 640 KB array then costs about 1.5–2 ms of page faults, more than resampling a 10 s clip into it.
 * With a higher mmap threshold (arrays up to 32 MiB come from the heap) and a high trim threshold (up to
 * 256 MiB of freed heap is kept), freed pages are reused. Cost: the process keeps up to that much freed
 * memory mapped instead of returning it. Where it matters: bench:features measures both its anchors
 * (soxr, librosa) with and without the same settings and keeps the faster (docs/engine.md).
 *
 * ```ts
 * tuneAllocator();                    // true on glibc; false elsewhere (nothing changed)
 * ```
 */
import { loadNative } from './native.js';

/** glibc caps M_MMAP_THRESHOLD at 32 MiB on 64-bit systems. */
export const ALLOCATOR_MMAP_THRESHOLD = 32 * 1024 * 1024;
/** Freed heap kept mapped for reuse before glibc trims it. */
export const ALLOCATOR_TRIM_THRESHOLD = 256 * 1024 * 1024;

/**
 * Applies the settings above once per process (idempotent). Returns whether they are in effect: false
 * without glibc, without the native addon, or when `AFFEXION_MALLOC_TUNING=off` (the opt-out).
 */
export function tuneAllocator(): boolean {
  if (applied !== undefined) return applied;
  const env = process.env.AFFEXION_MALLOC_TUNING;
  if (env !== undefined && env !== '' && env !== 'on' && env !== 'off') {
    throw new Error(`AFFEXION_MALLOC_TUNING=${env}: expected 'on' or 'off'`);
  }
  if (env === 'off') return (applied = false);
  try {
    const native = loadNative();
    applied =
      typeof native.tuneAllocator === 'function' && native.tuneAllocator(ALLOCATOR_MMAP_THRESHOLD, ALLOCATOR_TRIM_THRESHOLD) === true;
  } catch {
    applied = false; // no native core: the JS backend runs with the defaults
  }
  return applied;
}

let applied: boolean | undefined;
