/**
 * `affexion monitor MODEL`: the web app. A fastify server (with @fastify/websocket and @fastify/static —
 * well-kept, small, and the WebSocket is the same `ws` everyone uses) serving the page bundled at build
 * time (dist/monitor/web, esbuild; nothing from a CDN) and one WebSocket per live session.
 *
 * Security model: loopback by default; any other host needs a token, checked on every page, asset and
 * WebSocket request (`?token=` once, then an HttpOnly SameSite=Strict cookie); the WebSocket accepts
 * only the page's own origin; frames, frame rate, session length and the number of sessions are
 * bounded; a session that misbehaves is closed with a reason and the others go on.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { existsSync, mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Fastify, { type FastifyInstance, type FastifyRequest } from 'fastify';
import fastifyStatic from '@fastify/static';
import fastifyWebsocket from '@fastify/websocket';
import type { TrainedModel } from '../model/model-dir.js';
import type { SpeakerReference } from '../data/reference.js';
import { monitorSettings, type MonitorOptions } from './core.js';
import { modelWindow, monitorModel } from './model.js';
import { createInferencePool } from './pool.js';
import { DEFAULT_LIMITS, LiveSession, MAX_FRAME_BYTES, type SessionLimits } from './session.js';
import { ParamError } from '../engine/errors.js';

export interface MonitorServerOptions {
  host?: string;
  /** 0 = any free port. */
  port?: number;
  token?: string;
  /** Sessions write DIR/<session-id>/events.jsonl (and report.html at the end). */
  record?: string;
  recordAudio?: boolean;
  maxSessions?: number;
  /** Inference worker threads (default: the machine's cores, at most 4; 0 = score in the server's own thread). */
  workers?: number;
  limits?: Partial<SessionLimits>;
  monitor?: Omit<MonitorOptions<SpeakerReference>, 'model' | 'onEvent'>;
  /** The bundled page (default: dist/monitor/web of this package). */
  assetsDir?: string;
}

export interface MonitorServer {
  url: string;
  app: FastifyInstance;
  sessions(): number;
  close(): Promise<void>;
}

const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost']);

export function isLoopback(host: string): boolean {
  return LOOPBACK.has(host) || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/**
 * Inference workers by default: one per core but one — that core stays with the thread that takes every
 * session's frames (with as many busy workers as cores, it waited behind them: bench:monitor at 4 and 16
 * streams under load) — at least 1, at most 4 (windows come 2 per second per stream).
 */
export function defaultWorkers(): number {
  return Math.max(1, Math.min(4, os.availableParallelism() - 1));
}

export function defaultAssetsDir(): string {
  const here = path.dirname(fileURLToPath(import.meta.url));
  // dist/monitor/server.js → dist/monitor/web; src/monitor/server.ts (tsx) → dist/monitor/web too.
  return path.resolve(here, '..', '..', 'dist', 'monitor', 'web');
}

function sameToken(a: string | undefined, b: string): boolean {
  if (typeof a !== 'string') return false;
  const x = Buffer.from(a),
    y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

function cookieToken(req: FastifyRequest): string | undefined {
  const m = /(?:^|;\s*)affexion_token=([^;]*)/.exec(req.headers.cookie ?? '');
  return m ? decodeURIComponent(m[1]!) : undefined;
}

export async function startMonitorServer(model: TrainedModel, opts: MonitorServerOptions = {}): Promise<MonitorServer> {
  const host = opts.host ?? '127.0.0.1';
  const token = opts.token;
  if (!isLoopback(host) && !token)
    throw new ParamError('host', `${host}: a non-loopback address needs a token (the page and the WebSocket check it)`);
  if (token !== undefined && token.length < 8) throw new ParamError('token', 'use at least 8 characters');
  const port = opts.port ?? 8080;
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new ParamError('port', `expected 0–65535, got ${opts.port}`);
  const maxSessions = opts.maxSessions ?? 16;
  const assets = opts.assetsDir ?? defaultAssetsDir();
  if (!existsSync(path.join(assets, 'index.html')))
    throw new Error(`monitor page not built (${assets}/index.html missing); run npm run build`);
  const recordDir = path.resolve(opts.record ?? mkdtempSync(path.join(os.tmpdir(), 'affexion-monitor-')));
  const limits: SessionLimits = { ...DEFAULT_LIMITS, ...opts.limits };
  const settings = monitorSettings(opts.monitor ?? {}, modelWindow(model)); // every session would refuse a bad setting: refuse it before the port opens
  const workers = opts.workers ?? defaultWorkers();
  if (!(Number.isInteger(workers) && workers >= 0 && workers <= 64)) throw new ParamError('workers', `expected 0–64, got ${opts.workers}`);
  const pool = workers > 0 ? await createInferencePool(model, workers) : undefined;
  const shared = monitorModel(model, { pool });
  await shared.warmUp(); // the first live window should not pay for first-call set-up (it did: ~0.5 s at p95)
  const live = new Map<string, LiveSession>();

  const app = Fastify({ logger: false, bodyLimit: 4096 });
  await app.register(fastifyWebsocket, { options: { maxPayload: MAX_FRAME_BYTES + 1024 } });

  // Token gate for everything (page, assets, reports, WebSocket).
  app.addHook('onRequest', async (req, reply) => {
    if (!token) return;
    const q = (req.query as Record<string, string | undefined>)?.token;
    if (sameToken(q, token)) {
      reply.header('set-cookie', `affexion_token=${encodeURIComponent(token)}; HttpOnly; SameSite=Strict; Path=/`);
      return;
    }
    if (sameToken(cookieToken(req), token)) return;
    reply.code(401).type('text/plain').send('affexion monitor: missing or wrong token (open the URL with ?token=…)');
  });
  app.addHook('onSend', async (_req, reply, payload) => {
    reply.header('x-content-type-options', 'nosniff');
    reply.header(
      'content-security-policy',
      "default-src 'self'; connect-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'",
    );
    reply.header('referrer-policy', 'no-referrer');
    return payload;
  });

  await app.register(fastifyStatic, { root: assets, prefix: '/', index: ['index.html'] });
  await app.register(fastifyStatic, { root: recordDir, prefix: '/sessions/', decorateReply: false, index: false });

  app.get('/api/info', async () => ({
    model: path.basename(model.dir),
    classes: model.classes,
    reference: Boolean(shared.makeReference),
    window: settings.winSec,
    hop: settings.hopSec,
    enrolSeconds: shared.makeReference ? settings.enrolSec : 0,
    sessions: live.size,
    maxSessions,
  }));

  app.register(async (scope) => {
    scope.get(
      '/ws',
      {
        websocket: true,
        preValidation: async (req, reply) => {
          const origin = req.headers.origin;
          const expected = `http://${req.headers.host}`;
          if (origin !== expected) {
            reply.code(403).send(`origin ${origin ?? '(none)'} not allowed; expected ${expected}`);
          }
        },
      },
      (socket) => {
        if (live.size >= maxSessions) {
          socket.send(JSON.stringify({ type: 'error', message: `server busy: ${maxSessions} sessions already` }));
          socket.close(1013, `server busy: ${maxSessions} sessions`);
          return;
        }
        const id = `${new Date().toISOString().replace(/[:.]/g, '-')}-${randomBytes(3).toString('hex')}`;
        const s = new LiveSession(socket, {
          id,
          model: shared,
          modelDir: model.dir,
          monitor: opts.monitor ?? {},
          limits,
          recordDir,
          recordAudio: opts.recordAudio,
          onClose: (sid) => live.delete(sid),
        });
        live.set(id, s);
        socket.on('message', (data: Buffer, isBinary: boolean) => {
          void s.message(data, isBinary);
        });
        socket.on('close', () => {
          void s.abandoned();
        });
        socket.on('error', () => {
          void s.abandoned();
        });
      },
    );
  });

  const address = await app.listen({ host, port });
  const u = new URL(address);
  const shownHost = host.includes(':') ? `[${host}]` : host;
  return {
    url: `http://${shownHost}:${u.port}/`,
    app,
    sessions: () => live.size,
    close: async () => {
      await Promise.all([...live.values()].map((s) => s.stop().catch(() => undefined)));
      await app.close();
      await pool?.close();
    },
  };
}
