/**
 * Content hash of a dataset: every clip's path (relative to the dataset), label, speaker, group and
 * the SHA-256 of its bytes. A queue job carries it so a worker whose copy of the data differs (another
 * version, a partial sync) refuses the job instead of training on other data. Relative paths, so the
 * same files mounted at another place hash the same.
 */
import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { scanDataset, type Dataset } from '../../data/dataset.js';
import { renameParams } from '../../engine/errors.js';

/** Hashes by the files' (path, size, mtime): a long-running worker hashes each dataset once. */
const memo = new Map<string, string>();

/** The dataset's content hash (16 hex digits). */
export function datasetContentHash(ds: Dataset): string {
  const root = ds.layout === 'manifest' ? path.dirname(ds.source) : ds.source;
  const stats = ds.items.map((it) => {
    const st = statSync(it.path);
    return `${it.path}\0${st.size}\0${st.mtimeMs}`;
  });
  const memoKey = createHash('sha256').update(ds.source).update(JSON.stringify(ds.items)).update(stats.join('\n')).digest('hex');
  const known = memo.get(memoKey);
  if (known) return known;
  const h = createHash('sha256');
  for (const it of ds.items) {
    const bytes = createHash('sha256').update(readFileSync(it.path)).digest('hex');
    h.update(`${path.relative(root, it.path).split(path.sep).join('/')}\0${it.label}\0${it.speaker ?? ''}\0${it.group ?? ''}\0${bytes}\n`);
  }
  const hash = h.digest('hex').slice(0, 16);
  memo.set(memoKey, hash);
  return hash;
}

/** Scans `dir` (with the label map) and returns its absolute path and content hash; errors name `param`. */
export function dataRef(dir: string, labelMap: string | undefined, param: string): { path: string; hash: string } {
  const ds = renameParams({ data: param }, () => scanDataset(dir, { labelMap }));
  return { path: path.resolve(dir), hash: datasetContentHash(ds) };
}
