/**
 * Figure 1 and the model card: parameter counts equal a real network's, the SVG parses and renders, every
 * report with the architecture in its settings draws it, and `affexion model card` writes model-card.md
 * (intended/out-of-scope use, per-corpus and per-class figures, calibration) and its report section.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { AffexionNet } from '../../src/model/network.js';
import { PAPER_CONFIG } from '../../src/model/config.js';
import { architectureFromConfig, architectureSvg, describeArchitecture } from '../../src/report/architecture.js';
import { svgToPng } from '../../src/report/render.js';
import { writeReport } from '../../src/report/write.js';
import { calibration, writeModelCard } from '../../src/model/model-card.js';
import { train } from '../../src/train/train.js';
import { evaluate } from '../../src/eval/evaluate.js';
import { makeToneDataset, TINY_FEATURES, TINY_HYPER, tmpDir } from '../train/fixtures.js';

test("Figure 1: parameter counts per layer add up to the network's own count (paper size and a small config)", () => {
  for (const cfg of [
    PAPER_CONFIG,
    { ...PAPER_CONFIG, n_features: 24, conv_channels: 4, kernel_sizes: [3], lstm_hidden: 5, lstm_layers: 3, fc_hidden: 8, n_classes: 3 },
  ]) {
    const a = describeArchitecture({ ...cfg, kernel_sizes: [...cfg.kernel_sizes] });
    assert.equal(a.params, new AffexionNet(cfg).numParameters());
  }
  const a = describeArchitecture({
    ...PAPER_CONFIG,
    kernel_sizes: [3, 5, 7],
    max_len: 1000,
    labels: ['boredom', 'panic', 'excitement', 'uncertainty'],
  });
  assert.deepEqual(
    a.layers.map((l) => l.shape),
    [
      'B × 1000 × 75',
      'B × 64 × 1000',
      'B × 64 × 1000',
      'B × 64 × 1000',
      'B × 192 × 1000',
      'B × 1000 × 256',
      'B × 1000 × 256',
      'B × 1000 × 256',
      'B × 256',
      'B × 128',
      'B × 4',
    ],
  );
  const svg = architectureSvg(a);
  assert.equal(svg, architectureSvg(a), 'deterministic');
  for (const name of ['Conv1d k=3', 'Conv1d k=7', 'BiLSTM 2', 'Self-attention', 'boredom, panic, excitement, uncertainty'])
    assert.ok(svg.includes(name), name);
  assert.ok(svg.includes(`${(a.params / 1e6).toFixed(2)} M parameters`));
  assert.ok(svgToPng(svg).length > 1000, 'the SVG parses and renders');
});

test('every report whose settings hold the architecture draws Figure 1; others do not', async () => {
  const config = {
    conv_channels: 64,
    kernel_sizes: [3, 5, 7],
    lstm_hidden: 128,
    lstm_layers: 2,
    fc_hidden: 128,
    max_len: 1000,
    features: { nMfcc: 25 },
    classes: ['a', 'b'],
  };
  assert.equal(architectureFromConfig(config)?.n_features, 75);
  assert.equal(architectureFromConfig({ folds: 5 }), null);
  // A network that also reads the prosodic rows: the settings say how many rows it takes.
  assert.equal(architectureFromConfig({ ...config, n_features: 81 })?.n_features, 81);
  const dir = tmpDir('affexion-fig1-');
  const html = readFileSync((await writeReport(dir, { title: 't', config })).html, 'utf8');
  assert.match(html, /<section id="architecture"><h2>Network \(Figure 1\)<\/h2>/);
  assert.match(html, /<svg[^>]*role="img"/);
  const other = readFileSync((await writeReport(tmpDir('affexion-fig1-'), { title: 't', config: { folds: 5 } })).html, 'utf8');
  assert.doesNotMatch(other, /Figure 1/);
});

test('calibration: ECE and Brier by hand', () => {
  const classes = ['a', 'b'];
  // Two clips at confidence 0.9 (one right, one wrong) and two at 0.6 (both right).
  const c = calibration(
    [
      { label: 'a', probs: [0.9, 0.1] },
      { label: 'b', probs: [0.9, 0.1] },
      { label: 'a', probs: [0.6, 0.4] },
      { label: 'b', probs: [0.4, 0.6] },
      { label: 'zzz', probs: [0.5, 0.5] },
    ],
    classes,
  )!;
  assert.equal(c.n, 4);
  // bins: [0.9,1.0): n 2, conf 0.9, acc 0.5 → |0.4|·2/4; [0.6,0.7): n 2, conf 0.6, acc 1 → |0.4|·2/4
  assert.ok(Math.abs(c.ece - 0.4) < 1e-12, String(c.ece));
  const brier = (0.01 + 0.01 + (0.81 + 0.81) + (0.16 + 0.16) + (0.16 + 0.16)) / 4;
  assert.ok(Math.abs(c.brier - brier) < 1e-12);
  assert.equal(calibration([], classes), null);
});

test('affexion model card: model-card.md with use, data, per-corpus and per-class figures, calibration, failure modes; report section', async () => {
  const data = makeToneDataset({ classes: ['boredom', 'panic'], perClass: 6, seed: 12 });
  writeFileSync(path.join(data, 'datasheet.md'), '# Datasheet\n\nTones made for a test, one pitch per class.\n');
  const dir = tmpDir('affexion-card-');
  await train({
    data,
    out: dir,
    hyper: { ...TINY_HYPER, epochs: 2 },
    features: TINY_FEATURES,
    cacheDir: null,
    report: true,
    command: ['affexion', 'train'],
  });
  const ev = await evaluate({ model: dir, data, cacheDir: null, predictions: true });
  mkdirSync(path.join(dir, 'eval'), { recursive: true });
  writeFileSync(path.join(dir, 'eval', 'tones-dev.json'), JSON.stringify(ev));
  const w = await writeModelCard(dir, { data: [data] });
  const md = readFileSync(w.markdown, 'utf8');
  for (const s of [
    '## Intended use',
    '## Out-of-scope uses',
    'not a diagnostic device',
    '## Training data',
    'Tones made for a test',
    '## Evaluation (per real corpus and per class)',
    '| tones-dev |',
    'Per class on tones-dev',
    '## Calibration',
    'expected calibration error',
    '## Known failure modes',
    '![Figure 1: the network](figure1.svg)',
  ])
    assert.ok(md.includes(s), `model-card.md lacks "${s}"`);
  for (const c of ['boredom', 'panic']) assert.match(md, new RegExp(`\\| ${c} \\| [0-9.]+ % \\|`));
  assert.ok(existsSync(w.figure));
  const html = readFileSync(w.report, 'utf8');
  assert.match(html, /<section id="architecture">/, 'the training report draws Figure 1');
  assert.equal((html.match(/<section id="model-card">/g) ?? []).length, 1);
  await writeModelCard(dir, { data: [data] });
  assert.equal((readFileSync(w.report, 'utf8').match(/<section id="model-card">/g) ?? []).length, 1, 'a second run replaces the card');
  await assert.rejects(writeModelCard(dir, { data: [path.join(data, 'nope')] }), /data: .*nope: no such folder/);
});
