// The benchmarks' JSON carries same-run anchors (issue 17), not their speed: each anchor is either a
// figure measured in this run with its ratio to ours, or `anchor_missing` with the reason — never a
// constant. Tiny settings (a few frames, 1 s clips, one repetition); timings are not checked.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const env = { ...process.env, AFFEXION_THREADS: '1' };

function bench(script: string, args: string[], extraEnv: Record<string, string> = {}): Record<string, any>[] {
  const r = spawnSync(process.execPath, ['--import', 'tsx', path.join(root, 'bench', script), ...args], {
    cwd: root,
    encoding: 'utf8',
    env: { ...env, ...extraEnv },
    timeout: 240_000,
  });
  assert.equal(r.status, 0, `${script} failed: ${r.stderr}`);
  const text = r.stdout.trim();
  return text.startsWith('{\n') ? [JSON.parse(text)] : text.split('\n').map((l) => JSON.parse(l));
}

const positive = (v: unknown, what: string) => assert.ok(typeof v === 'number' && v > 0 && Number.isFinite(v), `${what} = ${v}`);

/** Either the anchor was measured (its fields positive numbers) or the line says why it is missing. */
function checkTorchAnchor(line: Record<string, any>, names: string[]): void {
  if ('anchor_missing' in line) {
    assert.equal(typeof line.anchor_missing, 'string');
    assert.ok(line.anchor_missing.length > 0);
    for (const n of names) assert.ok(!(`torch_${n}` in line), `torch_${n} printed although the anchor is missing`);
    return;
  }
  for (const n of names) {
    positive(line[`torch_${n}`], `torch_${n}`);
    positive(line[`speedup_${n}`], `speedup_${n}`);
    // The faster of PyTorch's thread counts is the anchor, and every count is printed.
    const by = line[`torch_${n}_by_threads`] as Record<string, number>;
    assert.deepEqual(Object.keys(by).sort(), ['1', '2']);
    assert.equal(line[`torch_${n}`], Math.min(...Object.values(by)));
  }
}

test('bench:engine prints the peak with its load, and PyTorch anchors (1 and 2 threads) or anchor_missing', () => {
  const lines = bench('engine.ts', [
    '--batch',
    '2',
    '--frames',
    '16',
    '--steps',
    '1',
    '--infer-runs',
    '1',
    '--window-frames',
    '16',
    '--window-runs',
    '1',
  ]);
  assert.deepEqual(
    lines.map((l) => l.bench),
    ['peak', 'train', 'window', 'window'],
  );
  positive(lines[0]!.gflops, 'peak gflops');
  assert.equal(typeof lines[0]!.under_load, 'boolean');
  assert.equal(typeof lines[0]!.load_avg, 'number');
  const train = lines[1]!;
  positive(train.infer_ms_batch1, 'infer_ms_batch1');
  // A PyTorch on the reference BLAS is far from its best: the line must say so.
  if ('torch_openblas_core' in train && train.torch_openblas_core === null) assert.match(train.torch_note, /not in its best configuration/);
  checkTorchAnchor(train, ['step_ms', 'infer_ms_per_clip', 'infer_ms_batch1']);
  for (const w of lines.slice(2)) {
    positive(w.infer_ms_batch1, `${w.network} window infer_ms_batch1`);
    assert.equal(typeof w.meets_target, 'boolean');
    checkTorchAnchor(w, ['infer_ms_batch1']);
  }
});

test('bench:engine without PyTorch says anchor_missing instead of printing a figure', () => {
  const lines = bench('engine.ts', [
    '--batch',
    '1',
    '--frames',
    '8',
    '--steps',
    '1',
    '--infer-runs',
    '1',
    '--skip-window',
    '--python',
    path.join(root, 'no-such-python'),
  ]);
  assert.match(lines[1]!.anchor_missing, /no-such-python/);
  assert.ok(!Object.keys(lines[1]!).some((k) => k.startsWith('torch')));
});

test('bench:features prints librosa and soxr anchors measured in the same run (or anchor_missing), with ratios and SNR', () => {
  const [out] = bench('features.ts', ['--reps', '1', '--seconds', '1', '--skip-folder']);
  const a = out!.anchors;
  assert.equal(typeof out!.load_avg, 'number');
  assert.ok(!('librosa_anchor_ms_features' in out!), 'a stored librosa figure is back');
  if ('anchor_missing' in a) return assert.equal(typeof a.anchor_missing, 'string');
  if ('anchor_missing' in a.features) assert.equal(typeof a.features.anchor_missing, 'string');
  else for (const k of ['librosa_ms', 'ours_ms', 'speedup', 'speedup_cpu']) positive(a.features[k], `features.${k}`);
  if ('anchor_missing' in a.resample) return assert.equal(typeof a.resample.anchor_missing, 'string');
  assert.deepEqual(Object.keys(a.resample), ['48000_to_16000', '44100_to_16000', '22050_to_16000', '8000_to_16000']);
  for (const [k, r] of Object.entries<Record<string, number>>(a.resample)) {
    for (const f of ['soxr_ms', 'ours_ms', 'speedup', 'speedup_cpu']) positive(r[f], `${k}.${f}`);
    // Equal quality: our output within the resampler's documented distance of soxr's (> 70 dB SNR).
    assert.ok(r.snr_vs_soxr_db! > 70, `${k}: SNR vs soxr ${r.snr_vs_soxr_db} dB`);
    // "Equal quality" spelt out: both resamplers' ripple, attenuation and −6 dB point, and the verdict.
    const q = (r as unknown as Record<string, any>).quality;
    for (const side of ['ours', 'soxr_hq'])
      for (const f of ['stopband_attenuation_db', 'minus6db_hz']) positive(q[side][f], `${k}.quality.${side}.${f}`);
    assert.equal(typeof q.equal_quality, 'boolean');
    positive((r as unknown as Record<string, any>).output_diff_vs_soxr.rms_diff, `${k}.output_diff_vs_soxr.rms_diff`);
    // The anchor at its best: run with and without the warm-malloc settings, the faster kept and named.
    const rate = k.split('_')[0]!;
    const byConfig = Object.fromEntries(
      Object.entries<Record<string, any>>(a.configs).map(([c, v]) => [c, v.resample[rate].cpu_ms as number]),
    );
    assert.deepEqual(Object.keys(byConfig).sort(), ['default', 'warm_malloc']);
    assert.equal((r as unknown as Record<string, any>).soxr_config, Object.entries(byConfig).sort((x, y) => x[1] - y[1])[0]![0]);
    assert.equal(r.soxr_cpu_ms, Math.min(...Object.values(byConfig)));
  }
  assert.equal(typeof out!.allocator_tuned, 'boolean');
});
