import { test } from 'node:test';
import assert from 'node:assert/strict';
import { statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { resynthesiseNeutral } from '../../src/augment/convert/neutral.js';
import { writeWav16 } from '../../src/audio/wav-write.js';
import { mergeDatasets, scanDataset } from '../../src/data/dataset.js';
import { FeatureCache } from '../../src/data/cache.js';
import { resolveFeatureSettings } from '../../src/data/features.js';
import { loadSplit } from '../../src/data/split.js';
import { SR, readWav16, syntheticVowel } from './helpers.js';
import { TINY_FEATURES, tmpDir } from '../train/fixtures.js';

/** Two speakers × 4 neutral vowels (+ one silent clip of s1 that falls in the class half) and 2 panic clips each. */
function makePool(): string {
  const dir = tmpDir('affexion-pool-');
  const rows = ['path,label,speaker'];
  for (const spk of ['s1', 's2']) {
    for (let i = 0; i < 4; i++) {
      const f0 = 110 + 15 * i + (spk === 's2' ? 80 : 0);
      writeWav16(
        path.join(dir, `${spk}_${i}.wav`),
        syntheticVowel(1.2, (t) => f0 * (1 + 0.1 * Math.sin(2 * Math.PI * 2 * t))),
        SR,
      );
      rows.push(`${spk}_${i}.wav,neutral,${spk}`);
    }
    for (let i = 0; i < 2; i++) {
      writeWav16(
        path.join(dir, `${spk}_p${i}.wav`),
        syntheticVowel(1.2, (t) => 260 + 30 * Math.sin(2 * Math.PI * 6 * t)),
        SR,
      );
      rows.push(`${spk}_p${i}.wav,panic,${spk}`);
    }
  }
  writeWav16(path.join(dir, 's1_0z_silent.wav'), new Float32Array(SR), SR); // sorts second: the class half
  rows.push('s1_0z_silent.wav,neutral,s1');
  writeFileSync(path.join(dir, 'labels.csv'), `${rows.join('\n')}\n`);
  return dir;
}

test('resynthesiseNeutral: the class half goes through the converter, the reference half stays as recorded, roles fixed', async () => {
  const pool = scanDataset(makePool());
  const out = path.join(tmpDir(), 'neutral');
  const ds = await resynthesiseNeutral({ pool, labels: ['neutral'], out, seed: 3 });
  const refs = ds.items.filter((it) => it.referenceRole === 'reference');
  const cls = ds.items.filter((it) => it.referenceRole === 'class');
  // s1: 5 clips → references 1st, 3rd, 5th in path order (s1_0, s1_1, s1_3); s2: 4 → s2_0, s2_2.
  assert.deepEqual(refs.map((it) => path.basename(it.path)).sort(), ['s1_0.wav', 's1_1.wav', 's1_3.wav', 's2_0.wav', 's2_2.wav']);
  assert.ok(
    refs.every((it) => pool.items.some((p) => p.path === it.path)),
    'references are the recorded clips',
  );
  // The silent clip cannot be resynthesised: skipped with its reason, not kept as recorded.
  assert.equal(cls.length, 3);
  assert.ok(
    ds.skipped.some((s) => s.file.endsWith('s1_0z_silent.wav') && /neutral resynthesis: .*voiced/.test(s.reason)),
    JSON.stringify(ds.skipped),
  );
  for (const it of cls) {
    assert.ok(it.path.startsWith(out), it.path);
    assert.equal(it.label, 'neutral');
    const source = pool.items.find((p) => p.speaker === it.speaker && path.basename(it.path).endsWith(path.basename(p.path)))!;
    const [a, b] = [readWav16(source.path), readWav16(it.path)];
    // Near-identity: length within the ±5 % tempo range, but not the same samples.
    assert.ok(Math.abs(b.length / a.length - 1) <= 0.06, `${it.path}: ${b.length} vs ${a.length}`);
    assert.ok(
      a.some((v, i) => Math.abs(v - (b[i] ?? 0)) > 1e-3),
      `${it.path} was not processed`,
    );
  }
  assert.deepEqual(ds.items.filter((it) => it.label === 'panic').length, 4, 'other labels pass through');

  // Re-run with the same settings: reused (files untouched); another seed: made afresh.
  const mtime = statSync(cls[0]!.path).mtimeMs;
  const first = readWav16(cls[0]!.path);
  const again = await resynthesiseNeutral({ pool, labels: ['neutral'], out, seed: 3 });
  assert.deepEqual(again.items, ds.items);
  assert.equal(statSync(cls[0]!.path).mtimeMs, mtime);
  const other = await resynthesiseNeutral({ pool, labels: ['neutral'], out, seed: 4 });
  assert.notDeepEqual(readWav16(other.items.find((it) => it.referenceRole === 'class')!.path), first);
  await assert.rejects(resynthesiseNeutral({ pool, labels: [], out, seed: 3 }), /labels: /);
});

test('resynthesised neutral data in a split: references are the recorded clips, the neutral class the resynthesised ones', async () => {
  const pool = scanDataset(makePool());
  const neutral = await resynthesiseNeutral({ pool, labels: ['neutral'], out: path.join(tmpDir(), 'neutral'), seed: 1 });
  const data = mergeDatasets([neutral], pool.source);
  const split = await loadSplit(data, {
    classes: ['neutral', 'panic'],
    settings: resolveFeatureSettings({ params: TINY_FEATURES }),
    cache: new FeatureCache(null),
    reference: { labels: 'neutral', maxLen: 24 },
  });
  const neutralClips = split.itemIndex.filter((_, i) => split.targets[i] === 0).map((i) => data.items[i]!.path);
  assert.deepEqual(
    neutralClips.sort(),
    neutral.items
      .filter((it) => it.referenceRole === 'class')
      .map((it) => it.path)
      .sort(),
  );
  assert.deepEqual(
    [...split.referenceFiles].sort(),
    neutral.items
      .filter((it) => it.referenceRole === 'reference')
      .map((it) => it.path)
      .sort(),
  );
});

test('resynthesiseNeutral with references: both halves processed, roles kept', async () => {
  const pool = scanDataset(makePool());
  const ds = await resynthesiseNeutral({ pool, labels: ['neutral'], out: path.join(tmpDir(), 'neutral'), seed: 2, references: true });
  const refs = ds.items.filter((it) => it.referenceRole === 'reference');
  assert.deepEqual(refs.map((it) => path.basename(it.path).replace(/^\d+_/, '')).sort(), [
    's1_0.wav',
    's1_1.wav',
    's1_3.wav',
    's2_0.wav',
    's2_2.wav',
  ]);
  assert.ok(
    ds.items.filter((it) => it.label === 'neutral').every((it) => !pool.items.some((p) => p.path === it.path)),
    'no recorded neutral clip left',
  );
  assert.equal(ds.items.filter((it) => it.referenceRole === 'class').length, 3);
});
