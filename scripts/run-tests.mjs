#!/usr/bin/env node
// Runs every test/**/*.test.ts with node's test runner (TypeScript through tsx). Node 20's --test does
// not expand globs itself, so the file list is built here. Extra arguments are passed to node --test
// (e.g. `npm test -- --test-name-pattern=mfcc`) or, if they end in .ts or name a folder, select test files.
// The whole-suite run (no files picked, as in CI) first lints the tree with ESLint (eslint.config.js) and
// checks its formatting with Prettier (.prettierrc.json); either failing fails the run, but the tests
// still run so one pass shows every problem.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import path from 'node:path';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
function collect(dir) {
  const out = [];
  for (const name of readdirSync(dir).sort()) {
    const p = path.join(dir, name);
    if (statSync(p).isDirectory()) out.push(...collect(p));
    else if (name.endsWith('.test.ts')) out.push(p);
  }
  return out;
}
const args = process.argv.slice(2);
// A test file or a folder of them (`npm test -- test/monitor`) selects; anything else goes to node --test.
const isFolder = (a) => !a.startsWith('-') && existsSync(a) && statSync(a).isDirectory();
const selectors = args.filter((a) => a.endsWith('.ts') || isFolder(a));
const flags = args.filter((a) => !selectors.includes(a));
const picked = selectors.flatMap((a) => (a.endsWith('.ts') ? [a] : collect(path.resolve(a))));
if (selectors.length && !picked.length) {
  console.error(`npm test: no *.test.ts files in ${selectors.join(', ')}`);
  process.exit(2);
}
const files = picked.length ? picked : collect(path.join(root, 'test'));
let lintFailed = false;
let formatFailed = false;
if (!picked.length) {
  const eslint = path.join(root, 'node_modules', 'eslint', 'bin', 'eslint.js');
  const lint = spawnSync(process.execPath, [eslint, '.'], { cwd: root, stdio: 'inherit' });
  lintFailed = lint.status !== 0;
  console.log(lintFailed ? 'lint: eslint found problems (listed above)' : 'lint: eslint passed');
  const prettier = path.join(root, 'node_modules', 'prettier', 'bin', 'prettier.cjs');
  const format = spawnSync(process.execPath, [prettier, '--check', '--log-level', 'warn', '.'], { cwd: root, stdio: 'inherit' });
  formatFailed = format.status !== 0;
  console.log(formatFailed ? 'format: prettier would change the files above (npm run format rewrites them)' : 'format: prettier passed');
}
const r = spawnSync(process.execPath, ['--import', 'tsx', '--test', ...flags, ...files], { cwd: root, stdio: 'inherit' });
if (lintFailed) console.error('npm test: the tests ran, but eslint failed (see "lint:" above)');
if (formatFailed) console.error('npm test: the tests ran, but the formatting check failed (see "format:" above)');
process.exit(lintFailed || formatFailed ? 1 : (r.status ?? 1));
