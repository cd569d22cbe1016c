/**
 * The on-device model path without a browser: the exported ONNX graph behind the monitor core
 * (onnxMonitorModel: the page's feature code + onnxruntime-web) gives the same windows, enrolment and
 * probabilities as the server-side monitor's file replay (native engine), within 1e-4 — and for a model
 * with a functional head (exported in the metadata), the same fused windows and `head` flags.
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
import { onnxFeatureSettings, onnxMonitorModel, onnxWindowProbabilities } from '../../src/monitor/onnx-model.js';
import { createMonitor, type MonitorEvent, type WindowEvent } from '../../src/monitor/core.js';
import { replayFile } from '../../src/monitor/replay.js';
import type { OnnxMetadata } from '../../src/export/onnx-export.js';
import type { TrainedModel } from '../../src/model/model-dir.js';
import { haveDevCorpus, tinyHeadModel, tinyReferenceModel, writeFixture } from './fixtures.js';
import { tmpDir } from '../train/fixtures.js';

ort.env.wasm.numThreads = 1;
ort.env.logLevel = 'error';

const wins = (ev: MonitorEvent[]) => ev.filter((e): e is WindowEvent => e.type === 'window');

/** The fixture streamed through the core with the exported model, every window awaited (as the page's replay hook). */
async function deviceReplay(
  meta: OnnxMetadata,
  run: ReturnType<typeof ortRunner>,
  fixture: string,
  skipEnrolment = false,
): Promise<MonitorEvent[]> {
  const local: MonitorEvent[] = [];
  const mon = createMonitor({
    model: onnxMonitorModel(meta, (w, ref) => onnxWindowProbabilities(meta, run, w, ref)),
    maxPending: Infinity,
    onEvent: (e) => local.push(e),
  });
  if (skipEnrolment) mon.skipEnrolment(); // as the page's "skip enrolment" (LocalSocket: start with enrol false)
  const audio = await loadAudio(fixture, { sr: null });
  const chunk = Math.round(0.1 * audio.sampleRate);
  for (let s = 0; s < audio.samples.length; s += chunk) {
    mon.push(audio.samples.subarray(s, Math.min(s + chunk, audio.samples.length)), audio.sampleRate);
    await mon.drain();
  }
  await mon.end();
  return local;
}

/** Largest |Δp| of the classified windows; the windows, their classification, `head` flags and the head's refresh points must agree. */
function compareWindows(m: TrainedModel, server: MonitorEvent[], device: MonitorEvent[]): { worst: number; classified: number } {
  const a = wins(server),
    b = wins(device);
  assert.equal(b.length, a.length);
  let classified = 0,
    worst = 0;
  a.forEach((w, i) => {
    const v = b[i]!;
    assert.equal(v.t1, w.t1);
    assert.equal(Boolean(v.probs), Boolean(w.probs), `window ${i} (${w.t0}–${w.t1} s) classified on one side only`);
    assert.equal(v.head, w.head, `window ${i} (${w.t0}–${w.t1} s): head ${w.head} on the server, ${v.head} on the device`);
    assert.equal(v.headT, w.headT, `window ${i} (${w.t0}–${w.t1} s): the head's refresh point differs`);
    if (!w.probs) return;
    classified++;
    for (const c of m.classes) worst = Math.max(worst, Math.abs(w.probs[c]! - v.probs![c]!));
  });
  return { worst, classified };
}

test(
  "on-device model (ONNX + the page's feature code) = server-side replay: same windows, probabilities within 1e-4",
  { timeout: 120_000 },
  async (t) => {
    if (!haveDevCorpus()) {
      t.skip('no dev corpus');
      return;
    }
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

    const local = await deviceReplay(meta, run, fixture);
    assert.ok(
      local.some((e) => e.type === 'enrolled' && !e.skipped),
      'enrolled on the device',
    );
    assert.equal(meta.functional_head, undefined, 'no head, none exported');
    assert.ok(
      wins(local).every((w) => !('head' in w)),
      'no head field without a head',
    );
    const { worst, classified } = compareWindows(m, native, local);
    assert.ok(classified >= 5, `only ${classified} classified windows`);
    assert.ok(worst <= 1e-4, `max |Δp| = ${worst}`);
    await session.release();
  },
);

test(
  'on-device model with a functional head (in the ONNX metadata) = server-side replay: same head flags, fused probabilities within 1e-4',
  { timeout: 120_000 },
  async (t) => {
    if (!haveDevCorpus()) {
      t.skip('no dev corpus');
      return;
    }
    const dir = tmpDir('affexion-ondevice-head-');
    const fixture = path.join(dir, 'fixture.wav');
    await writeFixture(fixture);
    const m = loadTrainedModel(await tinyHeadModel());
    assert.ok(m.functionalHead);
    const bytes = buildOnnx(exportSourceOf(m));
    const meta = checkOnnxModel(bytes, 'tiny-head.onnx');
    // The head travels in the file's metadata, NaN (JSON null) restored: the model folder's head exactly.
    assert.deepEqual(meta.functional_head, m.functionalHead);
    // Its functionals are computed with the model's own feature settings, silence trimming included (the default recipe trims).
    assert.deepEqual(onnxFeatureSettings(meta), m.featureSettings);
    assert.deepEqual(onnxFeatureSettings({ ...meta, trim_silence: true }), { ...m.featureSettings, trimSilence: true });
    // As the page gets it (JSON over HTTP: NaN → null), the model still takes it.
    const served = JSON.parse(JSON.stringify(meta)) as OnnxMetadata;
    assert.ok(onnxMonitorModel(served, async () => new Float32Array(0)).head, 'a head from the served JSON');
    const session = await ort.InferenceSession.create(bytes);
    const run = ortRunner(ort, session);

    const server: MonitorEvent[] = [];
    await replayFile(m, fixture, { onEvent: (e) => server.push(e) });
    const device = await deviceReplay(served, run, fixture);
    const { worst, classified } = compareWindows(m, server, device);
    assert.ok(classified >= 5, `only ${classified} classified windows`);
    assert.ok(worst <= 1e-4, `max |Δp| = ${worst}`);

    // The head took part (after ≥ 2 s of speech in the context) and changed the windows: the network alone differs.
    const { functional_head: _, ...netMeta } = served;
    const alone = wins(await deviceReplay(netMeta, run, fixture));
    const fused = wins(device);
    assert.ok(fused.filter((w) => w.head).length >= 3, `head flags: ${fused.map((w) => w.head).join(' ')}`);
    let moved = 0;
    fused.forEach((w, i) => {
      if (!w.head) return;
      moved = Math.max(moved, ...m.classes.map((c) => Math.abs(w.probs![c]! - alone[i]!.probs![c]!)));
    });
    assert.ok(moved > 1e-2, `the head changed the fused windows by at most ${moved}`);

    // Enrolment skipped: the head falls back to the training population on both sides (the network to the session's speech).
    const serverSkip: MonitorEvent[] = [];
    await replayFile(m, fixture, { skipEnrolment: true, onEvent: (e) => serverSkip.push(e) });
    const deviceSkip = await deviceReplay(served, run, fixture, true);
    const skip = compareWindows(m, serverSkip, deviceSkip);
    assert.ok(wins(deviceSkip).filter((w) => w.head).length >= 3 && skip.worst <= 1e-4, `enrolment skipped: max |Δp| = ${skip.worst}`);
    t.diagnostic(
      `head model: ${classified} classified windows, ${fused.filter((w) => w.head).length} with the head; max |Δp| device vs server ${worst.toExponential(2)}; the head moved p by up to ${moved.toFixed(3)}`,
    );
    await session.release();
  },
);
