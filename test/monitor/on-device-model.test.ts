/**
 * The on-device model path without a browser: the exported ONNX graph behind the monitor core
 * (onnxMonitorModel: the page's feature code + onnxruntime-web) gives the same windows, enrolment and
 * probabilities as the server-side monitor's file replay (native engine), within 1e-4.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import * as ort from 'onnxruntime-web';
import { loadAudio } from '../../src/audio/load.js';
import { loadTrainedModel } from '../../src/model/model-dir.js';
import { buildOnnx, exportSourceOf } from '../../src/export/onnx-export.js';
import { checkOnnxModel } from '../../src/export/onnx-check.js';
import { ortRunner } from '../../src/export/ort-run.js';
import { onnxMonitorModel, onnxWindowProbabilities } from '../../src/monitor/onnx-model.js';
import { createMonitor, type MonitorEvent, type WindowEvent } from '../../src/monitor/core.js';
import { replayFile } from '../../src/monitor/replay.js';
import { haveDevCorpus, tinyReferenceModel, writeFixture } from './fixtures.js';
import { tmpDir } from '../train/fixtures.js';

ort.env.wasm.numThreads = 1;
ort.env.logLevel = 'error';

test('on-device model (ONNX + the page\'s feature code) = server-side replay: same windows, probabilities within 1e-4', { timeout: 120_000 }, async (t) => {
  if (!haveDevCorpus()) { t.skip('no dev corpus'); return; }
  const dir = tmpDir('affexion-ondevice-');
  const fixture = path.join(dir, 'fixture.wav');
  await writeFixture(fixture);
  const m = loadTrainedModel(await tinyReferenceModel());
  const bytes = buildOnnx(exportSourceOf(m));
  const meta = checkOnnxModel(bytes, 'tiny.onnx');
  const session = await ort.InferenceSession.create(bytes);
  const run = ortRunner(ort, session);

  const native: MonitorEvent[] = [];
  await replayFile(m, fixture, { onEvent: (e) => native.push(e) });

  const local: MonitorEvent[] = [];
  const mon = createMonitor({
    model: onnxMonitorModel(meta, (w, ref) => onnxWindowProbabilities(meta, run, w, ref)),
    maxPending: Infinity, onEvent: (e) => local.push(e),
  });
  const audio = await loadAudio(fixture, { sr: null });
  const chunk = Math.round(0.1 * audio.sampleRate);
  for (let s = 0; s < audio.samples.length; s += chunk) {
    mon.push(audio.samples.subarray(s, Math.min(s + chunk, audio.samples.length)), audio.sampleRate);
    await mon.drain();
  }
  await mon.end();

  const wins = (ev: MonitorEvent[]) => ev.filter((e): e is WindowEvent => e.type === 'window');
  const a = wins(native), b = wins(local);
  assert.equal(b.length, a.length);
  assert.ok(local.some((e) => e.type === 'enrolled' && !e.skipped), 'enrolled on the device');
  let classified = 0, worst = 0;
  a.forEach((w, i) => {
    const v = b[i]!;
    assert.equal(v.t1, w.t1);
    assert.equal(Boolean(v.probs), Boolean(w.probs), `window ${i} (${w.t0}–${w.t1} s) classified on one side only`);
    if (!w.probs) return;
    classified++;
    for (const c of m.classes) worst = Math.max(worst, Math.abs(w.probs[c]! - v.probs![c]!));
  });
  assert.ok(classified >= 5, `only ${classified} classified windows`);
  assert.ok(worst <= 1e-4, `max |Δp| = ${worst}`);
  await session.release();
});
