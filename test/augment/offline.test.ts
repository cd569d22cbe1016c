import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { writeWav16 } from '../../src/audio/wav-write.js';
import { augmentDataset } from '../../src/augment/offline.js';
import { scanDataset } from '../../src/data/dataset.js';
import { SR, syntheticVowel, readWav16, REAL_CLIP } from './helpers.js';

test('augment writes copies per clip with a manifest of what was applied; seeded', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'affexion-augment-'));
  try {
    const data = path.join(dir, 'data');
    for (const [label, f0] of [
      ['low', 110],
      ['high', 220],
    ] as const) {
      mkdirSync(path.join(data, label), { recursive: true });
      writeWav16(
        path.join(data, label, 'a.wav'),
        syntheticVowel(0.6, () => f0),
        SR,
      );
      writeWav16(path.join(data, label, 'b.wav'), readWav16(REAL_CLIP).subarray(16000, 32000), SR);
    }
    const run = (out: string, seed: number) =>
      augmentDataset({ source: data, outDir: path.join(dir, out), spec: 'noise:p=1,gain', copies: 2, seed, includeOriginal: true });
    const r = await run('o1', 3);
    await run('o2', 3);
    assert.equal(r.written, 12);
    assert.deepEqual(readdirSync(path.join(dir, 'o1', 'low')).sort(), [
      'a.wav',
      'a_aug1.wav',
      'a_aug2.wav',
      'b.wav',
      'b_aug1.wav',
      'b_aug2.wav',
    ]);
    const lines = readFileSync(r.manifest, 'utf8').trim().split('\n');
    assert.equal(lines[0], 'path,label,speaker,source,copy,seed,applied');
    assert.equal(lines.length, 13);
    assert.ok(
      lines
        .filter((l) => /_aug\d\.wav/.test(l))
        .every((l) => /"noise\((white|pink|brown|babble),snr=\d+\.\d\) gain\(-?\d+\.\d+dB\)"$/.test(l)),
      lines.join('\n'),
    );
    const f = path.join('high', 'a_aug2.wav');
    assert.deepEqual(readFileSync(path.join(dir, 'o1', f)), readFileSync(path.join(dir, 'o2', f)));
    assert.notDeepEqual(readFileSync(path.join(dir, 'o1', 'high', 'a_aug1.wav')), readFileSync(path.join(dir, 'o1', 'high', 'a_aug2.wav')));
    await assert.rejects(augmentDataset({ source: data, outDir: path.join(dir, 'o3'), spec: 'specaugment' }), /no waveform operation/);
    await assert.rejects(augmentDataset({ source: path.join(dir, 'nope'), outDir: path.join(dir, 'o3') }), /source: .*nope does not exist/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('augment: manifest labels that would escape --out are rejected; the manifest is real CSV; --out = DATA needs force', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'affexion-augment-robust-'));
  try {
    const data = path.join(dir, 'data');
    mkdirSync(data, { recursive: true });
    writeWav16(
      path.join(data, 'a.wav'),
      syntheticVowel(0.3, () => 150),
      SR,
    );
    writeWav16(
      path.join(data, 'b.wav'),
      syntheticVowel(0.3, () => 200),
      SR,
    );
    for (const bad of ['../../x', '..', '/tmp/abs', 'a\\b', 'tab\there']) {
      writeFileSync(path.join(data, 'labels.csv'), `path,label\na.wav,${JSON.stringify(bad)}\n`);
      await assert.rejects(
        augmentDataset({ source: data, outDir: path.join(dir, 'out'), spec: 'gain' }),
        /label .* (relative folder|path separator|control character)/,
        bad,
      );
    }
    assert.equal(existsSync(path.join(dir, 'x')), false);
    // A comma and a quote in label and speaker survive a round trip through our own dataset reader.
    writeFileSync(path.join(data, 'labels.csv'), 'path,label,speaker\na.wav,"calm, mostly","o\'neil ""the voice"""\nb.wav,plain,s2\n');
    const r = await augmentDataset({ source: data, outDir: path.join(dir, 'out'), spec: 'gain' });
    const back = scanDataset(r.manifest);
    assert.deepEqual(back.items.map((it) => [it.label, it.speaker]).sort(), [
      ['calm, mostly', 'o\'neil "the voice"'],
      ['plain', 's2'],
    ]);
    // Writing into the dataset's own folder would overwrite its labels/manifest: refused without force.
    await assert.rejects(augmentDataset({ source: data, outDir: data, spec: 'gain' }), /outDir: .*dataset's own folder.*force/);
    const forced = await augmentDataset({ source: data, outDir: data, spec: 'gain', force: true });
    assert.equal(forced.written, 2);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
