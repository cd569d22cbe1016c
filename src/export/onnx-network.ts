/**
 * AffexionNet → ONNX nodes, layer by layer, in eval mode (BatchNorm on running statistics, no dropout):
 *
 *   x (B, T, F) → Transpose → [Conv(k, pad k//2) → Relu]_k → Concat → BatchNormalization
 *   → (T, B, C) → [LSTM bidirectional (sequence_lens = lengths)]×L → (B, T, 2H)
 *   → Q, K, V = MatMul + Add → softmax(Q Kᵀ / √D, keys t ≥ length → −∞) V → masked mean over time
 *   → Gemm → Relu → Gemm → logits (B, K)
 *
 * LSTM: PyTorch keeps the four gate blocks of weight_ih / weight_hh / biases in the order i, f, g, o;
 * ONNX's LSTM wants i, o, f, c — {@link PT_TO_ONNX_GATES} reorders them (the g gate is ONNX's c).
 */
import type { AffexionNet } from '../model/network.js';
import type { GraphBuilder } from './onnx-graph.js';

/** Where each ONNX gate block (i, o, f, c) comes from in PyTorch's (i, f, g, o) layout. */
export const PT_TO_ONNX_GATES = [0, 3, 1, 2] as const;

/** Names of the values every member shares: the input and the masks derived from the lengths. */
export interface SharedInputs {
  /** (B, T, F) normalised features. */
  x: string;
  /** (B,) int32 valid frames per clip (T when no lengths were fed). */
  lens32: string;
  /** (B, 1, T) bool: key t is valid. */
  keyValid: string;
  /** (B, T, 1) float 1/0: frame t is valid. */
  frameValid: string;
  /** (B, 1) float valid frame counts. */
  lensF: string;
}

/** Reorders the 4 gate blocks (each `block` values) of a PyTorch LSTM tensor into ONNX order. */
export function reorderGates(src: Float32Array, block: number): Float32Array {
  if (src.length !== 4 * block) throw new Error(`reorderGates: ${src.length} values are not 4 blocks of ${block}`);
  const out = new Float32Array(src.length);
  PT_TO_ONNX_GATES.forEach((from, to) => out.set(src.subarray(from * block, (from + 1) * block), to * block));
  return out;
}

/** Transpose of a row-major (rows, cols) matrix. */
function transpose(a: Float32Array, rows: number, cols: number): Float32Array {
  const t = new Float32Array(a.length);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) t[c * rows + r] = a[r * cols + c]!;
  return t;
}

/** The layers (state_dict prefixes) this exporter maps, by what they are. */
function layerKind(prefix: string, kernels: readonly number[]): string | null {
  if (/^conv\d+$/.test(prefix) && kernels.includes(Number(prefix.slice(4)))) return 'conv';
  return (
    (
      { bn: 'batchnorm', lstm: 'lstm', query: 'linear', key: 'linear', value: 'linear', fc1: 'linear', fc2: 'linear' } as Record<
        string,
        string
      >
    )[prefix] ?? null
  );
}

/**
 * Checks that every layer of the network has an ONNX mapping; throws naming the first one that has
 * none (`what` names the model, e.g. its directory).
 */
export function checkMappable(sd: ReadonlyMap<string, Float32Array>, kernels: readonly number[], what: string): void {
  for (const name of sd.keys()) {
    const prefix = name.split('.')[0]!;
    if (!layerKind(prefix, kernels)) {
      throw new Error(
        `${what}: layer '${prefix}' (parameter ${name}) has no ONNX mapping; the exporter maps conv<k>, bn, lstm, query/key/value, fc1, fc2`,
      );
    }
  }
}

/**
 * Appends one network's nodes reading `shared.x`; returns the name of its logits (B, K). `prefix`
 * keeps an ensemble member's initializers apart (e.g. 'm2.').
 */
export function addNetwork(g: GraphBuilder, net: AffexionNet, shared: SharedInputs, prefix: string, what: string): string {
  const c = net.config;
  const sd = net.stateDict();
  checkMappable(sd, c.kernel_sizes, what);
  const w = (name: string): Float32Array => {
    const v = sd.get(name);
    if (!v) throw new Error(`${what}: parameter ${name} missing`);
    return v;
  };
  const F = c.n_features,
    C = c.conv_channels,
    H = c.lstm_hidden,
    D = 2 * H;

  // Multi-scale convolution: Conv1d weights (C, F, k) are ONNX Conv's (M, C/group, k) as they are.
  const xt = g.op1('Transpose', [shared.x], `${prefix}x_bft`, { perm: [0, 2, 1] });
  const convs = c.kernel_sizes.map((k) => {
    const wk = g.float(`${prefix}conv${k}.weight`, w(`conv${k}.weight`), [C, F, k]);
    const bk = g.float(`${prefix}conv${k}.bias`, w(`conv${k}.bias`), [C]);
    const y = g.op1('Conv', [xt, wk, bk], `${prefix}conv${k}`, { kernel_shape: [k], pads: [k >> 1, k >> 1] });
    return g.op1('Relu', [y], `${prefix}conv${k}_relu`);
  });
  const cat = convs.length > 1 ? g.op1('Concat', convs, `${prefix}conv_cat`, { axis: 1 }) : convs[0]!;
  const Cc = C * c.kernel_sizes.length;
  const bn = g.op1(
    'BatchNormalization',
    [
      cat,
      g.float(`${prefix}bn.weight`, w('bn.weight'), [Cc]),
      g.float(`${prefix}bn.bias`, w('bn.bias'), [Cc]),
      g.float(`${prefix}bn.running_mean`, w('bn.running_mean'), [Cc]),
      g.float(`${prefix}bn.running_var`, w('bn.running_var'), [Cc]),
    ],
    `${prefix}bn`,
    { epsilon: { f: 1e-5 } },
  );

  // BiLSTM stack, time-major (T, B, in) as ONNX's LSTM (layout 0) wants.
  let h = g.op1('Transpose', [bn], `${prefix}lstm_in`, { perm: [2, 0, 1] });
  const ySeq = g.int64(`${prefix}lstm_shape`, [0, 0, -1]);
  for (let l = 0; l < c.lstm_layers; l++) {
    const inSize = l === 0 ? Cc : D;
    const gates = (name: string, block: number) => reorderGates(w(name), block);
    const Wt = new Float32Array(2 * 4 * H * inSize),
      Rt = new Float32Array(2 * 4 * H * H),
      Bt = new Float32Array(2 * 8 * H);
    ['', '_reverse'].forEach((sfx, d) => {
      Wt.set(gates(`lstm.weight_ih_l${l}${sfx}`, H * inSize), d * 4 * H * inSize);
      Rt.set(gates(`lstm.weight_hh_l${l}${sfx}`, H * H), d * 4 * H * H);
      Bt.set(gates(`lstm.bias_ih_l${l}${sfx}`, H), d * 8 * H);
      Bt.set(gates(`lstm.bias_hh_l${l}${sfx}`, H), d * 8 * H + 4 * H);
    });
    const [y] = g.op(
      'LSTM',
      [
        h,
        g.float(`${prefix}lstm.W${l}`, Wt, [2, 4 * H, inSize]),
        g.float(`${prefix}lstm.R${l}`, Rt, [2, 4 * H, H]),
        g.float(`${prefix}lstm.B${l}`, Bt, [2, 8 * H]),
        shared.lens32,
      ],
      [`${prefix}lstm${l}_y`],
      { hidden_size: H, direction: 'bidirectional' },
    );
    // Y (T, 2, B, H) → (T, B, 2, H) → (T, B, 2H): forward then backward, as PyTorch concatenates them.
    const yt = g.op1('Transpose', [y!], `${prefix}lstm${l}_tbdh`, { perm: [0, 2, 1, 3] });
    h = g.op1('Reshape', [yt, ySeq], `${prefix}lstm${l}_out`);
  }
  const hb = g.op1('Transpose', [h], `${prefix}lstm_btd`, { perm: [1, 0, 2] });

  // Self-attention with masked keys.
  const lin3 = (name: string) =>
    g.op1(
      'Add',
      [
        g.op1('MatMul', [hb, g.float(`${prefix}${name}.weightT`, transpose(w(`${name}.weight`), D, D), [D, D])], `${prefix}${name}_mm`),
        g.float(`${prefix}${name}.bias`, w(`${name}.bias`), [D]),
      ],
      `${prefix}${name}`,
    );
  const q = lin3('query'),
    k = lin3('key'),
    v = lin3('value');
  const kt = g.op1('Transpose', [k], `${prefix}key_t`, { perm: [0, 2, 1] });
  const s = g.op1('Div', [g.op1('MatMul', [q, kt], `${prefix}qk`), g.float(`${prefix}sqrt_d`, [Math.sqrt(D)], [])], `${prefix}scores`);
  const sm = g.op1('Where', [shared.keyValid, s, g.float(`${prefix}neg_inf`, [-Infinity], [])], `${prefix}scores_masked`);
  const a = g.op1('Softmax', [sm], `${prefix}attn`, { axis: -1 });
  const z = g.op1('MatMul', [a, v], `${prefix}z`);

  // Mean over each clip's valid frames.
  const zs = g.op1(
    'ReduceSum',
    [g.op1('Mul', [z, shared.frameValid], `${prefix}z_valid`), g.int64(`${prefix}axis1`, [1])],
    `${prefix}z_sum`,
    { keepdims: 0 },
  );
  const pooled = g.op1('Div', [zs, shared.lensF], `${prefix}pooled`);

  const fc1 = g.op1(
    'Gemm',
    [pooled, g.float(`${prefix}fc1.weight`, w('fc1.weight'), [c.fc_hidden, D]), g.float(`${prefix}fc1.bias`, w('fc1.bias'), [c.fc_hidden])],
    `${prefix}fc1`,
    { transB: 1 },
  );
  const r = g.op1('Relu', [fc1], `${prefix}fc1_relu`);
  return g.op1(
    'Gemm',
    [
      r,
      g.float(`${prefix}fc2.weight`, w('fc2.weight'), [c.n_classes, c.fc_hidden]),
      g.float(`${prefix}fc2.bias`, w('fc2.bias'), [c.n_classes]),
    ],
    `${prefix}logits`,
    { transB: 1 },
  );
}

/**
 * The shared input preamble: effective lengths (the fed `lengths`, or T for every clip when the
 * optional input is left at its empty default) and the masks derived from them.
 */
export function addSharedInputs(g: GraphBuilder, x: string, lengths: string): SharedInputs {
  const shape = g.op1('Shape', [x], 'x_shape');
  const T = g.op1('Gather', [shape, g.int64('idx1', [1], [])], 'T', { axis: 0 });
  const B1 = g.op1('Slice', [shape, g.int64('s0', [0]), g.int64('s1', [1])], 'B1');
  // Concat(lengths, T repeated B times)[0:B]: the fed lengths when there are B of them, else all T.
  const tB = g.op1('Expand', [g.op1('Unsqueeze', [T, g.int64('ax0', [0])], 'T1'), B1], 'T_b');
  const lens = g.op1('Slice', [g.op1('Concat', [lengths, tB], 'lens_cat', { axis: 0 }), g.int64('z0', [0]), B1], 'lens');
  const lens32 = g.op1('Cast', [lens], 'lens32', { to: 6 /* INT32 */ });
  const range = g.op1('Range', [g.int64('zero', [0], []), T, g.int64('one', [1], [])], 't_range');
  const valid = g.op1(
    'Less',
    [g.op1('Unsqueeze', [range, g.int64('ax0b', [0])], 't_row'), g.op1('Unsqueeze', [lens, g.int64('ax1', [1])], 'lens_col')],
    'valid',
  );
  const keyValid = g.op1('Unsqueeze', [valid, g.int64('ax1b', [1])], 'key_valid');
  const frameValid = g.op1('Cast', [g.op1('Unsqueeze', [valid, g.int64('ax2', [2])], 'valid3')], 'frame_valid', { to: 1 /* FLOAT */ });
  const lensF = g.op1('Cast', [g.op1('Unsqueeze', [lens, g.int64('ax1c', [1])], 'lens_b1')], 'lens_f', { to: 1 });
  return { x, lens32, keyValid, frameValid, lensF };
}
