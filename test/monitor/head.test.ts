/**
 * The functional head in the monitor (src/monitor/model.ts monitorHead): windows fused with the head on
 * the speech context ending at the head's refresh point once it holds enough speech, exactly as predict's
 * head on that audio; a model without a head unchanged; the population reference without reference clips.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { loadAudio } from '../../src/audio/load.js';
import { writeWav16 } from '../../src/audio/wav-write.js';
import { speechSamples } from '../../src/data/features.js';
import { samplesFunctionals } from '../../src/data/functional-features.js';
import { Rng } from '../../src/engine/rng.js';
import { windowProbabilities } from '../../src/eval/predict.js';
import { finiteMeans, fuseProbabilities, headProbabilities } from '../../src/model/functional-head.js';
import { loadTrainedModel, type TrainedModel } from '../../src/model/model-dir.js';
import { DEFAULT_HEAD_HOP_SECONDS, headPoint, type MonitorEvent, type WindowEvent } from '../../src/monitor/core.js';
import { HEAD_CONTEXT_SECONDS, monitorModel } from '../../src/monitor/model.js';
import { replayFile, type ReplayOptions } from '../../src/monitor/replay.js';
import { tmpDir } from '../train/fixtures.js';
import { devClips, devFiles, haveDevCorpus, tinyHeadModel, tinyReferenceModel } from './fixtures.js';

const skip = haveDevCorpus() ? false : 'dev corpus not available (shared/data/ravdess-dev)';
const SR = 16000,
  WIN = 2,
  HOP = 0.5;

/**
 * A 16 kHz file of two fearful clips of one actor (0.15 s apart, 0.3 s of faint noise before), cut so the
 * last 2 s / 0.5 s window ends exactly at the end of the file and the whole file fits the head's context.
 */
async function writeClip(): Promise<string> {
  const [a, b] = await devClips('fearful', 2);
  const rng = new Rng(4);
  const noise = (sec: number): Float32Array => Float32Array.from({ length: Math.round(sec * SR) }, () => 1e-4 * rng.normal());
  const parts = [noise(0.3), a!, noise(0.15), b!];
  let x = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    x.set(p, o);
    o += p.length;
  }
  const win = WIN * SR,
    hop = HOP * SR;
  x = x.slice(0, Math.min(Math.floor((Math.min(x.length, HEAD_CONTEXT_SECONDS * SR) - win) / hop) * hop + win));
  const file = path.join(tmpDir('affexion-monitor-head-'), 'fearful.wav');
  writeWav16(file, x, SR);
  return file;
}

async function replay(m: TrainedModel, file: string, opts: Partial<ReplayOptions> = {}): Promise<MonitorEvent[]> {
  const events: MonitorEvent[] = [];
  await replayFile(m, file, { window: WIN, hop: HOP, now: () => 0, ...opts, onEvent: (e) => events.push(e) });
  return events;
}

const windowsOf = (es: MonitorEvent[]): WindowEvent[] => es.filter((e): e is WindowEvent => e.type === 'window');
const vec = (m: TrainedModel, r: Record<string, number>): Float32Array => Float32Array.from(m.classes.map((c) => r[c]!));

/** Functionals of a file's speech (its first `seconds`: all of it by default), as predict computes them. */
async function fileFunctionals(m: TrainedModel, file: string, seconds = Infinity): Promise<number[]> {
  const { samples } = await loadAudio(file, { sr: SR });
  return samplesFunctionals(
    speechSamples(samples.subarray(0, Math.min(samples.length, Math.round(seconds * SR))), m.featureSettings, file),
    m.featureSettings,
  );
}

/** Checks a replay of the head model against the network alone and predict's head on the whole file. */
async function checkFused(m: TrainedModel, file: string, headRef: number[] | null, opts: Partial<ReplayOptions>): Promise<void> {
  const head = m.functionalHead!;
  const { functionalHead: _, ...net } = m;
  const fused = windowsOf(await replay(m, file, opts));
  const alone = windowsOf(await replay(net, file, opts));
  assert.equal(fused.length, alone.length);
  const classified = fused.filter((w) => w.probs);
  assert.ok(classified.length >= 3, `${classified.length} classified windows`);
  // Once the context holds ≥ 2 s of speech the head takes part (not in the first window: ≤ 2 s of audio).
  assert.equal(classified[0]!.head, false);
  const withHead = classified.filter((w) => w.head);
  assert.ok(withHead.length >= 1, 'the head takes part in some windows');
  for (const [i, w] of fused.entries()) {
    const a = alone[i]!;
    assert.equal(a.head, undefined, 'the network alone says nothing about a head');
    if (!w.probs) {
      assert.equal(a.probs, null);
      continue;
    }
    if (w.head) assert.notDeepEqual(w.probs, a.probs, `window ${w.t1}: fused = the network's`);
    else assert.deepEqual(w.probs, a.probs, `window ${w.t1}: no head, yet not the network's`);
  }
  // The head's refresh points: the window k (ending at WIN + k·HOP) fuses the head's opinion at refresh point headPoint(k).
  const every = Math.round((opts.headHop ?? DEFAULT_HEAD_HOP_SECONDS) / HOP);
  for (const w of withHead)
    assert.ok(
      Math.abs(w.headT! - (WIN + headPoint(Math.round((w.t1 - WIN) / HOP), every) * HOP)) < 1e-9,
      `window ${w.t1}: head of ${w.headT}`,
    );
  // The last fused window: its head's context is the file up to the refresh point (the file fits the context): predict's head on that audio.
  const last = withHead.at(-1)!,
    lastNet = alone.find((a) => a.t1 === last.t1)!;
  const { samples } = await loadAudio(file, { sr: SR });
  assert.ok(samples.length <= HEAD_CONTEXT_SECONDS * SR);
  const hp = headProbabilities(head, [await fileFunctionals(m, file, last.headT!)], [headRef]);
  const want = fuseProbabilities(vec(m, lastNet.probs!), hp, m.classes, head.fusion, head.priors);
  m.classes.forEach((c, k) => assert.ok(Math.abs(last.probs![c]! - want[k]!) < 1e-6, `${c}: ${last.probs![c]} vs ${want[k]}`));
  // The summary's mean is the fused windows' mean.
  const summary = (await replay(m, file, opts)).find((e) => e.type === 'summary')!;
  for (const c of m.classes) {
    const mean = classified.reduce((s, w) => s + w.probs![c]!, 0) / classified.length;
    assert.ok(Math.abs(summary.meanProbs[c]! - mean) < 1e-6, `summary ${c}`);
  }
}

test(
  'a model with a head: windows fused with the head on the trailing speech, with the speaker reference of the given clips',
  { skip },
  async () => {
    const m = loadTrainedModel(await tinyHeadModel());
    assert.ok(m.functionalHead);
    const file = await writeClip();
    const ref = devFiles('calm', 2);
    const headRef = finiteMeans(await Promise.all(ref.map((f) => fileFunctionals(m, f))));
    await checkFused(m, file, headRef, { reference: ref, headHop: HOP });
    await checkFused(m, file, headRef, { reference: ref, headHop: 1 });
  },
);

test('a model with a head, no reference clips: the head falls back to the training population', { skip }, async () => {
  const m = loadTrainedModel(await tinyHeadModel());
  await checkFused(m, await writeClip(), null, { skipEnrolment: true, headHop: HOP });
});

test("enrolment gives the head its reference: the enrolment speech's functionals", { skip }, async () => {
  const m = loadTrainedModel(await tinyHeadModel());
  const h = monitorModel(m).head!;
  assert.equal(h.contextSamples, HEAD_CONTEXT_SECONDS * SR);
  const [calm] = await devClips('calm', 1);
  const want = samplesFunctionals(speechSamples(calm!, m.featureSettings, 'calm'), m.featureSettings);
  assert.deepEqual(h.reference([calm!]), want);
});

test("a model without a head: windows are the network's alone, events without a head field", { skip }, async () => {
  const m = loadTrainedModel(await tinyReferenceModel());
  assert.equal(m.functionalHead, undefined);
  assert.equal(monitorModel(m).head, undefined);
  const file = await writeClip();
  const ref = devFiles('calm', 2);
  const es = await replay(m, file, { reference: ref });
  const ws = windowsOf(es);
  assert.ok(ws.some((w) => w.probs));
  const { referenceFromFiles } = await import('../../src/monitor/replay.js');
  const r = await referenceFromFiles(m, ref);
  const { samples } = await loadAudio(file, { sr: SR });
  for (const w of ws) {
    assert.ok(!('head' in w), 'no head field');
    if (!w.probs) continue;
    const p = await windowProbabilities(m, [samples.slice(Math.round(w.t0 * SR), Math.round(w.t1 * SR))], r, 1);
    assert.deepEqual(w.probs, Object.fromEntries(m.classes.map((c, k) => [c, p[k]!])));
  }
});

test("with an inference pool (the server), the head's functionals come from a worker: the same fusion", { skip }, async () => {
  const m = loadTrainedModel(await tinyHeadModel());
  const { createInferencePool } = await import('../../src/monitor/pool.js');
  const pool = await createInferencePool(m, 1);
  try {
    const { samples } = await loadAudio(await writeClip(), { sr: SR });
    const probs = Float32Array.from(m.classes.map((_, k) => (k + 1) / 6));
    const ref = await fileFunctionals(m, devFiles('calm', 1)[0]!);
    const local = monitorModel(m).head!,
      pooled = monitorModel(m, { pool }).head!;
    const here = await local.score(samples, ref);
    const there = await pooled.score(samples, ref);
    assert.ok(here);
    assert.deepEqual(there, here);
    assert.deepEqual(pooled.fuse(probs, there), local.fuse(probs, here));
    assert.equal(await pooled.score(samples.subarray(0, SR), ref), null, 'under 2 s of speech: no head');
  } finally {
    await pool.close();
  }
});
