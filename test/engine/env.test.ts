// Environment switches of the native core: bad values fail loudly at load time, good ones take effect.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const nativeTs = fileURLToPath(new URL('../../src/engine/native-kernels.ts', import.meta.url));
const indexTs = fileURLToPath(new URL('../../src/engine/index.ts', import.meta.url));

function run(env: Record<string, string>, code: string): { status: number | null; out: string; err: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], {
    env: { ...process.env, ...env },
    encoding: 'utf8',
  });
  return { status: r.status, out: r.stdout.trim(), err: r.stderr };
}

const probe = `import { nativeKernels } from ${JSON.stringify(nativeTs)};
const k = nativeKernels(); console.log(k.name, k.threads);`;

test('AFFEXION_ISA and AFFEXION_THREADS select the instruction set and the pool size', () => {
  const r = run({ AFFEXION_ISA: 'generic', AFFEXION_THREADS: '3' }, probe);
  assert.equal(r.status, 0, r.err);
  assert.equal(r.out, 'native:generic 3');
});

test('a misspelt AFFEXION_ISA or AFFEXION_THREADS is an error naming the variable', () => {
  const isa = run({ AFFEXION_ISA: 'sse9' }, probe);
  assert.notEqual(isa.status, 0);
  assert.match(isa.err, /unknown ISA 'sse9' \(AFFEXION_ISA/);
  const threads = run({ AFFEXION_THREADS: 'two' }, probe);
  assert.notEqual(threads.status, 0);
  assert.match(threads.err, /AFFEXION_THREADS=two: expected a whole number of threads/);
});

test('getKernels(): native by default, js with AFFEXION_BACKEND=js, error otherwise', () => {
  const code = `import { getKernels } from ${JSON.stringify(indexTs)}; console.log(getKernels().name);`;
  assert.match(run({ AFFEXION_BACKEND: '' }, code).out, /^native:/);
  assert.equal(run({ AFFEXION_BACKEND: 'js' }, code).out, 'js');
  const bad = run({ AFFEXION_BACKEND: 'gpu' }, code);
  assert.notEqual(bad.status, 0);
  assert.match(bad.err, /AFFEXION_BACKEND=gpu: expected 'native' or 'js'/);
});

test('AFFEXION_NATIVE_ADDON is the addon of the resampler and the spectral front end too (one loader)', () => {
  const resampleTs = fileURLToPath(new URL('../../src/audio/resample.ts', import.meta.url));
  const frontTs = fileURLToPath(new URL('../../src/features/native-frontend.ts', import.meta.url));
  const code = `import { nativeResampleAvailable } from ${JSON.stringify(resampleTs)};
import { nativeFrontEndAvailable } from ${JSON.stringify(frontTs)};
console.log(nativeResampleAvailable(), nativeFrontEndAvailable(2048));`;
  assert.equal(run({}, code).out, 'true true');
  // An addon path that does not exist: both fall back to their JS reference instead of loading build/Release.
  assert.equal(run({ AFFEXION_NATIVE_ADDON: '/nonexistent/affexion_native.node' }, code).out, 'false false');
});
