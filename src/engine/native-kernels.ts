/**
 * The native backend of the `Kernels` contract: a thin, checked layer over the C++ addon
 * (native/src: packed SGEMM with AVX-512/AVX2/portable micro-kernels, fused LSTM, attention, conv1d,
 * all on a reusable thread pool).
 *
 * Every call validates array sizes against the dimensions first and throws a `RangeError` naming the
 * argument, so a wrong shape can never make the addon read or write outside a buffer.
 */
import type { Kernels, LstmDirection } from './kernels.js';
import { loadNative, type NativeAddon } from './native.js';

/** Instruction sets of the native kernels (AFFEXION_ISA selects one at start-up). */
export type NativeIsa = 'avx512' | 'avx2' | 'generic';

function need(name: string, a: Float32Array | null | undefined, n: number): void {
  if (!(a instanceof Float32Array)) throw new TypeError(`${name} must be a Float32Array`);
  if (a.length < n) throw new RangeError(`${name} has ${a.length} elements, needs ${n}`);
}

function dim(name: string, v: number, min = 0): void {
  if (!Number.isInteger(v) || v < min) throw new RangeError(`${name} must be an integer ≥ ${min} (got ${v})`);
}

function needLengths(lengths: Int32Array | null, B: number, T: number): void {
  if (lengths === null) return;
  if (!(lengths instanceof Int32Array)) throw new TypeError('lengths must be an Int32Array or null');
  if (lengths.length < B) throw new RangeError(`lengths has ${lengths.length} entries, needs B = ${B}`);
  for (let b = 0; b < B; b++) {
    const n = lengths[b]!;
    if (n < 1 || n > T) throw new RangeError(`lengths[${b}] = ${n} is outside [1, ${T}]`);
  }
}

function needDirection(name: string, d: LstmDirection, I: number, H: number): void {
  need(`${name}.wih`, d.wih, 4 * H * I);
  need(`${name}.whh`, d.whh, 4 * H * H);
  need(`${name}.bih`, d.bih, 4 * H);
  need(`${name}.bhh`, d.bhh, 4 * H);
}

/** The native kernels plus controls specific to this backend. */
export interface NativeKernels extends Kernels {
  /** Instruction set in use now. */
  readonly isa: NativeIsa;
  /** Threads in the pool (AFFEXION_THREADS, else the machine's hardware threads). */
  readonly threads: number;
  /** Forces an instruction set (tests, benchmarks); throws if the CPU lacks it. */
  setIsa(isa: NativeIsa): void;
}

/** Builds the native backend over a loaded addon. */
function createNativeKernels(addon: NativeAddon): NativeKernels {
  return {
    get name() {
      return `native:${addon.isa() as string}`;
    },
    get isa() {
      return addon.isa() as NativeIsa;
    },
    get threads() {
      return addon.threads() as number;
    },
    setIsa(isa: NativeIsa) {
      addon.setIsa(isa);
    },

    gemm(transA, transB, M, N, K, alpha, A, B, beta, C) {
      dim('M', M);
      dim('N', N);
      dim('K', K);
      need('A', A, M * K);
      need('B', B, K * N);
      need('C', C, M * N);
      addon.gemm(transA, transB, M, N, K, alpha, A, B, beta, C);
    },

    conv1dForward(x, B, T, F, w, bias, C, k, relu, y, yStride, yOffset) {
      dim('B', B);
      dim('T', T, 1);
      dim('F', F, 1);
      dim('C', C, 1);
      dim('k', k, 1);
      if (k % 2 === 0) throw new RangeError(`conv1d: kernel size k = ${k} must be odd ('same' padding)`);
      if (yOffset + C > yStride) throw new RangeError(`conv1d: yOffset ${yOffset} + C ${C} exceeds yStride ${yStride}`);
      need('x', x, B * T * F);
      need('w', w, C * F * k);
      need('bias', bias, C);
      need('y', y, B * T * yStride);
      addon.conv1dForward(x, B, T, F, w, bias, C, k, relu, y, yStride, yOffset);
    },

    conv1dBackward(x, B, T, F, w, C, k, relu, y, dy, yStride, yOffset, dw, db, dx) {
      dim('B', B);
      dim('T', T, 1);
      dim('F', F, 1);
      dim('C', C, 1);
      dim('k', k, 1);
      if (k % 2 === 0) throw new RangeError(`conv1d: kernel size k = ${k} must be odd ('same' padding)`);
      if (yOffset + C > yStride) throw new RangeError(`conv1d: yOffset ${yOffset} + C ${C} exceeds yStride ${yStride}`);
      need('x', x, B * T * F);
      need('w', w, C * F * k);
      need('dy', dy, B * T * yStride);
      if (relu) need('y (needed for the ReLU mask)', y, B * T * yStride);
      need('dw', dw, C * F * k);
      need('db', db, C);
      if (dx !== null) need('dx', dx, B * T * F);
      addon.conv1dBackward(x, B, T, F, w, C, k, relu, y, dy, yStride, yOffset, dw, db, dx);
    },

    lstmCacheSize(B, T, H) {
      return 10 * B * T * H;
    },

    lstmForward(x, B, T, I, H, fwd, rev, lengths, out, cache) {
      dim('B', B);
      dim('T', T, 1);
      dim('I', I, 1);
      dim('H', H, 1);
      need('x', x, B * T * I);
      needDirection('fwd', fwd, I, H);
      needDirection('rev', rev, I, H);
      needLengths(lengths, B, T);
      need('out', out, B * T * 2 * H);
      need('cache', cache, 10 * B * T * H);
      addon.lstmForward(x, B, T, I, H, fwd, rev, lengths, out, cache);
    },

    lstmBackward(x, B, T, I, H, fwd, rev, lengths, out, cache, dOut, dx, dFwd, dRev) {
      dim('B', B);
      dim('T', T, 1);
      dim('I', I, 1);
      dim('H', H, 1);
      need('x', x, B * T * I);
      needDirection('fwd', fwd, I, H);
      needDirection('rev', rev, I, H);
      needLengths(lengths, B, T);
      need('out', out, B * T * 2 * H);
      need('cache', cache, 10 * B * T * H);
      need('dOut', dOut, B * T * 2 * H);
      need('dx', dx, B * T * I);
      needDirection('dFwd', dFwd, I, H);
      needDirection('dRev', dRev, I, H);
      addon.lstmBackward(x, B, T, I, H, fwd, rev, lengths, out, cache, dOut, dx, dFwd, dRev);
    },

    attentionForward(q, k, v, B, T, D, lengths, probs, z) {
      dim('B', B);
      dim('T', T, 1);
      dim('D', D, 1);
      need('q', q, B * T * D);
      need('k', k, B * T * D);
      need('v', v, B * T * D);
      needLengths(lengths, B, T);
      need('probs', probs, B * T * T);
      need('z', z, B * T * D);
      addon.attentionForward(q, k, v, B, T, D, lengths, probs, z);
    },

    attentionBackward(q, k, v, B, T, D, lengths, probs, dz, dq, dk, dv) {
      dim('B', B);
      dim('T', T, 1);
      dim('D', D, 1);
      need('q', q, B * T * D);
      need('k', k, B * T * D);
      need('v', v, B * T * D);
      needLengths(lengths, B, T);
      need('probs', probs, B * T * T);
      need('dz', dz, B * T * D);
      need('dq', dq, B * T * D);
      need('dk', dk, B * T * D);
      need('dv', dv, B * T * D);
      addon.attentionBackward(q, k, v, B, T, D, lengths, probs, dz, dq, dk, dv);
    },
  };
}

let instance: NativeKernels | undefined;

/** The native backend (loads the addon on first use; throws a clear error if it is not built). */
export function nativeKernels(): NativeKernels {
  instance ??= createNativeKernels(loadNative());
  return instance;
}
