/**
 * The randomness every augmentation draws from. Any object with `next()` (uniform [0,1)) and `normal()`
 * (standard normal) fits, so the engine's `Rng` (src/engine/rng.ts) can be passed straight in; we
 * depend on this shape rather than on that class so augmentation has no import cycle with the engine.
 */
export interface RandomSource {
  /** Uniform in [0, 1). */
  next(): number;
  /** Standard normal. */
  normal(): number;
}

/** Uniform draw in [lo, hi]. */
export function uniform(rng: RandomSource, lo: number, hi: number): number {
  return lo + (hi - lo) * rng.next();
}

/** Derives an independent seed from a base seed and a string key (FNV-1a), so per-clip streams do not
 *  depend on processing order. */
export function deriveSeed(seed: number, key: string): number {
  let h = (0x811c9dc5 ^ (seed >>> 0)) >>> 0;
  for (let i = 0; i < key.length; i++) {
    h ^= key.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}
