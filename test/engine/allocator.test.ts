// tuneAllocator (src/engine/allocator.ts): on glibc, freed array memory is reused instead of faulting fresh
// pages in — checked by counting page faults (not by timing), with the opt-out as the control.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const allocatorTs = fileURLToPath(new URL('../../src/engine/allocator.ts', import.meta.url));
const glibc = Boolean(
  (process.report?.getReport() as { header?: { glibcVersionRuntime?: string } } | undefined)?.header?.glibcVersionRuntime,
);

function run(env: Record<string, string>, code: string): { status: number | null; out: string; err: string } {
  const r = spawnSync(process.execPath, ['--expose-gc', '--import', 'tsx', '--input-type=module', '-e', code], {
    env: { ...process.env, ...env },
    encoding: 'utf8',
  });
  return { status: r.status, out: r.stdout.trim(), err: r.stderr };
}

// 2 s of 16 kHz audio per array (128 KB … 1.3 MB, the sizes of clips and feature matrices), written in
// full, dropped, collected every 16 arrays; minor page faults counted after a warm-up round.
const probe = `import { tuneAllocator } from ${JSON.stringify(allocatorTs)};
const on = tuneAllocator();
const round = () => { for (let i = 0; i < 160; i++) { const a = new Float32Array(32000 + (i % 10) * 32000); a.fill(i); if (i % 16 === 15) globalThis.gc(); } };
round();
const before = process.resourceUsage().minorPageFault;
round(); round();
console.log(JSON.stringify({ on, faults: process.resourceUsage().minorPageFault - before }));`;

test(
  'tuneAllocator: freed arrays are reused (far fewer page faults than with AFFEXION_MALLOC_TUNING=off)',
  { skip: !glibc && 'not glibc' },
  () => {
    const tuned = run({ AFFEXION_MALLOC_TUNING: 'on' }, probe);
    const off = run({ AFFEXION_MALLOC_TUNING: 'off' }, probe);
    assert.equal(tuned.status, 0, tuned.err);
    assert.equal(off.status, 0, off.err);
    const t = JSON.parse(tuned.out) as { on: boolean; faults: number };
    const o = JSON.parse(off.out) as { on: boolean; faults: number };
    assert.equal(t.on, true);
    assert.equal(o.on, false);
    // 320 arrays of 0.5 MB on average ≈ 40 000 pages when every one is fresh.
    assert.ok(o.faults > 4 * t.faults, `page faults: tuned ${t.faults}, defaults ${o.faults}`);
  },
);

test('AFFEXION_MALLOC_TUNING other than on/off is an error naming the variable', () => {
  const r = run({ AFFEXION_MALLOC_TUNING: 'yes' }, `import { tuneAllocator } from ${JSON.stringify(allocatorTs)}; tuneAllocator();`);
  assert.notEqual(r.status, 0);
  assert.match(r.err, /AFFEXION_MALLOC_TUNING=yes: expected 'on' or 'off'/);
});
