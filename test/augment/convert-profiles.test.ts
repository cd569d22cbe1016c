import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { convertEmotions, EMOTION_PROFILES, loadConversionProfiles } from '../../src/augment/convert/index.js';
import { ParamError } from '../../src/engine/errors.js';
import { NEUTRAL_POOL } from './helpers.js';

function withFile(content: unknown, fn: (file: string, dir: string) => void | Promise<void>): Promise<void> {
  const dir = mkdtempSync(path.join(tmpdir(), 'affexion-profiles-'));
  const file = path.join(dir, 'profiles.json');
  writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content));
  return Promise.resolve(fn(file, dir)).finally(() => rmSync(dir, { recursive: true, force: true }));
}

test('a profile file changes a built-in from its base and adds a complete new one; the rest stay the built-ins', async () => {
  const calm = { ...EMOTION_PROFILES.boredom!, description: 'calm', f0Range: [0.8, 0.9] };
  await withFile({ panic: { base: 'panic', tremorHz: [5, 8], tremorDepth: [0.02, 0.045] }, calm }, (file) => {
    const t = loadConversionProfiles(file);
    assert.deepEqual(Object.keys(t).sort(), ['boredom', 'calm', 'excitement', 'panic', 'uncertainty']);
    assert.deepEqual(t.panic!.tremorDepth, [0.02, 0.045]);
    assert.deepEqual(t.panic!.tremorHz, [5, 8]);
    assert.deepEqual(t.panic!.f0Shift, EMOTION_PROFILES.panic!.f0Shift, 'fields not given come from the base');
    assert.equal(t.excitement, EMOTION_PROFILES.excitement, 'labels the file does not name are the built-ins');
    assert.deepEqual(t.calm!.f0Range, [0.8, 0.9]);
  });
});

test('profile file errors name profilesFile, the label and the field', async () => {
  const cases: [unknown, RegExp][] = [
    ['{ not json', /cannot read JSON/],
    [{ panic: { base: 'panic', duration: [0.8, 9] } }, /panic\.duration\.1/],
    [{ panic: { base: 'panic', f0Shift: [1.4, 1.2] } }, /min ≤ max/],
    [{ boredom: { base: 'boredom', pauses: [0.5, 2] } }, /boredom\.pauses\.0: .*expected int/],
    [{ panic: { base: 'panic', tremor: [0, 0] } }, /panic: Unrecognized key/i],
    [{ joy: { base: 'happiness' } }, /joy\.base: unknown profile 'happiness'/],
    [{ joy: { f0Shift: [1.1, 1.2] } }, /joy\.description.*give every field, or "base"/],
    [{ '../x': { base: 'panic' } }, /labels may use lower-case letters/],
  ];
  for (const [content, re] of cases) {
    await withFile(content, (file) => {
      assert.throws(
        () => loadConversionProfiles(file),
        (e: unknown) => e instanceof ParamError && e.param === 'profilesFile' && re.test(e.message),
        `${JSON.stringify(content)} → ${re}`,
      );
    });
  }
});

test('convertEmotions converts with the table it is given: the changed profile is used and written to the datasheet', async () => {
  await withFile(
    {
      panic: {
        base: 'panic',
        description: 'panic with a fixed tremor',
        tremorHz: [6, 6],
        tremorDepth: [0.03, 0.03],
        jitter: [0.001, 0.001],
      },
    },
    async (file, dir) => {
      const profiles = loadConversionProfiles(file);
      const r = await convertEmotions({
        source: NEUTRAL_POOL,
        outDir: path.join(dir, 'out'),
        emotions: ['panic'],
        limit: 1,
        seed: 3,
        charts: false,
        profiles,
      });
      assert.deepEqual(r.counts, { panic: 1 });
      const [header, row] = readFileSync(r.manifest, 'utf8')
        .trim()
        .split('\n')
        .map((l) => l.split(','));
      assert.equal(Number(row![header!.indexOf('tremorDepth')]), 0.03);
      assert.equal(Number(row![header!.indexOf('jitter')]), 0.001);
      assert.match(readFileSync(r.datasheet, 'utf8'), /panic with a fixed tremor/);
    },
  );
});
