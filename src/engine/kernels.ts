/**
 * The contract between the network's layers (TypeScript, src/model) and the hot compute kernels.
 *
 * Two backends implement it: `jsKernels` (src/engine/js-kernels.ts, plain loops, the readable
 * reference used to test the native one) and the native addon (src/engine/native.ts, C++ with SIMD and
 * a thread pool). Layers only ever call through this interface, so either backend can run the network.
 *
 * Conventions (all of them, for every kernel):
 * - Tensors are dense, row-major `Float32Array`s; shapes are given in the comments as (dim0, dim1, …).
 *   Callers pass views made with `subarray` when they need an offset; kernels never keep references.
 * - Activations are laid out (B, T, C): batch, time, channel — channels contiguous.
 * - "Overwrite" outputs are fully written; "accumulate" outputs are added into (+=), so gradients of
 *   shared parameters can be summed by the caller across calls. Callers zero accumulators.
 * - `lengths` (optional, Int32Array of B valid frame counts, 1 ≤ len ≤ T) gives PyTorch's
 *   packed-sequence semantics: frames t ≥ len[b] are padding. `null` means every clip is T long.
 * - All kernels are synchronous and deterministic for a given thread count.
 */
export interface Kernels {
  /** Name of the backend ('js' or 'native:<isa>'), for logs and benchmarks. */
  readonly name: string;

  /**
   * C (M, N) = alpha · op(A) · op(B) + beta · C.  op(A) is (M, K): A is stored (M, K), or (K, M) when
   * transA. op(B) is (K, N): B is stored (K, N), or (N, K) when transB. beta = 0 ignores C's contents
   * (NaN-safe).
   */
  gemm(
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
  ): void;

  /**
   * 1-D convolution with 'same' padding (pad = k >> 1, k odd), PyTorch Conv1d maths, fused with ReLU
   * when `relu`:  y[b, t, yOffset + c] = act(bias[c] + Σ_j Σ_f w[c, f, j] · x[b, t + j − pad, f]),
   * x outside [0, T) taken as 0.
   * x: (B, T, F); w: (C, F, k) (PyTorch layout); bias: (C); y: (B, T, yStride), only columns
   * [yOffset, yOffset + C) are written (overwrite) — so several convolutions fill one concatenated buffer.
   */
  conv1dForward(
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
  ): void;

  /**
   * Backward of conv1dForward. `dy` is the gradient w.r.t. the conv's output *after* ReLU when relu is
   * true; `y` (the forward output, same stride/offset) is then used for the ReLU mask. With relu false,
   * y may be null. Accumulates dw (C, F, k) and db (C); if dx is not null, accumulates dx (B, T, F).
   */
  conv1dBackward(
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
  ): void;

  /**
   * Workspace floats one bidirectional LSTM layer needs to keep between forward and backward
   * (activated gates and cell states of both directions). Callers allocate `lstmCacheSize(B, T, H)`.
   */
  lstmCacheSize(B: number, T: number, H: number): number;

  /**
   * One bidirectional LSTM layer over whole sequences, PyTorch semantics (gate order i, f, g, o; two
   * bias vectors; zero initial h and c; reverse direction starts at each clip's last valid frame).
   * gates = W_ih x_t + b_ih + W_hh h_{t−1} + b_hh;  c_t = σ(f) c_{t−1} + σ(i) tanh(g);  h_t = σ(o) tanh(c_t).
   * x: (B, T, I). out (overwrite): (B, T, 2H), forward direction in [0, H), reverse in [H, 2H);
   * padded frames (t ≥ len) are 0 in both halves. cache (overwrite): lstmCacheSize(B, T, H) floats.
   */
  lstmForward(
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
  ): void;

  /**
   * Backward through time of lstmForward (same x, params, lengths, out and cache). dOut: (B, T, 2H).
   * dx (overwrite): (B, T, I). Parameter gradients accumulate into dFwd / dRev (same shapes as the
   * parameters; d b_ih and d b_hh both receive the gate gradient).
   */
  lstmBackward(
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
  ): void;

  /**
   * Scaled dot-product self-attention per clip:  S = Q Kᵀ / √D,  P = softmax over keys (keys t ≥ len
   * masked to −∞ when lengths given),  Z = P V.
   * q, k, v: (B, T, D). probs (overwrite): (B, T, T), kept for backward. z (overwrite): (B, T, D).
   */
  attentionForward(
    q: Float32Array,
    k: Float32Array,
    v: Float32Array,
    B: number,
    T: number,
    D: number,
    lengths: Int32Array | null,
    probs: Float32Array,
    z: Float32Array,
  ): void;

  /**
   * Backward of attentionForward. dz: (B, T, D). dq, dk, dv (overwrite): (B, T, D).
   */
  attentionBackward(
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
  ): void;
}

/** Parameters (or their gradients) of one LSTM direction of one layer, PyTorch layouts. */
export interface LstmDirection {
  /** (4H, I), rows in gate order i, f, g, o. */
  wih: Float32Array;
  /** (4H, H). */
  whh: Float32Array;
  /** (4H). */
  bih: Float32Array;
  /** (4H). */
  bhh: Float32Array;
}
