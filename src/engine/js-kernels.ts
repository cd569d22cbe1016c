/**
 * The plain-loop reference backend of the `Kernels` contract (src/engine/kernels.ts).
 *
 * Written for readability, not speed: it is the executable specification the native kernels are tested
 * against, and the fallback when AFFEXION_BACKEND=js. Sums are accumulated in float64 so that this
 * backend is the more accurate side of any comparison.
 */
import type { Kernels, LstmDirection } from './kernels.js';

const sigmoid = (v: number): number => 1 / (1 + Math.exp(-v));

/** Valid frame count of clip b (T when there are no lengths). */
function validLength(lengths: Int32Array | null, b: number, T: number): number {
  if (!lengths) return T;
  const n = lengths[b]!;
  if (!(n >= 1 && n <= T)) throw new RangeError(`lengths[${b}] = ${n} is outside [1, ${T}]`);
  return n;
}

function gemm(
  transA: boolean,
  transB: boolean,
  M: number,
  N: number,
  K: number,
  alpha: number,
  A: Float32Array,
  B: Float32Array,
  beta: number,
  C: Float32Array,
): void {
  const acc = new Float64Array(N);
  for (let i = 0; i < M; i++) {
    acc.fill(0);
    for (let p = 0; p < K; p++) {
      const a = transA ? A[p * M + i]! : A[i * K + p]!;
      if (a === 0) continue;
      if (transB) {
        for (let j = 0; j < N; j++) acc[j]! += a * B[j * K + p]!;
      } else {
        const row = p * N;
        for (let j = 0; j < N; j++) acc[j]! += a * B[row + j]!;
      }
    }
    const ci = i * N;
    for (let j = 0; j < N; j++) {
      // beta = 0 must ignore C entirely (it may hold NaN from an earlier use of the buffer).
      C[ci + j] = beta === 0 ? alpha * acc[j]! : alpha * acc[j]! + beta * C[ci + j]!;
    }
  }
}

function conv1dForward(
  x: Float32Array,
  B: number,
  T: number,
  F: number,
  w: Float32Array,
  bias: Float32Array,
  C: number,
  k: number,
  relu: boolean,
  y: Float32Array,
  yStride: number,
  yOffset: number,
): void {
  const pad = k >> 1;
  const acc = new Float64Array(C);
  for (let b = 0; b < B; b++) {
    for (let t = 0; t < T; t++) {
      for (let c = 0; c < C; c++) acc[c] = bias[c]!;
      for (let j = 0; j < k; j++) {
        const ts = t + j - pad;
        if (ts < 0 || ts >= T) continue;
        const xr = (b * T + ts) * F;
        for (let f = 0; f < F; f++) {
          const xv = x[xr + f]!;
          for (let c = 0; c < C; c++) acc[c]! += w[(c * F + f) * k + j]! * xv;
        }
      }
      const yr = (b * T + t) * yStride + yOffset;
      for (let c = 0; c < C; c++) {
        const v = acc[c]!;
        y[yr + c] = relu && v < 0 ? 0 : v;
      }
    }
  }
}

function conv1dBackward(
  x: Float32Array,
  B: number,
  T: number,
  F: number,
  w: Float32Array,
  C: number,
  k: number,
  relu: boolean,
  y: Float32Array | null,
  dy: Float32Array,
  yStride: number,
  yOffset: number,
  dw: Float32Array,
  db: Float32Array,
  dx: Float32Array | null,
): void {
  if (relu && !y) throw new Error('conv1dBackward: y is required when relu is true');
  const pad = k >> 1;
  const g = new Float64Array(C); // gradient w.r.t. the pre-activation at (b, t)
  const dwAcc = new Float64Array(C * F * k);
  const dbAcc = new Float64Array(C);
  for (let b = 0; b < B; b++) {
    for (let t = 0; t < T; t++) {
      const yr = (b * T + t) * yStride + yOffset;
      for (let c = 0; c < C; c++) g[c] = relu && !(y![yr + c]! > 0) ? 0 : dy[yr + c]!;
      for (let c = 0; c < C; c++) dbAcc[c]! += g[c]!;
      for (let j = 0; j < k; j++) {
        const ts = t + j - pad;
        if (ts < 0 || ts >= T) continue;
        const xr = (b * T + ts) * F;
        for (let f = 0; f < F; f++) {
          const xv = x[xr + f]!;
          let dxv = 0;
          for (let c = 0; c < C; c++) {
            const gc = g[c]!;
            dwAcc[(c * F + f) * k + j]! += gc * xv;
            dxv += gc * w[(c * F + f) * k + j]!;
          }
          if (dx) dx[xr + f]! += dxv;
        }
      }
    }
  }
  for (let i = 0; i < dwAcc.length; i++) dw[i]! += dwAcc[i]!;
  for (let c = 0; c < C; c++) db[c]! += dbAcc[c]!;
}

/** JS cache layout, per direction d ∈ {0 fwd, 1 rev}: activated gates (B, T, 4H) then cells (B, T, H). */
function lstmCacheSize(B: number, T: number, H: number): number {
  return 2 * B * T * 5 * H;
}

function cacheViews(cache: Float32Array, B: number, T: number, H: number, d: number) {
  const per = B * T * 5 * H;
  const base = d * per;
  return {
    gates: cache.subarray(base, base + B * T * 4 * H),
    cells: cache.subarray(base + B * T * 4 * H, base + per),
  };
}

function lstmForward(
  x: Float32Array,
  B: number,
  T: number,
  I: number,
  H: number,
  fwd: LstmDirection,
  rev: LstmDirection,
  lengths: Int32Array | null,
  out: Float32Array,
  cache: Float32Array,
): void {
  const G = 4 * H;
  out.fill(0, 0, B * T * 2 * H);
  const pre = new Float64Array(G);
  const hPrev = new Float64Array(H);
  const cPrev = new Float64Array(H);
  for (let d = 0; d < 2; d++) {
    const p = d === 0 ? fwd : rev;
    const { gates, cells } = cacheViews(cache, B, T, H, d);
    gates.fill(0);
    cells.fill(0);
    for (let b = 0; b < B; b++) {
      const len = validLength(lengths, b, T);
      hPrev.fill(0);
      cPrev.fill(0);
      for (let s = 0; s < len; s++) {
        const t = d === 0 ? s : len - 1 - s;
        const xr = (b * T + t) * I;
        for (let r = 0; r < G; r++) {
          let v = p.bih[r]! + p.bhh[r]!;
          for (let i = 0; i < I; i++) v += p.wih[r * I + i]! * x[xr + i]!;
          for (let j = 0; j < H; j++) v += p.whh[r * H + j]! * hPrev[j]!;
          pre[r] = v;
        }
        const gr = (b * T + t) * G;
        const cr = (b * T + t) * H;
        const orow = (b * T + t) * 2 * H + d * H;
        for (let j = 0; j < H; j++) {
          const ig = sigmoid(pre[j]!);
          const fg = sigmoid(pre[H + j]!);
          const gg = Math.tanh(pre[2 * H + j]!);
          const og = sigmoid(pre[3 * H + j]!);
          const c = fg * cPrev[j]! + ig * gg;
          const h = og * Math.tanh(c);
          gates[gr + j] = ig;
          gates[gr + H + j] = fg;
          gates[gr + 2 * H + j] = gg;
          gates[gr + 3 * H + j] = og;
          cells[cr + j] = c;
          out[orow + j] = h;
          cPrev[j] = c;
          hPrev[j] = h;
        }
      }
    }
  }
}

function lstmBackward(
  x: Float32Array,
  B: number,
  T: number,
  I: number,
  H: number,
  fwd: LstmDirection,
  rev: LstmDirection,
  lengths: Int32Array | null,
  out: Float32Array,
  cache: Float32Array,
  dOut: Float32Array,
  dx: Float32Array,
  dFwd: LstmDirection,
  dRev: LstmDirection,
): void {
  const G = 4 * H;
  dx.fill(0, 0, B * T * I);
  const dh = new Float64Array(H); // gradient flowing into h_t from later steps
  const dc = new Float64Array(H); // gradient flowing into c_t from later steps
  const da = new Float64Array(G); // gradient w.r.t. the gate pre-activations at this step
  for (let d = 0; d < 2; d++) {
    const p = d === 0 ? fwd : rev;
    const gp = d === 0 ? dFwd : dRev;
    const { gates, cells } = cacheViews(cache, B, T, H, d);
    for (let b = 0; b < B; b++) {
      const len = validLength(lengths, b, T);
      dh.fill(0);
      dc.fill(0);
      // Walk the direction's own processing order backwards.
      for (let s = len - 1; s >= 0; s--) {
        const t = d === 0 ? s : len - 1 - s;
        const tPrev = d === 0 ? t - 1 : t + 1; // the step that fed h_{prev}, c_{prev}
        const hasPrev = s > 0;
        const gr = (b * T + t) * G;
        const cr = (b * T + t) * H;
        const orow = (b * T + t) * 2 * H + d * H;
        for (let j = 0; j < H; j++) {
          const ig = gates[gr + j]!,
            fg = gates[gr + H + j]!,
            gg = gates[gr + 2 * H + j]!,
            og = gates[gr + 3 * H + j]!;
          const c = cells[cr + j]!;
          const cp = hasPrev ? cells[(b * T + tPrev) * H + j]! : 0;
          const tc = Math.tanh(c);
          const dhj = dh[j]! + dOut[orow + j]!;
          const dcj = dc[j]! + dhj * og * (1 - tc * tc);
          da[j] = dcj * gg * ig * (1 - ig);
          da[H + j] = dcj * cp * fg * (1 - fg);
          da[2 * H + j] = dcj * ig * (1 - gg * gg);
          da[3 * H + j] = dhj * tc * og * (1 - og);
          dc[j] = dcj * fg;
        }
        const xr = (b * T + t) * I;
        const hpr = (b * T + tPrev) * 2 * H + d * H;
        dh.fill(0);
        for (let r = 0; r < G; r++) {
          const a = da[r]!;
          gp.bih[r]! += a;
          gp.bhh[r]! += a;
          for (let i = 0; i < I; i++) {
            gp.wih[r * I + i]! += a * x[xr + i]!;
            dx[xr + i]! += a * p.wih[r * I + i]!;
          }
          for (let j = 0; j < H; j++) {
            if (hasPrev) gp.whh[r * H + j]! += a * out[hpr + j]!;
            dh[j]! += a * p.whh[r * H + j]!;
          }
        }
      }
    }
  }
}

function attentionForward(
  q: Float32Array,
  k: Float32Array,
  v: Float32Array,
  B: number,
  T: number,
  D: number,
  lengths: Int32Array | null,
  probs: Float32Array,
  z: Float32Array,
): void {
  const scale = 1 / Math.sqrt(D);
  const row = new Float64Array(T);
  for (let b = 0; b < B; b++) {
    const len = validLength(lengths, b, T);
    const base = b * T * D;
    for (let i = 0; i < T; i++) {
      let mx = -Infinity;
      for (let j = 0; j < len; j++) {
        let s = 0;
        for (let e = 0; e < D; e++) s += q[base + i * D + e]! * k[base + j * D + e]!;
        row[j] = s * scale;
        if (row[j]! > mx) mx = row[j]!;
      }
      let sum = 0;
      for (let j = 0; j < len; j++) {
        row[j] = Math.exp(row[j]! - mx);
        sum += row[j]!;
      }
      const pr = (b * T + i) * T;
      for (let j = 0; j < T; j++) probs[pr + j] = j < len ? row[j]! / sum : 0;
      for (let e = 0; e < D; e++) {
        let acc = 0;
        for (let j = 0; j < len; j++) acc += (row[j]! / sum) * v[base + j * D + e]!;
        z[base + i * D + e] = acc;
      }
    }
  }
}

function attentionBackward(
  q: Float32Array,
  k: Float32Array,
  v: Float32Array,
  B: number,
  T: number,
  D: number,
  lengths: Int32Array | null,
  probs: Float32Array,
  dz: Float32Array,
  dq: Float32Array,
  dk: Float32Array,
  dv: Float32Array,
): void {
  const scale = 1 / Math.sqrt(D);
  const dS = new Float64Array(T);
  dq.fill(0, 0, B * T * D);
  dk.fill(0, 0, B * T * D);
  dv.fill(0, 0, B * T * D);
  for (let b = 0; b < B; b++) {
    const len = validLength(lengths, b, T);
    const base = b * T * D;
    for (let i = 0; i < T; i++) {
      const pr = (b * T + i) * T;
      // dP_ij = dz_i · v_j ;  dS_ij = P_ij (dP_ij − Σ_l P_il dP_il) · scale
      let dot = 0;
      for (let j = 0; j < len; j++) {
        let s = 0;
        for (let e = 0; e < D; e++) s += dz[base + i * D + e]! * v[base + j * D + e]!;
        dS[j] = s;
        dot += probs[pr + j]! * s;
      }
      for (let j = 0; j < len; j++) dS[j] = probs[pr + j]! * (dS[j]! - dot) * scale;
      for (let j = 0; j < len; j++) {
        const pij = probs[pr + j]!;
        const sij = dS[j]!;
        for (let e = 0; e < D; e++) {
          dv[base + j * D + e]! += pij * dz[base + i * D + e]!;
          dq[base + i * D + e]! += sij * k[base + j * D + e]!;
          dk[base + j * D + e]! += sij * q[base + i * D + e]!;
        }
      }
    }
  }
}

/** The reference backend: plain loops, float64 accumulation. */
export const jsKernels: Kernels = {
  name: 'js',
  gemm,
  conv1dForward,
  conv1dBackward,
  lstmCacheSize,
  lstmForward,
  lstmBackward,
  attentionForward,
  attentionBackward,
};
