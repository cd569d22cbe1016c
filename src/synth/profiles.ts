/**
 * Prosody profiles: how each class is spoken, as data. A profile gives ranges; every clip draws its own
 * values uniformly inside them (seeded), so clips of a class vary but stay typical of it.
 * Users add classes (or override built-in ones) with a JSON file validated by {@link ProfileFileSchema}.
 */
import { z } from 'zod';
import type { Rng } from '../engine/rng.js';
import { ParamError } from '../engine/errors.js';
import { readJsonFile } from '../engine/json-file.js';

const range = (lo: number, hi: number) =>
  z
    .tuple([z.number().min(lo).max(hi), z.number().min(lo).max(hi)])
    .refine(([a, b]) => a <= b, { message: 'range must be [min, max] with min ≤ max' });

/** Schema of one profile (all ranges are [min, max]). */
export const ProfileSchema = z.object({
  /** Why the profile looks like this (goes into the datasheet). */
  description: z.string().default(''),
  /** Pitch level change from the voice's neutral level, semitones. */
  pitchShiftSt: range(-12, 12),
  /** Multiplier on the voice's pitch excursions (1 = neutral, < 1 flatter). */
  pitchRange: range(0.05, 4),
  /** Speaking-rate multiplier (1 = neutral). */
  rate: range(0.4, 2.5),
  /** Loudness offset in dB from the common level; a wider per-clip jitter is added on top. */
  loudnessDb: range(-20, 20),
  /** Pause after a phrase (comma, semicolon), seconds. */
  phrasePauseSec: range(0, 3),
  /** Pause after a sentence, seconds. */
  sentencePauseSec: range(0, 4),
  /** Probability of a hesitation filler before each phrase. */
  fillerRate: z.number().min(0).max(1),
  /** Fillers to draw from (spoken slowly as their own phrase). */
  fillers: z.array(z.string().min(1)).default([]),
  /** Probability that a sentence ending becomes a question (rising end). */
  finalRise: z.number().min(0).max(1),
  /** Tremor: vibrato depth in semitones (0 = none). */
  tremorDepthSt: range(0, 3),
  /** Tremor rate, Hz. */
  tremorHz: range(0, 15),
  /** Tremor: amplitude-modulation depth (0..1). */
  tremoloDepth: range(0, 0.9),
  /** Vocal effort as spectral tilt: > 0 brighter (pressed, loud voice), < 0 duller (lax voice). Default 0. */
  effort: range(-1, 1).default([0, 0]),
  /** Optional sentences for this class (otherwise the built-in bank, or neutral sentences). */
  sentences: z.array(z.string().min(1)).optional(),
});

/** A prosody profile. */
export type ProsodyProfile = z.infer<typeof ProfileSchema>;

/** A profile file: `{ "<label>": profile, ... }`. */
export const ProfileFileSchema = z.record(z.string().regex(/^[A-Za-z0-9_-]+$/, 'labels may use letters, digits, _ and -'), ProfileSchema);

/** Built-in profiles, after the acoustic correlates of these states in the literature (e.g. Scherer 2003). */
export const BUILTIN_PROFILES: Readonly<Record<string, ProsodyProfile>> = {
  boredom: {
    description: 'Low, flat, slow and quiet; long pauses, an occasional sigh-like filler.',
    pitchShiftSt: [-4, -2],
    pitchRange: [0.25, 0.45],
    rate: [0.72, 0.85],
    loudnessDb: [-2, -1],
    effort: [-0.6, -0.3],
    phrasePauseSec: [0.3, 0.55],
    sentencePauseSec: [0.6, 0.9],
    fillerRate: 0.08,
    fillers: ['hmm', 'meh', 'well'],
    finalRise: 0,
    tremorDepthSt: [0, 0],
    tremorHz: [0, 0],
    tremoloDepth: [0, 0],
  },
  panic: {
    description: 'High, wide, fast and loud; short pauses, tremor in pitch and amplitude.',
    pitchShiftSt: [5, 8],
    pitchRange: [1.5, 2.0],
    rate: [1.25, 1.45],
    loudnessDb: [1, 2.5],
    effort: [0.5, 0.9],
    phrasePauseSec: [0.03, 0.1],
    sentencePauseSec: [0.1, 0.25],
    fillerRate: 0.1,
    fillers: ['oh no', 'oh god', 'please'],
    finalRise: 0,
    tremorDepthSt: [0.6, 1.0],
    tremorHz: [6, 9],
    tremoloDepth: [0.15, 0.3],
  },
  excitement: {
    description: 'High, very wide pitch range, fast and loud; short pauses; no tremor.',
    pitchShiftSt: [3, 6],
    pitchRange: [1.7, 2.3],
    rate: [1.1, 1.25],
    loudnessDb: [1, 2],
    effort: [0.3, 0.7],
    phrasePauseSec: [0.08, 0.18],
    sentencePauseSec: [0.2, 0.4],
    fillerRate: 0.1,
    fillers: ['wow', 'oh', 'yes'],
    finalRise: 0,
    tremorDepthSt: [0, 0],
    tremorHz: [0, 0],
    tremoloDepth: [0, 0],
  },
  uncertainty: {
    description: 'Near-neutral pitch, slowish; many hesitation fillers and long pauses; rising (question) endings.',
    pitchShiftSt: [-0.5, 1],
    pitchRange: [0.9, 1.2],
    rate: [0.8, 0.92],
    loudnessDb: [-1.5, -0.5],
    effort: [-0.3, 0],
    phrasePauseSec: [0.45, 0.8],
    sentencePauseSec: [0.7, 1.1],
    fillerRate: 0.6,
    fillers: ['um', 'uh', 'hmm', 'well', 'I mean', 'you know'],
    finalRise: 0.8,
    tremorDepthSt: [0, 0],
    tremorHz: [0, 0],
    tremoloDepth: [0, 0],
  },
  neutral: {
    description: 'The voice as it is: neutral level, range and rate, ordinary pauses.',
    pitchShiftSt: [-0.5, 0.5],
    pitchRange: [0.9, 1.1],
    rate: [0.95, 1.05],
    loudnessDb: [-0.5, 0.5],
    effort: [0, 0],
    phrasePauseSec: [0.15, 0.3],
    sentencePauseSec: [0.35, 0.6],
    fillerRate: 0,
    fillers: [],
    finalRise: 0,
    tremorDepthSt: [0, 0],
    tremorHz: [0, 0],
    tremoloDepth: [0, 0],
  },
};

/**
 * Reads and validates a profile file. Errors name the file and the offending field.
 */
export function loadProfileFile(file: string): Record<string, ProsodyProfile> {
  return readJsonFile(file, ProfileFileSchema, 'profilesFile', 'profile file');
}

/** Resolves a profile per requested class; unknown classes must come from the profile file. */
export function resolveProfiles(classes: readonly string[], fromFile: Record<string, ProsodyProfile> = {}): Record<string, ProsodyProfile> {
  const out: Record<string, ProsodyProfile> = {};
  for (const c of classes) {
    const p = fromFile[c] ?? BUILTIN_PROFILES[c];
    if (!p) {
      throw new ParamError(
        'classes',
        `no prosody profile for "${c}"; built-in: ${Object.keys(BUILTIN_PROFILES).join(', ')}. ` +
          'Give one in a profile file (JSON, see docs/synth.md).',
      );
    }
    out[c] = p;
  }
  return out;
}

/** The prosody values one clip is spoken with (drawn from its class profile). */
export interface ClipProsody {
  pitchShiftSt: number;
  pitchRange: number;
  rate: number;
  /** Target active-speech level, dBFS (class offset + per-clip jitter). */
  levelDb: number;
  phrasePauseSec: number;
  sentencePauseSec: number;
  fillerRate: number;
  finalRise: number;
  tremorDepthSt: number;
  tremorHz: number;
  tremoloDepth: number;
  /** Spectral tilt for vocal effort (−1 … 1). */
  effort: number;
}

/** Common speech level before class offsets, dBFS. */
export const BASE_LEVEL_DB = -26;

/**
 * Draws one clip's prosody. `levelJitterDb` is the ± uniform per-clip level variation: it is larger
 * than the differences between the classes' loudness offsets, so level alone is a weak cue (vocal
 * effort is carried by spectral tilt instead, as in real voices whose recording gain is arbitrary).
 */
export function drawClipProsody(p: ProsodyProfile, rng: Rng, levelJitterDb = 8): ClipProsody {
  const u = ([a, b]: readonly [number, number]): number => a + (b - a) * rng.next();
  const r3 = (x: number): number => Math.round(x * 1000) / 1000;
  return {
    pitchShiftSt: r3(u(p.pitchShiftSt)),
    pitchRange: r3(u(p.pitchRange)),
    rate: r3(u(p.rate)),
    levelDb: r3(BASE_LEVEL_DB + u(p.loudnessDb) + u([-levelJitterDb, levelJitterDb])),
    phrasePauseSec: r3(u(p.phrasePauseSec)),
    sentencePauseSec: r3(u(p.sentencePauseSec)),
    fillerRate: p.fillerRate,
    finalRise: p.finalRise,
    tremorDepthSt: r3(u(p.tremorDepthSt)),
    tremorHz: r3(u(p.tremorHz)),
    tremoloDepth: r3(u(p.tremoloDepth)),
    effort: r3(u(p.effort)),
  };
}
