/**
 * Shared command-line plumbing for train / cv / reproduce / demo / evaluate: the hyper-parameter and
 * feature options (one place, so every command spells them the same), number parsing with errors that
 * name the option, and Ctrl-C handling that lets the current batch finish.
 */
import { scanDataset, type Dataset } from '../data/dataset.js';
import { Option, type Command } from 'commander';
import type { FeatureParams } from '../features/index.js';
import type { LoudnessMode } from '../data/features.js';
import { PAPER_HYPERPARAMETERS, type Hyperparameters } from '../model/hyperparameters.js';

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
  return cmd
    .option('--epochs <n>', 'training epochs', intArg('--epochs'), d.epochs)
    .option('--batch-size <n>', 'mini-batch size', intArg('--batch-size'), d.batch_size)
    .option('--lr <x>', 'Adam learning rate', numArg('--lr'), d.lr)
    .option('--step-size <n>', 'StepLR: epochs between learning-rate decays', intArg('--step-size'), d.step_size)
    .option('--gamma <x>', 'StepLR: decay factor', numArg('--gamma'), d.gamma)
    .option('--weight-decay <x>', 'Adam L2 weight decay', numArg('--weight-decay'), d.weight_decay)
    .option('--seed <n>', 'random seed (weights, shuffling, dropout, folds)', intArg('--seed'), d.seed)
    .option('--max-len <frames>', 'frames per clip (MAX_LEN; 100 frames = 1 s at hop 160)', intArg('--max-len'), d.max_len)
    .option('--channels <n>', 'output channels of each convolution', intArg('--channels'), d.conv_channels)
    .option('--kernel-sizes <list>', 'odd kernel sizes of the parallel convolutions', intListArg('--kernel-sizes'), d.kernel_sizes)
    .option('--hidden <n>', 'LSTM hidden units per direction', intArg('--hidden'), d.lstm_hidden)
    .option('--lstm-layers <n>', 'stacked BiLSTM layers', intArg('--lstm-layers'), d.lstm_layers)
    .option('--fc-hidden <n>', 'width of the dense layer', intArg('--fc-hidden'), d.fc_hidden)
    .option('--dropout-conv <p>', 'dropout after the convolutions', numArg('--dropout-conv'), d.dropout_conv)
    .option('--dropout-fc <p>', 'dropout after the dense layer', numArg('--dropout-fc'), d.dropout_fc)
    .option('--mask-padding', 'ignore padded frames (not in the paper)', d.mask_padding)
    .addOption(new Option('--normalization <mode>', 'z-score with training-set statistics or per utterance')
      .choices(['global', 'utterance']).default(d.normalization))
    .option('--augment <spec>', 'online augmentation of the training side, drawn afresh every epoch, e.g. "default" or ' +
      '"noise:snr=5..20,reverb,gain,specaugment,mixup" (see docs/augmentation.md); validation/test sides are never augmented', d.augment)
    .option('--swa <k>', 'weight averaging: the model is the mean of the weights after each of the last k epochs (BatchNorm statistics recomputed); 0 = off',
      intArg('--swa'), d.swa)
    .option('--ensemble <n>', 'train n networks with seeds seed, seed+1, … and average their class probabilities; 1 = one network',
      intArg('--ensemble'), d.ensemble)
    .option('--speaker-reference <labels>', 'speaker reference normalisation: z-score every clip with the statistics of its speaker\'s clips ' +
      'with these labels, e.g. "neutral,calm" (they are neither trained on nor scored; see docs/training.md); "" = off', d.speaker_reference)
    .option('--trim-silence', 'remove leading/trailing silence before features, in training and inference (the clip\'s length then says nothing)', d.trim_silence)
    .option('--no-trim-silence', 'keep the silence around clips (the paper)')
    .option('--window <s>', 'window training: one window of this many seconds per clip and epoch at a random position; clips are scored ' +
      'by the mean of their windows (0 = whole clips, the paper; MAX_LEN becomes the window)', numArg('--window'), d.window)
    .option('--neutral-class', 'a class "neutral" (no signal): half of each speaker\'s neutral/calm reference clips are trained on and scored as it, ' +
      'the other half stay references (needs neutral in --speaker-reference)', d.neutral_class)
    .option('--no-neutral-class', 'no neutral class: every neutral/calm clip is a speaker reference')
    .option('--window-hop <s>', 'hop between the scored windows of a clip, seconds (0 = a third of --window)', numArg('--window-hop'), d.window_hop);
}

/** Adds the feature options (defaults: the paper's). */
export function addFeatureOptions(cmd: Command): Command {
  return cmd
    .option('--sr <hz>', 'sample rate features are computed at', intArg('--sr'), 16000)
    .option('--n-mfcc <n>', 'MFCCs (features = 3 × n: MFCC, delta, delta-delta)', intArg('--n-mfcc'), 25)
    .option('--n-fft <n>', 'FFT size', intArg('--n-fft'), 2048)
    .option('--hop-length <n>', 'hop between frames in samples', intArg('--hop-length'), 160)
    .option('--n-mels <n>', 'mel bands', intArg('--n-mels'), 128)
    .addOption(new Option('--loudness <mode>', 'loudness step before features: peak-normalise each clip, or none (as recorded)')
      .choices(['peak', 'none']).default('peak'));
}

/** Adds --cache / --no-cache and --label-map. */
export function addDataOptions(cmd: Command): Command {
  return cmd
    .option('--label-map <map>', 'rename or drop labels, e.g. fearful=panic,happy=excitement,calm=')
    .option('--reference <data>', 'more speaker reference clips (with --speaker-reference, or a model trained with it): a dataset whose ' +
      'clips labelled with the reference labels are the neutral speech of speakers in DATA, e.g. the folder a converted set was made from')
    .option('--cache <dir>', 'feature cache folder (default $AFFEXION_CACHE or ~/.cache/affexion/features)')
    .option('--no-cache', 'do not read or write the feature cache');
}

/** Adds --label-column / --speaker-column (manifests of corpora that name their columns otherwise). */
export function addManifestColumnOptions(cmd: Command): Command {
  return cmd
    .option('--label-column <name>', 'manifest column holding the label (default: label, class, emotion or signal)')
    .option('--speaker-column <name>', 'manifest column holding the speaker (default: speaker, voice, actor or speaker_id)');
}

/**
 * A dataset argument as the library takes it: the path itself, or — when a manifest column was named —
 * the scanned dataset (the library's scanDataset options labelColumn / speakerColumn).
 */
export function dataSource(data: string, o: { labelMap?: string; labelColumn?: string; speakerColumn?: string }, optionName = 'DATA'): string | Dataset {
  if (o.labelColumn === undefined && o.speakerColumn === undefined) return data;
  return scanDataset(data, { labelMap: o.labelMap, optionName, labelColumn: o.labelColumn, speakerColumn: o.speakerColumn });
}

/** Parsed values of the options above. */
export interface CommonOptionValues {
  epochs: number; batchSize: number; lr: number; stepSize: number; gamma: number; weightDecay: number; seed: number;
  maxLen: number; channels: number; kernelSizes: number[]; hidden: number; lstmLayers: number; fcHidden: number;
  dropoutConv: number; dropoutFc: number; maskPadding: boolean; normalization: 'global' | 'utterance'; augment: string; swa: number; ensemble: number; speakerReference: string;
  trimSilence: boolean; window: number; windowHop: number; neutralClass: boolean;
  sr: number; nMfcc: number; nFft: number; hopLength: number; nMels: number; loudness: LoudnessMode;
  labelMap?: string; reference?: string; cache: string | boolean; labelColumn?: string; speakerColumn?: string;
}

/** Parsed option attribute of each hyper-parameter (as set by {@link addHyperOptions}). */
const HYPER_ATTRIBUTE: Record<keyof Hyperparameters, keyof CommonOptionValues> = {
  epochs: 'epochs', batch_size: 'batchSize', lr: 'lr', step_size: 'stepSize', gamma: 'gamma', weight_decay: 'weightDecay',
  seed: 'seed', max_len: 'maxLen', conv_channels: 'channels', kernel_sizes: 'kernelSizes', lstm_hidden: 'hidden',
  lstm_layers: 'lstmLayers', fc_hidden: 'fcHidden', dropout_conv: 'dropoutConv', dropout_fc: 'dropoutFc',
  mask_padding: 'maskPadding', normalization: 'normalization', augment: 'augment', swa: 'swa', ensemble: 'ensemble',
  speaker_reference: 'speakerReference', trim_silence: 'trimSilence', window: 'window', window_hop: 'windowHop', neutral_class: 'neutralClass',
};

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
export function featuresFrom(o: CommonOptionValues): Partial<FeatureParams> {
  return { sr: o.sr, nMfcc: o.nMfcc, nFft: o.nFft, hopLength: o.hopLength, nMels: o.nMels };
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

export function interruptSignal(log: (msg: string) => void = (m) => process.stderr.write(`${m}\n`)): { signal: AbortSignal; dispose(): void } {
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
