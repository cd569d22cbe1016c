import { test } from 'node:test';
import assert from 'node:assert/strict';
import { resample } from '../../src/audio/resample.js';
import { StreamResampler } from '../../src/monitor/stream-resampler.js';
import { SpeechGate } from '../../src/monitor/gate.js';
import {
  createMonitor,
  DEFAULT_HEAD_HOP_SECONDS,
  headPoint,
  type MonitorEvent,
  type MonitorModel,
  type WindowEvent,
} from '../../src/monitor/core.js';
import { Rng } from '../../src/engine/rng.js';

function noiseBursts(sr: number, seconds: number, seed = 1): { x: Float32Array; bursts: [number, number][] } {
  const rng = new Rng(seed);
  const x = new Float32Array(Math.round(sr * seconds));
  const bursts: [number, number][] = [
    [1, 3],
    [4.5, 6],
  ];
  for (let i = 0; i < x.length; i++) {
    const t = i / sr;
    const on = bursts.some(([a, b]) => t >= a && t < b);
    // "Speech": a 200 Hz tone amplitude-modulated at 4 Hz (syllable rate); pauses: faint hiss.
    x[i] = on ? 0.3 * (0.55 + 0.45 * Math.sin(2 * Math.PI * 4 * t)) * Math.sin(2 * Math.PI * 200 * t) : 1e-4 * rng.normal();
  }
  return { x, bursts };
}

test("StreamResampler: any chunking gives the whole-signal resampler's output", () => {
  const rng = new Rng(2);
  const x = new Float32Array(44100 * 0.7).map(() => 0.5 * rng.normal());
  for (const [from, to] of [
    [44100, 16000],
    [48000, 16000],
    [8000, 16000],
  ] as const) {
    const ref = resample(x.subarray(0, Math.round(from * 0.7)), from, to, { backend: 'js' });
    const src = x.subarray(0, Math.round(from * 0.7));
    const r = new StreamResampler(from, to);
    const parts: Float32Array[] = [];
    for (let s = 0, k = 0; s < src.length; k++) {
      const n = [1, 441, 2205, 17][k % 4]!;
      parts.push(r.push(src.subarray(s, s + n)));
      s += n;
    }
    parts.push(r.flush());
    const got = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
    let o = 0;
    for (const p of parts) {
      got.set(p, o);
      o += p.length;
    }
    assert.equal(got.length, ref.length, `${from}→${to} length`);
    let worst = 0;
    for (let i = 0; i < ref.length; i++) worst = Math.max(worst, Math.abs(got[i]! - ref[i]!));
    assert.equal(worst, 0, `${from}→${to}: identical to the whole-signal reference`);
  }
  assert.deepEqual(new StreamResampler(16000, 16000).push(new Float32Array([1, 2])), new Float32Array([1, 2]));
  // Block mode over the native whole-signal resampler: the same output as resampling the whole signal natively.
  for (const [from, to] of [
    [44100, 16000],
    [48000, 16000],
    [22050, 16000],
  ] as const) {
    const src = x.subarray(0, Math.round(from * 0.7));
    const ref = resample(src, from, to);
    const r = new StreamResampler(from, to, (a, f, t) => resample(a, f, t));
    const parts: Float32Array[] = [];
    for (let s = 0, k = 0; s < src.length; k++) {
      const n = [7, 2400, 441, 1300][k % 4]!;
      parts.push(r.push(src.subarray(s, s + n)));
      s += n;
    }
    parts.push(r.flush());
    const got = Float32Array.from(parts.flatMap((p) => Array.from(p)));
    assert.equal(got.length, ref.length, `block ${from}→${to} length`);
    let worst = 0;
    for (let i = 0; i < ref.length; i++) worst = Math.max(worst, Math.abs(got[i]! - ref[i]!));
    // Float rounding only: the native resampler sums each output in several accumulator chains, whose split
    // depends on where a block starts (a few ulps on samples up to ~2; features and probabilities follow within 1e-5).
    assert.ok(worst <= 5e-6, `block ${from}→${to}: worst ${worst}`);
  }
});

test('SpeechGate: speech frames inside the bursts, none in the pauses, decisions bounded in delay', () => {
  const sr = 16000;
  const { x } = noiseBursts(sr, 7.5);
  const g = new SpeechGate(sr);
  const decided: { frame: number; speech: boolean }[] = [];
  for (let s = 0; s < x.length; s += 800) {
    g.push(x.subarray(s, s + 800));
    decided.push(...g.takeDecided());
    assert.ok(g.frames - decided.length <= 60, `undecided frames ${g.frames - decided.length}`);
  }
  g.finish();
  decided.push(...g.takeDecided());
  const at = (t: number): boolean => decided[Math.round(t / 0.01)]!.speech;
  for (const t of [1.2, 2, 2.8, 4.8, 5.5]) assert.ok(at(t), `speech at ${t} s`);
  for (const t of [0.3, 0.7, 3.6, 4.0, 6.6, 7.2]) assert.ok(!at(t), `no speech at ${t} s`);
});

/** A fake model: probability of class "loud" grows with the window's RMS. */
function fakeModel(delayMs = 0): MonitorModel<{ gain: number }> & { calls: number } {
  const m = {
    classes: ['quiet', 'loud'],
    sampleRate: 16000,
    calls: 0,
    async classify(ws: Float32Array[], ref: { gain: number } | null) {
      m.calls++;
      if (delayMs) await new Promise((r) => setTimeout(r, delayMs));
      const out = new Float32Array(ws.length * 2);
      ws.forEach((w, i) => {
        let ss = 0;
        for (const v of w) ss += v * v;
        const p = Math.min(1, Math.sqrt(ss / w.length) * 5 * (ref?.gain ?? 1));
        out[2 * i] = 1 - p;
        out[2 * i + 1] = p;
      });
      return out;
    },
    makeReference: (clips: Float32Array[]) => ({ gain: clips.length > 0 ? 1 : 0 }),
  };
  return m;
}

test('createMonitor: windows every hop, labels only with speech, enrolment, smoothing, alerts with hysteresis', async () => {
  const sr = 16000;
  const { x } = noiseBursts(sr, 7.5);
  const events: MonitorEvent[] = [];
  const mon = createMonitor({
    model: fakeModel(),
    window: 1,
    hop: 0.25,
    enrolSeconds: 0.5,
    maxPending: Infinity,
    cooldown: 0,
    thresholds: { loud: { enter: 0.5, leave: 0.3 } },
    onEvent: (e) => events.push(e),
  });
  for (let s = 0; s < x.length; s += 480) {
    mon.push(x.subarray(s, s + 480), sr);
    await mon.drain();
  }
  const summary = await mon.end();
  const wins = events.filter((e) => e.type === 'window');
  assert.equal(wins.length, Math.floor((7.5 - 1) / 0.25) + 1);
  assert.deepEqual(
    wins.slice(0, 3).map((w) => [w.t0, w.t1]),
    [
      [0, 1],
      [0.25, 1.25],
      [0.5, 1.5],
    ],
  );
  const enrolled = events.find((e) => e.type === 'enrolled');
  assert.ok(enrolled && !enrolled.skipped && enrolled.speechSeconds >= 0.5 && enrolled.t > 1 && enrolled.t < 2, JSON.stringify(enrolled));
  for (const w of wins) {
    if (w.t1 <= enrolled.t) assert.equal(w.label, null, 'no label while enrolling');
    const inPause = (w.t0 >= 3.3 && w.t1 <= 4.5) || w.t0 >= 6.4;
    if (inPause) assert.equal(w.label, null, `no label in the pause ${w.t0}–${w.t1}`);
  }
  const labelled = wins.filter((w) => w.label);
  assert.ok(labelled.length >= 8, `labelled ${labelled.length}`);
  assert.ok(labelled.every((w) => w.smoothed && Math.abs(w.smoothed.quiet + w.smoothed.loud - 1) < 1e-6));
  const utt = events.filter((e) => e.type === 'utterance');
  assert.equal(utt.length, 2);
  assert.ok(Math.abs(utt[0]!.t0 - 0.9) < 0.15 && Math.abs(utt[0]!.t1 - 3.1) < 0.15, JSON.stringify(utt[0]));
  const alerts = events.filter((e) => e.type === 'alert');
  assert.ok(alerts.some((a) => a.state === 'enter' && a.label === 'loud'));
  // Hysteresis: alternating enter/leave per label.
  let on = false;
  for (const a of alerts) {
    assert.equal(a.state, on ? 'leave' : 'enter');
    on = !on;
  }
  assert.equal(summary.dropped, 0);
  assert.equal(events[events.length - 1]!.type, 'summary');
});

test('createMonitor: a slow classifier makes it skip windows (bounded queue), and says so', async () => {
  const sr = 16000;
  const { x } = noiseBursts(sr, 4);
  const events: MonitorEvent[] = [];
  const model = fakeModel(120);
  const mon = createMonitor({ model, window: 0.5, hop: 0.05, enrolSeconds: 0, onEvent: (e) => events.push(e) });
  for (let s = 0; s < x.length; s += 160) mon.push(x.subarray(s, s + 160), sr); // all at once: far faster than real time
  const summary = await mon.end();
  assert.ok(summary.dropped > 10, `dropped ${summary.dropped}`);
  const skipped = events.filter((e) => e.type === 'window' && e.skipped);
  assert.equal(skipped.length, summary.dropped);
  assert.ok(model.calls <= summary.classified + 1);
});

test('createMonitor: bad input is refused with a clear message', () => {
  const mon = createMonitor({ model: fakeModel(), onEvent: () => undefined });
  assert.throws(() => mon.push(new Float32Array([0, NaN]), 16000), /sample 1 is NaN/);
  mon.push(new Float32Array(160), 16000);
  assert.throws(() => mon.push(new Float32Array(160), 44100), /sample rate changed/);
  assert.throws(() => createMonitor({ model: fakeModel(), window: -1, onEvent: () => undefined }), /window/);
  assert.throws(
    () => createMonitor({ model: fakeModel(), thresholds: { nope: { enter: 0.5, leave: 0.2 } }, onEvent: () => undefined }),
    /unknown class "nope"/,
  );
  assert.throws(
    () => createMonitor({ model: fakeModel(), thresholds: { loud: { enter: 0.2, leave: 0.5 } }, onEvent: () => undefined }),
    /leave ≤ enter/,
  );
});

test("createMonitor: skipped enrolment uses the session's own speech so far (no-reference fallback, bounded); redo enrols anew", async () => {
  const sr = 16000;
  const { x } = noiseBursts(sr, 7.5);
  const events: MonitorEvent[] = [];
  const refs: unknown[] = [];
  const fallbackSeconds: number[] = [];
  const model = fakeModel();
  const classify = model.classify;
  model.classify = (ws, ref) => {
    refs.push(ref);
    return classify(ws, ref);
  };
  const clipSets: Float32Array[][] = [];
  const withFallback = {
    ...model,
    fallbackReference: (clips: Float32Array[]) => {
      const n = clips.reduce((a, c) => a + c.length, 0);
      fallbackSeconds.push(n / sr);
      clipSets.push(clips);
      return { gain: 1, fallbackSeconds: n / sr };
    },
  };
  const mon = createMonitor({
    model: withFallback,
    window: 1,
    hop: 0.25,
    enrolSeconds: 0.5,
    fallbackSeconds: 1.5,
    maxPending: Infinity,
    onEvent: (e) => events.push(e),
  });
  mon.skipEnrolment();
  assert.equal(mon.enrolling, false);
  for (let s = 0; s < 3.5 * sr; s += 480) {
    mon.push(x.subarray(s, s + 480), sr);
    await mon.drain();
  }
  // Never unnormalised: first the window itself (under a second of speech), then the session's speech so far.
  assert.ok(refs.length > 0 && refs.every((r) => r !== null), 'skipped: every window has a fallback reference');
  const wins = events.filter((e): e is WindowEvent => e.type === 'window' && e.probs !== null);
  const kinds = wins.map((w) => w.reference);
  assert.equal(kinds[0], 'window');
  assert.ok(kinds.includes('session') && kinds.lastIndexOf('window') < kinds.indexOf('session'), kinds.join(','));
  // Bounded: the session's speech stops growing at fallbackSeconds (1.5 s; 10 ms frames) and the reference is then fixed.
  const sessionRefs = fallbackSeconds.filter((s) => s >= 1);
  assert.ok(sessionRefs.length >= 1 && Math.max(...sessionRefs) <= 1.5 + 0.011, fallbackSeconds.join(','));
  // Clips of one window's length (1 s here); a complete clip is passed as the same object at every rebuild
  // (the server memoises its features), and the clips are the session speech cut every second.
  const rebuilt = clipSets.filter((c) => c.length >= 2);
  assert.ok(rebuilt.length >= 2, `rebuilds with a complete clip: ${rebuilt.length}`);
  for (const c of rebuilt) {
    assert.equal(c[0]!.length, sr);
    assert.equal(c[0], rebuilt[0]![0], 'the complete clip is the same object at each rebuild');
  }
  const skip = events.find((e) => e.type === 'enrolled');
  assert.deepEqual(skip && { skipped: skip.skipped, fallback: skip.fallback }, { skipped: true, fallback: 'session speech' });
  mon.redoEnrolment();
  assert.equal(mon.enrolling, true);
  const n = refs.length;
  for (let s = 3.5 * sr; s < x.length; s += 480) {
    mon.push(x.subarray(s, s + 480), sr);
    await mon.drain();
  }
  await mon.end();
  const enrolled = events.filter((e) => e.type === 'enrolled');
  assert.deepEqual(
    enrolled.map((e) => e.skipped),
    [true, false],
  );
  assert.ok(enrolled[1]!.t > 4.5, 'the new reference comes from the speech after the redo');
  const after = refs.slice(n) as { fallbackSeconds?: number }[];
  assert.ok(
    after.length > 0 && after.every((r) => r !== null && r.fallbackSeconds === undefined),
    'after the redo: the enrolled reference',
  );
  assert.ok(
    events
      .filter((e): e is WindowEvent => e.type === 'window' && e.t0 > enrolled[1]!.t && e.probs !== null)
      .every((w) => w.reference === 'speaker'),
  );
});

test('createMonitor: a failing classifier is reported (onError, or thrown from drain), not swallowed', async () => {
  const sr = 16000;
  const { x } = noiseBursts(sr, 3);
  const broken: MonitorModel = {
    classes: ['a', 'b'],
    sampleRate: sr,
    classify: async () => {
      throw new Error('weights gone');
    },
  };
  const seen: unknown[] = [];
  const a = createMonitor({ model: broken, window: 1, hop: 0.5, onEvent: () => undefined, onError: (e) => seen.push(e) });
  a.push(x, sr);
  await a.drain();
  assert.match(String(seen[0]), /weights gone/);
  const b = createMonitor({ model: broken, window: 1, hop: 0.5, maxPending: Infinity, onEvent: () => undefined });
  b.push(x, sr);
  await assert.rejects(b.drain(), /weights gone/);
});

test('createMonitor: memory stays bounded over a long session (audio buffer, gate history, fallback speech)', async () => {
  const sr = 16000;
  const { x } = noiseBursts(sr, 7.5);
  const mon = createMonitor({
    model: fakeModel(),
    window: 2,
    hop: 0.5,
    enrolSeconds: 0.5,
    fallbackSeconds: 5,
    maxPending: Infinity,
    onEvent: () => undefined,
  });
  mon.skipEnrolment();
  const sizes: { audioSamples: number; gateFrames: number; fallbackSamples: number }[] = [];
  for (let rep = 0; rep < 24; rep++) {
    // 3 minutes of bursts and pauses
    for (let s = 0; s < x.length; s += 1600) mon.push(x.subarray(s, s + 1600), sr);
    await mon.drain();
    sizes.push(mon.retained);
  }
  await mon.end();
  for (const z of sizes) {
    assert.ok(z.audioSamples <= 8 * sr, `audio held: ${z.audioSamples / sr} s`);
    assert.ok(z.gateFrames <= 2500, `gate frames held: ${z.gateFrames}`);
    assert.ok(z.fallbackSamples <= 5 * sr, `fallback speech held: ${z.fallbackSamples / sr} s`);
  }
  assert.ok(
    sizes.slice(8).every((z) => z.audioSamples === sizes[8]!.audioSamples),
    'the audio buffer does not grow after the first minute',
  );
});

test('createMonitor: a head whose enrolment reference is a promise (the on-device worker) fuses with the settled value; a failed one is reported', async () => {
  const sr = 16000;
  const { x } = noiseBursts(sr, 7.5);
  const run = async (reference: () => unknown) => {
    const seen: unknown[] = [];
    const fusedWith: unknown[] = [];
    const model: MonitorModel<{ gain: number }> = {
      ...fakeModel(),
      head: {
        contextSamples: sr,
        reference,
        async score(_ctx, ref) {
          fusedWith.push(ref);
          return 0.5;
        },
        fuse: (probs, opinion) => Float32Array.from(probs, (p) => p * (opinion as number)),
      },
    };
    const events: MonitorEvent[] = [];
    // headHop = hop: the head refreshes at every window (each window fuses the previous window's opinion).
    const mon = createMonitor({
      model,
      window: 1,
      hop: 0.25,
      headHop: 0.25,
      enrolSeconds: 0.5,
      maxPending: Infinity,
      onEvent: (e) => events.push(e),
      onError: (e) => seen.push(e),
    });
    for (let s = 0; s < x.length; s += 480) {
      mon.push(x.subarray(s, s + 480), sr);
      await mon.drain();
    }
    return { windows: events.filter((e): e is WindowEvent => e.type === 'window' && e.probs !== null), fusedWith, seen };
  };
  const ok = await run(() => new Promise((r) => setTimeout(() => r([1, 2, 3]), 20)));
  assert.ok(ok.windows.length >= 8 && ok.windows.every((w) => w.head === true));
  assert.ok(
    ok.fusedWith.length >= ok.windows.length && ok.fusedWith.every((r) => JSON.stringify(r) === '[1,2,3]'),
    'every opinion asked with the settled reference',
  );
  const failed = await run(() => Promise.reject(new Error('worker gone')));
  assert.match(String(failed.seen[0]), /worker gone/);
  assert.equal(failed.windows.length, 0);
});

/**
 * A fake head whose opinion is the mean |sample| of its context (a different context gives a different opinion),
 * recording the contexts it scored (by their length and opinion).
 */
function fakeHead(sr: number, contextSeconds = 2) {
  const scored: number[] = [];
  return {
    scored,
    head: {
      contextSamples: contextSeconds * sr,
      reference: () => null,
      async score(ctx: Float32Array) {
        let s = 0;
        for (const v of ctx) s += Math.abs(v);
        const m = s / ctx.length;
        scored.push(m);
        return m;
      },
      fuse: (probs: Float32Array, opinion: unknown) => Float32Array.from(probs, (p, k) => (k === 0 ? p + (opinion as number) : p)),
    },
  };
}

test('headPoint: refresh points every `every` windows, each used for the period after the next one', () => {
  assert.deepEqual(
    [...Array(10).keys()].map((k) => headPoint(k, 4)),
    [-4, -4, -4, -4, 0, 0, 0, 0, 4, 4],
  );
  assert.deepEqual(
    [...Array(4).keys()].map((k) => headPoint(k, 1)),
    [-1, 0, 1, 2],
  );
});

test('createMonitor: the head refreshes every headHop of stream (not every window) and each window fuses the refresh point a period back', async () => {
  const sr = 16000;
  const { x } = noiseBursts(sr, 7.5);
  for (const [headHop, every] of [
    [undefined, DEFAULT_HEAD_HOP_SECONDS / 0.25],
    [1, 4],
    [0.6, 2],
    [0.25, 1],
  ] as const) {
    const h = fakeHead(sr);
    const events: MonitorEvent[] = [];
    const mon = createMonitor({
      model: { ...fakeModel(), head: h.head },
      window: 1,
      hop: 0.25,
      headHop,
      enrolSeconds: 0,
      maxPending: Infinity,
      onEvent: (e) => events.push(e),
    });
    for (let s = 0; s < x.length; s += 480) {
      mon.push(x.subarray(s, s + 480), sr);
      await mon.drain();
    }
    await mon.end();
    const wins = events.filter((e): e is WindowEvent => e.type === 'window');
    const classified = wins.filter((w) => w.probs);
    assert.ok(classified.length >= 10, `${classified.length} classified`);
    for (const w of classified) {
      const k = Math.round((w.t1 - 1) / 0.25),
        g = headPoint(k, every);
      if (g < 0) {
        assert.equal(w.head, false, `window ${k}: no refresh point yet`);
        assert.equal(w.headT, undefined);
        continue;
      }
      assert.equal(w.head, true, `window ${k}`);
      assert.ok(
        Math.abs(w.headT! - (1 + g * 0.25)) < 1e-9,
        `window ${k} (headHop ${headHop}): head of ${w.headT} s, expected the refresh point ${g}`,
      );
      // The opinion fused is the head's on the 2 s ending at the refresh point (the stream's own samples).
      const e = Math.round(w.headT! * sr);
      const ctx = x.subarray(Math.max(0, e - 2 * sr), e);
      const want = ctx.reduce((s, v) => s + Math.abs(v), 0) / ctx.length;
      assert.ok(Math.abs(w.probs!.quiet! + w.probs!.loud! - 1 - want) < 1e-5, `window ${k}: fused with the opinion at the refresh point`);
    }
    // Scored at most once per refresh point (windows due / every), never per window.
    const points = Math.ceil(wins.length / every);
    assert.ok(h.scored.length <= points, `headHop ${headHop}: ${h.scored.length} opinions for ${points} refresh points`);
    if (every > 1) assert.ok(h.scored.length < classified.length, 'fewer opinions than classified windows');
  }
  assert.throws(
    () =>
      createMonitor({ model: { ...fakeModel(), head: fakeHead(sr).head }, window: 1, hop: 0.25, headHop: 0.1, onEvent: () => undefined }),
    /headHop: expected hop \(0.25\) ≤ seconds ≤ 30/,
  );
  assert.throws(
    () => createMonitor({ model: { ...fakeModel(), head: fakeHead(sr).head }, headHop: Number.NaN, onEvent: () => undefined }),
    /headHop/,
  );
});

test('createMonitor: live (a slow classifier, windows dropped) fuses every window it classifies with the same head opinion as replay', async () => {
  const sr = 16000;
  const { x } = noiseBursts(sr, 7.5, 3);
  const run = async (live: boolean) => {
    const h = fakeHead(sr);
    const events: MonitorEvent[] = [];
    const mon = createMonitor({
      model: { ...fakeModel(live ? 60 : 0), head: h.head },
      window: 1,
      hop: 0.25,
      headHop: 1,
      enrolSeconds: 0,
      maxPending: live ? 1 : Infinity,
      onEvent: (e) => events.push(e),
    });
    for (let s = 0; s < x.length; s += 480) {
      mon.push(x.subarray(s, s + 480), sr);
      if (live)
        await new Promise((r) => setTimeout(r, 5)); // faster than real time: the slow classifier falls behind
      else await mon.drain();
    }
    const summary = await mon.end();
    return { wins: events.filter((e): e is WindowEvent => e.type === 'window' && e.probs !== null), summary };
  };
  const replay = await run(false),
    live = await run(true);
  assert.equal(replay.summary.dropped, 0);
  assert.ok(live.summary.dropped > 0, 'the live run dropped windows');
  assert.ok(live.wins.length >= 5 && live.wins.some((w) => w.head));
  for (const w of live.wins) {
    const r = replay.wins.find((v) => v.t1 === w.t1)!;
    assert.ok(r, `window ${w.t1} classified in replay too`);
    assert.equal(w.head, r.head);
    assert.equal(w.headT, r.headT);
    assert.deepEqual(w.probs, r.probs, `window ${w.t1}: the same fused probabilities`);
  }
});
