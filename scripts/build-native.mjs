#!/usr/bin/env node
// Builds the native compute core (native/) with node-gyp, offline. Fails with a message naming what is
// missing, because a half-installed engine would only surface later as a confusing load error.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

const require = createRequire(import.meta.url);
const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');

function has(cmd, args = ['--version']) {
  const r = spawnSync(cmd, args, { stdio: 'ignore' });
  return r.status === 0;
}

const missing = [];
if (!has('g++')) missing.push('a C++ compiler (g++; Debian: apt-get install g++)');
if (!has('make')) missing.push('make (Debian: apt-get install make)');
if (!has('python3')) missing.push('python3 (node-gyp needs it)');

// Node's own headers: prefer the machine's (no download); node-gyp would otherwise try the internet.
const nodedirCandidates = [process.env.npm_config_nodedir, path.resolve(process.execPath, '..', '..'), '/usr', '/usr/local'];
const nodedir = nodedirCandidates.find((d) => d && existsSync(path.join(d, 'include', 'node', 'node_api.h')));
if (!nodedir)
  missing.push(`Node.js headers (include/node/node_api.h next to ${process.execPath}; Debian: apt-get install libnode-dev or nodejs-dev)`);

if (missing.length) {
  console.error(`affexion: cannot build the native compute core; missing:\n  - ${missing.join('\n  - ')}`);
  process.exit(1);
}

let gyp = process.env.npm_config_node_gyp;
if (!gyp || !existsSync(gyp)) {
  const candidates = [
    path.join(path.dirname(process.execPath), '..', 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'),
    '/usr/lib/node_modules/npm/node_modules/node-gyp/bin/node-gyp.js',
    '/usr/local/lib/node_modules/npm/node_modules/node-gyp/bin/node-gyp.js',
  ];
  try {
    candidates.unshift(require.resolve('node-gyp/bin/node-gyp.js'));
  } catch {
    /* not installed locally */
  }
  gyp = candidates.find((c) => existsSync(c));
}
if (!gyp) {
  console.error('affexion: cannot build the native compute core: node-gyp not found (it ships with npm).');
  process.exit(1);
}

// One build at a time per checkout: node-gyp rebuild deletes and rewrites build/, so two concurrent
// builds (e.g. two npm installs) would clobber each other. mkdir is atomic; a lock older than 20 min
// is a leftover of a killed build.
const lockDir = path.join(root, '.native-build.lock');
const sleep = (ms) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
for (let waited = false; ;) {
  try {
    mkdirSync(lockDir);
    break;
  } catch (err) {
    if (err.code !== 'EEXIST') throw err;
    let age;
    try {
      age = Date.now() - statSync(lockDir).mtimeMs;
    } catch {
      continue;
    }
    if (age > 20 * 60 * 1000) {
      rmSync(lockDir, { recursive: true, force: true });
      continue;
    }
    if (!waited) console.error(`affexion: another native build is running in ${root}; waiting for it`);
    waited = true;
    sleep(1000);
  }
}
const release = () => rmSync(lockDir, { recursive: true, force: true });
process.on('exit', release);
for (const sig of ['SIGINT', 'SIGTERM'])
  process.on(sig, () => {
    release();
    process.exit(130);
  });

const jobs = process.env.JOBS ?? 'max';
// Quiet unless it fails: node-gyp's ~30 lines of progress mean nothing to someone installing the
// package; on failure the whole captured log is printed. AFFEXION_VERBOSE_BUILD=1 streams it.
const verbose = Boolean(process.env.AFFEXION_VERBOSE_BUILD);
const r = spawnSync(process.execPath, [gyp, 'rebuild', `--nodedir=${nodedir}`, `--jobs=${jobs}`], {
  cwd: root,
  stdio: verbose ? 'inherit' : ['ignore', 'pipe', 'pipe'],
  encoding: 'utf8',
  maxBuffer: 64 << 20,
});
if (r.status !== 0) {
  if (!verbose) process.stderr.write(`${r.stdout ?? ''}${r.stderr ?? ''}${r.error ? `${r.error.message}\n` : ''}`);
  console.error('affexion: the native compute core failed to build (see the compiler output above).');
  process.exit(r.status ?? 1);
}
console.error('affexion: native compute core built');
