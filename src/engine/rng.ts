/**
 * Seeded pseudo-random numbers for everything random in Affexion (weight initialisation, dropout,
 * shuffling, augmentation): the same seed gives the same sequence on every machine.
 *
 * Algorithm: xoshiro128** (Blackman & Vigna), seeded through splitmix32. Written here rather than taken
 * from npm because we need a serialisable state (to resume training bit-exactly) and 32-bit integer
 * arithmetic only (Math.imul), which the common npm generators do not both offer.
 */

/** Serialisable generator state: four 32-bit words plus the cached second normal deviate. */
export interface RngState {
  s: [number, number, number, number];
  spare: number | null;
}

function splitmix32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x9e3779b9) >>> 0;
    let z = a;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
}

const rotl = (x: number, k: number): number => ((x << k) | (x >>> (32 - k))) >>> 0;

/** A deterministic random number generator. */
export class Rng {
  private s: Uint32Array = new Uint32Array(4);
  private spare: number | null = null;

  /** @param seed any integer (non-integers are truncated); equal seeds give equal sequences. */
  constructor(seed: number) {
    if (!Number.isFinite(seed)) throw new RangeError(`Rng: seed must be a finite number, got ${seed}`);
    const sm = splitmix32(Math.trunc(seed));
    for (let i = 0; i < 4; i++) this.s[i] = sm();
    if ((this.s[0]! | this.s[1]! | this.s[2]! | this.s[3]!) === 0) this.s[0] = 1; // all-zero state is a fixed point
  }

  /** Next raw 32-bit unsigned integer. */
  nextUint32(): number {
    const s = this.s;
    const result = Math.imul(rotl(Math.imul(s[1]!, 5) >>> 0, 7), 9) >>> 0;
    const t = (s[1]! << 9) >>> 0;
    s[2]! ^= s[0]!;
    s[3]! ^= s[1]!;
    s[1]! ^= s[2]!;
    s[0]! ^= s[3]!;
    s[2]! ^= t;
    s[3] = rotl(s[3]!, 11);
    return result;
  }

  /**
   * Fill `out` with raw 32-bit draws — the same values as repeated nextUint32(), with the state kept in
   * locals (several times faster for the millions of draws of a dropout mask).
   */
  fillUint32(out: Uint32Array): Uint32Array {
    let s0 = this.s[0]!,
      s1 = this.s[1]!,
      s2 = this.s[2]!,
      s3 = this.s[3]!;
    for (let i = 0; i < out.length; i++) {
      const x = Math.imul(s1, 5);
      out[i] = Math.imul((x << 7) | (x >>> 25), 9);
      const t = s1 << 9;
      s2 ^= s0;
      s3 ^= s1;
      s1 ^= s2;
      s0 ^= s3;
      s2 ^= t;
      s3 = (s3 << 11) | (s3 >>> 21);
    }
    this.s[0] = s0;
    this.s[1] = s1;
    this.s[2] = s2;
    this.s[3] = s3;
    return out;
  }

  /** Uniform float in [0, 1) with 32 random bits. */
  next(): number {
    return this.nextUint32() / 4294967296;
  }

  /** Uniform float in [lo, hi). */
  uniform(lo: number, hi: number): number {
    return lo + (hi - lo) * this.next();
  }

  /** Standard normal deviate (Box–Muller, polar-free form; the second deviate is cached). */
  normal(): number {
    if (this.spare !== null) {
      const v = this.spare;
      this.spare = null;
      return v;
    }
    let u = 0;
    while (u === 0) u = this.next(); // log(0) guard
    const v = this.next();
    const r = Math.sqrt(-2 * Math.log(u));
    this.spare = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  }

  /** Uniform integer in [0, n), unbiased (rejection sampling). */
  int(n: number): number {
    if (!Number.isInteger(n) || n <= 0 || n > 4294967296) throw new RangeError(`Rng.int: n must be an integer in [1, 2^32], got ${n}`);
    const limit = 4294967296 - (4294967296 % n);
    let x = this.nextUint32();
    while (x >= limit) x = this.nextUint32();
    return x % n;
  }

  /** Fisher–Yates shuffle in place; returns the same array. */
  shuffle<T>(a: T[] | Int32Array | Uint32Array): typeof a {
    for (let i = a.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const t = a[i]!;
      a[i] = a[j]!;
      a[j] = t;
    }
    return a;
  }

  /** Fill `out` with uniform values in [lo, hi). */
  fillUniform(out: Float32Array, lo: number, hi: number): Float32Array {
    for (let i = 0; i < out.length; i++) out[i] = this.uniform(lo, hi);
    return out;
  }

  /** Fill `out` with normal values (mean 0, std `std`). */
  fillNormal(out: Float32Array, std = 1): Float32Array {
    for (let i = 0; i < out.length; i++) out[i] = std * this.normal();
    return out;
  }

  /** A JSON-serialisable snapshot of the state. */
  state(): RngState {
    return { s: [this.s[0]!, this.s[1]!, this.s[2]!, this.s[3]!], spare: this.spare };
  }

  /** Restore a snapshot taken with state(). */
  setState(st: RngState): void {
    if (!st || !Array.isArray(st.s) || st.s.length !== 4 || st.s.some((w) => !Number.isInteger(w) || w < 0 || w > 0xffffffff)) {
      throw new Error('Rng.setState: expected { s: four uint32 words, spare: number | null }');
    }
    this.s.set(st.s);
    this.spare = st.spare ?? null;
  }

  /** A generator restored from a snapshot. */
  static fromState(st: RngState): Rng {
    const r = new Rng(0);
    r.setState(st);
    return r;
  }
}
