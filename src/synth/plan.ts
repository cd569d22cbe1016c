/**
 * Turns options into a deterministic list of clip jobs: which class, voice, length, sentences and
 * prosody each clip gets. Balance rules: within a class, voices rotate clip by clip and lengths
 * alternate (shifted each round of voices), so every voice speaks every class (and every length) equally often
 * whenever --per-class is a multiple of voices × lengths. Everything random comes from per-clip seeds
 * derived from the run seed, so a clip does not depend on how many workers render it or in what order.
 */
import { readFileSync } from 'node:fs';
import { Rng } from '../engine/rng.js';
import { drawClipProsody, type ClipProsody, type ProsodyProfile } from './profiles.js';
import { SENTENCE_BANK } from './sentences/index.js';
import type { VoiceSpec } from './voices.js';
import { ParamError } from '../engine/errors.js';

/** Clip lengths as in the paper. */
export const LENGTHS = { short: [3, 4], long: [10, 12] } as const;
export type LengthKind = keyof typeof LENGTHS;

/** A sentence with a stable id (bank label + number, or "user-N"). */
export interface Sentence {
  id: string;
  text: string;
}

/** Everything needed to render one clip. */
export interface ClipJob {
  id: string;
  label: string;
  index: number;
  voice: VoiceSpec;
  length: LengthKind;
  minSec: number;
  maxSec: number;
  /** Duration aimed at (uniform in [minSec, maxSec]). */
  targetSec: number;
  /** Sentences in the order they may be used; the renderer takes as many as the length needs. */
  sentences: Sentence[];
  /** Prosody values drawn for this clip from its class profile. */
  prosody: ClipProsody;
  /** Hesitation fillers the class may insert. */
  fillers: string[];
  seed: number;
  /** Path relative to the output folder. */
  relPath: string;
}

/** FNV-1a 32-bit hash: stable per-clip seeds from strings. */
export function hash32(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

/** Splits one CSV line into fields (RFC 4180 quoting: "a, b" and "" inside quotes). */
function splitCsvLine(line: string): string[] {
  const out: string[] = [];
  let cur = '',
    quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]!;
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') {
        cur += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else cur += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      out.push(cur);
      cur = '';
    } else cur += ch;
  }
  out.push(cur);
  return out;
}

/**
 * Reads a user sentence file: `.csv` with a header containing `label` and `text` columns (sentences per
 * class), otherwise plain text with one sentence per line (used for every class). Blank lines and lines
 * starting with # are ignored.
 */
export function loadSentenceFile(file: string): { perLabel: Record<string, Sentence[]>; all: Sentence[] } {
  let raw: string;
  try {
    raw = readFileSync(file, 'utf8');
  } catch (e) {
    throw new ParamError('sentencesFile', `${file}: cannot read (${(e as Error).message})`);
  }
  const lines = raw
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));
  const perLabel: Record<string, Sentence[]> = {};
  const all: Sentence[] = [];
  if (file.toLowerCase().endsWith('.csv')) {
    const header = (lines.shift() ?? '').split(',').map((h) => h.trim().toLowerCase());
    const li = header.indexOf('label'),
      ti = header.indexOf('text');
    if (li < 0 || ti < 0) throw new ParamError('sentencesFile', `${file}: CSV needs a header with "label" and "text" columns`);
    lines.forEach((line, n) => {
      const cells = splitCsvLine(line);
      // An unquoted text may contain commas: when text is the last column, it takes the rest of the line.
      const text = (ti === header.length - 1 ? cells.slice(ti).join(',') : (cells[ti] ?? '')).trim();
      const label = (cells[li] ?? '').trim();
      if (!label || !text) throw new ParamError('sentencesFile', `${file}: line ${n + 2} needs a label and a text`);
      (perLabel[label] ??= []).push({ id: `user-${label}-${String(perLabel[label]!.length + 1).padStart(3, '0')}`, text });
    });
  } else {
    lines.forEach((text, n) => all.push({ id: `user-${String(n + 1).padStart(4, '0')}`, text }));
  }
  if (!all.length && !Object.keys(perLabel).length) throw new ParamError('sentencesFile', `${file}: no sentences found`);
  return { perLabel, all };
}

const bankSentences = (label: string): Sentence[] =>
  (SENTENCE_BANK[label] ?? []).map((text, i) => ({ id: `${label}-${String(i + 1).padStart(3, '0')}`, text }));

/** Options for {@link planClips}. */
export interface PlanOptions {
  classes: string[];
  perClass: number;
  voices: VoiceSpec[];
  lengths: LengthKind[];
  seed: number;
  profiles: Record<string, ProsodyProfile>;
  /** 'emotion': each class speaks its own sentences (as the paper); 'shared': all classes draw from one pool. */
  textMode: 'emotion' | 'shared';
  /** User sentences (from --sentences); replace the built-in bank where given. */
  userSentences?: { perLabel: Record<string, Sentence[]>; all: Sentence[] };
  levelJitterDb?: number;
}

function sentencesFor(label: string, o: PlanOptions): Sentence[] {
  const user = o.userSentences;
  if (user?.perLabel[label]?.length) return user.perLabel[label]!;
  if (user?.all.length) return user.all;
  const fromProfile = o.profiles[label]?.sentences;
  if (fromProfile?.length) return fromProfile.map((text, i) => ({ id: `${label}-profile-${String(i + 1).padStart(3, '0')}`, text }));
  const bank = bankSentences(label);
  return bank.length ? bank : bankSentences('neutral');
}

/** Builds the clip jobs for a run (deterministic in the options). */
export function planClips(o: PlanOptions): ClipJob[] {
  if (!o.voices.length) throw new ParamError('voices', 'at least one voice is needed');
  if (!o.lengths.length) throw new ParamError('lengths', 'at least one of short, long is needed');
  const shared = o.textMode === 'shared' ? o.classes.flatMap((c) => sentencesFor(c, o)) : null;
  const jobs: ClipJob[] = [];
  for (const label of o.classes) {
    const pool = shared ?? sentencesFor(label, o);
    // A shuffled deck per class, dealt in order and reshuffled when used up: every sentence is used
    // about equally often, and which voice gets which sentence is random.
    const deckRng = new Rng(hash32(`${o.seed}:deck:${label}`));
    let deck: Sentence[] = [];
    const deal = (): Sentence => {
      if (!deck.length) deck = deckRng.shuffle([...pool]) as Sentence[];
      return deck.pop()!;
    };
    const V = o.voices.length;
    for (let i = 0; i < o.perClass; i++) {
      const voice = o.voices[i % V]!;
      // Lengths alternate clip by clip and shift by one each round of voices, so small runs get both
      // lengths and each voice gets each length equally often.
      const length = o.lengths[((i % V) + Math.floor(i / V)) % o.lengths.length]!;
      const [minSec, maxSec] = LENGTHS[length];
      const seed = hash32(`${o.seed}:${label}:${i}`);
      const rng = new Rng(seed);
      const prosody = drawClipProsody(o.profiles[label]!, rng, o.levelJitterDb);
      const targetSec = Math.round((minSec + (maxSec - minSec) * rng.next()) * 1000) / 1000;
      // Enough sentences for the longest case (slow speech needs fewer words per second, so it uses fewer).
      const need = length === 'short' ? 3 : 8;
      const sentences = Array.from({ length: need }, deal);
      const id = `${label}_${String(i + 1).padStart(4, '0')}`;
      jobs.push({
        id,
        label,
        index: i,
        voice,
        length,
        minSec,
        maxSec,
        targetSec,
        sentences,
        prosody,
        fillers: o.profiles[label]!.fillers,
        seed,
        relPath: `${label}/${id}.wav`,
      });
    }
  }
  return jobs;
}
