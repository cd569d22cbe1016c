/**
 * Synthetic speech (layer: data / synth). `synthesize`: a balanced, documented, folder-per-class
 * training set of synthetic emotional speech — offline with espeak / flite (npm WebAssembly builds), or
 * with GPT-4o audio (the paper's method). Resumable and seeded; writes manifest.csv and datasheet.md.
 *
 * ```ts
 * const r = await synthesize({ out: 'synthetic/', perClass: 70, provider: 'mixed', seed: 1 });
 * console.log(r.generated, r.manifestPath);                        // <class>/<id>.wav, manifest.csv, datasheet.md
 * ```
 */
import { withOutputLock } from '../data/out-lock.js';
import { assertSafeLabel } from '../data/label-path.js';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Rng } from '../engine/rng.js';
import { datasheetMarkdown } from './datasheet.js';
import { trimAtQuietPoint, setLevel, fadeEdges } from './dsp.js';
import { openaiClient, openaiGenerateSentences, openaiSynthesize, type OpenAIOptions } from './engines/openai.js';
import { LENGTHS, loadSentenceFile, planClips, type ClipJob, type LengthKind, type Sentence } from './plan.js';
import { renderOfflineJobs } from './pool.js';
import { loadProfileFile, resolveProfiles, type ProsodyProfile } from './profiles.js';
import { existingClip, manifestCsv, saveClip, type ClipRecord } from './record.js';
import { OUT_RATE, toOutRate } from './render.js';
import { resolveVoices, type ProviderName } from './voices.js';
import { ParamError } from '../engine/errors.js';

export type { ClipRecord } from './record.js';
export type { ProsodyProfile, ClipProsody } from './profiles.js';
export { BUILTIN_PROFILES } from './profiles.js';
export type { VoiceSpec, ProviderName } from './voices.js';
export { VOICES, DEFAULT_VOICES } from './voices.js';
export type { OpenAIOptions } from './engines/openai.js';
export { SENTENCE_BANK } from './sentences/index.js';

/** The paper's four classes. */
export const DEFAULT_CLASSES = ['boredom', 'panic', 'excitement', 'uncertainty'] as const;

/** Options of {@link synthesize}. Only `out` is required. */
export interface SynthOptions {
  /** Output folder (created). Existing clips in it are kept (resumable). */
  out: string;
  /** Clips per class (default 70). */
  perClass?: number;
  /** Class labels (default boredom, panic, excitement, uncertainty). Unknown labels need `profilesFile`. */
  classes?: string[];
  /** espeak | flite | mixed (espeak + flite) | openai (default mixed). */
  provider?: ProviderName;
  /** Voice ids (see VOICES); default 5 voices (2 male, 3 female) per provider. */
  voices?: string[];
  /** Seed (default 1). Same seed and options → byte-identical output. */
  seed?: number;
  /** Clip lengths: short (3–4 s), long (10–12 s); default both. */
  lengths?: LengthKind[];
  /** Parallel workers (offline) or requests (openai); default: all cores (offline), 4 (openai). */
  concurrency?: number;
  /** Sentence file: .csv with label,text or .txt with one sentence per line (all classes). */
  sentencesFile?: string;
  /** JSON prosody profiles for new classes or to override built-in ones (docs/synth.md). */
  profilesFile?: string;
  /** 'emotion' (default, as the paper) or 'shared' (all classes speak the same sentence pool). */
  textMode?: 'emotion' | 'shared';
  /** ± per-clip level jitter in dB (default 8). */
  levelJitterDb?: number;
  /** OpenAI provider settings. */
  openai?: OpenAIOptions & { /** Generate this many new sentences per class with a chat model first. */ generateSentences?: number };
  /** Progress callback after each clip (generated or kept). */
  onProgress?: (done: number, total: number, record: ClipRecord) => void;
  /** Informational messages (cost estimate, counts). Default: none. */
  log?: (msg: string) => void;
}

/** What {@link synthesize} did. */
export interface SynthResult {
  outDir: string;
  records: ClipRecord[];
  generated: number;
  kept: number;
  manifestPath: string;
  datasheetPath: string;
  seconds: number;
}

function intOption(param: string, v: number | undefined, def: number, min: number): number {
  const x = v ?? def;
  if (!Number.isInteger(x) || x < min) throw new ParamError(param, `expected an integer ≥ ${min}, got ${v}`);
  return x;
}

/** Estimated OpenAI cost in USD for the clips to generate (audio output dominates). */
export function estimateOpenAICostUsd(jobs: readonly ClipJob[], o: OpenAIOptions = {}): number {
  const minutes = jobs.reduce((a, j) => a + j.targetSec, 0) / 60;
  return minutes * (o.pricePerMinuteUsd ?? 0.1);
}

/** Text for one OpenAI clip: whole sentences until the target length is likely reached (~2.6 words/s). */
function openaiText(job: ClipJob): { text: string; ids: string[] } {
  const out: Sentence[] = [];
  let words = 0;
  for (const s of job.sentences) {
    out.push(s);
    words += s.text.split(/\s+/).length;
    if (words >= job.targetSec * 2.6) break;
  }
  return { text: out.map((s) => s.text).join(' '), ids: out.map((s) => s.id) };
}

const pkgVersion = (): string => {
  try {
    return (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
  } catch {
    return 'unknown';
  }
};

/**
 * Generates (or completes) a synthetic emotional speech set in `opts.out`: `<class>/<id>.wav`,
 * `manifest.csv` and `datasheet.md`.
 */
export async function synthesize(opts: SynthOptions): Promise<SynthResult> {
  if (!opts.out) throw new ParamError('out', 'an output folder is required');
  // One run per output folder (src/data/out-lock.ts): a concurrent second run fails instead of mixing files.
  return withOutputLock(opts.out, () => synthesizeLocked(opts));
}

async function synthesizeLocked(opts: SynthOptions): Promise<SynthResult> {
  const t0 = Date.now();
  if (!opts.out) throw new ParamError('out', 'an output folder is required');
  const provider = opts.provider ?? 'mixed';
  if (!['espeak', 'flite', 'mixed', 'openai'].includes(provider))
    throw new ParamError('provider', `expected espeak, flite, mixed or openai, got "${provider}"`);
  const perClass = intOption('perClass', opts.perClass, 70, 1);
  const seed = intOption('seed', opts.seed, 1, 0);
  const classes = opts.classes?.length ? opts.classes.map((c) => c.trim()) : [...DEFAULT_CLASSES];
  for (const c of classes) assertSafeLabel(c, 'classes');
  if (new Set(classes).size !== classes.length) throw new ParamError('classes', 'a label is listed twice');
  const lengths = opts.lengths?.length ? opts.lengths : (['short', 'long'] as LengthKind[]);
  for (const l of lengths) if (!(l in LENGTHS)) throw new ParamError('lengths', `expected short and/or long, got "${l}"`);
  const textMode = opts.textMode ?? 'emotion';
  if (textMode !== 'emotion' && textMode !== 'shared') throw new ParamError('textMode', `expected emotion or shared, got "${textMode}"`);
  const fromFile: Record<string, ProsodyProfile> = opts.profilesFile ? loadProfileFile(opts.profilesFile) : {};
  const profiles = resolveProfiles(classes, fromFile);
  const voices = resolveVoices(provider, opts.voices);
  const userSentences = opts.sentencesFile ? loadSentenceFile(opts.sentencesFile) : undefined;
  const concurrency = intOption(
    'concurrency',
    opts.concurrency,
    provider === 'openai' ? 4 : Math.max(1, os.availableParallelism?.() ?? os.cpus().length),
    1,
  );
  const log = opts.log ?? ((): void => {});

  const outDir = path.resolve(opts.out);
  mkdirSync(outDir, { recursive: true });
  const client = provider === 'openai' ? openaiClient(opts.openai) : null;

  // Optional chat-generated sentences (OpenAI only), cached in the output folder so resumed runs reuse them.
  let sentences = userSentences;
  const gen = opts.openai?.generateSentences ?? 0;
  if (gen > 0) {
    if (!client) throw new ParamError('generateSentences', 'needs the openai provider');
    const cache = path.join(outDir, 'generated-sentences.csv');
    let perLabel: Record<string, Sentence[]> = {};
    try {
      perLabel = loadSentenceFile(cache).perLabel;
    } catch {
      perLabel = {};
    }
    for (const c of classes) {
      if (perLabel[c]?.length) continue;
      const lines = await openaiGenerateSentences(client, c, gen, opts.openai);
      perLabel[c] = lines.map((text, i) => ({ id: `gen-${c}-${String(i + 1).padStart(3, '0')}`, text }));
    }
    const quote = (t: string): string => `"${t.replace(/[\r\n]+/g, ' ').replace(/"/g, '""')}"`;
    writeFileSync(cache, 'label,text\n' + classes.flatMap((c) => perLabel[c]!.map((s) => `${c},${quote(s.text)}`)).join('\n') + '\n');
    sentences = { perLabel: { ...(userSentences?.perLabel ?? {}), ...perLabel }, all: userSentences?.all ?? [] };
  }

  const jobs = planClips({
    classes,
    perClass,
    voices,
    lengths,
    seed,
    profiles,
    textMode,
    userSentences: sentences,
    levelJitterDb: opts.levelJitterDb,
  });
  const records = new Map<string, ClipRecord>();
  const pending: ClipJob[] = [];
  for (const j of jobs) {
    const rec = existingClip(outDir, j);
    if (rec) records.set(j.id, rec);
    else pending.push(j);
  }
  const kept = records.size;
  log(
    `synth: ${jobs.length} clips planned (${classes.length} classes × ${perClass}, ${voices.length} voices, provider ${provider}); ${kept} already present, ${pending.length} to generate`,
  );
  let done = kept;
  const onDone = (rec: ClipRecord): void => {
    records.set(path.basename(rec.path, '.wav'), rec);
    opts.onProgress?.(++done, jobs.length, rec);
  };

  if (provider === 'openai') {
    log(
      `synth: estimated OpenAI cost for ${pending.length} clips: about $${estimateOpenAICostUsd(pending, opts.openai).toFixed(2)} ` +
        `(${opts.openai?.model ?? 'gpt-4o-audio-preview'}, $${(opts.openai?.pricePerMinuteUsd ?? 0.1).toFixed(3)}/min of audio)`,
    );
    let next = 0;
    let failed = false; // after one clip fails for good, the other workers stop asking (requests cost money)
    const worker = async (): Promise<void> => {
      while (next < pending.length && !failed) {
        const job = pending[next++]!;
        const { text, ids } = openaiText(job);
        const rng = new Rng(job.seed);
        let audio;
        try {
          audio = await openaiSynthesize(client!, text, job.label, job.voice.engineVoice, opts.openai, () => rng.next());
        } catch (e) {
          failed = true;
          throw e;
        }
        let x = toOutRate(audio.samples, audio.sampleRate);
        if (x.length / OUT_RATE > job.maxSec) x = trimAtQuietPoint(x, OUT_RATE, job.minSec, job.maxSec);
        setLevel(x, OUT_RATE, job.prosody.levelDb);
        fadeEdges(x, OUT_RATE, 0.005);
        onDone(saveClip(outDir, job, { samples: x, text, sentenceIds: ids }));
      }
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, pending.length) }, worker));
  } else {
    await renderOfflineJobs(pending, outDir, concurrency, onDone);
  }

  const ordered = jobs.map((j) => records.get(j.id)!);
  const manifestPath = path.join(outDir, 'manifest.csv');
  writeFileSync(manifestPath, manifestCsv(ordered));
  const datasheetPath = path.join(outDir, 'datasheet.md');
  writeFileSync(
    datasheetPath,
    datasheetMarkdown(ordered, {
      provider,
      seed,
      classes,
      perClass,
      lengths,
      textMode,
      profiles,
      version: pkgVersion(),
      voices: voices.map((v) => ({ id: v.id, sex: v.sex, description: v.description })),
      model: opts.openai?.model,
    }),
  );
  return { outDir, records: ordered, generated: pending.length, kept, manifestPath, datasheetPath, seconds: (Date.now() - t0) / 1000 };
}
