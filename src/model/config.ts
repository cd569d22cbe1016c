/**
 * The network's architecture: the constructor arguments of the PyTorch reference
 * (/work/shared/reference/affexion_torch.py `Affexion(...)`) plus `mask_padding`.
 */
import { z } from 'zod';

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
  n_features: 75,
  conv_channels: 64,
  kernel_sizes: [3, 5, 7],
  lstm_hidden: 128,
  lstm_layers: 2,
  fc_hidden: 128,
  n_classes: 4,
  dropout_conv: 0.2,
  dropout_fc: 0.3,
  mask_padding: false,
});

/**
 * Upper bounds of every size: far above any speech model (the paper's is 64 / 128 / 128), low enough
 * that a corrupt or hostile config.json fails here, in milliseconds, instead of allocating gigabytes.
 */
export const CONFIG_LIMITS = Object.freeze({
  n_features: 4096,
  conv_channels: 4096,
  kernel_size: 255,
  kernel_count: 16,
  lstm_hidden: 4096,
  lstm_layers: 32,
  fc_hidden: 16384,
  n_classes: 10000,
});

const L = CONFIG_LIMITS;
const size = (max: number) => z.number().int('must be an integer').min(1, 'must be at least 1').max(max, `must be at most ${max}`);
/** PyTorch's nn.Dropout accepts p in [0, 1]; training keeps p < 1 (train/options.ts). */
const probability = z.number().min(0, 'must be in [0, 1]').max(1, 'must be in [0, 1]');

/** The reference's `Affexion.__init__` arguments with their defaults, plus our `mask_padding`. */
const ARCHITECTURE_SCHEMA = z.strictObject({
  n_features: size(L.n_features).default(PAPER_CONFIG.n_features),
  conv_channels: size(L.conv_channels).default(PAPER_CONFIG.conv_channels),
  kernel_sizes: z
    .array(
      z
        .number()
        .int('must be integers')
        .min(1, 'must be positive')
        .max(L.kernel_size, `must be at most ${L.kernel_size}`)
        .refine((k) => k % 2 === 1, 'must be odd (the reference pads k // 2 on each side, so even sizes change the length)'),
    )
    .min(1, 'must list at least one size')
    .max(L.kernel_count, `must list at most ${L.kernel_count} sizes`)
    .refine((ks) => new Set(ks).size === ks.length, 'must not repeat a size (parameters are named conv<k>)')
    .default([...PAPER_CONFIG.kernel_sizes]),
  lstm_hidden: size(L.lstm_hidden).default(PAPER_CONFIG.lstm_hidden),
  lstm_layers: size(L.lstm_layers).default(PAPER_CONFIG.lstm_layers),
  fc_hidden: size(L.fc_hidden).default(PAPER_CONFIG.fc_hidden),
  n_classes: size(L.n_classes).default(PAPER_CONFIG.n_classes),
  dropout_conv: probability.default(PAPER_CONFIG.dropout_conv),
  dropout_fc: probability.default(PAPER_CONFIG.dropout_fc),
  mask_padding: z.boolean('must be true or false').default(false),
});

/** One line per problem: `'field' must …, got value` (zod finds them all at once). */
export function describeZodIssues(error: z.ZodError, raw: unknown, prefix = ''): string {
  return error.issues
    .map((issue) => {
      if (issue.code === 'unrecognized_keys') return `unknown key(s) ${issue.keys.map((k) => `'${prefix}${k}'`).join(', ')}`;
      let v: unknown = raw;
      for (const k of issue.path) v = v && typeof v === 'object' ? (v as Record<PropertyKey, unknown>)[k as PropertyKey] : undefined;
      const field = issue.path.map(String).join('.');
      const got = JSON.stringify(v);
      return `'${prefix}${field}' ${issue.message}${got === undefined ? '' : `, got ${got.length > 60 ? `${got.slice(0, 60)}…` : got}`}`;
    })
    .join('; ');
}

/**
 * Check and complete an architecture object: the reference's constructor arguments as they are (any
 * missing one takes the reference's default, as `Affexion(**args)` does; a tuple of kernel sizes is a
 * JSON list), plus `mask_padding` (default false). Every size is range-checked ({@link CONFIG_LIMITS}).
 * `source` names the file/option in errors.
 */
export function parseConfig(raw: unknown, source = 'config'): AffexionConfig {
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) throw new Error(`${source}: architecture must be a JSON object`);
  const r = ARCHITECTURE_SCHEMA.safeParse(raw);
  if (!r.success) throw new Error(`${source}: ${describeZodIssues(r.error, raw)}`);
  return { ...r.data, kernel_sizes: [...r.data.kernel_sizes] };
}
