import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { sweep, planSweep, type SweepProgress } from '../../../src/workflows/sweep/sweep.js';
import { makeToneDataset, TINY_FEATURES, TINY_HYPER, tmpDir } from '../../train/fixtures.js';

const cacheDir = tmpDir('affexion-cache-');
const data = makeToneDataset({ perClass: 6, seed: 21, speakers: true });
const real = makeToneDataset({ perClass: 3, seed: 22 });
const base = {
  data,
  real: [real],
  folds: 2,
  groupBy: 'speaker' as const,
  seeds: 2,
  hyper: { ...TINY_HYPER, epochs: 1, dropout_conv: 0.3, dropout_fc: 0.3 },
  features: TINY_FEATURES,
  cacheDir,
  report: false,
};

/** results.json without the machine-dependent times. */
export function withoutTimes(file: string): unknown {
  const r = JSON.parse(readFileSync(file, 'utf8')) as { records: { time?: number }[] };
  for (const rec of r.records) delete rec.time;
  return r;
}

test('sweep: bad knobs, values and sizes are one clear error before anything runs', () => {
  const p =
    (vary: string[], extra = {}) =>
    () =>
      planSweep({ ...base, out: 'unused', vary, ...extra });
  assert.throws(p(['bogus=1,2']), /vary: bogus: unknown knob; known knobs: max_len, dropout, n_mfcc, channels, epochs/);
  assert.throws(p(['max_len=0,200']), /vary: max_len=0: out of range \(max_len: expected a positive integer, got 0\)/);
  assert.throws(p(['dropout=0.2,1.5']), /vary: dropout=1.5: out of range/);
  assert.throws(p(['channels=8.5']), /vary: channels=8.5: CNN channels must be an integer/);
  assert.throws(p(['epochs=1,x']), /vary: epochs: "x" is not a number/);
  assert.throws(p(['n_mfcc=0']), /vary: n_mfcc=0: out of range/);
  const big = [`max_len=${Array.from({ length: 501 }, (_, i) => i + 10).join(',')}`];
  assert.throws(p(big), /501 trials × 2 seeds = 1002 runs .* more than 1000; confirm with yes/);
  assert.equal(planSweep({ ...base, out: 'unused', vary: big, yes: true }).trials.length, 501);
  // one-at-a-time: other knobs at base, the base combination once; grid: every combination.
  const one = planSweep({ ...base, out: 'unused', vary: ['epochs=1,2', 'dropout=0.1,0.3'] });
  assert.deepEqual(
    one.trials.map((t) => t.values),
    [
      { epochs: 1, dropout: 0.3 },
      { epochs: 2, dropout: 0.3 },
      { epochs: 1, dropout: 0.1 },
    ],
  );
  assert.deepEqual(
    one.trials.map((t) => t.curves),
    [['epochs', 'dropout'], ['epochs'], ['dropout']],
  ); // the base is on both curves
  // With the paper's unequal dropouts (conv 0.2, dense 0.3) the base is not the dropout=0.3 trial: the
  // other studies keep the base exactly, the dropout study sets both.
  const paper = planSweep({ ...base, hyper: { ...TINY_HYPER, epochs: 1 }, out: 'unused', vary: ['epochs=1,2', 'dropout=0.1,0.3'] });
  assert.deepEqual(
    paper.trials.map((t) => [t.settings.hyper.dropout_conv, t.settings.hyper.dropout_fc, t.curves.join()]),
    [
      [0.2, 0.3, 'epochs'],
      [0.2, 0.3, 'epochs'],
      [0.1, 0.1, 'dropout'],
      [0.3, 0.3, 'dropout'],
    ],
  );
  assert.equal(planSweep({ ...base, out: 'unused', vary: ['epochs=1,2', 'dropout=0.1,0.3'], design: 'grid' }).trials.length, 4);
});

test('sweep: local run writes results/table/report, resumes without recomputing, same seeds give the same numbers', async () => {
  const out = tmpDir();
  const seen: SweepProgress[] = [];
  const opts = { ...base, out, vary: ['epochs=1,2', 'dropout=0.1,0.3'], report: true, onProgress: (p: SweepProgress) => seen.push(p) };
  const r = await sweep(opts);
  assert.equal(r.failed, 0);
  assert.equal(r.records.length, 6); // 3 trials × 2 seeds
  const rec = r.records[0]!;
  assert.equal(rec.folds.length, 2);
  assert.ok(rec.folds.every((f) => f.real['affexion-tones-' + path.basename(real).slice('affexion-tones-'.length)] !== undefined));
  assert.ok(Number.isFinite(rec.cv!.balanced_accuracy.mean));
  assert.deepEqual(
    r.records.map((x) => x.seed),
    [7, 8, 7, 8, 7, 8],
  );
  assert.equal(seen.at(-1)!.done, 12);
  for (const f of ['results.json', 'table.md', 'report.html', 'charts/epochs.svg', 'charts/dropout.svg'])
    assert.ok(existsSync(path.join(out, f)), f);
  const html = readFileSync(path.join(out, 'report.html'), 'utf8');
  assert.equal((html.match(/<figure class="chart"/g) ?? []).length, 2);
  assert.ok(/paper's §4\.3 curves are drawn only where .*\(none are\)/.test(html), 'report says the paper curve is missing');
  assert.match(readFileSync(path.join(out, 'table.md'), 'utf8'), /\| epochs \| dropout \| seed \| CV balanced acc\. \|/);

  // Re-run: every job is reused from RUN/jobs (nothing recomputed), same results.
  const first = withoutTimes(path.join(out, 'results.json'));
  seen.length = 0;
  await sweep(opts);
  assert.equal(seen[0]!.reused, 12);
  assert.deepEqual(withoutTimes(path.join(out, 'results.json')), first);

  // An interrupted sweep (a job's stored result gone) recomputes only that job, to the same numbers.
  const jobs = path.join(out, 'jobs');
  const { readdirSync } = await import('node:fs');
  rmSync(path.join(jobs, readdirSync(jobs)[0]!));
  seen.length = 0;
  await sweep(opts);
  assert.equal(seen[0]!.reused, 11);
  assert.deepEqual(withoutTimes(path.join(out, 'results.json')), first);
});
