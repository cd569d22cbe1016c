/**
 * Structure rules of issue 12 that a later commit could silently undo: every folder's index.ts opens
 * with an overview and a short example; every layer's forward() carries its own doc comment (not one
 * that drifted onto the method above it); CLI tests live under test/cli/.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const src = path.join(root, 'src');

test('every src folder index.ts opens with an overview and a ```ts example', () => {
  const missing: string[] = [];
  for (const dir of readdirSync(src).filter((d) => statSync(path.join(src, d)).isDirectory())) {
    const index = path.join(src, dir, 'index.ts');
    if (dir === 'cli') continue; // the CLI's entry is main.ts (commands, not an API)
    let text: string;
    try {
      text = readFileSync(index, 'utf8');
    } catch {
      missing.push(`src/${dir}/index.ts: missing`);
      continue;
    }
    const head = text.match(/^\/\*\*[\s\S]*?\*\//)?.[0] ?? '';
    if (!head) missing.push(`src/${dir}/index.ts: does not open with a /** overview */`);
    else if (!head.includes('```ts')) missing.push(`src/${dir}/index.ts: overview has no \`\`\`ts example`);
  }
  assert.deepEqual(missing, []);
});

test("each layer's forward() is directly preceded by its own doc comment", () => {
  const dir = path.join(src, 'model', 'layers');
  const bad: string[] = [];
  for (const f of readdirSync(dir).filter((n) => n.endsWith('.ts'))) {
    const lines = readFileSync(path.join(dir, f), 'utf8').split('\n');
    lines.forEach((line, i) => {
      if (/^ {2}forward\(/.test(line) && !/\*\/\s*$/.test(lines[i - 1] ?? '')) bad.push(`${f}:${i + 1}`);
      // Two doc comments in a row: the first one belongs to something else.
      if (/^ {2}\/\*\*.*\*\/\s*$/.test(line) && /^ {2}\/\*\*/.test(lines[i + 1] ?? ''))
        bad.push(`${f}:${i + 1} (doc comment followed by another)`);
    });
  }
  assert.deepEqual(bad, []);
});

test('tests that start the CLI live under test/cli/', () => {
  const offenders: string[] = [];
  const walk = (d: string): void => {
    for (const n of readdirSync(d)) {
      const p = path.join(d, n);
      if (statSync(p).isDirectory()) {
        if (n !== 'cli') walk(p);
        continue;
      }
      const rel = path.relative(root, p).split(path.sep).join('/');
      if (n.endsWith('.test.ts') && /src\/cli\/main\.ts/.test(readFileSync(p, 'utf8'))) offenders.push(rel);
    }
  };
  walk(path.join(root, 'test'));
  assert.deepEqual(offenders, []);
});
