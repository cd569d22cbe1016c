/**
 * Label maps: rename or drop class labels while reading a dataset, e.g.
 * `fearful=panic,happy=excitement,calm=` (an empty target, or `-`, drops the label).
 */
import { ParamError } from '../engine/errors.js';

/** Original label (lower-case) → new label, or `null` to drop clips with that label. */
export type LabelMap = ReadonlyMap<string, string | null>;

/** Labels are compared case-insensitively: `Panic/` and `panic/` are one class. */
export function normalizeLabel(label: string): string {
  return label.trim().toLowerCase();
}

/**
 * Parses `from=to,from2=to2,drop=` (also `drop=-`). Throws a ParamError naming `labelMap` on malformed
 * entries or a label mapped twice.
 */
export function parseLabelMap(spec: string | undefined | null): LabelMap {
  const map = new Map<string, string | null>();
  if (spec == null || spec.trim() === '') return map;
  for (const raw of spec.split(',')) {
    const entry = raw.trim();
    if (entry === '') continue;
    const eq = entry.indexOf('=');
    if (eq <= 0) {
      throw new ParamError('labelMap', `expected entries like "fearful=panic" (or "calm=" to drop), got "${entry}"`);
    }
    const from = normalizeLabel(entry.slice(0, eq));
    const toRaw = normalizeLabel(entry.slice(eq + 1));
    if (map.has(from)) throw new ParamError('labelMap', `label "${from}" is mapped twice`);
    map.set(from, toRaw === '' || toRaw === '-' ? null : toRaw);
  }
  return map;
}

/** Applies a map to one label: the new label, the label itself when unmapped, or null when dropped. */
export function applyLabelMap(label: string, map: LabelMap | undefined): string | null {
  const key = normalizeLabel(label);
  if (!map || !map.has(key)) return key;
  return map.get(key) ?? null;
}

/** Inverse of parseLabelMap, for logs and saved run settings. */
export function formatLabelMap(map: LabelMap): string {
  return [...map].map(([from, to]) => `${from}=${to ?? ''}`).join(',');
}
