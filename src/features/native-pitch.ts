/**
 * The native lag products of the pitch tracker (native/src/pitch.cc): the same sums in the same order as
 * {@link lagProducts} (bit-identical, tested), with SIMD across lags — the live monitor tracks pitch on every
 * window, and this loop is most of the tracker's time. Node only: the browser bundle stubs this module out
 * (scripts/build-on-device-web.mjs), so the page runs the TypeScript loop and gets the same tracks.
 */
import { nativeIfBuilt } from '../engine/native.js';

/** r[τ] = Σ_{j<W} seg[j]·seg[j+τ] for τ = 1…tauMax (see lagProducts in pitch.ts). */
export type LagProducts = (seg: Float64Array, W: number, tauMax: number, r: Float64Array) => void;

let impl: LagProducts | null | undefined;

/** The native lag products, or null when the addon is not built or AFFEXION_BACKEND=js. */
export function nativeLagProducts(): LagProducts | null {
  if (impl !== undefined) return impl;
  impl = null;
  if (process.env.AFFEXION_BACKEND === 'js') return impl;
  const mod = nativeIfBuilt() as { yinLagProducts?: LagProducts } | null;
  if (mod && typeof mod.yinLagProducts === 'function') impl = mod.yinLagProducts;
  return impl;
}
