/**
 * End to end in Debian's Chromium (headless, driven by playwright-core with the system browser; nothing
 * downloaded), with a fake microphone playing the fixture: calm enrolment speech, fearful and happy
 * speech, pauses. Asserts that enrolment completes, windows arrive while the speaker is still talking,
 * there is no label in the pauses, the timeline draws, the exports download, the report is written,
 * no request leaves loopback, and that a missing or refused microphone is reported on the page.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { chromium as pw, type Browser, type Page } from 'playwright-core';
import { loadTrainedModel } from '../../src/model/model-dir.js';
import { startMonitorServer } from '../../src/monitor/server.js';
import type { MonitorEvent, WindowEvent } from '../../src/monitor/core.js';
// @ts-expect-error — a plain .mjs build script without types
import { buildMonitorWeb } from '../../scripts/build-monitor-web.mjs';
import { haveDevCorpus, tinyReferenceModel, writeFixture, type FixtureSpan } from './fixtures.js';
import { tmpDir } from '../train/fixtures.js';

const CANDIDATES = [process.env.AFFEXION_CHROMIUM, '/usr/bin/chromium', '/usr/bin/chromium-browser'].filter((p): p is string => !!p);
const executable = CANDIDATES.find((p) => existsSync(p));
const MISSING = `Chromium not found (looked at ${CANDIDATES.join(', ')}); .ci/run installs it with \`apt-get install -y chromium\``;

function launch(fixture: string, dir: string): Promise<Browser> {
  return pw.launch({
    executablePath: executable,
    headless: true,
    downloadsPath: dir,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--disable-background-networking',
      '--disable-component-update',
      '--no-first-run',
      '--use-fake-ui-for-media-stream',
      '--use-fake-device-for-media-stream',
      `--use-file-for-fake-audio-capture=${fixture}%noloop`,
      '--autoplay-policy=no-user-gesture-required',
    ],
  });
}

/** Every request the page makes must go to the server on loopback; anything else is aborted and recorded. */
async function guardLoopback(page: Page, host: string): Promise<string[]> {
  const foreign: string[] = [];
  await page.route('**/*', (route) => {
    const u = new URL(route.request().url());
    if (u.host === host || u.protocol === 'blob:' || u.protocol === 'data:') return route.continue();
    foreign.push(u.href);
    return route.abort();
  });
  page.on('websocket', (ws) => {
    if (new URL(ws.url()).host !== host) foreign.push(ws.url());
  });
  page.on('request', (r) => {
    const u = new URL(r.url());
    if (u.host !== host && !['blob:', 'data:'].includes(u.protocol)) foreign.push(r.url());
  });
  return foreign;
}

/** The page's record: every event and, for each, the seconds of audio the page had sent when it arrived. */
interface PageState {
  events: MonitorEvent[];
  received: number[];
}
const pageState = (page: Page): Promise<PageState> =>
  page.evaluate(() => {
    const s = (window as unknown as { __affexion: PageState }).__affexion;
    return { events: s.events, received: s.received };
  });

/**
 * Stream seconds minus fixture seconds. The fake microphone starts with the capture, but not exactly at the
 * stream's 0 (and the gate may take the first instants of room noise after digital silence for speech), so
 * the offset is measured at the onsets of the fearful and happy speech, each after a pause (the gate marks
 * speech from 0.1 s before an onset); the two must agree.
 */
function streamOffset(events: readonly MonitorEvent[], spans: readonly FixtureSpan[]): number {
  const onsets = events.filter((e) => e.type === 'speech' && e.speech).map((e) => (e as { t: number }).t);
  const at = (kind: FixtureSpan['kind']): number => {
    const t0 = spans.find((x) => x.kind === kind)!.t0 - 0.1;
    const near = onsets.map((t) => t - t0).sort((a, b) => Math.abs(a) - Math.abs(b))[0];
    assert.ok(
      near !== undefined && Math.abs(near) < 1.5,
      `a speech onset near the ${kind} speech at ${t0.toFixed(2)} s (onsets ${onsets.map((t) => t.toFixed(2))})`,
    );
    return near;
  };
  const a = at('fearful'),
    b = at('happy');
  assert.ok(Math.abs(a - b) < 0.35, `onset offsets disagree: fearful ${a.toFixed(2)} s, happy ${b.toFixed(2)} s`);
  return (a + b) / 2;
}

// Timeouts are generous (the machine may be loaded: Chromium start-up, audio capture and the model all
// slow down) but bounded; everything waits on events from the page, never on fixed sleeps.
test(
  'the page in Chromium with a fake microphone: enrolment, live windows, no label in pauses, timeline, export, report, loopback only',
  { timeout: 300_000 },
  async (t) => {
    if (!executable) {
      if (process.env.CI === 'true') assert.fail(MISSING);
      t.skip(MISSING);
      return;
    }
    if (!haveDevCorpus()) {
      t.skip('no dev corpus');
      return;
    }
    const dir = tmpDir('affexion-browser-');
    const fixture = path.join(dir, 'fixture.wav');
    const { spans, seconds } = await writeFixture(fixture);
    const model = loadTrainedModel(await tinyReferenceModel());
    const assets = await buildMonitorWeb(path.join(dir, 'web'));
    const server = await startMonitorServer(model, { port: 0, assetsDir: assets, record: path.join(dir, 'rec') });
    const browser = await launch(fixture, dir);
    try {
      const ctx = await browser.newContext({ acceptDownloads: true });
      ctx.setDefaultTimeout(60_000); // downloads, clicks, evaluations under load
      const page = await ctx.newPage();
      const host = new URL(server.url).host;
      const foreign = await guardLoopback(page, host);
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));
      await page.goto(`${server.url}?autostart=1`);
      // Enrolment from the first 8 s of speech (the fixture's calm part) completes.
      await page.waitForSelector('body[data-enrolled="yes"]', { timeout: 120_000 });
      // Let the rest of the fixture play (it started with the capture), plus a little.
      await page.waitForFunction(
        (end) => {
          const ev = (window as unknown as { __affexion: { events: { type: string; t1?: number }[] } }).__affexion.events;
          return ev.some((e) => e.type === 'window' && (e.t1 ?? 0) > end);
        },
        seconds + 1.5,
        { timeout: 150_000, polling: 250 },
      );
      const { events: ev, received } = await pageState(page);
      const wins = ev.filter((e): e is WindowEvent => e.type === 'window');
      const sentAt = new Map(ev.map((e, i) => [e, received[i]!]));
      const enrolled = ev.find((e) => e.type === 'enrolled') as { t: number; skipped: boolean };
      assert.equal(enrolled.skipped, false);
      const offset = streamOffset(ev, spans);
      const labelled = wins.filter((w) => w.label);
      // Window events arrive while the speaker is still talking: labelled windows ending inside the fearful
      // and happy speech that reached the page before the page had sent the end of that speech.
      for (const kind of ['fearful', 'happy'] as const) {
        const s = spans.find((x) => x.kind === kind)!;
        const during = labelled.filter((w) => w.t1 - offset > s.t0 + 0.5 && w.t1 - offset < s.t1);
        const live = during.filter((w) => sentAt.get(w)! - offset < s.t1);
        assert.ok(
          live.length >= 2,
          `${kind} speech ${s.t0.toFixed(1)}–${s.t1.toFixed(1)} s: ${during.length} labelled windows, ` +
            `${live.length} of them arrived before it ended (arrivals ${during.map((w) => (sentAt.get(w)! - offset).toFixed(1))})`,
        );
      }
      // No label in the pauses (the window's last hop inside a pause, 0.6 s clear of its edges) nor after the end.
      const quiet = wins.filter((w) =>
        spans.some((s) => s.kind === 'silence' && w.t1 - 0.5 - offset > s.t0 + 0.6 && w.t1 - offset < s.t1 - 0.6),
      );
      // How many such windows exist depends on where the 0.5 s hop grid falls (the capture's start): each 2.5 s
      // pause leaves 0.8 s for a window's end, so at least one per 2.5 s pause (two of them); the 2 s pause 0.3 s, maybe none.
      assert.ok(quiet.length >= 2, `windows in pauses: ${quiet.length}`);
      assert.deepEqual(
        quiet.filter((w) => w.label !== null).map((w) => [w.t0, w.t1]),
        [],
      );
      const afterEnd = wins.filter((w) => w.t1 - 0.5 - offset > seconds + 0.3);
      assert.deepEqual(
        afterEnd.filter((w) => w.label !== null).map((w) => [w.t0, w.t1]),
        [],
      );
      t.diagnostic(
        `offset ${offset.toFixed(2)} s, ${wins.length} windows, ${labelled.length} labelled, ${quiet.length} in pauses, ` +
          `enrolled at ${enrolled.t.toFixed(1)} s, lag max ${Math.max(...labelled.map((w) => w.lag)).toFixed(3)} s`,
      );
      // The timeline drew lines: coloured pixels on the uPlot canvas.
      const painted = await page.evaluate(() => {
        const c = document.querySelector('#timeline canvas') as HTMLCanvasElement;
        const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
        let n = 0;
        for (let i = 0; i < d.length; i += 4) if (d[i + 3]! > 0 && Math.abs(d[i]! - d[i + 2]!) > 40) n++;
        return n;
      });
      assert.ok(painted > 200, `coloured timeline pixels: ${painted}`);
      assert.equal(await page.textContent('#reaction').then((s) => /window length bounds the reaction time/.test(s ?? '')), true);
      assert.match((await page.textContent('#notice')) ?? '', /not a diagnostic device.*stays on this machine/s);
      // Export: JSON and CSV downloads.
      const [dj] = await Promise.all([page.waitForEvent('download'), page.click('#export-json')]);
      const json = JSON.parse(readFileSync(await dj.path(), 'utf8')) as { events: MonitorEvent[] };
      assert.ok(json.events.filter((e) => e.type === 'window').length >= wins.length);
      const [dc] = await Promise.all([page.waitForEvent('download'), page.click('#export-csv')]);
      const csv = readFileSync(await dc.path(), 'utf8')
        .trim()
        .split('\n');
      assert.match(csv[0]!, /^t0,t1,speech,label,smoothed_label,lag_s,skipped,p_boredom,p_panic,smoothed_boredom,smoothed_panic$/);
      assert.ok(csv.length - 1 >= wins.length);
      // Stop → summary → report written and linked.
      await page.click('#stop');
      await page.waitForSelector('#report-link:not([hidden])', { timeout: 120_000 });
      const href = await page.getAttribute('#report-link', 'href');
      const report = await page.request.get(new URL(href!, server.url).href);
      assert.equal(report.status(), 200);
      assert.match(await report.text(), /Smoothed probabilities/);
      assert.deepEqual(foreign, [], 'requests that left loopback');
      assert.deepEqual(errors, [], 'page errors');
      await ctx.close();
    } finally {
      await browser.close();
      await server.close();
    }
  },
);

test('the page says so when the microphone is missing or refused', { timeout: 180_000 }, async (t) => {
  if (!executable) {
    if (process.env.CI === 'true') assert.fail(MISSING);
    t.skip(MISSING);
    return;
  }
  const dir = tmpDir('affexion-browser-');
  const model = loadTrainedModel(await tinyReferenceModel());
  const assets = await buildMonitorWeb(path.join(dir, 'web'));
  const server = await startMonitorServer(model, { port: 0, assetsDir: assets });
  const browser = await pw.launch({ executablePath: executable, headless: true, args: ['--no-sandbox', '--disable-gpu'] });
  try {
    for (const [name, expected] of [
      ['NotAllowedError', /permission denied/],
      ['NotFoundError', /No microphone found/],
    ] as const) {
      const page = await browser.newPage();
      // The browser's own answer for a refused or absent device, as getUserMedia gives it.
      await page.addInitScript((n) => {
        navigator.mediaDevices.getUserMedia = () => Promise.reject(new DOMException('refused', n));
      }, name);
      await page.goto(`${server.url}?autostart=1`);
      await page.waitForSelector('#mic-error:not([hidden])', { timeout: 60_000 });
      assert.match((await page.textContent('#mic-error')) ?? '', expected);
      await page.close();
    }
  } finally {
    await browser.close();
    await server.close();
  }
});
