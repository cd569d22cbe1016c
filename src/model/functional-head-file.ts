/**
 * The functional head's file in a model folder (`functional-head.json`, src/model/functional-head.ts):
 * written after training, read with the model. Node-only; the head itself (fit, probabilities, fusion,
 * the JSON check) is in functional-head.ts, which the browser bundles too.
 */
import { existsSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { writeFileAtomic } from '../data/cache.js';
import { checkFunctionalHead, FUNCTIONAL_HEAD_FILE, type FunctionalHead } from './functional-head.js';

/** Writes the head into a model folder (atomic). */
export function saveFunctionalHead(dir: string, head: FunctionalHead): void {
  writeFileAtomic(path.join(dir, FUNCTIONAL_HEAD_FILE), JSON.stringify(head, null, 1) + '\n');
}

/** Removes a head from a model folder (a model retrained without fusion must not keep an old one). */
export function removeFunctionalHead(dir: string): void {
  rmSync(path.join(dir, FUNCTIONAL_HEAD_FILE), { force: true });
}

/** The head stored in a model folder, checked against the model's classes (errors name the file); undefined when absent. */
export function readFunctionalHead(dir: string, classes: readonly string[]): FunctionalHead | undefined {
  const file = path.join(dir, FUNCTIONAL_HEAD_FILE);
  if (!existsSync(file)) return undefined;
  let h: unknown;
  try {
    h = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new Error(`${file}: not valid JSON (${(err as Error).message})`);
  }
  return checkFunctionalHead(h, classes, file);
}
