/**
 * The on-device server without a browser: it serves the page, the model and the runtime, takes no
 * request body and no WebSocket (both refused and counted), needs a token off loopback, and refuses to
 * start without its built page.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import WebSocket from 'ws';
import { AffexionNet } from '../../src/model/network.js';
import { buildOnnx } from '../../src/export/onnx-export.js';
import { checkOnnxModel } from '../../src/export/onnx-check.js';
import { startOnDeviceServer } from '../../src/monitor/on-device-server.js';
// @ts-expect-error — a plain .mjs build script without types
import { buildOnDeviceWeb } from '../../scripts/build-on-device-web.mjs';
import { tmpDir } from '../train/fixtures.js';

test('on-device server: page, model and runtime by GET; bodies and WebSockets refused and counted; token off loopback; built page required', async () => {
  const assets = await buildOnDeviceWeb(path.join(tmpDir('affexion-ondevice-srv-'), 'web'));
  const net = new AffexionNet({
    n_features: 24,
    conv_channels: 4,
    kernel_sizes: [3],
    lstm_hidden: 4,
    lstm_layers: 1,
    fc_hidden: 8,
    n_classes: 2,
    dropout_conv: 0,
    dropout_fc: 0,
    mask_padding: false,
  });
  const meta = {
    labels: ['calm', 'panic'],
    feature_params: { sr: 16000, nMfcc: 8, nFft: 256, hopLength: 160, nMels: 24 },
    loudness: 'peak',
    normalization: { mode: 'utterance' as const },
    max_len: 50,
    mask_padding: false,
    speaker_reference: 'neutral',
    window: 2,
    window_hop: 0.25,
    trim_silence: null,
  };
  const bytes = buildOnnx({ nets: [net], what: 'tiny', meta });
  const server = await startOnDeviceServer(
    { bytes, meta: checkOnnxModel(bytes, 'tiny.onnx') },
    { port: 0, assetsDir: assets, modelName: 'tiny.onnx' },
  );
  try {
    const page = await fetch(server.url);
    assert.equal(page.status, 200);
    assert.match(await page.text(), /never leaves this browser/);
    assert.equal(page.headers.get('cross-origin-embedder-policy'), 'require-corp');
    const info = await (await fetch(`${server.url}api/info`)).json();
    assert.deepEqual([info.classes, info.window, info.hop, info.enrolSeconds, info.onDevice], [['calm', 'panic'], 2, 0.25, 8, true]);
    const od = await (await fetch(`${server.url}api/on-device`)).json();
    assert.deepEqual(od.meta.labels, ['calm', 'panic']);
    assert.deepEqual(new Uint8Array(await (await fetch(`${server.url}model.onnx`)).arrayBuffer()), new Uint8Array(bytes));
    assert.equal((await fetch(`${server.url}ort/ort-wasm-simd-threaded.wasm`, { method: 'HEAD' })).status, 200);
    assert.deepEqual(server.stats, { requests: 5, withBody: 0, bodyBytes: 0, upgrades: 0 });

    const post = await fetch(`${server.url}api/audio`, { method: 'POST', body: new Uint8Array(4000) });
    assert.equal(post.status, 405);
    const ws = new WebSocket(`${server.url.replace('http', 'ws')}ws`);
    await new Promise<void>((resolve) => {
      ws.on('error', () => resolve());
      ws.on('close', () => resolve());
    });
    assert.equal(server.stats.withBody, 1);
    assert.equal(server.stats.bodyBytes, 4000);
    assert.equal(server.stats.upgrades, 1);
  } finally {
    await server.close();
  }
  await assert.rejects(
    startOnDeviceServer({ bytes, meta }, { port: 0, assetsDir: assets, monitor: { headHop: 0.1 } }),
    /^ParamError: headHop: expected hop \(0\.25\) ≤ seconds ≤ 30, got 0\.1$/,
  );
  await assert.rejects(
    startOnDeviceServer({ bytes, meta }, { host: '0.0.0.0', port: 0, assetsDir: assets }),
    /host: 0\.0\.0\.0: a non-loopback address needs a token/,
  );
  await assert.rejects(
    startOnDeviceServer({ bytes, meta }, { port: 0, assetsDir: path.join(assets, 'nope') }),
    /on-device page not built .*npm run build/,
  );
});
