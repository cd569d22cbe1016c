/**
 * Emotion profiles for converting neutral speech: how each target emotion moves pitch, tempo, voice
 * quality, loudness and phrasing relative to the speaker's own neutral delivery. Each value is a range;
 * every converted clip draws its own values (seeded), so one source clip yields varied renditions.
 *
 * Directions follow the vocal-affect literature (Banse & Scherer 1996; Scherer 2003; Juslin & Laukka
 * 2003): boredom — low, flat, slow, soft, lax; fear/panic — high, fast, loud, with *low* F0 variability
 * (its voice quality measured, not taken from the tense, trembling panic of the literature: see `panic`); joy/excitement — high, with *high* F0 variability,
 * fast, loud, bright, and smiled (lip spreading shortens the vocal tract and raises the formants:
 * Tartter 1980, Drahota et al. 2008); uncertainty — hesitation pauses and fillers, slower,
 * question-like final rise. Magnitudes are set to stay within what PSOLA does cleanly (pitch ratios
 * 0.8–1.5, tempo ±25 %). The table in docs/augmentation.md is generated from this data.
 */
import { z } from 'zod';
import { ParamError } from '../../engine/errors.js';
import { readJsonFile } from '../../engine/json-file.js';

/** An inclusive range a value is drawn from uniformly. */
export type Range = readonly [number, number];

/** How one emotion changes neutral speech. */
export interface EmotionProfile {
  /** One line for the docs. */
  description: string;
  /** F0 level: ratio applied to the utterance median F0. */
  f0Shift: Range;
  /** F0 range: scaling of log-F0 deviations around the utterance median (1 = unchanged, 0 = monotone). */
  f0Range: Range;
  /** Duration ratio, output / input (> 1 slower); tempo changes without pitch change. */
  duration: Range;
  /** Vocal tremor: F0 modulation rate (Hz) and depth (fraction of F0). */
  tremorHz: Range;
  tremorDepth: Range;
  /** Jitter: random period-to-period F0 perturbation, standard deviation as a fraction of F0. */
  jitter: Range;
  /** Spectral tilt: high-shelf gain above 1.5 kHz in dB (> 0 tense/bright, < 0 breathy/lax). */
  tiltDb: Range;
  /** Aspiration noise (> 2 kHz) following the speech envelope, RMS as a fraction of the speech RMS (breathy voice). */
  breathiness: Range;
  /** Overall gain, dB. */
  gainDb: Range;
  /**
   * Formant scaling (vocal-tract length): ratio applied to every formant frequency with F0 and tempo
   * unchanged (> 1 shorter tract, as in smiled speech; 1 = unchanged).
   */
  formant: Range;
  /** Loudness-contour contrast: the syllable envelope is raised to the power (1 + dynamics); < 0 flattens. */
  dynamics: Range;
  /** Loudness drift from the start to the end of the clip, dB (negative = trailing off). */
  declinationDb: Range;
  /** F0 ratio reached at the end of the last voiced stretch, ramped over `finalSec` (> 1 rise, < 1 fall). */
  finalRise: Range;
  /** Length of the phrase-final F0 movement, seconds. */
  finalSec: Range;
  /** Number of hesitation pauses inserted at phrase boundaries (integer range). */
  pauses: Range;
  /** Length of each inserted pause, seconds. */
  pauseSec: Range;
  /**
   * Probability that an inserted pause holds a filler ("uh"/"um") cut from the clip's own vowel, after its
   * silence. With `fillerProb` > 0 the first pause always holds one, so every clip has a filled pause.
   */
  fillerProb: number;
  /**
   * 0…1: how much of the source's own final F0 movement is replaced by a level contour before
   * `finalRise` applies (1 = a falling statement ending becomes level, then rises by `finalRise`;
   * 0 = the rise is added to the source's contour). Fixed, not drawn.
   */
  finalFlatten: number;
  /**
   * Phrase-final creak (vocal fry) over the last 0.2 s of voicing, 0…1: F0 lowered by up to 25 %,
   * alternate periods lengthened and shortened by up to 15 % (period doubling) and strong jitter.
   */
  creak: Range;
  /** Extra aspiration noise at the phrase end: added to `breathiness`, ramped in over `finalSec`. */
  finalBreath: Range;
  /**
   * First-harmonic level (dB): a peaking filter at the output median F0 (> 0 laxer/breathier voice with a
   * strong fundamental, < 0 tenser, pressed voice), the H1–H2 cue of voice quality.
   */
  h1Db: Range;
  /** Local stretch (× the clip's tempo) of the ~200 ms of speech before each inserted pause and at the phrase end. */
  lengthen: Range;
}

/** The built-in profiles, by label. */
export const EMOTION_PROFILES: Readonly<Record<string, EmotionProfile>> = Object.freeze({
  boredom: {
    description: 'low, flat, slow and soft with silent pauses; lax, breathy voice; falling end trailing off into creak',
    f0Shift: [0.86, 0.94],
    f0Range: [0.45, 0.7],
    duration: [1.1, 1.25],
    tremorHz: [0, 0],
    tremorDepth: [0, 0],
    jitter: [0.002, 0.005],
    tiltDb: [-7, -3],
    breathiness: [0.03, 0.08],
    gainDb: [-6, -2],
    formant: [1, 1],
    dynamics: [-0.35, -0.15],
    declinationDb: [-5, -2],
    finalRise: [0.88, 0.95],
    finalSec: [0.3, 0.5],
    pauses: [1, 2],
    pauseSec: [0.25, 0.6],
    fillerProb: 0,
    finalFlatten: 0,
    creak: [0.4, 1],
    finalBreath: [0.04, 0.12],
    h1Db: [2, 5],
    lengthen: [1.1, 1.3],
  },
  // Method 5: panic's voice quality is excitement's (no tremor, the same jitter, tilt and H1). Acted fear and
  // joy differ little in voice quality on both dev corpora (|d| ≤ 0.3 on ravdess-dev, fear *more* periodic
  // on tess-dev), while the old tense, trembling panic taught the opposite; without it the default recipe
  // gains on both corpora on 8 of 8 seeds (docs/experiment.md, ninth round).
  panic: {
    description: 'high, fast and loud, but with a narrow F0 range; voice quality as excitement (no tremor: acted fear is not trembling)',
    f0Shift: [1.3, 1.5],
    f0Range: [0.6, 0.9],
    duration: [0.78, 0.9],
    tremorHz: [0, 0],
    tremorDepth: [0, 0],
    jitter: [0.002, 0.005],
    tiltDb: [2, 5],
    breathiness: [0, 0],
    gainDb: [3, 7],
    formant: [1, 1],
    dynamics: [0.1, 0.3],
    declinationDb: [-1, 2],
    finalRise: [1.0, 1.12],
    finalSec: [0.2, 0.35],
    pauses: [0, 0],
    pauseSec: [0, 0],
    fillerProb: 0,
    finalFlatten: 0,
    creak: [0, 0],
    finalBreath: [0, 0],
    h1Db: [-2, 0],
    lengthen: [1, 1],
  },
  excitement: {
    description: 'high with a wide, lively range; fast, loud and bright; smiled (raised formants)',
    f0Shift: [1.15, 1.32],
    f0Range: [1.4, 1.75],
    duration: [0.84, 0.95],
    tremorHz: [0, 0],
    tremorDepth: [0, 0],
    jitter: [0.002, 0.005],
    tiltDb: [2, 5],
    breathiness: [0, 0],
    gainDb: [2, 6],
    formant: [1.04, 1.1],
    dynamics: [0.25, 0.5],
    declinationDb: [-1, 1],
    finalRise: [1.05, 1.2],
    finalSec: [0.25, 0.4],
    pauses: [0, 0],
    pauseSec: [0, 0],
    fillerProb: 0,
    finalFlatten: 0,
    creak: [0, 0],
    finalBreath: [0, 0],
    h1Db: [-2, 0],
    lengthen: [1, 1],
  },
  uncertainty: {
    description: 'hesitant: pauses and level-pitched fillers (uh/um), lengthened syllables before them, slower; rising or level end',
    f0Shift: [0.97, 1.05],
    f0Range: [0.85, 1.1],
    duration: [1.05, 1.18],
    tremorHz: [0, 0],
    tremorDepth: [0, 0],
    jitter: [0.003, 0.006],
    tiltDb: [-3, 0],
    breathiness: [0.01, 0.04],
    gainDb: [-3, 0],
    formant: [1, 1],
    dynamics: [-0.1, 0.05],
    declinationDb: [-3, 0],
    finalRise: [1.0, 1.4],
    finalSec: [0.3, 0.45],
    pauses: [1, 3],
    pauseSec: [0.3, 0.7],
    fillerProb: 0.7,
    finalFlatten: 1,
    creak: [0, 0],
    finalBreath: [0, 0],
    h1Db: [0, 2],
    lengthen: [1.25, 1.6],
  },
});

/**
 * Near-identity resynthesis for the `neutral` class of converted training data: the converter's whole
 * path (pitch tracking, PSOLA, loudness shaping, 16-bit 16 kHz output) with values that leave the delivery
 * neutral (F0 ±3 %, range ±10 %, tempo ±5 %, the mildest jitter of the emotion profiles, no pauses).
 * Why: when only the emotions are converted, "was this clip processed?" separates neutral from every
 * signal in training, and real emotional speech — never processed — looks neutral (issue 13: half of
 * ravdess-dev's fearful and happy clips were called neutral). Off by default (docs/experiment.md seventh
 * round). Not in {@link EMOTION_PROFILES}: it is not an emotion a user asks `convert` for.
 */
export const NEUTRAL_RESYNTHESIS: Readonly<EmotionProfile> = Object.freeze<EmotionProfile>({
  description: "neutral delivery kept: the converter's processing with near-identity values (no emotion)",
  f0Shift: [0.97, 1.03],
  f0Range: [0.9, 1.1],
  duration: [0.95, 1.05],
  tremorHz: [0, 0],
  tremorDepth: [0, 0],
  jitter: [0.002, 0.004],
  tiltDb: [-1, 1],
  breathiness: [0, 0],
  gainDb: [-1, 1],
  formant: [1, 1],
  dynamics: [-0.05, 0.05],
  declinationDb: [-1, 0.5],
  finalRise: [0.97, 1.03],
  finalSec: [0.25, 0.4],
  pauses: [0, 0],
  pauseSec: [0, 0],
  fillerProb: 0,
  finalFlatten: 0,
  creak: [0, 0],
  finalBreath: [0, 0],
  h1Db: [-0.5, 0.5],
  lengthen: [1, 1],
});

/** The values drawn for one converted clip (also written to the manifest). */
export interface DrawnProfile {
  f0Shift: number;
  f0Range: number;
  duration: number;
  tremorHz: number;
  tremorDepth: number;
  jitter: number;
  tiltDb: number;
  breathiness: number;
  gainDb: number;
  formant: number;
  dynamics: number;
  declinationDb: number;
  finalRise: number;
  finalSec: number;
  pauses: number;
  pauseSec: number[];
  fillers: boolean[];
  creak: number;
  finalBreath: number;
  h1Db: number;
  lengthen: number;
}

/** Keys of the numeric columns the manifest carries, in order. */
export const DRAWN_COLUMNS = [
  'f0Shift',
  'f0Range',
  'duration',
  'tremorHz',
  'tremorDepth',
  'jitter',
  'tiltDb',
  'breathiness',
  'gainDb',
  'formant',
  'dynamics',
  'declinationDb',
  'finalRise',
  'finalSec',
  'pauses',
  'creak',
  'finalBreath',
  'h1Db',
  'lengthen',
] as const;

/** Looks up profiles by name in `table` (default the built-ins), with an error that lists the known ones. */
export function resolveProfiles(
  names: readonly string[],
  table: Readonly<Record<string, EmotionProfile>> = EMOTION_PROFILES,
): [string, EmotionProfile][] {
  if (names.length === 0) throw new ParamError('emotions', 'give at least one emotion');
  return names.map((raw) => {
    const name = raw.trim().toLowerCase();
    const p = table[name];
    if (!p) throw new ParamError('emotions', `unknown emotion '${raw}' (known: ${Object.keys(table).join(', ')})`);
    return [name, p];
  });
}

// A profile file's ranges are bounded to what the converter does cleanly (PSOLA ratios, filter gains):
// a typo like "duration": [0.8, 9] is an error naming the field, not a 9× stretched clip.
const range = (lo: number, hi: number) =>
  z
    .tuple([z.number().min(lo).max(hi), z.number().min(lo).max(hi)])
    .refine(([a, b]) => a <= b, { message: 'range must be [min, max] with min ≤ max' });

const intRange = (lo: number, hi: number) =>
  z
    .tuple([z.number().int().min(lo).max(hi), z.number().int().min(lo).max(hi)])
    .refine(([a, b]) => a <= b, { message: 'range must be [min, max] with min ≤ max' });

/** Schema of one profile of a conversion profile file: every field of {@link EmotionProfile}, all optional when `base` is given. */
const ProfileFields = z
  .object({
    description: z.string(),
    f0Shift: range(0.5, 2),
    f0Range: range(0, 3),
    duration: range(0.5, 2),
    tremorHz: range(0, 15),
    tremorDepth: range(0, 0.2),
    jitter: range(0, 0.05),
    tiltDb: range(-18, 18),
    breathiness: range(0, 1),
    gainDb: range(-20, 20),
    formant: range(0.8, 1.25),
    dynamics: range(-0.9, 2),
    declinationDb: range(-20, 20),
    finalRise: range(0.5, 2),
    finalSec: range(0, 2),
    pauses: intRange(0, 10),
    pauseSec: range(0, 3),
    fillerProb: z.number().min(0).max(1),
    finalFlatten: z.number().min(0).max(1),
    creak: range(0, 1),
    finalBreath: range(0, 1),
    h1Db: range(-12, 12),
    lengthen: range(1, 3),
  })
  .strict();

/**
 * A conversion profile file: `{ "<label>": { "base": "<built-in>", ...fields to change } }` or a complete
 * profile (every field, no `base`). Labels become folder names, so they are letters, digits, _ and -.
 */
export const ConversionProfileFileSchema = z.record(z.string(), ProfileFields.partial().extend({ base: z.string().optional() }).strict());

const LABEL = /^[a-z0-9_-]+$/;

/**
 * Reads a conversion profile file (JSON, {@link ConversionProfileFileSchema}) and returns the profile
 * table it makes: the built-ins with the file's labels added or replacing them. A label with `base` starts
 * from that built-in profile; one without must give every field. Errors name `profilesFile` and the field.
 */
export function loadConversionProfiles(file: string): Record<string, EmotionProfile> {
  const entries = readJsonFile(file, ConversionProfileFileSchema, 'profilesFile', 'conversion profile file');
  const table: Record<string, EmotionProfile> = { ...EMOTION_PROFILES };
  for (const [label, entry] of Object.entries(entries)) {
    if (!LABEL.test(label))
      throw new ParamError(
        'profilesFile',
        `${file}: label '${label}': labels may use lower-case letters, digits, _ and - (a label becomes a folder name)`,
      );
    const { base, ...fields } = entry;
    let merged: unknown = fields;
    if (base !== undefined) {
      const from = EMOTION_PROFILES[base];
      if (!from)
        throw new ParamError(
          'profilesFile',
          `${file}: ${label}.base: unknown profile '${base}' (built-in: ${Object.keys(EMOTION_PROFILES).join(', ')})`,
        );
      merged = { ...from, ...fields };
    }
    const full = ProfileFields.safeParse(merged);
    if (!full.success) {
      const missing = full.error.issues.map((i) => `${label}.${i.path.join('.')}: ${i.message}`).join('; ');
      throw new ParamError('profilesFile', `${file}: ${missing} (give every field, or "base": a built-in profile to start from)`);
    }
    table[label] = Object.freeze(full.data) as EmotionProfile;
  }
  return table;
}
