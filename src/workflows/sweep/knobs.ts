/**
 * Sweep knobs: the hyper-parameters and feature parameters a sweep may vary (`--vary name=v1,v2`), how
 * each value is applied to the base settings, and the trial list of a design (one-at-a-time, as the
 * paper's §4.3, or the full grid). Every value is validated before anything runs, through the same
 * resolvers `train` uses, so a bad value fails with one error naming the knob.
 */
import { resolveFeatureSettings, type FeatureSettings } from '../../data/features.js';
import { resolveHyperparameters, type Hyperparameters } from '../../model/hyperparameters.js';
import { ParamError } from '../../engine/errors.js';

/** Everything a trial trains with (besides the data and the seed, which is in `hyper`). */
export interface TrialSettings {
  hyper: Hyperparameters;
  features: FeatureSettings;
}

interface Knob {
  /** What the knob means, for --help and errors. */
  doc: string;
  integer: boolean;
  get(s: TrialSettings): number;
  set(s: TrialSettings, v: number): void;
}

const hyperKnob = (key: keyof Hyperparameters, doc: string, integer: boolean): Knob => ({
  doc,
  integer,
  get: (s) => s.hyper[key] as number,
  set: (s, v) => {
    (s.hyper as unknown as Record<string, number>)[key] = v;
  },
});

/** The knobs, by the name `--vary` takes. The first five are the paper's §4.3 studies. */
export const KNOBS: Readonly<Record<string, Knob>> = Object.freeze({
  max_len: hyperKnob('max_len', 'frames per clip (MAX_LEN)', true),
  dropout: {
    doc: 'dropout of the convolutional and the dense part (both)',
    integer: false,
    get: (s) => s.hyper.dropout_fc,
    set: (s, v) => {
      s.hyper.dropout_conv = v;
      s.hyper.dropout_fc = v;
    },
  },
  n_mfcc: {
    doc: 'number of MFCCs',
    integer: true,
    get: (s) => s.features.params.nMfcc,
    set: (s, v) => {
      s.features.params.nMfcc = v;
    },
  },
  channels: hyperKnob('conv_channels', 'CNN channels', true),
  epochs: hyperKnob('epochs', 'training epochs', true),
  dropout_conv: hyperKnob('dropout_conv', 'dropout after the convolutions', false),
  dropout_fc: hyperKnob('dropout_fc', 'dropout before the dense layers', false),
  lr: hyperKnob('lr', 'learning rate', false),
  batch_size: hyperKnob('batch_size', 'batch size', true),
  hidden: hyperKnob('lstm_hidden', 'LSTM hidden units', true),
  lstm_layers: hyperKnob('lstm_layers', 'LSTM layers', true),
  fc_hidden: hyperKnob('fc_hidden', 'dense hidden units', true),
  weight_decay: hyperKnob('weight_decay', 'weight decay', false),
});

export type Design = 'one-at-a-time' | 'grid';
export const DESIGNS: readonly Design[] = ['one-at-a-time', 'grid'];

/** Knob name → the values to try, in the order given. */
export type Vary = Record<string, number[]>;

/** A trial: its settings, the value each varied knob has in it, and the knob curves it is a point of. */
export interface Trial {
  settings: TrialSettings;
  values: Record<string, number>;
  /**
   * one-at-a-time: the knobs whose study this trial belongs to (several when it is the base setting of
   * each); grid: every knob (its charts average over the other knobs).
   */
  curves: string[];
}

/** More trial × seed runs than this need an explicit yes (`--yes`). */
export const MAX_UNCONFIRMED_RUNS = 1000;

export function cloneSettings(s: TrialSettings): TrialSettings {
  return { hyper: { ...s.hyper, kernel_sizes: [...s.hyper.kernel_sizes] }, features: { ...s.features, params: { ...s.features.params } } };
}

/** Parses `name=v1,v2,…` (the CLI form) into `vary`; several `--vary` of one knob are an error. */
export function parseVary(specs: readonly string[]): Vary {
  const vary: Vary = {};
  for (const spec of specs) {
    const m = /^\s*([A-Za-z_][\w-]*)\s*=(.*)$/.exec(spec);
    if (!m) throw new ParamError('vary', `${spec}: expected name=v1,v2,… (e.g. max_len=200,400,600)`);
    const name = m[1].replace(/-/g, '_');
    if (name in vary) throw new ParamError('vary', `${name}: given twice; list all its values in one entry`);
    const parts = m[2].split(',').map((p) => p.trim());
    vary[name] = parts.map((p) => {
      const v = p === '' ? NaN : Number(p);
      if (!Number.isFinite(v)) throw new ParamError('vary', `${name}: "${p}" is not a number (values: ${m[2]})`);
      return v;
    });
  }
  return vary;
}

/**
 * Checks every knob and value against the base settings (unknown knob, non-integer, out of range):
 * throws one error naming the knob and value, before any training starts.
 */
export function validateVary(vary: Vary, base: TrialSettings): void {
  const names = Object.keys(vary);
  if (names.length === 0)
    throw new ParamError('vary', 'give at least one knob, e.g. max_len=200,400 (knobs: ' + Object.keys(KNOBS).join(', ') + ')');
  for (const name of names) {
    const knob = KNOBS[name];
    if (!knob) throw new ParamError('vary', `${name}: unknown knob; known knobs: ${Object.keys(KNOBS).join(', ')}`);
    const values = vary[name];
    if (!Array.isArray(values) || values.length === 0) throw new ParamError('vary', `${name}: give at least one value`);
    if (new Set(values).size !== values.length) throw new ParamError('vary', `${name}: a value is listed twice (${values.join(',')})`);
    for (const v of values) {
      if (typeof v !== 'number' || !Number.isFinite(v)) throw new ParamError('vary', `${name}=${v}: not a number`);
      if (knob.integer && !Number.isInteger(v)) throw new ParamError('vary', `${name}=${v}: ${knob.doc} must be an integer`);
      const s = cloneSettings(base);
      knob.set(s, v);
      try {
        resolveHyperparameters(s.hyper);
        resolveFeatureSettings({ params: s.features.params, loudness: s.features.loudness });
      } catch (err) {
        throw new ParamError('vary', `${name}=${v}: out of range (${(err as Error).message})`);
      }
    }
  }
}

/**
 * The trials of a design. one-at-a-time: for each knob, each of its values with every other knob at
 * its base value (a value equal to the base appears once). grid: every combination.
 */
export function planTrials(vary: Vary, base: TrialSettings, design: Design): Trial[] {
  if (!DESIGNS.includes(design)) throw new ParamError('design', `expected one-at-a-time or grid, got "${design}"`);
  validateVary(vary, base);
  const names = Object.keys(vary);
  // Each entry: the knob values to set over the base, and the curves that trial is on.
  const combos: { set: Record<string, number>; curves: string[] }[] = [];
  if (design === 'grid') {
    let acc: Record<string, number>[] = [{}];
    for (const n of names) acc = acc.flatMap((c) => vary[n].map((v) => ({ ...c, [n]: v })));
    combos.push(...acc.map((set) => ({ set, curves: names })));
  } else {
    // Only the studied knob is set: the others keep their base settings exactly (e.g. the paper's
    // different conv / dense dropouts stay as they are outside the dropout study).
    for (const n of names) for (const v of vary[n]) combos.push({ set: { [n]: v }, curves: [n] });
  }
  const byId = new Map<string, Trial>();
  for (const { set, curves } of combos) {
    const settings = cloneSettings(base);
    for (const [n, v] of Object.entries(set)) KNOBS[n].set(settings, v);
    const id = JSON.stringify(settings);
    const known = byId.get(id);
    if (known) {
      for (const c of curves) if (!known.curves.includes(c)) known.curves.push(c);
      continue;
    }
    byId.set(id, { settings, values: Object.fromEntries(names.map((n) => [n, KNOBS[n].get(settings)])), curves: [...curves] });
  }
  return [...byId.values()];
}
