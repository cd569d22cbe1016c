/**
 * `convertEmotions`: turns a folder of real neutral speech into a labelled emotion dataset
 * (DIR/<emotion>/<id>.wav, DIR/manifest.csv, DIR/datasheet.md), keeping the human voices.
 */
import { withOutputLock } from '../../data/out-lock.js';
import { mkdirSync, writeFileSync, existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { loadAudio } from '../../audio/load.js';
import { writeWav16 } from '../../audio/wav-write.js';
import { scanDataset } from '../../data/dataset.js';
import { measureProsody, type ProsodyStats } from '../../features/prosody.js';
import { trackPitch } from '../../features/pitch.js';
import { Rng } from '../../engine/rng.js';
import { deriveSeed } from '../random.js';
import { alphaRatioDb } from '../spectrum.js';
import { DRAWN_COLUMNS, EMOTION_PROFILES, resolveProfiles, type EmotionProfile } from './profiles.js';
import { convertClip } from './transform.js';
import { checkConversionProsody, CHECKED_DIRECTIONS, measureForCheck, type ConversionMeasures } from './check.js';
import { conversionCharts, writeCharts } from '../charts.js';
import { ParamError, renameParams } from '../../engine/errors.js';

export {
  EMOTION_PROFILES,
  NEUTRAL_RESYNTHESIS,
  resolveProfiles,
  loadConversionProfiles,
  ConversionProfileFileSchema,
  type EmotionProfile,
  type DrawnProfile,
  type Range,
} from './profiles.js';
export { resynthesiseNeutral, type ResynthesiseNeutralOptions } from './neutral.js';
export { convertClip, drawProfile, CONVERSION_METHOD_VERSION, type ConvertedClip } from './transform.js';
export {
  checkConversionProsody,
  measureForCheck,
  CHECKED_DIRECTIONS,
  type ConversionCheck,
  type ConversionMeasures,
  type DirectionResult,
} from './check.js';

/** Options for {@link convertEmotions}. */
export interface ConvertOptions {
  /** Folder of neutral clips (with labels.csv/manifest.csv, class folders, or just audio files), or a CSV manifest. */
  source: string;
  /** Output folder (created; existing clips of the same name are overwritten). */
  outDir: string;
  /** Target emotions (default: every label of `profiles`; built-in: boredom, panic, excitement, uncertainty). */
  emotions?: string[];
  /**
   * The profile table to convert with (default {@link EMOTION_PROFILES}); `loadConversionProfiles(file)`
   * makes one from a JSON file that changes or adds profiles.
   */
  profiles?: Readonly<Record<string, EmotionProfile>>;
  /** Converted variants per source clip and emotion, each with its own random draw (default 1). */
  perClip?: number;
  /** Base seed (default 1). Same seed and inputs → byte-identical output. */
  seed?: number;
  /**
   * Use only N source clips, taken in turn from each speaker (sorted), so a small subset still covers
   * every speaker — e.g. for a quick look or the demo.
   */
  limit?: number;
  /** Write F0 / level charts of the first clip's conversions to DIR/charts (default true). */
  charts?: boolean;
  /**
   * Check every boredom/uncertainty output against its source with `checkConversionProsody` (the
   * literature's directions): DIR/check.json lists each clip's result, the datasheet the pass rates.
   */
  check?: boolean;
  /** Called after each written clip. */
  onProgress?: (done: number, total: number) => void;
}

/** What {@link convertEmotions} wrote. */
export interface ConvertResult {
  outDir: string;
  /** Clips written per emotion. */
  counts: Record<string, number>;
  /** Source clips skipped (too little voicing, unreadable), with the reason. */
  skipped: { file: string; reason: string }[];
  manifest: string;
  datasheet: string;
  /** With `check`: pass rates per label and direction, and where the per-clip results are. */
  check?: CheckSummary;
}

/** Pass rates of the prosody check over a converted set. */
export interface CheckSummary {
  /** Per label: clips checked, clips passing every direction, and passes per direction. */
  labels: Record<string, { clips: number; pass: number; directions: Record<string, number> }>;
  /** DIR/check.json: every clip's directions with the measured values. */
  file: string;
}

interface SourceClip {
  file: string;
  speaker: string;
  id: string;
}

const AUDIO = /\.(wav|wave|flac|mp3|ogg|opus|oga)$/i;

/** Every audio file under `dir`, sorted (for folders with neither manifest nor class folders). */
function listAudio(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (AUDIO.test(e.name)) out.push(p);
    }
  };
  walk(dir);
  return out.sort();
}

/** Source clips: the dataset scanner when the folder has a manifest or class folders, else every audio file. */
function findSources(source: string): SourceClip[] {
  const abs = path.resolve(source);
  if (!existsSync(abs)) throw new ParamError('source', `${source} does not exist`);
  let items: { path: string; speaker: string | null }[];
  try {
    items = scanDataset(abs).items;
  } catch {
    items = listAudio(abs).map((p) => ({ path: p, speaker: null }));
  }
  if (items.length === 0) items = listAudio(abs).map((p) => ({ path: p, speaker: null }));
  if (items.length === 0) throw new ParamError('source', `no audio files found in ${source}`);
  const seen = new Map<string, number>();
  return [...items]
    .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))
    .map(({ path: file, speaker }) => {
      let id = path
        .basename(file)
        .replace(/\.[^.]+$/, '')
        .replace(/[^A-Za-z0-9._-]/g, '_');
      const n = seen.get(id) ?? 0;
      seen.set(id, n + 1);
      if (n > 0) id = `${id}_${n}`;
      return { file, speaker: speaker ?? path.basename(path.dirname(file)), id };
    });
}

/** Prosody plus spectral tilt of one clip, for the datasheet. */
type ClipStats = ProsodyStats & { alphaRatioDb: number };
function clipStats(x: Float32Array): ClipStats {
  return { ...measureProsody(x, 16000), alphaRatioDb: alphaRatioDb(x, 16000) };
}

/** An error's message without a leading "<file>: " (the file is reported next to it). */
function reasonOf(e: unknown, file: string): string {
  const msg = e instanceof Error ? e.message : String(e);
  return msg.startsWith(`${file}: `) ? msg.slice(file.length + 2) : msg;
}

function csvField(v: string | number): string {
  const s = typeof v === 'number' ? (Number.isInteger(v) ? String(v) : v.toFixed(4)) : v;
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** N clips, round-robin over speakers (each speaker's clips in sorted order). */
export function takeAcrossSpeakers<T extends { speaker: string }>(clips: readonly T[], n: number): T[] {
  const bySpeaker = new Map<string, T[]>();
  for (const c of clips) {
    const list = bySpeaker.get(c.speaker) ?? [];
    list.push(c);
    bySpeaker.set(c.speaker, list);
  }
  const queues = [...bySpeaker.keys()].sort().map((k) => bySpeaker.get(k)!);
  const out: T[] = [];
  for (let round = 0; out.length < n && queues.some((q) => q.length > round); round++) {
    for (const q of queues) if (round < q.length && out.length < n) out.push(q[round]!);
  }
  return out;
}

/**
 * Converts every source clip into each emotion (`perClip` variants each), writing 16 kHz mono 16-bit
 * WAVs, a manifest (path,label,speaker,source,variant,seed + the drawn profile values) and a datasheet
 * with the prosody measured per class. Deterministic: each output's random stream is seeded from
 * (seed, clip id, emotion, variant), so results do not depend on order.
 */
export async function convertEmotions(opts: ConvertOptions): Promise<ConvertResult> {
  if (!opts.outDir) throw new ParamError('outDir', 'an output folder is required');
  // One run per output folder (src/data/out-lock.ts): a concurrent second run fails instead of mixing files.
  return renameParams({ out: 'outDir' }, () => withOutputLock(opts.outDir, () => convertEmotionsLocked(opts)));
}

async function convertEmotionsLocked(opts: ConvertOptions): Promise<ConvertResult> {
  const table = opts.profiles ?? EMOTION_PROFILES;
  const profiles = resolveProfiles(opts.emotions ?? Object.keys(table), table);
  const perClip = opts.perClip ?? 1;
  if (!Number.isInteger(perClip) || perClip < 1) throw new ParamError('perClip', `must be a positive integer, got ${opts.perClip}`);
  const seed = opts.seed ?? 1;
  if (!Number.isInteger(seed)) throw new ParamError('seed', `must be an integer, got ${opts.seed}`);
  let sources = findSources(opts.source);
  if (opts.limit !== undefined) sources = takeAcrossSpeakers(sources, opts.limit);
  const outDir = path.resolve(opts.outDir);
  const sourceRoot = statSync(path.resolve(opts.source)).isDirectory()
    ? path.resolve(opts.source)
    : path.dirname(path.resolve(opts.source));
  for (const [name] of profiles) mkdirSync(path.join(outDir, name), { recursive: true });

  const header = ['path', 'label', 'speaker', 'source', 'variant', 'seed', ...DRAWN_COLUMNS, 'pause_sec', 'fillers'];
  const rows: string[] = [header.join(',')];
  const stats = new Map<string, ClipStats[]>();
  const counts: Record<string, number> = Object.fromEntries(profiles.map(([n]) => [n, 0]));
  const skipped: { file: string; reason: string }[] = [];
  const total = sources.length * profiles.length * perClip;
  let done = 0;
  const checks: { path: string; label: string; pass: boolean; directions: { direction: string; pass: boolean; detail: string }[] }[] = [];
  for (const src of sources) {
    let audio;
    try {
      audio = await loadAudio(src.file, { sr: 16000 });
    } catch (e) {
      skipped.push({ file: src.file, reason: reasonOf(e, src.file) });
      done += profiles.length * perClip;
      continue;
    }
    const srcStats = clipStats(audio.samples);
    if (!Number.isFinite(srcStats.f0MedianHz)) {
      // No F0 contour to modify (silence, noise, whisper): skip the clip once, not once per emotion.
      skipped.push({ file: src.file, reason: 'too little voiced speech to convert (fewer than 10 voiced frames)' });
      done += profiles.length * perClip;
      continue;
    }
    (stats.get('(source)') ?? stats.set('(source)', []).get('(source)')!).push(srcStats);
    const track = trackPitch(audio.samples, 16000); // shared by every emotion and variant of this clip
    let srcMeasures: ConversionMeasures | undefined; // measured once per source, when a checked label needs it
    for (const [name, profile] of profiles) {
      for (let v = 0; v < perClip; v++) {
        const clipSeed = deriveSeed(seed, `${src.id}|${name}|${v}`);
        let out;
        try {
          out = convertClip(audio.samples, 16000, profile, new Rng(clipSeed), src.file, track);
        } catch (e) {
          skipped.push({ file: src.file, reason: `${name}: ${reasonOf(e, src.file)}` });
          done++;
          continue;
        }
        const rel = path.posix.join(name, `${src.id}${perClip > 1 ? `_v${v}` : ''}.wav`);
        writeWav16(path.join(outDir, rel), out.samples, 16000);
        (stats.get(name) ?? stats.set(name, []).get(name)!).push(clipStats(out.samples));
        if (opts.check && CHECKED_DIRECTIONS[name]) {
          srcMeasures ??= measureForCheck(audio.samples, 16000, track);
          const r = checkConversionProsody(audio.samples, out.samples, 16000, name, srcMeasures);
          checks.push({ path: rel, label: name, pass: r.pass, directions: r.directions });
        }
        const d = out.drawn;
        rows.push(
          [
            rel,
            name,
            src.speaker,
            path.relative(sourceRoot, src.file).split(path.sep).join('/'),
            v,
            clipSeed,
            ...DRAWN_COLUMNS.map((k) => d[k]),
            d.pauseSec.map((p) => p.toFixed(3)).join(' '),
            d.fillers.map((f) => (f ? 1 : 0)).join(' '),
          ]
            .map(csvField)
            .join(','),
        );
        counts[name]!++;
        opts.onProgress?.(++done, total);
      }
    }
  }
  const manifest = path.join(outDir, 'manifest.csv');
  writeFileSync(manifest, rows.join('\n') + '\n');
  let chartFiles: string[] = [];
  const first = sources.find((s) => !skipped.some((k) => k.file === s.file));
  if ((opts.charts ?? true) && first) {
    const clip = (await loadAudio(first.file, { sr: 16000 })).samples;
    chartFiles = await writeCharts(
      path.join(outDir, 'charts'),
      conversionCharts(clip, 16000, (emotion) => deriveSeed(seed, `${first.id}|${emotion}|0`), profiles),
    );
  }
  let check: CheckSummary | undefined;
  if (opts.check) {
    const labels: CheckSummary['labels'] = {};
    for (const c of checks) {
      const l = (labels[c.label] ??= { clips: 0, pass: 0, directions: {} });
      l.clips++;
      if (c.pass) l.pass++;
      for (const d of c.directions) l.directions[d.direction] = (l.directions[d.direction] ?? 0) + (d.pass ? 1 : 0);
    }
    const file = path.join(outDir, 'check.json');
    writeFileSync(file, JSON.stringify({ labels, clips: checks }, null, 1) + '\n');
    check = { labels, file };
  }
  const datasheet = path.join(outDir, 'datasheet.md');
  const chartNote = chartFiles.length
    ? [
        '## Charts',
        '',
        `F0 contour and level of \`${first!.id}\` and its conversions:`,
        '',
        ...chartFiles.filter((f) => f.endsWith('.svg')).map((f) => `![${path.basename(f, '.svg')}](charts/${path.basename(f)})`),
        '',
      ]
    : [];
  writeFileSync(
    datasheet,
    renderDatasheet(opts, profiles, stats, counts, skipped, seed, perClip) + checkNote(check) + chartNote.join('\n'),
  );
  return { outDir, counts, skipped, manifest, datasheet, ...(check ? { check } : {}) };
}

/** Datasheet section with the prosody check's pass rates (empty without `check`). */
function checkNote(check: CheckSummary | undefined): string {
  if (!check) return '';
  const lines = [
    '## Prosody check against the source clips',
    '',
    'Each converted clip against the neutral clip it was made from (`checkConversionProsody`; directions and',
    'sources in docs/augmentation.md, per-clip values in check.json). Clips passing, of those checked:',
    '',
  ];
  for (const [label, l] of Object.entries(check.labels)) {
    lines.push(
      `- **${label}**: every direction ${l.pass}/${l.clips}; ${Object.entries(l.directions)
        .map(([d, n]) => `${d} ${n}/${l.clips}`)
        .join(', ')}`,
    );
  }
  return lines.join('\n') + '\n\n';
}

function meanSd(v: number[]): string {
  const f = v.filter(Number.isFinite);
  if (f.length === 0) return 'n/a';
  const m = f.reduce((a, b) => a + b, 0) / f.length;
  const sd = Math.sqrt(f.reduce((a, b) => a + (b - m) ** 2, 0) / Math.max(1, f.length - 1));
  const digits = Math.abs(m) >= 100 ? 0 : Math.abs(m) >= 10 ? 1 : 2;
  return `${m.toFixed(digits)} ± ${sd.toFixed(digits)}`;
}

/** Markdown table of a profile's ranges (used by the datasheet and docs/augmentation.md). */
export function profileTable(profiles: [string, EmotionProfile][]): string {
  const keys: (keyof EmotionProfile)[] = [
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
    'finalFlatten',
    'pauses',
    'pauseSec',
    'fillerProb',
    'creak',
    'finalBreath',
    'h1Db',
    'lengthen',
  ];
  const fmt = (v: unknown): string => (Array.isArray(v) ? (v[0] === v[1] ? String(v[0]) : `${v[0]}…${v[1]}`) : String(v));
  const lines = [`| | ${profiles.map(([n]) => n).join(' | ')} |`, `|---|${profiles.map(() => '---').join('|')}|`];
  for (const k of keys) lines.push(`| ${k} | ${profiles.map(([, p]) => fmt(p[k])).join(' | ')} |`);
  lines.push(`| description | ${profiles.map(([, p]) => p.description).join(' | ')} |`);
  return lines.join('\n');
}

function renderDatasheet(
  opts: ConvertOptions,
  profiles: [string, EmotionProfile][],
  stats: Map<string, ClipStats[]>,
  counts: Record<string, number>,
  skipped: { file: string; reason: string }[],
  seed: number,
  perClip: number,
): string {
  const cols: [keyof ClipStats, string][] = [
    ['durationSec', 'duration s'],
    ['rmsDb', 'RMS dBFS'],
    ['f0MedianHz', 'F0 median Hz'],
    ['f0RangeSt', 'F0 range st (5–95 %)'],
    ['voicedRatio', 'voiced fraction'],
    ['pauseRatio', 'pause fraction'],
    ['alphaRatioDb', 'alpha ratio dB (1–5 kHz vs < 1 kHz)'],
  ];
  const lines = [
    '# Converted emotional speech: datasheet',
    '',
    `Made by \`affexion convert\` from \`${opts.source}\` (real neutral speech), seed ${seed}, ${perClip} variant(s) per clip and emotion.`,
    'Method: TD-PSOLA pitch/tempo modification (pitch marks from the YIN tracker, waveform-matched epochs), F0 contour',
    '(level, range, tremor, jitter, phrase-final movement), hesitation pauses and fillers, loudness contour, spectral tilt.',
    '',
    '## Clips',
    '',
    ...Object.entries(counts).map(([k, v]) => `- ${k}: ${v}`),
    '',
    '## Measured prosody per class (mean ± sd over clips)',
    '',
    `| class | n | ${cols.map(([, l]) => l).join(' | ')} |`,
    `|---|---|${cols.map(() => '---').join('|')}|`,
  ];
  for (const [name, list] of stats) {
    lines.push(`| ${name} | ${list.length} | ${cols.map(([k]) => meanSd(list.map((s) => s[k]))).join(' | ')} |`);
  }
  lines.push('', '## Profiles (values drawn uniformly per clip)', '', profileTable(profiles), '');
  if (skipped.length) lines.push('## Skipped', '', ...skipped.map((s) => `- ${s.file}: ${s.reason}`), '');
  return lines.join('\n');
}
