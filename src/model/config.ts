/**
 * The network's architecture: the constructor arguments of the PyTorch reference
 * (/work/shared/reference/affexion_torch.py `Affexion(...)`) plus `mask_padding`.
 */

/** Architecture of an AffexionNet (snake_case, as in the reference's constructor and config.json). */
export interface AffexionConfig {
  /** Input features per frame (3 · n_mfcc). */
  n_features: number;
  /** Output channels of each convolution. */
  conv_channels: number;
  /** Odd kernel sizes of the parallel convolutions (parameter names conv<k>). */
  kernel_sizes: number[];
  /** LSTM hidden size per direction. */
  lstm_hidden: number;
  /** Stacked bidirectional LSTM layers. */
  lstm_layers: number;
  /** Width of the dense layer before the classifier. */
  fc_hidden: number;
  /** Output classes. */
  n_classes: number;
  /** Dropout after BatchNorm (train mode only). */
  dropout_conv: number;
  /** Dropout after the dense layer (train mode only). */
  dropout_fc: number;
  /** When true, clip lengths passed to forward() mask padded frames in the LSTM, attention keys and pooling. */
  mask_padding: boolean;
}

/** The paper's network: 75 features, 3 × 64 conv channels (k 3/5/7), 2 × BiLSTM 128, dense 128, 4 classes. */
export const PAPER_CONFIG: Readonly<AffexionConfig> = Object.freeze({
  n_features: 75, conv_channels: 64, kernel_sizes: [3, 5, 7], lstm_hidden: 128, lstm_layers: 2,
  fc_hidden: 128, n_classes: 4, dropout_conv: 0.2, dropout_fc: 0.3, mask_padding: false,
});

/**
 * Check and complete an architecture object (e.g. the `model` object of a golden config.json, where
 * mask_padding may be absent → false). `source` names the file/option in errors.
 */
export function parseConfig(raw: unknown, source = 'config'): AffexionConfig {
  if (!raw || typeof raw !== 'object') throw new Error(`${source}: architecture must be a JSON object`);
  const o = raw as Record<string, unknown>;
  const posInt = (k: string): number => {
    const v = o[k];
    if (!Number.isInteger(v) || (v as number) < 1) throw new Error(`${source}: '${k}' must be a positive integer, got ${JSON.stringify(v)}`);
    return v as number;
  };
  const prob = (k: string): number => {
    const v = o[k] ?? 0;
    if (typeof v !== 'number' || !(v >= 0 && v < 1)) throw new Error(`${source}: '${k}' must be a number in [0, 1), got ${JSON.stringify(v)}`);
    return v;
  };
  const ks = o.kernel_sizes;
  if (!Array.isArray(ks) || ks.length === 0 || ks.some((k) => !Number.isInteger(k) || k < 1 || k % 2 === 0)) {
    throw new Error(`${source}: 'kernel_sizes' must be a non-empty list of odd positive integers, got ${JSON.stringify(ks)}`);
  }
  if (new Set(ks).size !== ks.length) throw new Error(`${source}: 'kernel_sizes' must not repeat a size (parameters are named conv<k>)`);
  const mp = o.mask_padding ?? false;
  if (typeof mp !== 'boolean') throw new Error(`${source}: 'mask_padding' must be true or false`);
  const known = new Set(['n_features', 'conv_channels', 'kernel_sizes', 'lstm_hidden', 'lstm_layers', 'fc_hidden',
    'n_classes', 'dropout_conv', 'dropout_fc', 'mask_padding']);
  const unknown = Object.keys(o).filter((k) => !known.has(k));
  if (unknown.length) throw new Error(`${source}: unknown architecture key(s) ${unknown.join(', ')}`);
  return {
    n_features: posInt('n_features'), conv_channels: posInt('conv_channels'), kernel_sizes: (ks as number[]).slice(),
    lstm_hidden: posInt('lstm_hidden'), lstm_layers: posInt('lstm_layers'), fc_hidden: posInt('fc_hidden'),
    n_classes: posInt('n_classes'), dropout_conv: prob('dropout_conv'), dropout_fc: prob('dropout_fc'), mask_padding: mp,
  };
}
