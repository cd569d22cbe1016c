/**
 * `affexion monitor MODEL --on-device`: serves the on-device page (dist/monitor/on-device, built by
 * scripts/build-on-device-web.mjs), the exported ONNX model and onnxruntime-web's WASM files, and
 * nothing else. There is no WebSocket and no route that takes a body: audio cannot reach this server.
 * It counts what a client tries anyway (`stats`), which the tests assert stays zero.
 *
 * Same security rules as the server-side monitor: loopback by default, any other host needs a token.
 * Cross-origin isolation headers (COOP/COEP) let onnxruntime-web use threads in the page.
 */
import { timingSafeEqual } from 'node:crypto';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Fastify, { type FastifyInstance } from 'fastify';
import fastifyStatic from '@fastify/static';
import type { SpeakerReference } from '../data/reference.js';
import type { OnnxMetadata } from '../export/onnx-export.js';
import { monitorSettings, type MonitorOptions } from './core.js';
import { onnxWindow } from './onnx-model.js';
import { isLoopback } from './server.js';
import { ParamError } from '../engine/errors.js';

export interface OnDeviceServerOptions {
  host?: string;
  port?: number;
  token?: string;
  /** Name shown on the page. */
  modelName?: string;
  monitor?: Omit<MonitorOptions<SpeakerReference>, 'model' | 'onEvent'>;
  /** onnxruntime-web threads in the page (needs cross-origin isolation, which this server sets up); default 1. */
  threads?: number;
  /** The bundled page (default: dist/monitor/on-device of this package). */
  assetsDir?: string;
}

/** What clients tried to send that an on-device server never takes. */
export interface OnDeviceStats {
  requests: number;
  withBody: number;
  bodyBytes: number;
  upgrades: number;
}

export interface OnDeviceServer {
  url: string;
  app: FastifyInstance;
  stats: OnDeviceStats;
  close(): Promise<void>;
}

export function defaultOnDeviceAssetsDir(): string {
  const here = path.dirname(fileURLToPath(import.meta.url));
  return path.resolve(here, '..', '..', 'dist', 'monitor', 'on-device');
}

const sameToken = (a: string | undefined, b: string): boolean => {
  if (typeof a !== 'string') return false;
  const x = Buffer.from(a),
    y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
};

export async function startOnDeviceServer(
  onnx: { bytes: Uint8Array; meta: OnnxMetadata },
  opts: OnDeviceServerOptions = {},
): Promise<OnDeviceServer> {
  const host = opts.host ?? '127.0.0.1';
  const token = opts.token;
  if (!isLoopback(host) && !token) throw new ParamError('host', `${host}: a non-loopback address needs a token (the page checks it)`);
  if (token !== undefined && token.length < 8) throw new ParamError('token', 'use at least 8 characters');
  const port = opts.port ?? 8080;
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new ParamError('port', `expected 0–65535, got ${opts.port}`);
  const threads = opts.threads ?? 1;
  if (!Number.isInteger(threads) || threads < 1 || threads > 64) throw new ParamError('threads', `expected 1–64, got ${opts.threads}`);
  const o = opts.monitor ?? {};
  const settings = monitorSettings(o, onnxWindow(onnx.meta)); // the page's sessions would refuse a bad setting: refuse it before the port opens
  const assets = opts.assetsDir ?? defaultOnDeviceAssetsDir();
  if (!existsSync(path.join(assets, 'index.html')) || !existsSync(path.join(assets, 'ort', 'ort-wasm-simd-threaded.wasm'))) {
    throw new Error(`on-device page not built (${assets}: index.html or ort/ missing); run npm run build`);
  }
  const { meta } = onnx;
  const stats: OnDeviceStats = { requests: 0, withBody: 0, bodyBytes: 0, upgrades: 0 };
  const app = Fastify({ logger: false, bodyLimit: 1 });
  // No WebSocket here: an upgrade request is counted and its connection closed.
  app.server.on('upgrade', (_req, socket: { destroy(): void }) => {
    stats.upgrades++;
    socket.destroy();
  });

  app.addHook('onRequest', async (req, reply) => {
    stats.requests++;
    const len = Number(req.headers['content-length'] ?? 0);
    if (len > 0 || req.headers['transfer-encoding']) {
      stats.withBody++;
      stats.bodyBytes += len;
    }
    if (req.headers.upgrade) stats.upgrades++;
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      reply.code(405).type('text/plain').send('affexion on-device monitor: this server takes nothing from the page');
      return;
    }
    if (!token) return;
    const q = (req.query as Record<string, string | undefined>)?.token;
    const cookie = /(?:^|;\s*)affexion_token=([^;]*)/.exec(req.headers.cookie ?? '')?.[1];
    if (sameToken(q, token)) {
      reply.header('set-cookie', `affexion_token=${encodeURIComponent(token)}; HttpOnly; SameSite=Strict; Path=/`);
      return;
    }
    if (sameToken(cookie ? decodeURIComponent(cookie) : undefined, token)) return;
    reply.code(401).type('text/plain').send('affexion monitor: missing or wrong token (open the URL with ?token=…)');
  });
  app.addHook('onSend', async (_req, reply, payload) => {
    reply.header('x-content-type-options', 'nosniff');
    // connect-src 'self': the page may fetch this server's files only, and it only ever GETs.
    reply.header(
      'content-security-policy',
      "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; worker-src 'self' blob:; " +
        "connect-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'",
    );
    reply.header('cross-origin-opener-policy', 'same-origin');
    reply.header('cross-origin-embedder-policy', 'require-corp');
    reply.header('cross-origin-resource-policy', 'same-origin');
    reply.header('referrer-policy', 'no-referrer');
    return payload;
  });

  await app.register(fastifyStatic, { root: assets, prefix: '/', index: ['index.html'] });
  app.get('/api/info', async () => ({
    model: opts.modelName ?? 'model.onnx',
    classes: meta.labels,
    reference: Boolean(meta.speaker_reference),
    onDevice: true,
    window: settings.winSec,
    hop: settings.hopSec,
    enrolSeconds: meta.speaker_reference ? settings.enrolSec : 0,
    sessions: 0,
    maxSessions: 1,
  }));
  app.get('/api/on-device', async () => ({ meta, model: 'model.onnx', monitor: o, threads }));
  app.get('/model.onnx', async (_req, reply) => reply.type('application/octet-stream').send(Buffer.from(onnx.bytes)));

  const address = await app.listen({ host, port });
  const shownHost = host.includes(':') ? `[${host}]` : host;
  return { url: `http://${shownHost}:${new URL(address).port}/`, app, stats, close: () => app.close() };
}
