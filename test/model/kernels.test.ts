/**
 * The Kernels contract, checked on the JS reference backend (and on getKernels() when the native one
 * is available): hand-computed values, structural identities (packed sequences = truncated clips,
 * reverse direction = forward over the reversed clip) and finite-difference gradients.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Kernels, LstmDirection } from '../../src/engine/kernels.js';
import { jsKernels } from '../../src/engine/js-kernels.js';
import { Rng } from '../../src/engine/rng.js';
import { checkGradient, dot64, randomArray } from './gradcheck.js';
import { availableBackends } from './backends.js';

function close(a: ArrayLike<number>, b: ArrayLike<number>, tol: number, what: string): void {
  assert.equal(a.length, b.length, `${what}: length`);
  for (let i = 0; i < a.length; i++) {
    assert.ok(Math.abs(a[i]! - b[i]!) <= tol, `${what}[${i}]: ${a[i]} vs ${b[i]}`);
  }
}

function lstmDir(rng: Rng, I: number, H: number): LstmDirection {
  return {
    wih: randomArray(rng, 4 * H * I, 0.5),
    whh: randomArray(rng, 4 * H * H, 0.5),
    bih: randomArray(rng, 4 * H, 0.5),
    bhh: randomArray(rng, 4 * H, 0.5),
  };
}
const zeroDir = (I: number, H: number): LstmDirection => ({
  wih: new Float32Array(4 * H * I),
  whh: new Float32Array(4 * H * H),
  bih: new Float32Array(4 * H),
  bhh: new Float32Array(4 * H),
});

for (const K of await availableBackends()) suite(K);

function suite(K: Kernels): void {
  const tag = `[${K.name}]`;

  test(`${tag} gemm: all transpose combinations, alpha/beta, beta=0 ignores NaN`, () => {
    const rng = new Rng(1);
    const M = 5,
      N = 7,
      K_ = 3;
    const A = randomArray(rng, M * K_),
      Bm = randomArray(rng, K_ * N);
    const At = new Float32Array(K_ * M),
      Bt = new Float32Array(N * K_);
    for (let i = 0; i < M; i++) for (let p = 0; p < K_; p++) At[p * M + i] = A[i * K_ + p]!;
    for (let p = 0; p < K_; p++) for (let j = 0; j < N; j++) Bt[j * K_ + p] = Bm[p * N + j]!;
    const C0 = randomArray(rng, M * N);
    const want = new Float64Array(M * N);
    for (let i = 0; i < M; i++)
      for (let j = 0; j < N; j++) {
        let s = 0;
        for (let p = 0; p < K_; p++) s += A[i * K_ + p]! * Bm[p * N + j]!;
        want[i * N + j] = 1.5 * s + 0.5 * C0[i * N + j]!;
      }
    for (const [ta, tb] of [
      [false, false],
      [true, false],
      [false, true],
      [true, true],
    ] as const) {
      const C = C0.slice();
      K.gemm(ta, tb, M, N, K_, 1.5, ta ? At : A, tb ? Bt : Bm, 0.5, C);
      close(C, want, 1e-5, `gemm ta=${ta} tb=${tb}`);
    }
    const Cn = new Float32Array(M * N).fill(NaN);
    K.gemm(false, false, M, N, K_, 1, A, Bm, 0, Cn);
    assert.ok(Cn.every(Number.isFinite), 'beta = 0 must overwrite NaN');
  });

  test(`${tag} conv1d forward: hand-computed 'same' convolution, offset/stride, ReLU`, () => {
    // y[t] = 0.5 + 1·x[t−1] + 2·x[t] + 3·x[t+1], zero outside the clip
    const x = new Float32Array([1, 2, -3]);
    const y = new Float32Array(3 * 3).fill(7);
    K.conv1dForward(x, 1, 3, 1, new Float32Array([1, 2, 3]), new Float32Array([0.5]), 1, 3, false, y, 3, 1);
    close(y, [7, 8.5, 7, 7, -3.5, 7, 7, -3.5, 7], 1e-6, 'conv');
    K.conv1dForward(x, 1, 3, 1, new Float32Array([1, 2, 3]), new Float32Array([0.5]), 1, 3, true, y, 3, 2);
    close(y, [7, 8.5, 8.5, 7, -3.5, 0, 7, -3.5, 0], 1e-6, 'conv relu');
  });

  test(`${tag} conv1d backward matches finite differences (with and without ReLU)`, () => {
    const rng = new Rng(2);
    const B = 2,
      T = 6,
      F = 3,
      C = 4;
    for (const k of [1, 3, 5])
      for (const relu of [false, true]) {
        const x = randomArray(rng, B * T * F),
          w = randomArray(rng, C * F * k),
          bias = randomArray(rng, C, 0.3);
        const stride = C + 2,
          off = 1;
        const r = randomArray(rng, B * T * stride);
        for (let i = 0; i < B * T; i++) {
          r[i * stride] = 0;
          r[i * stride + stride - 1] = 0;
        }
        const y = new Float32Array(B * T * stride);
        const loss = () => {
          K.conv1dForward(x, B, T, F, w, bias, C, k, relu, y, stride, off);
          return dot64(y, r);
        };
        loss();
        const dw = new Float32Array(w.length),
          db = new Float32Array(C),
          dx = new Float32Array(x.length).fill(1);
        K.conv1dBackward(x, B, T, F, w, C, k, relu, y, r, stride, off, dw, db, dx);
        for (let i = 0; i < dx.length; i++) dx[i]! -= 1; // dx accumulates: it started at 1
        // A small step keeps finite differences from crossing ReLU kinks (pre-activations near 0).
        const o = { eps: relu ? 1e-3 : 1e-2 };
        checkGradient(`conv k${k} relu=${relu} w`, w, dw, loss, o);
        checkGradient(`conv k${k} relu=${relu} b`, bias, db, loss, o);
        checkGradient(`conv k${k} relu=${relu} x`, x, dx, loss, o);
      }
  });

  test(`${tag} LSTM forward: one step by hand, zero padding, packed = truncated, reverse = reversed forward`, () => {
    // Single step, H = 1, I = 1: gates = w·x + b (h0 = 0), c = σ(i)·tanh(g), h = σ(o)·tanh(c).
    const sig = (v: number) => 1 / (1 + Math.exp(-v));
    const p: LstmDirection = {
      wih: new Float32Array([0.5, -0.25, 1, 2]),
      whh: new Float32Array(4),
      bih: new Float32Array([0.1, 0, 0, 0]),
      bhh: new Float32Array([0, 0, -0.3, 0]),
    };
    const out1 = new Float32Array(2);
    K.lstmForward(new Float32Array([0.8]), 1, 1, 1, 1, p, p, null, out1, new Float32Array(K.lstmCacheSize(1, 1, 1)));
    const want = sig(2 * 0.8) * Math.tanh(sig(0.5 * 0.8 + 0.1) * Math.tanh(0.8 - 0.3));
    close(out1, [want, want], 1e-6, 'one step');

    const rng = new Rng(3);
    const B = 3,
      T = 7,
      I = 4,
      H = 3;
    const fwd = lstmDir(rng, I, H),
      rev = lstmDir(rng, I, H);
    const x = randomArray(rng, B * T * I);
    const lengths = new Int32Array([7, 4, 1]);
    const out = new Float32Array(B * T * 2 * H).fill(9);
    K.lstmForward(x, B, T, I, H, fwd, rev, lengths, out, new Float32Array(K.lstmCacheSize(B, T, H)));
    for (let b = 0; b < B; b++) {
      const L = lengths[b]!;
      // the clip alone, unpadded
      const xb = x.slice(b * T * I, (b * T + L) * I);
      const ob = new Float32Array(L * 2 * H);
      K.lstmForward(xb, 1, L, I, H, fwd, rev, null, ob, new Float32Array(K.lstmCacheSize(1, L, H)));
      close(out.subarray(b * T * 2 * H, (b * T + L) * 2 * H), ob, 1e-6, `packed clip ${b}`);
      for (let i = (b * T + L) * 2 * H; i < (b + 1) * T * 2 * H; i++) assert.equal(out[i], 0, `padding of clip ${b} must be 0`);
      // reverse direction = forward direction (with the reverse weights) over the time-reversed clip
      const xr = new Float32Array(L * I);
      for (let t = 0; t < L; t++) xr.set(xb.subarray((L - 1 - t) * I, (L - t) * I), t * I);
      const orr = new Float32Array(L * 2 * H);
      K.lstmForward(xr, 1, L, I, H, rev, fwd, null, orr, new Float32Array(K.lstmCacheSize(1, L, H)));
      for (let t = 0; t < L; t++)
        for (let j = 0; j < H; j++) {
          assert.ok(Math.abs(ob[t * 2 * H + H + j]! - orr[(L - 1 - t) * 2 * H + j]!) < 1e-6, `reverse clip ${b} t ${t}`);
        }
    }
  });

  test(`${tag} LSTM backward matches finite differences (full and packed)`, () => {
    const rng = new Rng(4);
    const B = 2,
      T = 5,
      I = 3,
      H = 2;
    for (const lengths of [null, new Int32Array([5, 3])]) {
      const fwd = lstmDir(rng, I, H),
        rev = lstmDir(rng, I, H);
      const x = randomArray(rng, B * T * I);
      const r = randomArray(rng, B * T * 2 * H);
      const out = new Float32Array(B * T * 2 * H);
      const cache = new Float32Array(K.lstmCacheSize(B, T, H));
      const loss = () => {
        K.lstmForward(x, B, T, I, H, fwd, rev, lengths, out, cache);
        return dot64(out, r);
      };
      loss();
      const dx = new Float32Array(x.length).fill(5);
      const dF = zeroDir(I, H),
        dR = zeroDir(I, H);
      K.lstmBackward(x, B, T, I, H, fwd, rev, lengths, out, cache, r, dx, dF, dR);
      const m = lengths ? 'packed' : 'full';
      checkGradient(`lstm ${m} x`, x, dx, loss);
      for (const key of ['wih', 'whh', 'bih', 'bhh'] as const) {
        checkGradient(`lstm ${m} fwd.${key}`, fwd[key], dF[key], loss);
        checkGradient(`lstm ${m} rev.${key}`, rev[key], dR[key], loss);
      }
      if (lengths) for (let i = (T + 3) * I; i < 2 * T * I; i++) assert.equal(dx[i], 0, 'dx of padded frames is 0');
    }
  });

  test(`${tag} attention: uniform weights when q = 0, masked keys = truncated keys`, () => {
    const rng = new Rng(5);
    const B = 2,
      T = 4,
      D = 3;
    const q0 = new Float32Array(B * T * D),
      k = randomArray(rng, B * T * D),
      v = randomArray(rng, B * T * D);
    const probs = new Float32Array(B * T * T),
      z = new Float32Array(B * T * D);
    K.attentionForward(q0, k, v, B, T, D, new Int32Array([4, 2]), probs, z);
    for (let e = 0; e < D; e++) {
      const m0 = (v[e]! + v[D + e]! + v[2 * D + e]! + v[3 * D + e]!) / 4;
      const m1 = (v[T * D + e]! + v[T * D + D + e]!) / 2;
      for (let t = 0; t < T; t++) {
        assert.ok(Math.abs(z[t * D + e]! - m0) < 1e-6);
        assert.ok(Math.abs(z[(T + t) * D + e]! - m1) < 1e-6);
      }
    }
    for (let t = 0; t < T; t++) close(probs.subarray((T + t) * T, (T + t + 1) * T), [0.5, 0.5, 0, 0], 1e-7, 'masked probs');
    // masked keys: same as running only on the valid keys of clip 1 (for its first 2 queries)
    const q = randomArray(rng, B * T * D);
    K.attentionForward(q, k, v, B, T, D, new Int32Array([4, 2]), probs, z);
    const sub = (a: Float32Array) => a.slice(T * D, T * D + 2 * D);
    const p2 = new Float32Array(4),
      z2 = new Float32Array(2 * D);
    K.attentionForward(sub(q), sub(k), sub(v), 1, 2, D, null, p2, z2);
    close(z.subarray(T * D, T * D + 2 * D), z2, 1e-6, 'masked = truncated');
  });

  test(`${tag} attention backward matches finite differences (full and masked)`, () => {
    const rng = new Rng(6);
    const B = 2,
      T = 5,
      D = 3;
    for (const lengths of [null, new Int32Array([5, 2])]) {
      const q = randomArray(rng, B * T * D),
        k = randomArray(rng, B * T * D),
        v = randomArray(rng, B * T * D);
      const r = randomArray(rng, B * T * D);
      const probs = new Float32Array(B * T * T),
        z = new Float32Array(B * T * D);
      const loss = () => {
        K.attentionForward(q, k, v, B, T, D, lengths, probs, z);
        return dot64(z, r);
      };
      loss();
      const dq = new Float32Array(q.length).fill(3),
        dk = new Float32Array(q.length).fill(3),
        dv = new Float32Array(q.length).fill(3);
      K.attentionBackward(q, k, v, B, T, D, lengths, probs, r, dq, dk, dv);
      const m = lengths ? 'masked' : 'full';
      checkGradient(`attn ${m} q`, q, dq, loss);
      checkGradient(`attn ${m} k`, k, dk, loss);
      checkGradient(`attn ${m} v`, v, dv, loss);
    }
  });
}

test('jsKernels is the reference backend', () => assert.equal(jsKernels.name, 'js'));
