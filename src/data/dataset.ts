/**
 * Dataset scanning. A dataset is either
 *  - a folder with one sub-folder per class (names case-insensitive; audio files anywhere below), or
 *  - a CSV manifest `path,label[,speaker][,group]` (paths relative to the CSV), given directly or as
 *    `labels.csv` / `manifest.csv` at the top of a folder.
 * Every file that is not used is listed in `skipped` with its reason; nothing is dropped silently.
 */
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { applyLabelMap, normalizeLabel, parseLabelMap, type LabelMap } from './label-map.js';
import { inferGroup, inferSpeaker } from './speakers.js';
import { ParamError } from '../engine/errors.js';

/** Extensions loadAudio decodes. */
export const AUDIO_EXTENSIONS: readonly string[] = ['.wav', '.wave', '.flac', '.mp3', '.ogg', '.opus', '.oga'];

/** File names looked for at the top of a dataset folder before treating it as class folders. */
export const MANIFEST_NAMES: readonly string[] = ['labels.csv', 'manifest.csv'];

/** One labelled clip. */
export interface DatasetItem {
  /** Absolute path of the audio file. */
  path: string;
  /** Class label after the label map (lower-case). */
  label: string;
  /** Label as written in the dataset, before the label map (lower-case). */
  originalLabel: string;
  /** Speaker / voice id when known (manifest column or inferred from a known file-name layout). */
  speaker: string | null;
  /** Group id, e.g. the sentence spoken (manifest column or inferred), for grouped cross-validation. */
  group: string | null;
  /**
   * For a clip with a speaker-reference label when that label is also a class (the neutral class): fixes
   * its role — 'reference' always normalises its speaker, 'class' is always a clip of the class. Absent:
   * {@link referenceHalf} (src/data/reference.ts) decides. Set by workflows, never read from a manifest.
   */
  referenceRole?: 'reference' | 'class';
}

/** A file the scan did not use, with the reason. */
export interface SkippedFile {
  file: string;
  reason: string;
}

/** Result of scanning a dataset. */
export interface Dataset {
  /** What was scanned (folder or CSV), absolute. */
  source: string;
  /** 'folders' (one sub-folder per class) or 'manifest' (CSV). */
  layout: 'folders' | 'manifest';
  items: DatasetItem[];
  /** Classes present after the label map, sorted. */
  classes: string[];
  /** Clips per class (after the label map). */
  counts: Record<string, number>;
  /** Class folders (or manifest labels) that ended up with no clips, e.g. an empty folder. */
  emptyClasses: string[];
  /** Clips dropped by the label map, per original label. */
  dropped: Record<string, number>;
  skipped: SkippedFile[];
  /** Things the scan fixed or suspects (duplicated manifest rows, label-map entries matching no label). */
  warnings: string[];
}

/** Options for {@link scanDataset}. */
export interface ScanOptions {
  /** Rename / drop labels: a parsed map or the `a=b,c=` string form. */
  labelMap?: LabelMap | string;
  /** Manifest column holding the label (default: the first of label, class, emotion, signal). */
  labelColumn?: string;
  /** Manifest column holding the speaker (default: the first of speaker, voice, actor, speaker_id). */
  speakerColumn?: string;
  /** The parameter the dataset was given as, named in errors about it (default `data`). */
  param?: string;
}

function isAudio(file: string): boolean {
  return AUDIO_EXTENSIONS.includes(path.extname(file).toLowerCase());
}

function listFilesRecursive(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...listFilesRecursive(p));
    else if (entry.isFile() || entry.isSymbolicLink()) out.push(p);
  }
  return out;
}

/** Finds the manifest to use for `source`, or null when it is a class-folder dataset. */
function findManifest(source: string): string | null {
  const st = statSync(source);
  if (st.isFile()) {
    if (path.extname(source).toLowerCase() !== '.csv') {
      throw new Error(`${source}: a dataset is a folder (one sub-folder per class) or a .csv manifest`);
    }
    return source;
  }
  for (const name of MANIFEST_NAMES) {
    const p = path.join(source, name);
    if (existsSync(p) && statSync(p).isFile()) return p;
  }
  return null;
}

/**
 * Scans a dataset folder or manifest. Throws (naming the path) when it does not exist or a manifest
 * lacks the path/label columns; files it cannot use are reported in `skipped`.
 */
export function scanDataset(source: string, opts: ScanOptions = {}): Dataset {
  const abs = path.resolve(source);
  const param = opts.param ?? 'data';
  if (!existsSync(abs)) throw new ParamError(param, `${source} does not exist`);
  const labelMap = typeof opts.labelMap === 'string' ? parseLabelMap(opts.labelMap) : opts.labelMap;
  const manifest = findManifest(abs);
  if (!manifest && (opts.labelColumn || opts.speakerColumn)) {
    throw new ParamError(opts.labelColumn ? 'labelColumn' : 'speakerColumn', `${source} is a folder per class, not a CSV manifest`);
  }
  const raw = manifest ? readManifest(manifest, opts) : readClassFolders(abs, param);
  const warnings = manifest ? deduplicate(raw) : [];

  const items: DatasetItem[] = [];
  const dropped: Record<string, number> = {};
  const seenLabels = new Set<string>();
  for (const r of raw.rows) {
    const original = normalizeLabel(r.label);
    seenLabels.add(original);
    const label = applyLabelMap(original, labelMap);
    if (label === null) {
      dropped[original] = (dropped[original] ?? 0) + 1;
      continue;
    }
    items.push({
      path: r.path,
      label,
      originalLabel: original,
      speaker: r.speaker ?? inferSpeaker(r.path),
      group: r.group ?? inferGroup(r.path),
    });
  }
  const counts: Record<string, number> = {};
  for (const it of items) counts[it.label] = (counts[it.label] ?? 0) + 1;
  const classes = Object.keys(counts).sort();
  // A class folder with no usable audio (after mapping, a label nothing maps onto stays out).
  const emptyClasses = raw.declaredClasses.map((c) => applyLabelMap(c, labelMap)).filter((c): c is string => c !== null && !(c in counts));
  if (labelMap) warnings.push(...labelMapWarnings(labelMap, seenLabels, source));
  return {
    source: manifest ?? abs,
    layout: manifest ? 'manifest' : 'folders',
    items,
    classes,
    counts,
    emptyClasses: [...new Set(emptyClasses)].sort(),
    dropped,
    skipped: raw.skipped,
    warnings,
  };
}

/**
 * A manifest listing one file twice would count it twice, and could put it on both sides of a
 * cross-validation fold: repeated rows are dropped with a warning; one file under two labels is an
 * error naming both lines.
 */
function deduplicate(raw: RawScan): string[] {
  const first = new Map<string, RawRow>();
  const rows: RawRow[] = [];
  const repeated: string[] = [];
  for (const r of raw.rows) {
    const seen = first.get(r.path);
    if (!seen) {
      first.set(r.path, r);
      rows.push(r);
      continue;
    }
    if (normalizeLabel(seen.label) !== normalizeLabel(r.label)) {
      throw new Error(`${r.where}: ${r.path} is labelled "${r.label}" here but "${seen.label}" at ${seen.where}; one clip needs one label`);
    }
    repeated.push(`${r.where} repeats ${seen.where}`);
  }
  raw.rows = rows;
  return repeated.length
    ? [`${repeated.length} duplicated manifest row(s) ignored (${repeated.slice(0, 3).join('; ')}${repeated.length > 3 ? '; …' : ''})`]
    : [];
}

/** Levenshtein distance (small strings: labels). */
export function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = cur;
  }
  return prev[b.length]!;
}

/**
 * Label-map entries naming no label of the data but close to one: a likely typo ("fearfull") gets a
 * "did you mean". Entries with no near label stay quiet: one map is often shared by several datasets
 * (`calm=` for a set without calm clips is fine, and reproduce applies the real set's map to synthetic speech).
 */
function labelMapWarnings(map: LabelMap, seen: ReadonlySet<string>, source: string): string[] {
  const unknown = [...map.keys()].filter((k) => !seen.has(k));
  const out: string[] = [];
  for (const k of unknown) {
    const near = [...seen]
      .map((l) => [l, editDistance(k, l)] as const)
      .filter(([, d]) => d <= Math.max(1, Math.floor(k.length / 3)))
      .sort((x, y) => x[1] - y[1]);
    if (near.length) out.push(`label map: "${k}" is not a label of ${source} (did you mean "${near[0]![0]}"?)`);
  }
  return out;
}

interface RawRow {
  path: string;
  label: string;
  speaker: string | null;
  group: string | null;
  where?: string;
}
interface RawScan {
  rows: RawRow[];
  skipped: SkippedFile[];
  declaredClasses: string[];
}

function readClassFolders(root: string, param: string): RawScan {
  const rows: RawRow[] = [];
  const skipped: SkippedFile[] = [];
  const declared: string[] = [];
  const entries = readdirSync(root, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1));
  for (const e of entries) {
    const p = path.join(root, e.name);
    if (!e.isDirectory()) {
      skipped.push({ file: p, reason: 'not inside a class folder' });
      continue;
    }
    if (e.name.startsWith('.')) {
      skipped.push({ file: p, reason: 'hidden folder, not a class' });
      continue;
    }
    const label = normalizeLabel(e.name);
    declared.push(label);
    for (const f of listFilesRecursive(p)) {
      if (isAudio(f)) rows.push({ path: f, label, speaker: null, group: null });
      else skipped.push({ file: f, reason: `not an audio file (extension "${path.extname(f) || 'none'}")` });
    }
  }
  if (declared.length === 0) {
    throw new ParamError(param, `${root} has no class sub-folders (expected one folder per class, or labels.csv)`);
  }
  return { rows, skipped, declaredClasses: declared };
}

/** Accepted column names, first match wins. */
const COLUMNS = {
  path: ['path', 'file', 'filename', 'audio', 'wav'],
  label: ['label', 'class', 'emotion', 'signal'],
  speaker: ['speaker', 'voice', 'actor', 'speaker_id'],
  group: ['group', 'sentence_id', 'sentence', 'statement', 'text'],
} as const;

function pickColumn(header: string[], names: readonly string[]): string | null {
  for (const n of names) if (header.includes(n)) return n;
  return null;
}

function readManifest(file: string, opts: ScanOptions): RawScan {
  let records: Record<string, string>[];
  try {
    records = parse(readFileSync(file, 'utf8'), {
      columns: (h: string[]) => h.map((c) => c.trim().toLowerCase()),
      skip_empty_lines: true,
      trim: true,
      bom: true,
      relax_column_count: true,
    }) as Record<string, string>[];
  } catch (err) {
    throw new ParamError(opts.param ?? 'data', `cannot parse manifest ${file}: ${(err as Error).message}`);
  }
  const header = records.length ? Object.keys(records[0]) : [];
  const chosen = (given: string | undefined, param: 'labelColumn' | 'speakerColumn'): string | null => {
    if (given === undefined) return null;
    const c = given.trim().toLowerCase();
    if (!header.includes(c))
      throw new ParamError(param, `manifest ${file} has no column "${given}" (found: ${header.join(', ') || 'none'})`);
    return c;
  };
  const pathCol = pickColumn(header, COLUMNS.path);
  const labelCol = chosen(opts.labelColumn, 'labelColumn') ?? pickColumn(header, COLUMNS.label);
  if (!pathCol || !labelCol) {
    throw new ParamError(
      opts.param ?? 'data',
      `manifest ${file} needs "path" and "label" columns (found: ${header.join(', ') || 'none'}; a label column of another name can be chosen)`,
    );
  }
  const speakerCol = chosen(opts.speakerColumn, 'speakerColumn') ?? pickColumn(header, COLUMNS.speaker);
  const groupCol = pickColumn(header, COLUMNS.group);
  const dir = path.dirname(file);
  const rows: RawRow[] = [];
  const skipped: SkippedFile[] = [];
  const declared = new Set<string>();
  records.forEach((rec, i) => {
    const rel = rec[pathCol] ?? '';
    const where = `${file}:${i + 2}`;
    if (rel === '') {
      skipped.push({ file: where, reason: 'empty path' });
      return;
    }
    const p = path.resolve(dir, rel);
    const label = rec[labelCol] ?? '';
    if (label === '') {
      skipped.push({ file: p, reason: `no label (${where})` });
      return;
    }
    declared.add(normalizeLabel(label));
    if (!existsSync(p)) {
      skipped.push({ file: p, reason: `file not found (${where})` });
      return;
    }
    if (!isAudio(p)) {
      skipped.push({ file: p, reason: `not an audio file (${where})` });
      return;
    }
    rows.push({
      path: p,
      label,
      speaker: speakerCol && rec[speakerCol] ? rec[speakerCol] : null,
      group: groupCol && rec[groupCol] ? rec[groupCol] : null,
      where: `${file}:${i + 2}`,
    });
  });
  return { rows, skipped, declaredClasses: [...declared] };
}

/** Multi-line, human-readable summary: counts per class, dropped labels, skipped files. */
export function describeDataset(ds: Dataset, maxSkipped = 10): string {
  const lines = [`${ds.source} (${ds.layout}): ${ds.items.length} clips in ${ds.classes.length} classes`];
  const total = ds.items.length || 1;
  for (const c of ds.classes)
    lines.push(`  ${c.padEnd(16)} ${String(ds.counts[c]).padStart(6)}  ${((100 * ds.counts[c]) / total).toFixed(1)} %`);
  for (const c of ds.emptyClasses) lines.push(`  ${c.padEnd(16)}      0  (empty class)`);
  for (const w of ds.warnings ?? []) lines.push(`  warning: ${w}`);
  const dropped = Object.entries(ds.dropped);
  if (dropped.length) lines.push(`  dropped by the label map: ${dropped.map(([l, n]) => `${l} ${n}`).join(', ')}`);
  if (ds.skipped.length) {
    lines.push(`  skipped ${ds.skipped.length} file(s):`);
    for (const s of ds.skipped.slice(0, maxSkipped)) lines.push(`    ${s.file}: ${s.reason}`);
    if (ds.skipped.length > maxSkipped) lines.push(`    … and ${ds.skipped.length - maxSkipped} more`);
  }
  return lines.join('\n');
}

/** Keeps the items with the given indices (for folds and splits), recomputing counts. */
export function subsetDataset(ds: Dataset, indices: readonly number[]): Dataset {
  const items = indices.map((i) => ds.items[i]);
  const counts: Record<string, number> = {};
  for (const it of items) counts[it.label] = (counts[it.label] ?? 0) + 1;
  return { ...ds, items, classes: Object.keys(counts).sort(), counts, emptyClasses: [], dropped: {}, skipped: [], warnings: [] };
}

/**
 * Several scanned datasets as one (items in order, a path listed once; counts and classes recomputed),
 * e.g. a converted set with the neutral speech it was made from. `source` names the result in reports.
 */
export function mergeDatasets(parts: readonly Dataset[], source: string): Dataset {
  const seen = new Set<string>();
  const items: DatasetItem[] = [];
  for (const d of parts)
    for (const it of d.items)
      if (!seen.has(it.path)) {
        seen.add(it.path);
        items.push(it);
      }
  const counts: Record<string, number> = {};
  for (const it of items) counts[it.label] = (counts[it.label] ?? 0) + 1;
  return {
    source,
    layout: 'manifest',
    items,
    classes: Object.keys(counts).sort(),
    counts,
    emptyClasses: [],
    dropped: Object.assign({}, ...parts.map((d) => d.dropped)),
    skipped: parts.flatMap((d) => d.skipped),
    warnings: parts.flatMap((d) => d.warnings),
  };
}
