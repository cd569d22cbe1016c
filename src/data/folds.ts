/**
 * Cross-validation folds: stratified k-fold, and a grouped variant in which no group (speaker or
 * sentence) is on both the training and the validation side of any fold. {@link foldPlan} is the
 * whole plan of a cross-validation on a dataset (folds, both sides, warnings) in one call. Data layer,
 * beside split.ts: a fold is a split of a dataset's labelled clips and needs nothing of the model.
 */
import type { Dataset } from './dataset.js';
import { Rng } from '../engine/rng.js';
import { ParamError } from '../engine/errors.js';

export type GroupBy = 'speaker' | 'text' | 'none';
export const GROUP_BY: readonly GroupBy[] = ['speaker', 'text', 'none'];

/** Validation indices of each fold (training side = everything else). */
export type Folds = number[][];

function checkK(n: number, k: number): void {
  if (!Number.isInteger(k) || k < 2) throw new ParamError('folds', `need an integer ≥ 2, got ${k}`);
  if (n < k) throw new ParamError('folds', `${k}: the dataset has only ${n} clips, fewer than the number of folds`);
}

/**
 * Stratified k-fold: each class's clips are shuffled (seeded) and dealt round-robin across folds, the
 * dealing continuing from class to class so fold sizes differ by at most one.
 */
export function stratifiedKFold(labels: readonly number[], k: number, seed: number): Folds {
  checkK(labels.length, k);
  const rng = new Rng(seed);
  const byClass = new Map<number, number[]>();
  labels.forEach((y, i) => {
    const list = byClass.get(y) ?? [];
    list.push(i);
    byClass.set(y, list);
  });
  const folds: Folds = Array.from({ length: k }, () => []);
  let next = 0;
  for (const y of [...byClass.keys()].sort((a, b) => a - b)) {
    for (const i of rng.shuffle(byClass.get(y) as number[])) {
      folds[next].push(i);
      next = (next + 1) % k;
    }
  }
  for (const f of folds) f.sort((a, b) => a - b);
  return folds;
}

/**
 * Stratified group k-fold: whole groups are assigned to folds, largest first (ties in seeded random
 * order), each to the fold where it brings the per-class counts closest to their ideal share
 * (squared error), preferring smaller folds on ties. Throws when there are fewer groups than folds.
 */
export function stratifiedGroupKFold(
  labels: readonly number[],
  groups: readonly string[],
  k: number,
  seed: number,
  groupName = 'groups',
): Folds {
  checkK(labels.length, k);
  if (groups.length !== labels.length) throw new Error('stratifiedGroupKFold: labels and groups differ in length');
  const nClasses = Math.max(...labels) + 1;
  const members = new Map<string, number[]>();
  groups.forEach((g, i) => {
    const list = members.get(g) ?? [];
    list.push(i);
    members.set(g, list);
  });
  if (members.size < k) {
    throw new ParamError(
      'folds',
      `${k}: only ${members.size} distinct ${groupName}, fewer than the number of folds (use fewer folds or no grouping)`,
    );
  }
  const rng = new Rng(seed);
  const order = rng.shuffle([...members.keys()].sort()) as string[];
  // Stable sort keeps the shuffled order among equal sizes.
  order.sort((a, b) => (members.get(b) as number[]).length - (members.get(a) as number[]).length);
  const total = new Array<number>(nClasses).fill(0);
  for (const y of labels) total[y]++;
  const ideal = total.map((c) => c / k);
  const counts = Array.from({ length: k }, () => new Array<number>(nClasses).fill(0));
  const sizes = new Array<number>(k).fill(0);
  const folds: Folds = Array.from({ length: k }, () => []);
  for (const g of order) {
    const idx = members.get(g) as number[];
    const add = new Array<number>(nClasses).fill(0);
    for (const i of idx) add[labels[i]]++;
    let best = -1;
    let bestCost = Infinity;
    for (let f = 0; f < k; f++) {
      let cost = 0;
      for (let c = 0; c < nClasses; c++) {
        const before = counts[f][c] - ideal[c];
        const after = counts[f][c] + add[c] - ideal[c];
        cost += after * after - before * before;
      }
      // Empty folds first, so every fold gets at least one group.
      if (sizes[f] === 0) cost = -Infinity;
      if (cost < bestCost || (cost === bestCost && sizes[f] < sizes[best])) {
        best = f;
        bestCost = cost;
      }
    }
    for (let c = 0; c < nClasses; c++) counts[best][c] += add[c];
    sizes[best] += idx.length;
    folds[best].push(...idx);
  }
  for (const f of folds) f.sort((a, b) => a - b);
  return folds;
}

/**
 * Groups shared between the training and validation side of any fold (a plain k-fold "leak").
 * Returns, per fold, the leaked group names (empty when none).
 */
export function foldLeaks(folds: Folds, groups: readonly (string | null)[]): string[][] {
  return folds.map((val) => {
    const inVal = new Set<number>(val);
    const valGroups = new Set<string>();
    for (const i of val) if (groups[i] != null) valGroups.add(groups[i] as string);
    const leaked = new Set<string>();
    groups.forEach((g, i) => {
      if (g != null && !inVal.has(i) && valGroups.has(g)) leaked.add(g);
    });
    return [...leaked].sort();
  });
}

/** Training-side indices of a fold. */
export function trainIndices(n: number, val: readonly number[]): number[] {
  const inVal = new Set(val);
  const out: number[] = [];
  for (let i = 0; i < n; i++) if (!inVal.has(i)) out.push(i);
  return out;
}

/** The group of each clip for a grouping, with a clear error when the dataset does not carry it. */
export function groupsFor(ds: Dataset, items: readonly number[], groupBy: Exclude<GroupBy, 'none'>): string[] {
  const field = groupBy === 'speaker' ? 'speaker' : 'group';
  const missing = items.filter((i) => ds.items[i]![field] === null);
  if (missing.length) {
    throw new ParamError(
      'groupBy',
      `${groupBy}: ${missing.length} clip(s) have no ${groupBy === 'speaker' ? 'speaker' : 'sentence/group'} ` +
        `(e.g. ${ds.items[missing[0]!]!.path}); add a "${field}" column to the manifest or group by none`,
    );
  }
  return items.map((i) => ds.items[i]![field] as string);
}

/** Warnings for a plain k-fold that puts one speaker / sentence on both sides of a fold. */
export function leakWarnings(ds: Dataset, items: readonly number[], folds: Folds): string[] {
  const warnings: string[] = [];
  for (const [field, name, flag] of [
    ['speaker', 'speaker', 'speaker'],
    ['group', 'sentence/group', 'text'],
  ] as const) {
    const groups = items.map((i) => ds.items[i]![field]);
    if (groups.every((g) => g === null)) continue;
    const leaked = new Set(foldLeaks(folds, groups).flat());
    if (leaked.size) {
      warnings.push(
        `plain k-fold: ${leaked.size} ${name}${leaked.size > 1 ? 's' : ''} (e.g. ${[...leaked].slice(0, 3).join(', ')}) ` +
          `appear on both the training and validation side of a fold, so the figures are optimistic; use --group-by ${flag}`,
      );
    }
  }
  return warnings;
}

/** A cross-validation's folds (validation and training indices into the labelled clips) and the warnings about them. */
export interface FoldPlan {
  folds: { val: number[]; train: number[] }[];
  warnings: string[];
}

/**
 * The folds of a cross-validation of the labelled clips `items` (dataset item indices) with targets
 * `labels`: grouped by speaker / sentence or plain stratified, seeded; warnings for a plain k-fold that
 * leaks a speaker or sentence and for folds without a validation clip of some class.
 */
export function foldPlan(
  ds: Dataset,
  items: readonly number[],
  labels: readonly number[],
  classes: readonly string[],
  o: { k: number; groupBy: GroupBy; seed: number },
): FoldPlan {
  const groups = o.groupBy === 'none' ? null : groupsFor(ds, items, o.groupBy);
  const folds = groups
    ? stratifiedGroupKFold(labels, groups, o.k, o.seed, o.groupBy === 'speaker' ? 'speakers' : 'sentences/groups')
    : stratifiedKFold(labels, o.k, o.seed);
  const warnings = groups ? [] : leakWarnings(ds, items, folds);
  for (const [f, val] of folds.entries()) {
    const present = new Set(val.map((i) => labels[i]));
    const absent = classes.filter((_, c) => !present.has(c));
    if (absent.length)
      warnings.push(`fold ${f + 1} has no validation clip of ${absent.join(', ')} (too few clips or groups for ${o.k} folds)`);
  }
  return { folds: folds.map((val) => ({ val, train: trainIndices(labels.length, val) })), warnings };
}
