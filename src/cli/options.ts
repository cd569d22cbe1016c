/**
 * Shared command-line plumbing for train / cv / reproduce / demo / evaluate: the one table of flags
 * (PARAM_FLAGS: library parameter → flag, used to register the hyper-parameter and feature options and
 * to turn the library's ParamErrors into `--flag: …` messages), number parsing with errors that name
 * the option, and Ctrl-C handling that lets the current batch finish. Defaults come from the library's
 * constants (PAPER_HYPERPARAMETERS, DEFAULT_FEATURE_PARAMS), never restated here.
 */
import { scanDataset, type Dataset } from '../data/dataset.js';
import { Option, type Command } from 'commander';
import { DEFAULT_FEATURE_PARAMS, type FeatureParams } from '../features/index.js';
import { DEFAULT_LOUDNESS, LOUDNESS_MODES, type LoudnessMode } from '../data/features.js';
import { PAPER_HYPERPARAMETERS, type Hyperparameters } from '../model/hyperparameters.js';
import { ParamError, renameParams } from '../engine/errors.js';

/** The command-line flag (or argument name) of each hyper-parameter. */
const HYPER_FLAGS: Record<keyof Hyperparameters, string> = {
  epochs: '--epochs',
  batch_size: '--batch-size',
  lr: '--lr',
  step_size: '--step-size',
  gamma: '--gamma',
  weight_decay: '--weight-decay',
  seed: '--seed',
  max_len: '--max-len',
  conv_channels: '--channels',
  kernel_sizes: '--kernel-sizes',
  lstm_hidden: '--hidden',
  lstm_layers: '--lstm-layers',
  fc_hidden: '--fc-hidden',
  dropout_conv: '--dropout-conv',
  dropout_fc: '--dropout-fc',
  mask_padding: '--mask-padding',
  normalization: '--normalization',
  augment: '--augment',
  swa: '--swa',
  ensemble: '--ensemble',
  speaker_reference: '--speaker-reference',
  trim_silence: '--trim-silence',
  prosodic_rows: '--prosodic-rows',
  window: '--window',
  window_hop: '--window-hop',
  neutral_class: '--neutral-class',
  functional_fusion: '--functional-fusion',
};

/**
 * The one table of flags: each library parameter (as ParamError names it) → its flag or argument.
 * Hyper-parameters and feature parameters first, then the options of the library's entry points.
 */
export const PARAM_FLAGS: Readonly<Record<string, string>> = Object.freeze({
  ...HYPER_FLAGS,
  sr: '--sr',
  nMfcc: '--n-mfcc',
  nFft: '--n-fft',
  hopLength: '--hop-length',
  nMels: '--n-mels',
  fmin: '--fmin',
  fmax: '--fmax',
  deltaWidth: '--delta-width',
  loudness: '--loudness',
  data: 'DATA',
  source: 'DATA',
  out: '--out',
  outDir: '--out',
  val: '--val',
  eval: '--eval',
  real: '--real',
  synthetic: '--synthetic',
  neutral: '--neutral',
  converted: '--converted',
  reference: '--reference',
  neutralResynthesis: '--neutral-resynthesis',
  referenceResynthesis: '--reference-resynthesis',
  syntheticMix: '--synthetic-mix',
  operatingPoint: '--operating-point',
  labelMap: '--label-map',
  labelColumn: '--label-column',
  speakerColumn: '--speaker-column',
  folds: '--folds',
  groupBy: '--group-by',
  resume: '--resume',
  recipe: '--recipe',
  recipes: '--recipes',
  seeds: '--seeds',
  augmentCopies: '--augment-copies',
  augmentSpec: '--augment',
  model: 'MODEL',
  window: '--window',
  hop: '--hop',
  host: '--host',
  token: '--token',
  port: '--port',
  classes: '--classes',
  perClass: '--per-class',
  provider: '--provider',
  voices: '--voices',
  lengths: '--lengths',
  textMode: '--text',
  profilesFile: '--profiles',
  sentencesFile: '--sentences',
  concurrency: '--concurrency',
  generateSentences: '--generate-sentences',
  emotions: '--emotions',
  perClip: '--per-clip',
  copies: '--copies',
  spec: '--spec',
  batch: '--batch',
  frames: '--frames',
  steps: '--steps',
  inferBatch: '--infer-batch',
  vary: '--vary',
  design: '--design',
  queue: '--queue',
  chunk: '--chunk',
  onnx: '--onnx',
  threads: '--threads',
  workers: '--workers',
  headHop: '--head-hop',
  smoothing: '--smoothing',
  enrolSeconds: '--enrol-seconds',
  cooldown: '--cooldown',
});

/** Where a command names a parameter otherwise than PARAM_FLAGS does (key: the command path). */
const COMMAND_PARAM_FLAGS: Readonly<Record<string, Readonly<Record<string, string>>>> = Object.freeze({
  convert: { source: 'NEUTRAL_DATA' },
  'experiment gap': { model: '--model', augment: '--train-augment' },
  'experiment real-speech': { augment: '--train-augment' },
  'model export': { out: '--onnx' },
  'model card': { data: '--data' },
  monitor: { threads: '--threads' },
});

/** The flag of library parameter `param` in `command` (e.g. 'cv', 'experiment gap'); the name itself when it has none. */
export function flagOf(param: string, command = ''): string {
  return COMMAND_PARAM_FLAGS[command]?.[param] ?? (Object.hasOwn(PARAM_FLAGS, param) ? PARAM_FLAGS[param]! : param);
}

/** The message the CLI prints for an error: a library ParamError as `--flag: detail`, anything else as it is. */
export function cliMessage(err: unknown, command = ''): string {
  if (err instanceof ParamError) return `${flagOf(err.param, command)}: ${err.detail}`;
  return err instanceof Error ? err.message : String(err);
}

/** Commander's attribute name of a flag ('--batch-size' → 'batchSize'). */
const attributeOf = (flag: string): string => flag.replace(/^--/, '').replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());

/** Parses an integer option value, naming the option on error. */
export function intArg(name: string): (v: string) => number {
  return (v) => {
    const n = Number(v);
    if (!Number.isInteger(n)) throw new Error(`${name}: expected an integer, got "${v}"`);
    return n;
  };
}

/** Parses a number option value, naming the option on error. */
export function numArg(name: string): (v: string) => number {
  return (v) => {
    const n = Number(v);
    if (v.trim() === '' || !Number.isFinite(n)) throw new Error(`${name}: expected a number, got "${v}"`);
    return n;
  };
}

/** Parses "3,5,7". */
export function intListArg(name: string): (v: string) => number[] {
  return (v) => v.split(',').map((s) => intArg(name)(s.trim()));
}

const P = PAPER_HYPERPARAMETERS;

/** Adds the model / optimisation options (defaults: the paper's). */
export function addHyperOptions(cmd: Command, defaults: Partial<Hyperparameters> = {}): Command {
  const d = { ...P, ...defaults };
  const F = HYPER_FLAGS;
  return cmd
    .option(`${F.epochs} <n>`, 'training epochs', intArg(F.epochs), d.epochs)
    .option(`${F.batch_size} <n>`, 'mini-batch size', intArg(F.batch_size), d.batch_size)
    .option(`${F.lr} <x>`, 'Adam learning rate', numArg(F.lr), d.lr)
    .option(`${F.step_size} <n>`, 'StepLR: epochs between learning-rate decays', intArg(F.step_size), d.step_size)
    .option(`${F.gamma} <x>`, 'StepLR: decay factor', numArg(F.gamma), d.gamma)
    .option(`${F.weight_decay} <x>`, 'Adam L2 weight decay', numArg(F.weight_decay), d.weight_decay)
    .option(`${F.seed} <n>`, 'random seed (weights, shuffling, dropout, folds)', intArg(F.seed), d.seed)
    .option(`${F.max_len} <frames>`, 'frames per clip (MAX_LEN; 100 frames = 1 s at hop 160)', intArg(F.max_len), d.max_len)
    .option(`${F.conv_channels} <n>`, 'output channels of each convolution', intArg(F.conv_channels), d.conv_channels)
    .option(`${F.kernel_sizes} <list>`, 'odd kernel sizes of the parallel convolutions', intListArg(F.kernel_sizes), d.kernel_sizes)
    .option(`${F.lstm_hidden} <n>`, 'LSTM hidden units per direction', intArg(F.lstm_hidden), d.lstm_hidden)
    .option(`${F.lstm_layers} <n>`, 'stacked BiLSTM layers', intArg(F.lstm_layers), d.lstm_layers)
    .option(`${F.fc_hidden} <n>`, 'width of the dense layer', intArg(F.fc_hidden), d.fc_hidden)
    .option(`${F.dropout_conv} <p>`, 'dropout after the convolutions', numArg(F.dropout_conv), d.dropout_conv)
    .option(`${F.dropout_fc} <p>`, 'dropout after the dense layer', numArg(F.dropout_fc), d.dropout_fc)
    .option(F.mask_padding, 'ignore padded frames (not in the paper)', d.mask_padding)
    .addOption(
      new Option(`${F.normalization} <mode>`, 'z-score with training-set statistics or per utterance')
        .choices(['global', 'utterance'])
        .default(d.normalization),
    )
    .option(
      `${F.augment} <spec>`,
      'online augmentation of the training side, drawn afresh every epoch, e.g. "default" or ' +
        '"noise:snr=5..20,reverb,gain,specaugment,mixup" (see docs/augmentation.md); validation/test sides are never augmented',
      d.augment,
    )
    .option(
      `${F.swa} <k>`,
      'weight averaging: the model is the mean of the weights after each of the last k epochs (BatchNorm statistics recomputed); 0 = off',
      intArg(F.swa),
      d.swa,
    )
    .option(
      `${F.ensemble} <n>`,
      'train n networks with seeds seed, seed+1, … and average their class probabilities; 1 = one network',
      intArg(F.ensemble),
      d.ensemble,
    )
    .option(
      `${F.speaker_reference} <labels>`,
      "speaker reference normalisation: z-score every clip with the statistics of its speaker's clips " +
        'with these labels, e.g. "neutral,calm" (they are neither trained on nor scored; see docs/training.md); "" = off',
      d.speaker_reference,
    )
    .option(
      F.trim_silence,
      "remove leading/trailing silence before features, in training and inference (the clip's length then says nothing)",
      d.trim_silence,
    )
    .option('--no-trim-silence', 'keep the silence around clips (the paper)')
    .option(
      F.prosodic_rows,
      'append six prosodic rows (F0 in semitones, voicing, energy and their deltas) to the MFCC rows the network reads',
      d.prosodic_rows,
    )
    .option('--no-prosodic-rows', 'MFCC rows only (the paper)')
    .option(
      `${F.window} <s>`,
      'window training: one window of this many seconds per clip and epoch at a random position; clips are scored ' +
        'by the mean of their windows (0 = whole clips, the paper; MAX_LEN becomes the window)',
      numArg(F.window),
      d.window,
    )
    .option(
      `${F.window_hop} <s>`,
      'hop between the scored windows of a clip, seconds (0 = a third of --window)',
      numArg(F.window_hop),
      d.window_hop,
    )
    .option(
      F.neutral_class,
      'a class "neutral" (no signal): half of each speaker\'s neutral/calm reference clips are trained on and scored as it, ' +
        'the other half stay references (needs neutral in --speaker-reference)',
      d.neutral_class,
    )
    .option('--no-neutral-class', 'no neutral class: every neutral/calm clip is a speaker reference')
    .addOption(
      new Option(
        `${F.functional_fusion} <mode>`,
        'functional head: a logistic regression on speaker-relative prosodic/voice-quality ' +
          'functionals, fused with the network — product (of the probabilities) or gate (the head decides neutral vs signal); none = the network alone',
      )
        .choices(['none', 'product', 'gate'])
        .default(d.functional_fusion),
    );
}

/**
 * Adds the feature options (defaults: the paper's, DEFAULT_FEATURE_PARAMS and DEFAULT_LOUDNESS).
 * `mel: true` adds --fmin / --fmax / --delta-width (the `features` command); `loudness: false` leaves
 * out --loudness (commands that print raw features, without the loudness step).
 */
export function addFeatureOptions(cmd: Command, o: { mel?: boolean; loudness?: boolean } = {}): Command {
  const d = DEFAULT_FEATURE_PARAMS,
    F = PARAM_FLAGS;
  cmd
    .option(`${F.sr} <hz>`, 'sample rate features are computed at', intArg(F.sr!), d.sr)
    .option(`${F.nMfcc} <n>`, 'MFCCs (features = 3 × n: MFCC, delta, delta-delta)', intArg(F.nMfcc!), d.nMfcc)
    .option(`${F.nFft} <n>`, 'FFT size (window length)', intArg(F.nFft!), d.nFft)
    .option(`${F.hopLength} <n>`, 'hop between frames in samples', intArg(F.hopLength!), d.hopLength)
    .option(`${F.nMels} <n>`, 'mel bands', intArg(F.nMels!), d.nMels);
  if (o.mel) {
    cmd
      .option(`${F.fmin} <hz>`, 'lowest mel frequency', numArg(F.fmin!), d.fmin)
      .option(`${F.fmax} <hz>`, 'highest mel frequency (default: sr / 2)', numArg(F.fmax!))
      .option(`${F.deltaWidth} <n>`, 'Savitzky–Golay window of the deltas (odd)', intArg(F.deltaWidth!), d.deltaWidth);
  }
  if (o.loudness !== false) {
    cmd.addOption(
      new Option(`${F.loudness} <mode>`, 'loudness step before features: peak-normalise each clip, or none (as recorded)')
        .choices([...LOUDNESS_MODES])
        .default(DEFAULT_LOUDNESS),
    );
  }
  return cmd;
}

/** Adds --cache / --no-cache (read with {@link cacheFrom}). */
export function addCacheOptions(cmd: Command): Command {
  return cmd
    .option('--cache <dir>', 'feature cache folder (default $AFFEXION_CACHE or ~/.cache/affexion/features)')
    .option('--no-cache', 'do not read or write the feature cache');
}

/** Adds --label-map, --reference and the cache options: the DataSource side of train / cv / evaluate. */
export function addDataOptions(cmd: Command): Command {
  return addCacheOptions(
    cmd
      .option('--label-map <map>', 'rename or drop labels, e.g. fearful=panic,happy=excitement,calm=')
      .option(
        '--reference <data>',
        'more speaker reference clips (with --speaker-reference, or a model trained with it): a dataset whose ' +
          'clips labelled with the reference labels are the neutral speech of speakers in DATA, e.g. the folder a converted set was made from',
      ),
  );
}

/** Adds --label-column / --speaker-column (manifests of corpora that name their columns otherwise). */
export function addManifestColumnOptions(cmd: Command): Command {
  return cmd
    .option('--label-column <name>', 'manifest column holding the label (default: label, class, emotion or signal)')
    .option('--speaker-column <name>', 'manifest column holding the speaker (default: speaker, voice, actor or speaker_id)');
}

/**
 * A dataset argument as the library takes it: the path itself, or — when a manifest column was named —
 * the scanned dataset (the library's scanDataset options labelColumn / speakerColumn). `param` is the
 * library parameter it is given as (its errors then name that parameter's flag).
 */
export function dataSource(
  data: string,
  o: { labelMap?: string; labelColumn?: string; speakerColumn?: string },
  param = 'data',
): string | Dataset {
  if (o.labelColumn === undefined && o.speakerColumn === undefined) return data;
  return renameParams({ data: param }, () =>
    scanDataset(data, { labelMap: o.labelMap, labelColumn: o.labelColumn, speakerColumn: o.speakerColumn }),
  );
}

/** Parsed values of the options above. */
export interface CommonOptionValues {
  epochs: number;
  batchSize: number;
  lr: number;
  stepSize: number;
  gamma: number;
  weightDecay: number;
  seed: number;
  maxLen: number;
  channels: number;
  kernelSizes: number[];
  hidden: number;
  lstmLayers: number;
  fcHidden: number;
  dropoutConv: number;
  dropoutFc: number;
  maskPadding: boolean;
  normalization: 'global' | 'utterance';
  augment: string;
  swa: number;
  ensemble: number;
  speakerReference: string;
  trimSilence: boolean;
  prosodicRows: boolean;
  window: number;
  windowHop: number;
  neutralClass: boolean;
  functionalFusion: 'none' | 'product' | 'gate';
  sr: number;
  nMfcc: number;
  nFft: number;
  hopLength: number;
  nMels: number;
  loudness: LoudnessMode;
  labelMap?: string;
  reference?: string;
  cache: string | boolean;
  labelColumn?: string;
  speakerColumn?: string;
  /** addFeatureOptions({ mel: true }) only. */
  fmin?: number;
  fmax?: number;
  deltaWidth?: number;
}

/** Parsed option attribute of each hyper-parameter (commander's camelCase of its flag). */
const HYPER_ATTRIBUTE = Object.fromEntries(Object.entries(HYPER_FLAGS).map(([k, flag]) => [k, attributeOf(flag)])) as Record<
  keyof Hyperparameters,
  keyof CommonOptionValues
>;

/** Hyper-parameters from parsed options. */
export function hyperFrom(o: CommonOptionValues): Partial<Hyperparameters> {
  return Object.fromEntries(Object.entries(HYPER_ATTRIBUTE).map(([key, attr]) => [key, o[attr]])) as Partial<Hyperparameters>;
}

/**
 * Only the hyper-parameters given on the command line (not commander's defaults), for commands whose
 * recipe sets its own defaults underneath (reproduce, demo).
 */
export function explicitHyperFrom(o: CommonOptionValues, cmd: Command): Partial<Hyperparameters> {
  const given = Object.entries(HYPER_ATTRIBUTE).filter(([, attr]) => ![undefined, 'default'].includes(cmd.getOptionValueSource(attr)));
  return Object.fromEntries(given.map(([key, attr]) => [key, o[attr]])) as Partial<Hyperparameters>;
}

/** --loudness when given on the command line, else undefined (the recipe decides). */
export function explicitLoudness(o: CommonOptionValues, cmd: Command): LoudnessMode | undefined {
  const source = cmd.getOptionValueSource('loudness');
  return source !== undefined && source !== 'default' ? o.loudness : undefined;
}

/** Feature parameters from parsed options. */
export function featuresFrom(
  o: Pick<CommonOptionValues, 'sr' | 'nMfcc' | 'nFft' | 'hopLength' | 'nMels' | 'fmin' | 'fmax' | 'deltaWidth'>,
): Partial<FeatureParams> {
  const p: Partial<FeatureParams> = { sr: o.sr, nMfcc: o.nMfcc, nFft: o.nFft, hopLength: o.hopLength, nMels: o.nMels };
  // The --fmin / --fmax / --delta-width of addFeatureOptions({ mel: true }), only when registered (cache keys stay as they were).
  if (o.fmin !== undefined) p.fmin = o.fmin;
  if (o.fmax !== undefined) p.fmax = o.fmax;
  if (o.deltaWidth !== undefined) p.deltaWidth = o.deltaWidth;
  return p;
}

/** Cache folder from --cache / --no-cache (undefined = default folder). */
export function cacheFrom(o: { cache: string | boolean }): string | null | undefined {
  if (o.cache === false) return null;
  return typeof o.cache === 'string' ? o.cache : undefined;
}

/**
 * An AbortSignal fired by the first Ctrl-C (the run stops after the current batch, keeping the last
 * complete checkpoint); a second Ctrl-C exits at once. Call `dispose()` when the run ends.
 */
let interrupted = false;

/** Whether Ctrl-C stopped this process's run (the CLI then exits 130 whatever error the stop surfaced as). */
export function wasInterrupted(): boolean {
  return interrupted;
}

export function interruptSignal(log: (msg: string) => void = (m) => process.stderr.write(`${m}\n`)): {
  signal: AbortSignal;
  dispose(): void;
} {
  const ac = new AbortController();
  const onSigint = (): void => {
    interrupted = true;
    if (ac.signal.aborted) process.exit(130);
    log('\ninterrupt: stopping after the current batch (Ctrl-C again to quit at once; the last checkpoint stays intact)');
    ac.abort();
  };
  process.on('SIGINT', onSigint);
  return { signal: ac.signal, dispose: () => process.off('SIGINT', onSigint) };
}
