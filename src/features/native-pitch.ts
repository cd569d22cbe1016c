/**
 * The native lag products of the pitch tracker (native/src/pitch.cc): the same sums in the same order as
 * `lagProducts` in pitch.ts (bit-identical, tested), with SIMD across lags — the live monitor tracks pitch on
 * every window, and this loop is most of the tracker's time. Node only: pitch.ts itself imports nothing of Node
 * (the on-device page and the head's browser bundle run it), so the native copy is installed from here, by the
 * native front end's module (features/native-frontend.ts), which every Node feature path loads. Either way the
 * tracks are identical; only the speed differs.
 */
import { nativeIfBuilt } from '../engine/native.js';
import { useLagProducts, type LagProducts } from './pitch.js';

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

/** Makes trackPitch use the native lag products when available; returns whether it does. */
export function installNativeLagProducts(): boolean {
  let native: LagProducts | null = null;
  try {
    native = nativeLagProducts();
  } catch {
    // An addon that fails to load is reported by the kernels that need it; the tracker keeps its own loop.
  }
  useLagProducts(native);
  return native !== null;
}
