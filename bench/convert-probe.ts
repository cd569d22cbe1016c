/**
 * A quick transfer probe for converted data (not the paper's network): per-clip mean/std of the MFCC
 * rows and/or prosodic statistics → multinomial logistic regression trained on a converted set (4
 * classes), evaluated on ravdess-dev fearful → panic and happy → excitement. Prints JSON with the
 * balanced accuracy (mean recall of the two classes; the model predicts among all four) and the
 * confusions. ravdess-dev is used for evaluation only.
 *
 *   npx tsx bench/convert-probe.ts --converted DIR [--features both|mfcc|prosodic]
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { extractFeatures } from '../src/features/index.js';
import { prosodicFeatures } from '../src/features/prosodic.js';
import { loadAudio } from '../src/audio/load.js';
import { normalizePeak } from '../src/data/features.js';

function arg(name: string, dflt: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1]! : dflt;
}
const converted = arg('converted', '');
if (!converted) throw new Error('--converted DIR is required (output of affexion convert)');
const mode = arg('features', 'both');
const DEV = process.env.AFFEXION_RAVDESS_DEV ?? path.resolve(import.meta.dirname, '../../shared/data/ravdess-dev');
const CLASSES = ['boredom', 'panic', 'excitement', 'uncertainty'];

type Block = { rows: number; frames: number; data: Float32Array };
function meanStd(m: Block, rows: number[], mask?: Float32Array): number[] {
  const out: number[] = [];
  for (const r of rows) {
    let s = 0,
      q = 0,
      n = 0;
    for (let t = 0; t < m.frames; t++) {
      if (mask && !mask[t]) continue;
      const v = m.data[r * m.frames + t]!;
      s += v;
      q += v * v;
      n++;
    }
    const mu = n ? s / n : 0;
    out.push(mu, n ? Math.sqrt(Math.max(0, q / n - mu * mu)) : 0);
  }
  return out;
}
async function features(file: string): Promise<number[]> {
  const x = normalizePeak((await loadAudio(file)).samples);
  const f: number[] = [];
  if (mode !== 'prosodic')
    f.push(
      ...meanStd(
        extractFeatures(x),
        Array.from({ length: 75 }, (_, i) => i),
      ),
    );
  if (mode !== 'mfcc') {
    const p = prosodicFeatures(x, 16000);
    const voiced = p.data.subarray(p.frames, 2 * p.frames);
    const share = voiced.reduce((a, b) => a + b, 0) / p.frames;
    f.push(...meanStd(p, [0], voiced), share, ...meanStd(p, [2, 3, 5]));
  }
  return f;
}
function rows(csv: string): string[][] {
  return readFileSync(csv, 'utf8')
    .trim()
    .split('\n')
    .slice(1)
    .map((l) => l.split(','));
}

const train: { x: number[]; y: number }[] = [];
for (const [p, label] of rows(path.join(converted, 'manifest.csv')))
  train.push({ x: await features(path.join(converted, p!)), y: CLASSES.indexOf(label!) });
const test: { x: number[]; y: number }[] = [];
for (const [p, label] of rows(path.join(DEV, 'labels.csv'))) {
  const y = label === 'fearful' ? 1 : label === 'happy' ? 2 : -1;
  if (y >= 0) test.push({ x: await features(path.join(DEV, p!)), y });
}

// z-score on the training side, then full-batch gradient descent with a little L2.
const D = train[0]!.x.length;
const mu = new Array<number>(D).fill(0),
  sd = new Array<number>(D).fill(0);
for (const s of train)
  s.x.forEach((v, i) => {
    mu[i]! += v / train.length;
  });
for (const s of train)
  s.x.forEach((v, i) => {
    sd[i]! += (v - mu[i]!) ** 2 / train.length;
  });
const z = (x: number[]): number[] => x.map((v, i) => (v - mu[i]!) / (Math.sqrt(sd[i]!) + 1e-9));
const W = Array.from({ length: 4 }, () => new Array<number>(D + 1).fill(0));
const logits = (x: number[]): number[] => W.map((w) => w[D]! + x.reduce((a, v, i) => a + v * w[i]!, 0));
const Xtr = train.map((s) => z(s.x));
for (let it = 0; it < 300; it++) {
  const G = Array.from({ length: 4 }, () => new Array<number>(D + 1).fill(0));
  Xtr.forEach((x, n) => {
    const l = logits(x),
      mx = Math.max(...l),
      e = l.map((v) => Math.exp(v - mx)),
      S = e.reduce((a, b) => a + b);
    for (let c = 0; c < 4; c++) {
      const g = e[c]! / S - (c === train[n]!.y ? 1 : 0);
      for (let i = 0; i < D; i++) G[c]![i]! += g * x[i]!;
      G[c]![D]! += g;
    }
  });
  for (let c = 0; c < 4; c++) for (let i = 0; i <= D; i++) W[c]![i]! -= 0.1 * (G[c]![i]! / Xtr.length + (i < D ? 0.01 * W[c]![i]! : 0));
}
const predict = (x: number[]): number => {
  const l = logits(z(x));
  return l.indexOf(Math.max(...l));
};
const recall = [1, 2].map((c) => {
  const t = test.filter((s) => s.y === c);
  return t.filter((s) => predict(s.x) === c).length / t.length;
});
const confusion: Record<string, number> = {};
for (const s of test) {
  const k = `${CLASSES[s.y]}->${CLASSES[predict(s.x)]}`;
  confusion[k] = (confusion[k] ?? 0) + 1;
}
process.stdout.write(
  `${JSON.stringify({
    converted,
    features: mode,
    n_train: train.length,
    n_test: test.length,
    dims: D,
    train_accuracy: +(train.filter((s) => predict(s.x) === s.y).length / train.length).toFixed(3),
    recall_panic: +recall[0]!.toFixed(3),
    recall_excitement: +recall[1]!.toFixed(3),
    balanced_accuracy: +((recall[0]! + recall[1]!) / 2).toFixed(3),
    confusion,
  })}\n`,
);
