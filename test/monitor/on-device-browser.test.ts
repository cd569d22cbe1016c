/**
 * The on-device monitor in Debian's Chromium (headless, playwright-core with the system browser):
 * golden-case logits from onnxruntime-web in the page's worker equal PyTorch's within 1e-4; with a fake
 * microphone the page enrols and labels speech while the server receives no audio (no WebSocket, no
 * request body, GETs only, nothing off loopback); and the fixture streamed through the page's core gives
 * the server-side replay's windows and probabilities within 1e-4. A model with a functional head: the
 * worker's functionals equal Node's, the live page fuses the head (`head: true` windows), and the page's
 * windows — fused probabilities and `head` flags — equal the server-side replay's within 1e-4 and differ
 * from the network alone's.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { chromium as pw, type Browser, type Page } from 'playwright-core';
import { loadAudio } from '../../src/audio/load.js';
import { loadTrainedModel } from '../../src/model/model-dir.js';
import { AffexionNet } from '../../src/model/network.js';
import { buildOnnx, exportSourceOf } from '../../src/export/onnx-export.js';
import { checkOnnxModel } from '../../src/export/onnx-check.js';
import { startOnDeviceServer, type OnDeviceServer } from '../../src/monitor/on-device-server.js';
import { replayFile } from '../../src/monitor/replay.js';
import { contextFunctionals, HEAD_CONTEXT_SECONDS } from '../../src/monitor/head.js';
import type { MonitorEvent, WindowEvent } from '../../src/monitor/core.js';
// @ts-expect-error — a plain .mjs build script without types
import { buildOnDeviceWeb } from '../../scripts/build-on-device-web.mjs';
import { loadGolden } from '../model/golden.js';
import { haveDevCorpus, tinyHeadModel, tinyReferenceModel, writeFixture } from './fixtures.js';
import { tmpDir } from '../train/fixtures.js';

const CANDIDATES = [process.env.AFFEXION_CHROMIUM, '/usr/bin/chromium', '/usr/bin/chromium-browser'].filter((p): p is string => !!p);
const executable = CANDIDATES.find((p) => existsSync(p));
const MISSING = `Chromium not found (looked at ${CANDIDATES.join(', ')}); .ci/run installs it with \`apt-get install -y chromium\``;

type Hooks = {
  __affexionOnDevice: {
    replay(x: number[], sr: number): Promise<MonitorEvent[]>;
    raw(x: number[], B: number, T: number, F: number, l: number[] | null): Promise<number[]>;
    functionals(x: number[]): Promise<{ values: number[] | null; ms: number }>;
  };
};
type PageEvents = { __affexion: { events: MonitorEvent[] } };
const wins = (ev: MonitorEvent[]) => ev.filter((e): e is WindowEvent => e.type === 'window');

/** Records every request and socket of the page; anything off the server's host is aborted. */
async function watch(page: Page, host: string) {
  const seen = { foreign: [] as string[], sockets: [] as string[], nonGet: [] as string[], bodies: 0 };
  await page.route('**/*', (route) => {
    const u = new URL(route.request().url());
    if (u.host === host || u.protocol === 'blob:' || u.protocol === 'data:') return route.continue();
    seen.foreign.push(u.href);
    return route.abort();
  });
  page.on('websocket', (ws) => seen.sockets.push(ws.url()));
  page.on('request', (r) => {
    if (r.method() !== 'GET') seen.nonGet.push(`${r.method()} ${r.url()}`);
    if (r.postDataBuffer()?.length) seen.bodies++;
  });
  return seen;
}

test(
  'on-device monitor in Chromium: golden parity in the worker, no audio to the server, windows equal the server-side replay',
  { timeout: 240_000 },
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
    const dir = tmpDir('affexion-ondevice-browser-');
    const fixture = path.join(dir, 'fixture.wav');
    await writeFixture(fixture);
    const assets = await buildOnDeviceWeb(path.join(dir, 'web'));
    const servers: OnDeviceServer[] = [];
    const browser: Browser = await pw.launch({
      executablePath: executable,
      headless: true,
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
    try {
      // 1. Golden cases: the page's worker runs the exported graph; logits vs PyTorch.
      for (const name of ['small', 'small-masked']) {
        const c = loadGolden(name);
        const net = new AffexionNet(c.config);
        net.loadStateDict(c.weights);
        const labels = Array.from({ length: c.config.n_classes }, (_, i) => `c${i}`);
        const bytes = buildOnnx({
          nets: [net],
          what: name,
          meta: {
            labels,
            feature_params: { nMfcc: c.config.n_features / 3, sr: 16000, hopLength: 160 },
            loudness: 'none',
            normalization: { mode: 'utterance' },
            max_len: c.T,
            mask_padding: c.config.mask_padding,
            speaker_reference: '',
            window: null,
            window_hop: null,
            trim_silence: null,
          },
        });
        const server = await startOnDeviceServer({ bytes, meta: checkOnnxModel(bytes, name) }, { port: 0, assetsDir: assets });
        servers.push(server);
        const page = await browser.newPage();
        await page.goto(server.url);
        await page.waitForSelector('body[data-ready="yes"]', { timeout: 30_000 });
        const got = await page.evaluate(
          ([x, B, T, F, l]) =>
            (window as unknown as Hooks).__affexionOnDevice.raw(x as number[], B as number, T as number, F as number, l as number[] | null),
          [Array.from(c.input), c.B, c.T, c.config.n_features, c.lengths ? Array.from(c.lengths) : null] as const,
        );
        const want = c.t('logits_eval');
        const worst = Math.max(...want.map((v, i) => Math.abs(v - got[i]!)));
        assert.ok(worst <= 1e-4, `${name}: max |Chromium − PyTorch| = ${worst}`);
        await page.close();
      }

      // 2. The on-device monitor with a fake microphone.
      const m = loadTrainedModel(await tinyReferenceModel());
      const bytes = buildOnnx(exportSourceOf(m));
      const server = await startOnDeviceServer({ bytes, meta: checkOnnxModel(bytes, 'tiny') }, { port: 0, assetsDir: assets });
      servers.push(server);
      const page = await browser.newPage();
      const host = new URL(server.url).host;
      const seen = await watch(page, host);
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));
      await page.goto(`${server.url}?autostart=1`);
      await page.waitForSelector('body[data-enrolled="yes"]', { timeout: 60_000 });
      await page.waitForFunction(
        () =>
          (window as unknown as { __affexion: { events: { type: string; label?: string | null }[] } }).__affexion.events.some(
            (e) => e.type === 'window' && e.label,
          ),
        undefined,
        { timeout: 60_000, polling: 250 },
      );
      const notice = await page.textContent('#notice');
      assert.match(notice ?? '', /never leaves this browser/);

      // 3. The fixture through the page's own core and worker vs the server-side replay (native engine).
      const audio = await loadAudio(fixture, { sr: null });
      const inPage = await page.evaluate(([x, sr]) => (window as unknown as Hooks).__affexionOnDevice.replay(x as number[], sr as number), [
        Array.from(audio.samples),
        audio.sampleRate,
      ] as const);
      const native: MonitorEvent[] = [];
      await replayFile(m, fixture, { onEvent: (e) => native.push(e) });
      const a = wins(native),
        b = wins(inPage);
      assert.ok(
        b.every((w) => !('head' in w)),
        'a model without a head: no head field',
      );
      assert.equal(b.length, a.length);
      let worst = 0,
        classified = 0;
      a.forEach((w, i) => {
        assert.equal(Boolean(b[i]!.probs), Boolean(w.probs), `window ${i} classified on one side only`);
        if (!w.probs) return;
        classified++;
        for (const c of m.classes) worst = Math.max(worst, Math.abs(w.probs[c]! - b[i]!.probs![c]!));
      });
      assert.ok(classified >= 5, `${classified} classified windows`);
      assert.ok(worst <= 1e-4, `max |Δp| page vs server replay = ${worst}`);

      // 4. Nothing but GETs of the page, model and runtime reached the server; nothing left loopback.
      assert.deepEqual(errors, []);
      assert.deepEqual(seen.foreign, []);
      assert.deepEqual(seen.sockets, [], 'the page opened a WebSocket');
      assert.deepEqual(seen.nonGet, []);
      assert.equal(seen.bodies, 0);
      assert.equal(server.stats.upgrades, 0);
      assert.equal(server.stats.withBody, 0);
      assert.ok(server.stats.requests >= 5);

      // 5. A model with a functional head, served in the exported file's metadata (as `affexion monitor MODEL --on-device`).
      const hm = loadTrainedModel(await tinyHeadModel());
      assert.ok(hm.functionalHead);
      const hBytes = buildOnnx(exportSourceOf(hm));
      const hServer = await startOnDeviceServer(
        { bytes: hBytes, meta: checkOnnxModel(hBytes, 'tiny-head') },
        { port: 0, assetsDir: assets },
      );
      servers.push(hServer);
      const hPage = await browser.newPage();
      const hSeen = await watch(hPage, new URL(hServer.url).host);
      hPage.on('pageerror', (e) => errors.push(e.message));
      // 5a. Live, with the fake microphone: after enrolment the windows are fused (the calm speech fills the 6 s context).
      await hPage.goto(`${hServer.url}?autostart=1`);
      await hPage.waitForSelector('body[data-enrolled="yes"]', { timeout: 60_000 });
      await hPage.waitForFunction(
        () => (window as unknown as PageEvents).__affexion.events.some((e) => e.type === 'window' && e.head === true),
        undefined,
        { timeout: 60_000, polling: 250 },
      );
      // 5b. The worker's functionals of the fixture's last 6 s of enrolment speech = Node's (the same code, bundled).
      const sr = hm.featureSettings.params.sr;
      const speech = (await loadAudio(fixture, { sr })).samples.slice(4 * sr, 4 * sr + HEAD_CONTEXT_SECONDS * sr);
      const fNode = contextFunctionals(hm.featureSettings, speech);
      const fPage = await hPage.evaluate((x) => (window as unknown as Hooks).__affexionOnDevice.functionals(x), Array.from(speech));
      assert.ok(fNode && fPage.values, 'functionals of 6 s of speech');
      const fWorst = Math.max(
        ...fNode.map((v, d) =>
          Number.isNaN(v) && Number.isNaN(fPage.values![d]!) ? 0 : Math.abs(v - fPage.values![d]!) / Math.max(1, Math.abs(v)),
        ),
      );
      assert.ok(fWorst <= 1e-9, `functionals: max relative |Chromium worker − Node| = ${fWorst}`);
      // 5c. The fixture through the page's core vs the server-side replay: same head flags, fused probabilities within 1e-4.
      const hPageEvents = await hPage.evaluate(
        ([x, r]) => (window as unknown as Hooks).__affexionOnDevice.replay(x as number[], r as number),
        [Array.from(audio.samples), audio.sampleRate] as const,
      );
      const hNative: MonitorEvent[] = [];
      await replayFile(hm, fixture, { onEvent: (e) => hNative.push(e) });
      const { functionalHead: _, ...netOnly } = hm;
      const hAlone: MonitorEvent[] = [];
      await replayFile(netOnly, fixture, { onEvent: (e) => hAlone.push(e) });
      const ha = wins(hNative),
        hb = wins(hPageEvents),
        hn = wins(hAlone);
      assert.equal(hb.length, ha.length);
      let hWorst = 0,
        moved = 0,
        fusedCount = 0;
      ha.forEach((w, i) => {
        const v = hb[i]!;
        assert.equal(Boolean(v.probs), Boolean(w.probs), `head model, window ${i} classified on one side only`);
        assert.equal(v.head, w.head, `head model, window ${i} (${w.t0}–${w.t1} s): head ${w.head} on the server, ${v.head} in the page`);
        if (!w.probs) return;
        if (v.head) fusedCount++;
        for (const c of hm.classes) {
          hWorst = Math.max(hWorst, Math.abs(w.probs[c]! - v.probs![c]!));
          if (v.head) moved = Math.max(moved, Math.abs(v.probs![c]! - hn[i]!.probs![c]!));
        }
      });
      assert.ok(fusedCount >= 3, `${fusedCount} windows fused with the head in the page`);
      assert.ok(hWorst <= 1e-4, `head model: max |Δp| page vs server replay = ${hWorst}`);
      assert.ok(moved > 1e-2, `the head moved the page's windows from the network's alone by at most ${moved}`);
      t.diagnostic(
        `head model in Chromium: ${fusedCount} fused windows, max |Δp| page vs server ${hWorst.toExponential(2)}, head moved p by up to ${moved.toFixed(3)}; ` +
          `functionals max rel. diff ${fWorst}, worker ${fPage.ms.toFixed(1)} ms for a 6 s context`,
      );
      assert.deepEqual(errors, []);
      assert.deepEqual([hSeen.foreign, hSeen.sockets, hSeen.nonGet, hSeen.bodies], [[], [], [], 0]);
      assert.equal(hServer.stats.withBody + hServer.stats.upgrades, 0);
    } finally {
      await browser.close();
      for (const s of servers) await s.close();
    }
  },
);
