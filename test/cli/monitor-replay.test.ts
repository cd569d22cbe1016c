/**
 * File replay through the CLI: the monitor's probabilities equal `affexion predict --window W --hop H`
 * for the same windows (≤ 1e-5), with the same reference clips; a missing model fails before anything.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { MonitorEvent, WindowEvent } from '../../src/monitor/core.js';
import { predictFiles } from '../../src/eval/predict.js';
import { haveDevCorpus, RAVDESS, tinyReferenceModel, writeFixture } from '../monitor/fixtures.js';
import { tmpDir } from '../train/fixtures.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
function cli(args: string[]): { stdout: string; stderr: string; status: number | null } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', path.join(root, 'src/cli/main.ts'), ...args], { cwd: root, encoding: 'utf8', timeout: 120_000 });
  return { stdout: r.stdout, stderr: r.stderr, status: r.status };
}

test('monitor --input: same probabilities as predict --window --hop for the same windows', { timeout: 240_000 }, async (t) => {
  if (!haveDevCorpus()) { t.skip(`no dev corpus at ${RAVDESS}`); return; }
  const model = await tinyReferenceModel();
  const dir = tmpDir();
  const wav = path.join(dir, 'fixture.wav');
  const { seconds } = await writeFixture(wav);
  const calm = path.join(RAVDESS, 'wav/Actor_02/03-01-02-01-01-01-02.wav');
  const mon = cli(['monitor', model, '--input', wav, '--reference', calm, '--window', '2', '--hop', '0.5', '--json']);
  assert.equal(mon.status, 0, mon.stderr);
  const events = mon.stdout.trim().split('\n').map((l) => JSON.parse(l) as MonitorEvent);
  // The library call behind `affexion predict MODEL FILE --reference CALM --window 2 --hop 0.5` (a second CLI spawn costs seconds).
  const [p] = await predictFiles(model, [wav], { reference: [calm], window: 2, hop: 0.5 });
  const byStart = new Map(p.timeline!.map((w) => [w.start.toFixed(3), w]));
  const labelled = events.filter((e): e is WindowEvent => e.type === 'window' && e.probs !== null);
  assert.ok(labelled.length >= 10, `labelled windows: ${labelled.length}`);
  let worst = 0;
  for (const w of labelled) {
    const q = byStart.get(w.t0.toFixed(3));
    assert.ok(q, `predict has a window at ${w.t0}`);
    assert.ok(Math.abs(q.end - w.t1) < 1e-9);
    for (const [c, v] of Object.entries(w.probs!)) worst = Math.max(worst, Math.abs(v - q.probs[c]!));
  }
  assert.ok(worst <= 1e-5, `largest difference ${worst}`);
  // No enrolment with --reference; no label in the pauses; the summary closes the stream.
  assert.equal(events.filter((e) => e.type === 'enrolled').length, 0);
  assert.equal(events[events.length - 1]!.type, 'summary');
  const windows = events.filter((e): e is WindowEvent => e.type === 'window');
  assert.equal(windows.length, Math.floor((seconds - 2) / 0.5) + 1);
  const lastSpeech = Math.max(...events.filter((e) => e.type === 'utterance').map((e) => (e as { t1: number }).t1));
  assert.ok(windows.filter((w) => w.t0 > lastSpeech + 0.5).every((w) => w.label === null), 'no label after the speech ended');
});

test('monitor: a missing or broken model is a clear error before anything starts', () => {
  const r = cli(['monitor', '/nonexistent/model', '--port', '0']);
  assert.notEqual(r.status, 0);
  assert.match(r.stderr, /affexion: .*\/nonexistent\/model/);
  assert.equal(r.stdout, '', 'no server line');
});
