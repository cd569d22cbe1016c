/**
 * A model of the default ensemble's shape for `bench:monitor` when no trained demo model is at hand:
 * the demo's network size (DEMO_HYPERPARAMETERS), the default recipe's ensemble of 5 and speaker
 * reference normalisation, 1.5 s windows with masked padding, default features — trained for one epoch
 * on seeded tones, because latency depends on the shapes, not on what the weights learned. Takes well
 * under a minute; cached in `dir` under a hash of its settings, so a changed recipe is never measured
 * with a stale model (it was: a cache from before window training scored 400-frame windows).
 *
 * `npx tsx bench/monitor-model.ts DIR` builds it on its own.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeWav16 } from '../src/audio/wav-write.js';
import { Rng } from '../src/engine/rng.js';
import { train } from '../src/train/train.js';
import { DEMO_HYPERPARAMETERS } from '../src/workflows/demo.js';
import { RECIPE_SETTINGS } from '../src/workflows/recipe.js';

const CLASSES: Record<string, number> = { boredom: 140, excitement: 900, panic: 600, uncertainty: 300, neutral: 200 };

export async function demoShapedModel(dir: string): Promise<string> {
  const recipe = RECIPE_SETTINGS.converted;
  const hyper = { ...DEMO_HYPERPARAMETERS, ...recipe.hyper, speaker_reference: 'neutral', epochs: 1, seed: 1 };
  const key = createHash('sha256')
    .update(JSON.stringify({ hyper, loudness: recipe.loudness, CLASSES }))
    .digest('hex')
    .slice(0, 12);
  const out = path.join(dir, `model-${key}`);
  if (existsSync(path.join(out, 'ensemble.json')) || existsSync(path.join(out, 'config.json'))) return out;
  const data = path.join(dir, `data-${key}`);
  const rng = new Rng(11);
  const rows: string[] = [];
  const sr = 16000;
  for (const [c, f0] of Object.entries(CLASSES)) {
    mkdirSync(path.join(data, c), { recursive: true });
    for (let i = 0; i < 4; i++) {
      const n = Math.round(sr * (1 + rng.next()));
      const x = new Float32Array(n);
      const f = f0 * (1 + 0.05 * (rng.next() - 0.5));
      for (let t = 0; t < n; t++)
        x[t] = 0.3 * (0.6 + 0.4 * Math.sin((2 * Math.PI * 4 * t) / sr)) * Math.sin((2 * Math.PI * f * t) / sr) + 0.01 * rng.normal();
      const file = `${c}/spk${i % 2}_${i}.wav`;
      writeWav16(path.join(data, file), x, sr);
      rows.push(`${file},${c},spk${i % 2}`);
    }
  }
  writeFileSync(path.join(data, 'labels.csv'), `path,label,speaker\n${rows.join('\n')}\n`);
  await train({ data, out, cacheDir: null, report: false, loudness: recipe.loudness, hyper });
  return out;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const dir = path.resolve(process.argv[2] ?? 'bench-monitor-model');
  process.stdout.write(`${await demoShapedModel(dir)}\n`);
}
