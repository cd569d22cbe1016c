/**
 * The server without a browser: a WebSocket client streams the fixture (48 kHz, faster than real time)
 * and gets the same events as file replay; garbage, floods and foreign origins close only the
 * offending session; tokens guard page and socket; non-loopback hosts need a token.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import WebSocket from 'ws';
import { loadAudio } from '../../src/audio/load.js';
import { resample } from '../../src/audio/resample.js';
import { writeWav16 } from '../../src/audio/wav-write.js';
import { loadTrainedModel, type TrainedModel } from '../../src/model/model-dir.js';
import { replayFile } from '../../src/monitor/replay.js';
import { startMonitorServer, type MonitorServer } from '../../src/monitor/server.js';
import type { MonitorEvent } from '../../src/monitor/core.js';
// @ts-expect-error — a plain .mjs build script without types
import { buildMonitorWeb } from '../../scripts/build-monitor-web.mjs';
import { haveDevCorpus, tinyReferenceModel, writeFixture } from './fixtures.js';
import { tmpDir } from '../train/fixtures.js';

let model: TrainedModel;
let server: MonitorServer;
let assets: string;
let fixture48: string;
const skip = !haveDevCorpus();

before(async () => {
  if (skip) return;
  model = loadTrainedModel(await tinyReferenceModel());
  assets = await buildMonitorWeb(tmpDir('affexion-web-'));
  const dir = tmpDir();
  const f16 = path.join(dir, 'fixture16.wav');
  await writeFixture(f16);
  const x = (await loadAudio(f16, { sr: null })).samples;
  fixture48 = path.join(dir, 'fixture48.wav');
  writeWav16(fixture48, resample(x, 16000, 48000), 48000);
  server = await startMonitorServer(model, {
    port: 0,
    assetsDir: assets,
    record: path.join(dir, 'rec'),
    recordAudio: true,
    limits: { maxAheadSeconds: 30 },
  });
});
after(async () => {
  await server?.close();
});

interface Client {
  ws: WebSocket;
  events: (MonitorEvent | { type: string; [k: string]: unknown })[];
  closed: Promise<{ code: number; reason: string }>;
}
function connect(origin?: string, url = server.url): Promise<Client> {
  const u = new URL(url);
  const ws = new WebSocket(`ws://${u.host}/ws`, { headers: { origin: origin ?? `http://${u.host}` } });
  const events: Client['events'] = [];
  ws.on('message', (d) => events.push(JSON.parse(d.toString())));
  const closed = new Promise<{ code: number; reason: string }>((r) =>
    ws.on('close', (code, reason) => r({ code, reason: reason.toString() })),
  );
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve({ ws, events, closed }));
    ws.once('error', reject);
  });
}
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Stable fields of an event (lag and timing excluded). */
function stable(e: Client['events'][number]): unknown {
  if (e.type === 'window') {
    const { lag: _l, dropped: _d, ...rest } = e as Record<string, unknown>;
    return rest;
  }
  if (e.type === 'summary') {
    const { lagP50: _a, lagP95: _b, ...rest } = e as Record<string, unknown>;
    return rest;
  }
  return e;
}

test(
  'a WebSocket client streaming the fixture gets the events of file replay; the recording and report are written',
  { timeout: 120_000, skip },
  async () => {
    const replay: MonitorEvent[] = [];
    await replayFile(model, fixture48, { onEvent: (e) => replay.push(e) });
    const x = (await loadAudio(fixture48, { sr: null })).samples;
    const c = await connect();
    c.ws.send(JSON.stringify({ type: 'start', sampleRate: 48000, enrol: true }));
    const frame = 4800; // 100 ms
    for (let s = 0; s < x.length; s += frame) {
      c.ws.send(Buffer.from(x.slice(s, Math.min(s + frame, x.length)).buffer));
      await sleep(20); // 5× real time: the tiny model keeps up, so nothing is skipped
    }
    c.ws.send(JSON.stringify({ type: 'stop' }));
    const closed = await c.closed;
    assert.equal(closed.code, 1000, closed.reason);
    const hello = c.events[0]!;
    assert.equal(hello.type, 'hello');
    const live = c.events.filter((e) => !['hello', 'report'].includes(e.type));
    assert.deepEqual(live.map(stable), replay.map(stable));
    assert.ok(
      replay.some((e) => e.type === 'enrolled' && !e.skipped),
      'enrolled from the stream',
    );
    assert.ok(replay.filter((e) => e.type === 'window' && e.label).length >= 10);
    const report = c.events.find((e) => e.type === 'report') as { url: string } | undefined;
    assert.ok(report, 'a report message');
    const html = await fetch(new URL(report.url, server.url)).then((r) => r.text());
    assert.match(html, /Smoothed probabilities/);
    const jsonl = await fetch(new URL(report.url.replace('report.html', 'events.jsonl'), server.url)).then((r) => r.text());
    assert.equal(jsonl.trim().split('\n').length, live.length, 'events.jsonl holds every event');
    const rec = await loadAudio(path.join(path.dirname((report as unknown as { file: string }).file), 'audio.wav'), { sr: null });
    assert.equal(rec.sampleRate, 48000);
    assert.equal(rec.samples.length, x.length, '--record-audio keeps the audio as received');
  },
);

test('garbage closes only the sending session, with a reason; others go on', { timeout: 120_000, skip }, async () => {
  const good = await connect();
  good.ws.send(JSON.stringify({ type: 'start', sampleRate: 16000, enrol: false }));
  const cases: [string, (ws: WebSocket) => void, RegExp][] = [
    [
      'NaN',
      (ws) => {
        ws.send(JSON.stringify({ type: 'start', sampleRate: 16000 }));
        const f = new Float32Array(800);
        f[5] = NaN;
        ws.send(Buffer.from(f.buffer));
      },
      /sample 5 is NaN/,
    ],
    [
      'size',
      (ws) => {
        ws.send(JSON.stringify({ type: 'start', sampleRate: 16000 }));
        ws.send(Buffer.from([1, 2, 3]));
      },
      /not float32/,
    ],
    [
      'tiny frame',
      (ws) => {
        ws.send(JSON.stringify({ type: 'start', sampleRate: 16000 }));
        ws.send(Buffer.from(new Float32Array(8).buffer));
      },
      /expected 5–250 ms/,
    ],
    ['rate', (ws) => ws.send(JSON.stringify({ type: 'start', sampleRate: 1e9 })), /sampleRate/],
    ['no start', (ws) => ws.send(Buffer.from(new Float32Array(800).buffer)), /audio before start/],
    ['not json', (ws) => ws.send('hello?'), /not JSON/],
    [
      'flood',
      (ws) => {
        ws.send(JSON.stringify({ type: 'start', sampleRate: 16000 }));
        for (let i = 0; i < 400; i++) ws.send(Buffer.from(new Float32Array(1600).buffer));
      },
      /flood/,
    ],
  ];
  const closes = await Promise.all(
    cases.map(async ([, act]) => {
      const c = await connect();
      act(c.ws);
      return c.closed;
    }),
  );
  closes.forEach((cl, i) => {
    assert.equal(cl.code, 1008, cases[i]![0]);
    assert.match(cl.reason, cases[i]![2], cases[i]![0]);
  });
  // The good session is still served: it streams 3 s of speech-like sound and gets its windows.
  const sr = 16000;
  for (let s = 0; s < 3 * sr; s += 1600) {
    const f = new Float32Array(1600).map(
      (_, i) => 0.3 * Math.sin((2 * Math.PI * 4 * (s + i)) / sr) * Math.sin((2 * Math.PI * 200 * (s + i)) / sr),
    );
    good.ws.send(Buffer.from(f.buffer));
    await sleep(10);
  }
  good.ws.send(JSON.stringify({ type: 'stop' }));
  assert.equal((await good.closed).code, 1000);
  assert.ok(good.events.filter((e) => e.type === 'window').length >= 2);
  // It started with "enrol": false: the no-reference fallback, and its windows say so.
  assert.deepEqual(
    good.events.filter((e) => e.type === 'enrolled').map((e) => [e.skipped, e.fallback]),
    [[true, 'session speech']],
  );
  const scored = good.events.filter((e) => e.type === 'window' && e.probs) as { reference?: string }[];
  assert.ok(
    scored.length >= 1 && scored.every((w) => w.reference === 'window' || w.reference === 'session'),
    JSON.stringify(scored.map((w) => w.reference)),
  );
  assert.equal(server.sessions(), 0, 'every session ended');
});

test(
  'the WebSocket refuses other origins; tokens guard page, assets and socket; other hosts need a token',
  { timeout: 120_000, skip },
  async () => {
    await assert.rejects(connect('http://evil.example'), /403/);
    await assert.rejects(
      startMonitorServer(model, { host: '0.0.0.0', port: 0, assetsDir: assets }),
      /host: 0\.0\.0\.0: a non-loopback address needs a token/,
    );
    // Session settings are checked when the server starts, not when the first page connects.
    for (const [monitor, re] of [
      [{ headHop: 0.1 }, /^headHop: expected hop \(0\.5\) ≤ seconds ≤ 30, got 0\.1$/],
      [{ window: 0 }, /^window: expected 0 < seconds ≤ 60/],
      [{ smoothing: 1.5 }, /^smoothing: expected a whole number/],
      [{ cooldown: -1 }, /^cooldown: expected ≥ 0 seconds/],
    ] as const) {
      await assert.rejects(startMonitorServer(model, { port: 0, assetsDir: assets, workers: 0, monitor }), (e: Error) => {
        assert.equal(e.name, 'ParamError');
        assert.match(e.message, re);
        return true;
      });
    }
    const s = await startMonitorServer(model, { port: 0, assetsDir: assets, token: 'secret-token-123', workers: 0 }); // no scoring here: no workers
    try {
      assert.equal((await fetch(s.url)).status, 401);
      assert.equal((await fetch(new URL('app.js', s.url))).status, 401);
      const ok = await fetch(`${s.url}?token=secret-token-123`);
      assert.equal(ok.status, 200);
      const cookie = ok.headers.get('set-cookie')!.split(';')[0]!;
      assert.equal((await fetch(new URL('app.js', s.url), { headers: { cookie } })).status, 200);
      await assert.rejects(connect(undefined, s.url), /401/);
      const u = new URL(s.url);
      const ws = new WebSocket(`ws://${u.host}/ws?token=secret-token-123`, { headers: { origin: `http://${u.host}` } });
      await new Promise((r, j) => {
        ws.once('open', r);
        ws.once('error', j);
      });
      ws.close();
    } finally {
      await s.close();
    }
  },
);

test('bounded: session length, idle clients and the number of sessions each close with a reason', { timeout: 120_000, skip }, async () => {
  // Scoring in the server's thread (workers: 0): this test is about limits, and worker start-up is slow under load.
  const s = await startMonitorServer(model, {
    port: 0,
    assetsDir: assets,
    workers: 0,
    maxSessions: 2,
    limits: { maxSessionSeconds: 1, idleSeconds: 1 },
  });
  try {
    // Longer than maxSessionSeconds of audio → closed.
    const long = await connect(undefined, s.url);
    long.ws.send(JSON.stringify({ type: 'start', sampleRate: 16000, enrol: false }));
    for (let i = 0; i < 12; i++) long.ws.send(Buffer.from(new Float32Array(1600).buffer));
    const l = await long.closed;
    assert.equal(l.code, 1008);
    assert.match(l.reason, /session longer than 1 s/);
    // A client that says nothing → closed after idleSeconds.
    const quiet = await connect(undefined, s.url);
    const q = await quiet.closed;
    assert.equal(q.code, 1008);
    assert.match(q.reason, /idle for 1 s/);
    // More than maxSessions at once → the newcomer is refused (1013), the others go on.
    const a = await connect(undefined, s.url),
      b = await connect(undefined, s.url);
    const c = await connect(undefined, s.url);
    const cc = await c.closed;
    assert.equal(cc.code, 1013);
    assert.match(cc.reason, /server busy: 2 sessions/);
    for (const x of [a, b]) x.ws.send(JSON.stringify({ type: 'start', sampleRate: 16000, enrol: false }));
    for (const x of [a, b]) x.ws.send(JSON.stringify({ type: 'stop' }));
    for (const x of [a, b]) assert.equal((await x.closed).code, 1000);
    assert.equal(s.sessions(), 0);
  } finally {
    await s.close();
  }
});
