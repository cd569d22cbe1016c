/**
 * Online augmentation from a spec string, for training (`affexion train --augment SPEC`) and the offline
 * `affexion augment` command.
 *
 * Spec: comma-separated operations, each `name` or `name:key=value:key=value…`. Values are numbers,
 * ranges `lo..hi` (drawn uniformly per clip) or choices `a|b|c` (one drawn per clip). Every operation
 * takes `p` (probability it is applied to a clip). `default` expands to DEFAULT_AUGMENT_SPEC.
 *   noise:snr=5..20:type=white|pink|brown|babble:p=0.5     additive noise at a random SNR (dB)
 *   reverb:rt60=0.2..0.8:drr=0..10:p=0.3                   synthetic room impulse response
 *   telephone:low=300:high=3400:mulaw=1:p=0.2              band limit (+ 8-bit μ-law)
 *   gain:db=-6..6:p=1                                       level change
 *   speed:factor=0.9..1.1:p=0.3                             resampling: tempo and pitch together (Kaldi-style)
 *   pitch:semitones=-2..2:p=0.3                             PSOLA pitch shift, tempo kept
 *   specaugment:time=2:maxt=40:freq=2:maxf=5:p=1           feature masks (time frames / coefficients)
 *   mixup:alpha=0.2                                         batch-level: pairs of a model batch blended (see planMixup)
 * Waveform operations always run in the physical order speed → pitch → reverb → noise → telephone →
 * gain, whatever their order in the spec.
 */
import { resample } from '../audio/resample.js';
import { type RandomSource } from './random.js';
import { babbleNoise, colouredNoise, mixAtSnr, type NoiseType } from './noise.js';
import { applyRir, syntheticRir } from './reverb.js';
import { applyGain, bandLimit } from './channel.js';
import { psola } from './psola.js';
import { applyMixup, planMixup, specAugment, type FeatureBlock } from './specaugment.js';
import { ParamError } from '../engine/errors.js';

/** What `default` expands to: the recipe the docs recommend for synthetic → real transfer. */
export const DEFAULT_AUGMENT_SPEC = 'noise,reverb,telephone,gain,speed,specaugment';

type Value = { kind: 'num'; v: number } | { kind: 'range'; lo: number; hi: number } | { kind: 'choice'; options: string[] };

interface OpDef {
  /** Allowed keys with their default written as in a spec. */
  defaults: Record<string, string>;
  level: 'wave' | 'features' | 'batch';
  help: string;
}

/** Every operation with its defaults (also the documented defaults). */
export const AUGMENT_OPS: Readonly<Record<string, OpDef>> = Object.freeze({
  speed: { level: 'wave', defaults: { p: '0.3', factor: '0.9..1.1' }, help: 'speed perturbation by resampling (tempo and pitch together)' },
  pitch: { level: 'wave', defaults: { p: '0.3', semitones: '-2..2' }, help: 'PSOLA pitch shift, duration kept' },
  reverb: {
    level: 'wave',
    defaults: { p: '0.3', rt60: '0.2..0.8', drr: '0..10' },
    help: 'synthetic room impulse response (RT60 s, direct-to-reverberant dB)',
  },
  noise: {
    level: 'wave',
    defaults: { p: '0.5', snr: '5..20', type: 'white|pink|brown|babble' },
    help: 'additive noise at a random SNR in dB',
  },
  telephone: {
    level: 'wave',
    defaults: { p: '0.2', low: '300', high: '3400', mulaw: '1' },
    help: 'band limit to [low, high] Hz, optional 8-bit μ-law',
  },
  gain: { level: 'wave', defaults: { p: '1', db: '-6..6' }, help: 'gain in dB' },
  specaugment: {
    level: 'features',
    defaults: { p: '1', time: '2', maxt: '40', freq: '2', maxf: '5' },
    help: 'time and frequency masks on the feature matrix',
  },
  mixup: { level: 'batch', defaults: { alpha: '0.2' }, help: 'mixup of example pairs (trainer applies it per batch)' },
});
const WAVE_ORDER = ['speed', 'pitch', 'reverb', 'noise', 'telephone', 'gain'];

function parseValue(op: string, key: string, raw: string, param: string): Value {
  const bad = (): never => {
    throw new ParamError(param, `${op}:${key}=${raw} is not a number, a range lo..hi or choices a|b`);
  };
  if (raw.includes('|'))
    return {
      kind: 'choice',
      options: raw
        .split('|')
        .map((s) => s.trim())
        .filter(Boolean),
    };
  if (raw.includes('..')) {
    const [a, b] = raw.split('..').map(Number);
    if (!Number.isFinite(a) || !Number.isFinite(b) || a! > b!) bad();
    return { kind: 'range', lo: a!, hi: b! };
  }
  const v = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(v)) {
    if (/^[a-z]+$/i.test(raw)) return { kind: 'choice', options: [raw] };
    bad();
  }
  return { kind: 'num', v };
}

/** One parsed operation. */
export interface AugmentOp {
  name: string;
  params: Record<string, Value>;
}

/**
 * Parses a spec string (see the module comment); throws a ParamError naming the bad part, about `param`
 * (the caller's name of the spec; default `augment`).
 */
export function parseAugmentSpec(spec: string, param = 'augment'): AugmentOp[] {
  const parts = spec
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (parts.length === 0) throw new ParamError(param, 'empty spec');
  const expanded = parts.flatMap((p) => (p === 'default' ? DEFAULT_AUGMENT_SPEC.split(',') : [p]));
  const ops: AugmentOp[] = [];
  for (const part of expanded) {
    const [name, ...kvs] = part.split(':').map((s) => s.trim());
    const def = AUGMENT_OPS[name!];
    if (!def) throw new ParamError(param, `unknown operation '${name}' (known: ${Object.keys(AUGMENT_OPS).join(', ')}, default)`);
    if (ops.some((o) => o.name === name)) throw new ParamError(param, `'${name}' given twice`);
    const params: Record<string, Value> = {};
    for (const [k, v] of Object.entries(def.defaults)) params[k] = parseValue(name!, k, v, param);
    for (const kv of kvs) {
      const eq = kv.indexOf('=');
      const key = eq < 0 ? kv : kv.slice(0, eq);
      if (eq < 0 || !(key in def.defaults)) {
        throw new ParamError(
          param,
          `${name} takes ${Object.keys(def.defaults)
            .map((k) => `${k}=`)
            .join(', ')}; got '${kv}'`,
        );
      }
      const value = parseValue(name!, key, kv.slice(eq + 1), param);
      // Only keys whose default is a word (noise:type) take words; the others must stay numeric.
      if (value.kind === 'choice' && params[key]!.kind !== 'choice') {
        throw new ParamError(param, `${name}:${kv} is not a number or a range lo..hi`);
      }
      params[key] = value;
    }
    const p = params.p;
    if (p && (p.kind !== 'num' || p.v < 0 || p.v > 1)) throw new ParamError(param, `${name}:p must be a number in [0, 1]`);
    ops.push({ name: name!, params });
  }
  return ops;
}

function draw(v: Value, rng: RandomSource): number {
  if (v.kind === 'num') return v.v;
  if (v.kind === 'range') return v.lo + (v.hi - v.lo) * rng.next();
  throw new Error('internal: numeric parameter expected');
}
function choose(v: Value, rng: RandomSource): string {
  if (v.kind === 'choice') return v.options[Math.floor(rng.next() * v.options.length)]!;
  return String(draw(v, rng));
}

/** A configured augmenter. */
export interface Augmenter {
  /** The operations, parsed (defaults filled in). */
  readonly ops: readonly AugmentOp[];
  /** True when any waveform-level operation is present. */
  readonly hasWave: boolean;
  /** True when SpecAugment is present. */
  readonly hasFeatures: boolean;
  /** Mixup settings (α as drawn for this augmenter; {@link Augmenter.batch} applies it), or null. */
  readonly mixup: { alpha: number } | null;
  /** Waveform-level augmentation of one clip (a new array; the input is not modified). */
  wave(samples: Float32Array, sr: number): Float32Array;
  /** As `wave`, also listing what was applied (for manifests), e.g. `noise(pink,snr=12.3)`. */
  waveWithLog(samples: Float32Array, sr: number): { samples: Float32Array; applied: string[] };
  /** Feature-level augmentation (SpecAugment) of one clip's feature block (a new block). */
  features(x: FeatureBlock): FeatureBlock;
  /**
   * Batch-level augmentation (mixup) of a model batch x of B examples: the mixed batch, each example's
   * partner and the weight λ of the original; null without mixup or with fewer than two examples.
   */
  batch(x: Float32Array, B: number): { x: Float32Array; partner: Int32Array; lambda: number } | null;
}

/** Options for {@link makeAugmenter}. */
export interface AugmenterOptions {
  /** Speech clips to build babble noise from (other training clips). Without them, `babble` is not drawn. */
  babbleSources?: Float32Array[];
}

/**
 * Builds an augmenter from a spec. All randomness comes from `rng`, so a seeded generator gives the
 * same augmentations for the same sequence of calls.
 */
export function makeAugmenter(spec: string, rng: RandomSource, opts: AugmenterOptions = {}): Augmenter {
  const ops = parseAugmentSpec(spec);
  const byName = new Map(ops.map((o) => [o.name, o]));
  // Silent or empty clips cannot contribute to babble at a given power.
  const babble = (opts.babbleSources ?? []).filter((c) => c.some((v) => v !== 0));
  const waveOps = WAVE_ORDER.filter((n) => byName.has(n)).map((n) => byName.get(n)!);
  const sa = byName.get('specaugment');
  const mx = byName.get('mixup');
  const noiseOp = byName.get('noise');
  if (noiseOp) {
    const t = noiseOp.params.type!;
    const types = t.kind === 'choice' ? t.options : [];
    for (const ty of types)
      if (!['white', 'pink', 'brown', 'babble'].includes(ty))
        throw new ParamError('augment', `noise:type '${ty}' unknown (white, pink, brown, babble)`);
    // Babble is only possible with (non-silent) source clips; drop it from the choices otherwise.
    if (babble.length === 0 && t.kind === 'choice') {
      const rest = t.options.filter((o) => o !== 'babble');
      if (rest.length === 0) throw new ParamError('augment', 'noise:type=babble needs other clips to build babble from');
      noiseOp.params.type = { kind: 'choice', options: rest };
    }
  }

  const waveWithLog = (x: Float32Array, sr: number): { samples: Float32Array; applied: string[] } => {
    let y = x;
    const applied: string[] = [];
    for (const op of waveOps) {
      const P = op.params;
      if (rng.next() >= draw(P.p!, rng)) continue;
      switch (op.name) {
        case 'speed': {
          // Integer source rate (the resampler works in whole Hz): factor resolution 1/sr.
          const from = Math.round(sr * draw(P.factor!, rng));
          const f = from / sr;
          y = resample(y, from, sr);
          applied.push(`speed(${f.toFixed(3)})`);
          break;
        }
        case 'pitch': {
          const st = draw(P.semitones!, rng);
          y = psola(y, sr, { pitchRatio: Math.pow(2, st / 12) });
          applied.push(`pitch(${st.toFixed(2)}st)`);
          break;
        }
        case 'reverb': {
          const rt60 = draw(P.rt60!, rng),
            drr = draw(P.drr!, rng);
          y = applyRir(y, syntheticRir(sr, { rt60, drrDb: drr }, rng));
          applied.push(`reverb(rt60=${rt60.toFixed(2)},drr=${drr.toFixed(1)})`);
          break;
        }
        case 'noise': {
          const type = choose(P.type!, rng) as NoiseType;
          const snr = draw(P.snr!, rng);
          const n = type === 'babble' ? babbleNoise(y.length, babble, rng) : colouredNoise(y.length, type, rng);
          y = mixAtSnr(y, n, snr);
          applied.push(`noise(${type},snr=${snr.toFixed(1)})`);
          break;
        }
        case 'telephone': {
          const low = draw(P.low!, rng),
            high = draw(P.high!, rng);
          y = bandLimit(y, sr, { low, high, muLaw: draw(P.mulaw!, rng) >= 0.5 });
          applied.push(`telephone(${Math.round(low)}-${Math.round(high)})`);
          break;
        }
        case 'gain': {
          const db = draw(P.db!, rng);
          y = applyGain(y, db);
          applied.push(`gain(${db.toFixed(1)}dB)`);
          break;
        }
      }
    }
    return { samples: y === x ? Float32Array.from(x) : y, applied };
  };

  const mixup = mx ? { alpha: draw(mx.params.alpha!, rng) } : null;
  return {
    ops,
    hasWave: waveOps.length > 0,
    hasFeatures: !!sa,
    mixup,
    waveWithLog,
    wave: (x, sr) => waveWithLog(x, sr).samples,
    features: (x) => {
      if (!sa || rng.next() >= draw(sa.params.p!, rng)) return { rows: x.rows, frames: x.frames, data: Float32Array.from(x.data) };
      return specAugment(x, rng, {
        timeMasks: Math.round(draw(sa.params.time!, rng)),
        maxTimeWidth: Math.round(draw(sa.params.maxt!, rng)),
        freqMasks: Math.round(draw(sa.params.freq!, rng)),
        maxFreqWidth: Math.round(draw(sa.params.maxf!, rng)),
      });
    },
    batch: (x, B) => {
      if (!mixup || B < 2) return null;
      const plan = planMixup(B, mixup.alpha, rng);
      return { x: applyMixup(x, B, x.length / B, plan), partner: plan.partner, lambda: plan.lambda };
    },
  };
}

/** Checks a spec without running it (used by hyper-parameter validation); errors are about `param`. */
export function validateAugmentSpec(spec: string, param = 'augment'): void {
  if (spec.trim() === '') return;
  parseAugmentSpec(spec, param);
}
