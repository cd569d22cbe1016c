/**
 * File replay through the CLI: the monitor's probabilities equal `affexion predict --window W --hop H`
 * for the same windows (≤ 1e-5), with the same reference clips; a missing model fails before anything.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { MonitorEvent, WindowEvent } from '../../src/monitor/core.js';
import { predictFiles, windowProbabilities } from '../../src/eval/predict.js';
import { loadAudio } from '../../src/audio/load.js';
import { loadTrainedModel } from '../../src/model/model-dir.js';
import { sessionReference } from '../../src/monitor/model.js';
import { haveDevCorpus, RAVDESS, tinyReferenceModel, writeFixture } from '../monitor/fixtures.js';
import { tmpDir } from '../train/fixtures.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
function cli(args: string[]): { stdout: string; stderr: string; status: number | null } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', path.join(root, 'src/cli/main.ts'), ...args], {
    cwd: root,
    encoding: 'utf8',
    timeout: 120_000,
  });
  return { stdout: r.stdout, stderr: r.stderr, status: r.status };
}

test('monitor --input: same probabilities as predict --window --hop for the same windows', { timeout: 240_000 }, async (t) => {
  if (!haveDevCorpus()) {
    t.skip(`no dev corpus at ${RAVDESS}`);
    return;
  }
  const model = await tinyReferenceModel();
  const dir = tmpDir();
  const wav = path.join(dir, 'fixture.wav');
  const { seconds } = await writeFixture(wav);
  const calm = path.join(RAVDESS, 'wav/Actor_02/03-01-02-01-01-01-02.wav');
  const mon = cli(['monitor', model, '--input', wav, '--reference', calm, '--window', '2', '--hop', '0.5', '--json']);
  assert.equal(mon.status, 0, mon.stderr);
  const events = mon.stdout
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as MonitorEvent);
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
  assert.ok(
    windows.filter((w) => w.t0 > lastSpeech + 0.5).every((w) => w.label === null),
    'no label after the speech ended',
  );
});

test(
  "monitor --input --skip-enrolment: a reference model runs on the session's own speech (no refusal); the fallback is sessionReference",
  { timeout: 240_000 },
  async (t) => {
    if (!haveDevCorpus()) {
      t.skip(`no dev corpus at ${RAVDESS}`);
      return;
    }
    const model = await tinyReferenceModel();
    const wav = path.join(tmpDir(), 'fixture.wav');
    await writeFixture(wav);
    const mon = cli(['monitor', model, '--input', wav, '--skip-enrolment', '--json']);
    assert.equal(mon.status, 0, mon.stderr);
    const events = mon.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as MonitorEvent);
    assert.deepEqual(
      events.filter((e) => e.type === 'enrolled').map((e) => [e.skipped, e.fallback]),
      [[true, 'session speech']],
    );
    const labelled = events.filter((e): e is WindowEvent => e.type === 'window' && e.probs !== null);
    assert.ok(labelled.length >= 10, `labelled windows: ${labelled.length}`);
    assert.ok(labelled.every((w) => w.reference === 'window' || w.reference === 'session'));
    assert.equal(labelled[labelled.length - 1]!.reference, 'session');
    // The first window (under a second of decided speech) is normalised with its own audio: the same
    // probabilities as predict with that window as the reference clip.
    const first = labelled[0]!;
    assert.equal(first.reference, 'window');
    const m = loadTrainedModel(model);
    const x = (await loadAudio(wav, { sr: 16000 })).samples.subarray(Math.round(first.t0 * 16000), Math.round(first.t1 * 16000));
    const p = await windowProbabilities(m, [x], sessionReference(m, [x]));
    m.classes.forEach((c, k) => assert.ok(Math.abs(p[k]! - first.probs![c]!) <= 1e-5, `${c}: ${p[k]} vs ${first.probs![c]}`));
  },
);

test('monitor: a missing or broken model is a clear error before anything starts', () => {
  const r = cli(['monitor', '/nonexistent/model', '--port', '0']);
  assert.notEqual(r.status, 0);
  assert.match(r.stderr, /affexion: .*\/nonexistent\/model/);
  assert.equal(r.stdout, '', 'no server line');
  // A folder whose config is damaged: the error names the file, and no server line either.
  const broken = tmpDir();
  writeFileSync(path.join(broken, 'config.json'), '{"format": "affexion-model", "architecture": ');
  const b = cli(['monitor', broken, '--port', '0']);
  assert.notEqual(b.status, 0);
  assert.match(b.stderr, new RegExp(`affexion: .*${broken.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
  assert.equal(b.stdout, '', 'no server line');
});
