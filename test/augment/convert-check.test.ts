import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { convertClip, convertEmotions, EMOTION_PROFILES } from '../../src/augment/convert/index.js';
import { checkConversionProsody, CHECKED_DIRECTIONS, measureForCheck } from '../../src/augment/convert/check.js';
import { ParamError } from '../../src/engine/errors.js';
import { Rng } from '../../src/engine/rng.js';
import { SR, readWav16, NEUTRAL_POOL } from './helpers.js';

// Four neutral-pool speakers (two male, two female), three sentences: the directions of
// docs/augmentation.md ("Boredom and uncertainty from the literature") must all hold on each.
const CLIPS = [
  'Actor_13/03-01-01-01-01-01-13',
  'Actor_14/03-01-01-01-02-01-14',
  'Actor_17/03-01-02-01-01-01-17',
  'Actor_20/03-01-01-01-02-02-20',
];
const sources = CLIPS.map((id) => ({ id, x: readWav16(`${NEUTRAL_POOL}/ravdess/${id}.wav`) }));

const failed = (r: ReturnType<typeof checkConversionProsody>): string =>
  r.directions
    .filter((d) => !d.pass)
    .map((d) => `${d.direction}: ${d.detail}`)
    .join('; ');

test("every literature direction holds for boredom and uncertainty on four speakers' neutral clips", () => {
  for (const [k, { id, x }] of sources.entries()) {
    const s = measureForCheck(x, SR);
    for (const label of ['boredom', 'uncertainty']) {
      const y = convertClip(x, SR, EMOTION_PROFILES[label]!, new Rng(100 + k), id).samples;
      const r = checkConversionProsody(x, y, SR, label, s);
      assert.equal(r.directions.length, CHECKED_DIRECTIONS[label]!.length);
      assert.ok(r.pass, `${id} ${label}: ${failed(r)}`);
    }
  }
});

test('the check fails on the unconverted clip and on the other emotions', () => {
  for (const [k, { id, x }] of sources.entries()) {
    const s = measureForCheck(x, SR);
    for (const label of ['boredom', 'uncertainty']) {
      // The neutral clip itself: nothing moved, so the check must fail, with most directions failing.
      const same = checkConversionProsody(x, x, SR, label, s);
      assert.equal(same.pass, false, `${id} ${label}: the unconverted clip passes`);
      assert.ok(
        same.directions.filter((d) => d.pass).length <= 1,
        `${id} ${label} unconverted: ${same.directions.filter((d) => d.pass).map((d) => d.direction)}`,
      );
    }
    // Panic is high, fast and loud: as "boredom" it fails (F0 not lower, not softer, not slower).
    const panic = convertClip(x, SR, EMOTION_PROFILES.panic!, new Rng(100 + k), id).samples;
    const asBoredom = checkConversionProsody(x, panic, SR, 'boredom', s);
    for (const dir of ['F0 lower', 'intensity lower', 'slower articulation']) {
      assert.equal(asBoredom.directions.find((d) => d.direction === dir)!.pass, false, `${id} panic passes '${dir}'`);
    }
    // Boredom has neither fillers nor a rising end: as "uncertainty" it fails.
    const boredom = convertClip(x, SR, EMOTION_PROFILES.boredom!, new Rng(100 + k), id).samples;
    assert.equal(checkConversionProsody(x, boredom, SR, 'uncertainty', s).pass, false, `${id}: boredom passes as uncertainty`);
  }
});

test('an unknown label is refused, naming the parameter', () => {
  const x = sources[0]!.x;
  assert.throws(
    () => checkConversionProsody(x, x, SR, 'panic'),
    (e: unknown) => e instanceof ParamError && e.param === 'label' && /boredom, uncertainty/.test(e.message),
  );
});

test('convertEmotions with check writes check.json and the pass rates in the datasheet', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'affexion-check-'));
  try {
    const r = await convertEmotions({
      source: NEUTRAL_POOL,
      outDir: dir,
      emotions: ['boredom', 'panic', 'uncertainty'],
      limit: 2,
      charts: false,
      check: true,
    });
    // Panic has no literature check here: only boredom and uncertainty are checked.
    assert.deepEqual(Object.keys(r.check!.labels).sort(), ['boredom', 'uncertainty']);
    const j = JSON.parse(readFileSync(path.join(dir, 'check.json'), 'utf8')) as {
      clips: { path: string; label: string; directions: unknown[] }[];
    };
    assert.equal(j.clips.length, 4);
    assert.ok(j.clips.every((c) => c.directions.length === CHECKED_DIRECTIONS[c.label]!.length));
    for (const l of Object.values(r.check!.labels)) assert.equal(l.clips, 2);
    assert.match(
      readFileSync(r.datasheet, 'utf8'),
      /## Prosody check against the source clips[\s\S]*\*\*boredom\*\*: every direction \d\/2/,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
