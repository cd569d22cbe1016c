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
import { haveDevCorpus, tinyReferenceModel, writeFixture } from './fixtures.js';
import { tmpDir } from '../train/fixtures.js';

const CANDIDATES = [process.env.AFFEXION_CHROMIUM, '/usr/bin/chromium', '/usr/bin/chromium-browser'].filter((p): p is string => !!p);
const executable = CANDIDATES.find((p) => existsSync(p));
const MISSING = `Chromium not found (looked at ${CANDIDATES.join(', ')}); .ci/run installs it with \`apt-get install -y chromium\``;

function launch(fixture: string, dir: string): Promise<Browser> {
  return pw.launch({
    executablePath: executable, headless: true, downloadsPath: dir,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--disable-background-networking', '--disable-component-update', '--no-first-run',
      '--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream', `--use-file-for-fake-audio-capture=${fixture}%noloop`,
      '--autoplay-policy=no-user-gesture-required'],
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
  page.on('websocket', (ws) => { if (new URL(ws.url()).host !== host) foreign.push(ws.url()); });
  page.on('request', (r) => { const u = new URL(r.url()); if (u.host !== host && !['blob:', 'data:'].includes(u.protocol)) foreign.push(r.url()); });
  return foreign;
}

test('the page in Chromium with a fake microphone: enrolment, live windows, no label in pauses, timeline, export, report, loopback only',
  { timeout: 150_000 }, async (t) => {
    if (!executable) { if (process.env.CI === 'true') assert.fail(MISSING); t.skip(MISSING); return; }
    if (!haveDevCorpus()) { t.skip('no dev corpus'); return; }
    const dir = tmpDir('affexion-browser-');
    const fixture = path.join(dir, 'fixture.wav');
    const { spans, seconds } = await writeFixture(fixture);
    const model = loadTrainedModel(await tinyReferenceModel());
    const assets = await buildMonitorWeb(path.join(dir, 'web'));
    const server = await startMonitorServer(model, { port: 0, assetsDir: assets, record: path.join(dir, 'rec') });
    const browser = await launch(fixture, dir);
    try {
      const ctx = await browser.newContext({ acceptDownloads: true });
      const page = await ctx.newPage();
      const host = new URL(server.url).host;
      const foreign = await guardLoopback(page, host);
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));
      await page.goto(`${server.url}?autostart=1`);
      await page.waitForSelector('body[data-enrolled="yes"]', { timeout: 40_000 });
      // Play the rest of the fixture (it started with capture), plus a little.
      const events = async (): Promise<MonitorEvent[]> => page.evaluate(() => (window as unknown as { __affexion: { events: MonitorEvent[] } }).__affexion.events);
      await page.waitForFunction((end) => {
        const ev = (window as unknown as { __affexion: { events: { type: string; t1?: number }[] } }).__affexion.events;
        return ev.some((e) => e.type === 'window' && (e.t1 ?? 0) > end);
      }, seconds + 1.5, { timeout: 60_000, polling: 250 });
      const ev = await events();
      const wins = ev.filter((e): e is WindowEvent => e.type === 'window');
      // Stream time vs fixture time: the first speech onset (the fixture's is at 1.0 s, minus the gate's 0.1 s pad).
      const firstSpeech = ev.find((e) => e.type === 'speech' && e.speech) as { t: number };
      const offset = firstSpeech.t - 0.9;
      assert.ok(Math.abs(offset) < 1, `capture offset ${offset}`);
      const labelled = wins.filter((w) => w.label);
      // Windows arrive while the speaker is talking: labelled windows ending inside the fearful and happy speech,
      // each delivered within a second of its last sample.
      for (const kind of ['fearful', 'happy'] as const) {
        const s = spans.find((x) => x.kind === kind)!;
        const during = labelled.filter((w) => w.t1 - offset > s.t0 + 0.5 && w.t1 - offset < s.t1);
        assert.ok(during.length >= 2, `${kind}: ${during.length} labelled windows during the speech`);
        assert.ok(during.every((w) => w.lag < 1), `${kind}: lags ${during.map((w) => w.lag)}`);
      }
      // No label in the pauses (the window's last hop inside a pause, 0.6 s clear of its edges).
      const quiet = wins.filter((w) => spans.some((s) => s.kind === 'silence' && w.t1 - 0.5 - offset > s.t0 + 0.6 && w.t1 - offset < s.t1 - 0.6));
      assert.ok(quiet.length >= 3, `windows in pauses: ${quiet.length}`);
      assert.deepEqual(quiet.filter((w) => w.label !== null).map((w) => [w.t0, w.t1]), []);
      t.diagnostic(`offset ${offset.toFixed(2)} s, ${wins.length} windows, ${labelled.length} labelled, ${quiet.length} in pauses, ` +
        `enrolled at ${(ev.find((e) => e.type === 'enrolled') as { t: number }).t.toFixed(1)} s, lag p95 ${Math.max(...labelled.map((w) => w.lag)).toFixed(3)} s`);
      const afterEnd = wins.filter((w) => w.t1 - 0.5 - offset > seconds);
      assert.ok(afterEnd.every((w) => w.label === null));
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
      const csv = readFileSync(await dc.path(), 'utf8').trim().split('\n');
      assert.match(csv[0]!, /^t0,t1,speech,label,smoothed_label,lag_s,skipped,p_boredom,p_panic,smoothed_boredom,smoothed_panic$/);
      assert.ok(csv.length - 1 >= wins.length);
      // Stop → summary → report written and linked.
      await page.click('#stop');
      await page.waitForSelector('#report-link:not([hidden])', { timeout: 60_000 });
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
  });

test('the page says so when the microphone is missing or refused', { timeout: 60_000 }, async (t) => {
  if (!executable) { if (process.env.CI === 'true') assert.fail(MISSING); t.skip(MISSING); return; }
  const dir = tmpDir('affexion-browser-');
  const model = loadTrainedModel(await tinyReferenceModel());
  const assets = await buildMonitorWeb(path.join(dir, 'web'));
  const server = await startMonitorServer(model, { port: 0, assetsDir: assets });
  const browser = await pw.launch({ executablePath: executable, headless: true, args: ['--no-sandbox', '--disable-gpu'] });
  try {
    for (const [name, expected] of [['NotAllowedError', /permission denied/], ['NotFoundError', /No microphone found/]] as const) {
      const page = await browser.newPage();
      // The browser's own answer for a refused or absent device, as getUserMedia gives it.
      await page.addInitScript((n) => {
        navigator.mediaDevices.getUserMedia = () => Promise.reject(new DOMException('refused', n));
      }, name);
      await page.goto(`${server.url}?autostart=1`);
      await page.waitForSelector('#mic-error:not([hidden])', { timeout: 20_000 });
      assert.match((await page.textContent('#mic-error')) ?? '', expected);
      await page.close();
    }
  } finally {
    await browser.close();
    await server.close();
  }
});
