/**
 * The length probe of issue 13 on real clips of both dev corpora: a small window model (trimmed
 * silence, 1 s windows) must give the same class when 2 s of faint noise or silence are appended or
 * prepended, and keep it when two clips of one class and speaker are joined. The model is trained on
 * the neutral pool (neutral vs calm), never on the dev corpora: the probe asks what the answer depends
 * on, not whether it is right.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { loadAudio } from '../../src/audio/load.js';
import { scanDataset } from '../../src/data/dataset.js';
import { mergeDatasets } from '../../src/data/dataset.js';
import { train } from '../../src/train/train.js';
import { loadTrainedModel } from '../../src/model/model-dir.js';
import { joinProbe, lengthProbe, lengthVariants, type ProbeClip } from '../../src/workflows/experiment/real-probes.js';
import { TINY_FEATURES, tmpDir } from '../train/fixtures.js';
import { sharedDataPath } from '../../src/data/shared-data.js';

const corpora = ['ravdess-dev', 'tess-dev'] as const;
const have = [...corpora, 'neutral-pool' as const].every((c) => existsSync(sharedDataPath(c)));

test(
  'length probe on real clips of ravdess-dev and tess-dev: ≤ 10 % of classes change with 2 s of faint noise or silence around a clip',
  { skip: !have && 'shared dev data not found' },
  async () => {
    const pool = scanDataset(sharedDataPath('neutral-pool'));
    // 4 clips of each label per speaker are plenty for a model the probe can question.
    const picked = pool.items.filter((it, i) => i % 3 === 0);
    const data = mergeDatasets([{ ...pool, items: picked }], pool.source);
    const out = tmpDir();
    await train({
      data,
      out,
      features: TINY_FEATURES,
      cacheDir: null,
      report: false,
      loudness: 'peak',
      hyper: {
        epochs: 6,
        batch_size: 8,
        conv_channels: 8,
        kernel_sizes: [3, 5],
        lstm_hidden: 8,
        lstm_layers: 1,
        fc_hidden: 16,
        lr: 3e-3,
        seed: 3,
        trim_silence: true,
        window: 1,
        window_hop: 0.5,
        mask_padding: true,
      },
    });
    const m = loadTrainedModel(out);
    for (const corpus of corpora) {
      const ds = scanDataset(sharedDataPath(corpus));
      // 8 clips per emotion: 4 pairs of one speaker each, speakers spread over the corpus.
      const clips: ProbeClip[] = [];
      for (const label of ['fearful', 'happy']) {
        const items = ds.items.filter((it) => it.label === label);
        const step = Math.floor(items.length / 4);
        for (let i = 0; i < 4; i++) {
          const a = items[i * step]!;
          const b = items.find((it) => it !== a && it.speaker === a.speaker)!;
          for (const it of [a, b])
            clips.push({
              file: it.path,
              label,
              speaker: it.speaker!,
              samples: (await loadAudio(it.path, { sr: 16000 })).samples,
              ref: null,
            });
        }
      }
      const lp = await lengthProbe(m, clips, 11);
      assert.equal(lp.n, 4 * clips.length, `${corpus}: every clip holds speech`);
      assert.ok(lp.changed <= 0.1, `${corpus}: ${(100 * lp.changed).toFixed(1)} % changed (${JSON.stringify(lp.per_variant)})`);
      // Joining two clips of one class and speaker: pairs whose parts agree keep that class (at most 1 in 8 may not).
      const jp = await joinProbe(m, clips);
      assert.ok(jp.pairs >= 4, `${corpus}: ${jp.pairs} pairs`);
      assert.ok(jp.changed <= 0.125, `${corpus}: joining changed ${(100 * jp.changed).toFixed(1)} % of agreeing pairs`);
    }
  },
);

test('length probe variants: 2 s of −60 dBFS noise or digital silence, after or before the clip', () => {
  const x = new Float32Array(16000).fill(0.1);
  const v = lengthVariants(x, 16000, 1);
  assert.deepEqual(Object.keys(v), ['append_noise', 'prepend_noise', 'append_silence', 'prepend_silence']);
  assert.equal(v.append_noise!.length, 48000);
  assert.equal(v.prepend_silence![0], 0);
  assert.equal(v.prepend_silence![32000], Math.fround(0.1));
  const rms = Math.sqrt(v.append_noise!.subarray(16000).reduce((a, b) => a + b * b, 0) / 32000);
  assert.ok(Math.abs(20 * Math.log10(rms) + 60) < 0.5, `noise at ${20 * Math.log10(rms)} dBFS`);
});
