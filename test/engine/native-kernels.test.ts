// The native kernels against the plain-loop reference backend (jsKernels), on random data, with and
// without masking, for every instruction set this CPU supports.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { jsKernels } from '../../src/engine/js-kernels.js';
import { nativeKernels, type NativeIsa } from '../../src/engine/native-kernels.js';
import { Rng } from '../../src/engine/rng.js';
import { assertClose, randomArray, randomDirection, zeroDirection } from './helpers.js';

const native = nativeKernels();
const startIsa = native.isa;
const isas: NativeIsa[] = (['avx512', 'avx2', 'generic'] as NativeIsa[]).filter((isa) => {
  try {
    native.setIsa(isa);
    return true;
  } catch {
    return false;
  } // CPUs without AVX-512 skip it
});
native.setIsa(startIsa);

function forEachIsa(body: (isa: NativeIsa) => void): void {
  try {
    for (const isa of isas) {
      native.setIsa(isa);
      body(isa);
    }
  } finally {
    native.setIsa(startIsa);
  }
}

test('the native backend names its instruction set and rejects unknown ones', () => {
  assert.match(native.name, /^native:(avx512|avx2|generic)$/);
  assert.ok(isas.includes('generic'));
  assert.ok(native.threads >= 1);
  assert.throws(() => native.setIsa('sse9' as NativeIsa), /unknown ISA 'sse9'/);
});

test('gemm matches the reference on odd shapes, every transpose, beta 0/1, every ISA', () => {
  const rng = new Rng(1);
  const shapes: [number, number, number][] = [
    [1, 1, 1],
    [7, 33, 257],
    [257, 7, 33],
    [33, 257, 7],
    [1, 97, 300],
    [130, 1, 513],
    [3, 3100, 5],
  ];
  forEachIsa((isa) => {
    for (const [M, N, K] of shapes) {
      const A = randomArray(rng, M * K),
        B = randomArray(rng, K * N),
        C0 = randomArray(rng, M * N);
      for (const transA of [false, true])
        for (const transB of [false, true])
          for (const beta of [0, 1]) {
            const want = C0.slice(),
              got = C0.slice();
            if (beta === 0) got.fill(Number.NaN); // beta = 0 must ignore C's contents
            jsKernels.gemm(transA, transB, M, N, K, 0.75, A, B, beta, want);
            native.gemm(transA, transB, M, N, K, 0.75, A, B, beta, got);
            assertClose(got, want, 1e-5 * Math.sqrt(K), `${isa} gemm ${M}x${N}x${K} tA=${transA} tB=${transB} beta=${beta}`);
          }
    }
  });
});

test('conv1d forward and backward match the reference (k 1/3/7, ReLU on/off, strided output, B 1 and 2)', () => {
  const rng = new Rng(2);
  const [F, C] = [5, 6];
  forEachIsa((isa) => {
    for (const [B, T] of [
      [2, 11],
      [1, 13],
    ] as const)
      for (const k of [1, 3, 7])
        for (const relu of [false, true]) {
          const x = randomArray(rng, B * T * F),
            w = randomArray(rng, C * F * k),
            bias = randomArray(rng, C);
          const yStride = C + 3,
            yOffset = 2;
          const yWant = randomArray(rng, B * T * yStride),
            yGot = yWant.slice();
          jsKernels.conv1dForward(x, B, T, F, w, bias, C, k, relu, yWant, yStride, yOffset);
          native.conv1dForward(x, B, T, F, w, bias, C, k, relu, yGot, yStride, yOffset);
          assertClose(yGot, yWant, 1e-5, `${isa} conv k=${k} relu=${relu} y`); // columns outside untouched too
          const dy = randomArray(rng, B * T * yStride);
          const grads = () => ({
            dw: randomArray(new Rng(9), C * F * k),
            db: randomArray(new Rng(8), C),
            dx: randomArray(new Rng(7), B * T * F),
          });
          const want = grads(),
            got = grads();
          jsKernels.conv1dBackward(x, B, T, F, w, C, k, relu, yWant, dy, yStride, yOffset, want.dw, want.db, want.dx);
          native.conv1dBackward(x, B, T, F, w, C, k, relu, yGot, dy, yStride, yOffset, got.dw, got.db, got.dx);
          assertClose(got.dw, want.dw, 1e-5, `${isa} conv k=${k} relu=${relu} dw (accumulated)`);
          assertClose(got.db, want.db, 1e-5, `${isa} conv k=${k} relu=${relu} db`);
          assertClose(got.dx, want.dx, 1e-5, `${isa} conv k=${k} relu=${relu} dx`);
        }
  });
});

for (const H of [6, 16]) {
  test(`bidirectional LSTM forward and backward match the reference (H=${H}, masked and unmasked)`, () => {
    const rng = new Rng(3 + H);
    const [B, T, I] = [3, 9, 5];
    const fwd = randomDirection(rng, I, H),
      rev = randomDirection(rng, I, H);
    const x = randomArray(rng, B * T * I);
    const dOut = randomArray(rng, B * T * 2 * H);
    forEachIsa((isa) => {
      for (const lengths of [null, Int32Array.from([4, 9, 1])]) {
        const what = `${isa} lstm H=${H} lengths=${lengths ? 'masked' : 'none'}`;
        const run = (kern: typeof jsKernels) => {
          const out = new Float32Array(B * T * 2 * H).fill(Number.NaN);
          const cache = new Float32Array(kern.lstmCacheSize(B, T, H));
          kern.lstmForward(x, B, T, I, H, fwd, rev, lengths, out, cache);
          const dx = new Float32Array(B * T * I).fill(Number.NaN);
          const dFwd = zeroDirection(I, H),
            dRev = zeroDirection(I, H);
          dFwd.whh.fill(0.5); // accumulate, not overwrite
          kern.lstmBackward(x, B, T, I, H, fwd, rev, lengths, out, cache, dOut, dx, dFwd, dRev);
          return { out, dx, dFwd, dRev };
        };
        const want = run(jsKernels),
          got = run(native);
        assertClose(got.out, want.out, 1e-5, `${what} out`);
        assertClose(got.dx, want.dx, 1e-4, `${what} dx`);
        for (const key of ['wih', 'whh', 'bih', 'bhh'] as const) {
          assertClose(got.dFwd[key], want.dFwd[key], 1e-4, `${what} dFwd.${key}`);
          assertClose(got.dRev[key], want.dRev[key], 1e-4, `${what} dRev.${key}`);
        }
        if (lengths) {
          // padded frames are exactly zero
          for (let t = lengths[0]!; t < T; t++) for (let j = 0; j < 2 * H; j++) assert.equal(got.out[t * 2 * H + j], 0);
        }
      }
    });
  });
}

// Batch 1 (a live window) takes the fused per-step recurrence (native/src/lstm_b1.cc): the same results
// as the reference and as the batched path, for hidden sizes with and without a partial SIMD block.
test('batch-1 LSTM (fused step) matches the reference and the batched path, forward and backward', () => {
  const rng = new Rng(17);
  const [T, I] = [37, 7];
  for (const H of [6, 16, 48, 128]) {
    const fwd = randomDirection(rng, I, H),
      rev = randomDirection(rng, I, H);
    const x = randomArray(rng, T * I);
    const other = randomArray(rng, T * I);
    const dOut = randomArray(rng, T * 2 * H);
    forEachIsa((isa) => {
      for (const len of [null, 30]) {
        const what = `${isa} batch-1 lstm H=${H} length=${len ?? T}`;
        const lengths = len === null ? null : Int32Array.from([len]);
        const run = (kern: typeof jsKernels) => {
          const out = new Float32Array(T * 2 * H).fill(Number.NaN);
          const cache = new Float32Array(kern.lstmCacheSize(1, T, H));
          kern.lstmForward(x, 1, T, I, H, fwd, rev, lengths, out, cache);
          const dx = new Float32Array(T * I).fill(Number.NaN);
          const dFwd = zeroDirection(I, H),
            dRev = zeroDirection(I, H);
          kern.lstmBackward(x, 1, T, I, H, fwd, rev, lengths, out, cache, dOut, dx, dFwd, dRev);
          return { out, dx, dFwd, dRev };
        };
        const want = run(jsKernels),
          got = run(native);
        assertClose(got.out, want.out, 1e-5, `${what} out`);
        assertClose(got.dx, want.dx, 1e-4, `${what} dx (backward through the fused forward's cache)`);
        for (const key of ['wih', 'whh', 'bih', 'bhh'] as const) assertClose(got.dRev[key], want.dRev[key], 1e-4, `${what} dRev.${key}`);
        if (len !== null) for (let j = len * 2 * H; j < T * 2 * H; j++) assert.equal(got.out[j], 0, `${what}: padded frame not zero`);
        // The same clip as row 0 of a batch of 2 (the generic path): equal to float rounding.
        const x2 = new Float32Array(2 * T * I);
        x2.set(x);
        x2.set(other, T * I);
        const out2 = new Float32Array(2 * T * 2 * H);
        native.lstmForward(
          x2,
          2,
          T,
          I,
          H,
          fwd,
          rev,
          lengths && Int32Array.from([len!, T]),
          out2,
          new Float32Array(native.lstmCacheSize(2, T, H)),
        );
        assertClose(got.out, out2.subarray(0, T * 2 * H), 1e-5, `${what} vs batched`);
      }
    });
  }
});

test('attention forward and backward match the reference (masked and unmasked, B=1 and B=3)', () => {
  const rng = new Rng(4);
  for (const [B, T, D, lens] of [
    [3, 13, 20, [13, 5, 1]],
    [1, 37, 8, [30]],
  ] as [number, number, number, number[]][]) {
    const q = randomArray(rng, B * T * D),
      k = randomArray(rng, B * T * D),
      v = randomArray(rng, B * T * D);
    const dz = randomArray(rng, B * T * D);
    forEachIsa((isa) => {
      for (const lengths of [null, Int32Array.from(lens)]) {
        const what = `${isa} attention B=${B} lengths=${lengths ? 'masked' : 'none'}`;
        const run = (kern: typeof jsKernels) => {
          const probs = new Float32Array(B * T * T).fill(Number.NaN),
            z = new Float32Array(B * T * D).fill(Number.NaN);
          kern.attentionForward(q, k, v, B, T, D, lengths, probs, z);
          const dq = new Float32Array(B * T * D).fill(Number.NaN),
            dk = dq.slice(),
            dv = dq.slice();
          kern.attentionBackward(q, k, v, B, T, D, lengths, probs, dz, dq, dk, dv);
          return { probs, z, dq, dk, dv };
        };
        const want = run(jsKernels),
          got = run(native);
        for (const key of ['probs', 'z', 'dq', 'dk', 'dv'] as const) assertClose(got[key], want[key], 2e-5, `${what} ${key}`);
      }
    });
  }
});

test('wrong sizes are rejected with the argument named, before touching memory', () => {
  const a = new Float32Array(6);
  assert.throws(() => native.gemm(false, false, 2, 3, 4, 1, a, a, 0, a), /A has 6 elements, needs 8/);
  assert.throws(() => native.conv1dForward(a, 1, 2, 3, a, a, 1, 2, false, a, 1, 0), /k = 2 must be odd/);
  const d = zeroDirection(2, 1);
  assert.throws(
    () => native.lstmForward(a, 1, 3, 2, 1, d, { ...d, whh: new Float32Array(1) }, null, a, new Float32Array(30)),
    /rev\.whh has 1 elements, needs 4/,
  );
  assert.throws(
    () => native.attentionForward(a, a, a, 1, 3, 2, Int32Array.from([4]), new Float32Array(9), a),
    /lengths\[0\] = 4 is outside \[1, 3\]/,
  );
});
