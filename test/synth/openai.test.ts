/**
 * The OpenAI provider against a local server on 127.0.0.1 that answers in the Chat Completions format,
 * including 429 / 500 errors and a malformed body, so retries, prompts, resuming and sentence
 * generation are tested without the network.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, readFileSync, existsSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { encodeWav16 } from '../../src/audio/wav-write.js';
import { synthesize } from '../../src/synth/index.js';

interface Seen {
  body: Record<string, unknown>;
  auth: string | undefined;
}
let server: http.Server;
let baseURL = '';
const seen: Seen[] = [];
/** Scripted failures, consumed one per request before normal answers. */
let script: ('429' | '500' | 'malformed' | '401')[] = [];

/** 3.5 s of a 200 Hz harmonic tone with a gap, as 24 kHz 16-bit WAV (what the API returns). */
function fakeSpeechWav(): Buffer {
  const sr = 24000,
    n = Math.round(3.5 * sr);
  const x = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const t = i / sr;
    if (t > 1.5 && t < 1.9) continue;
    x[i] = 0.2 * (Math.sin(2 * Math.PI * 200 * t) + 0.5 * Math.sin(4 * Math.PI * 200 * t));
  }
  return encodeWav16(x, sr);
}
const WAV_B64 = fakeSpeechWav().toString('base64');

before(async () => {
  server = http.createServer((req, res) => {
    let raw = '';
    req.on('data', (c) => (raw += c));
    req.on('end', () => {
      const body = JSON.parse(raw) as Record<string, unknown>;
      seen.push({ body, auth: req.headers.authorization });
      const step = script.shift();
      const json = (status: number, obj: unknown): void => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(obj));
      };
      if (step === '429') return json(429, { error: { message: 'Rate limit reached', type: 'rate_limit_error' } });
      if (step === '500') return json(500, { error: { message: 'The server had an error', type: 'server_error' } });
      if (step === '401') return json(401, { error: { message: 'Incorrect API key provided', type: 'invalid_request_error' } });
      if (step === 'malformed')
        return json(200, {
          id: 'x',
          object: 'chat.completion',
          choices: [{ index: 0, message: { role: 'assistant', content: 'I cannot' } }],
        });
      if (!body.modalities) {
        const content = ['What a surprise this is!', 'I never expected this at all!', 'Look at that, amazing!'].join('\n');
        return json(200, {
          id: 'chatcmpl-t',
          object: 'chat.completion',
          created: 0,
          model: body.model,
          choices: [{ index: 0, finish_reason: 'stop', message: { role: 'assistant', content, refusal: null } }],
        });
      }
      json(200, {
        id: 'chatcmpl-a',
        object: 'chat.completion',
        created: 0,
        model: body.model,
        choices: [
          {
            index: 0,
            finish_reason: 'stop',
            message: {
              role: 'assistant',
              content: null,
              refusal: null,
              audio: { id: 'audio_1', data: WAV_B64, expires_at: 0, transcript: 'text' },
            },
          },
        ],
        usage: { prompt_tokens: 30, completion_tokens: 70, total_tokens: 100 },
      });
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  baseURL = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
});

after(async () => {
  for (const d of made) rmSync(d, { recursive: true, force: true });
  await new Promise<void>((r) => server.close(() => r()));
});

const made: string[] = [];
const tmp = (): string => {
  const d = mkdtempSync(path.join(os.tmpdir(), 'affexion-synth-openai-'));
  made.push(d);
  return d;
};

test('retries 429, 500 and a malformed answer, sends the paper prompt, writes 16 kHz clips, resumes', async () => {
  const out = tmp();
  seen.length = 0;
  script = ['429', '500', 'malformed'];
  const logs: string[] = [];
  const r = await synthesize({
    out,
    provider: 'openai',
    perClass: 1,
    lengths: ['short'],
    concurrency: 1,
    seed: 4,
    openai: { apiKey: 'sk-test', baseURL, retryBaseMs: 1, model: 'gpt-4o-audio-preview' },
    log: (m) => logs.push(m),
  });
  assert.equal(r.generated, 4);
  assert.equal(seen.length, 7, '3 failed attempts + 4 answers');
  assert.ok(
    logs.some((l) => /estimated OpenAI cost for 4 clips: about \$0\.\d\d/.test(l)),
    logs.join('\n'),
  );
  for (const s of seen) {
    assert.equal(s.auth, 'Bearer sk-test');
    assert.equal(s.body.model, 'gpt-4o-audio-preview');
    assert.deepEqual(s.body.modalities, ['text', 'audio']);
    assert.deepEqual((s.body.audio as { format: string }).format, 'wav');
  }
  const sys = seen.map((s) => (s.body.messages as { role: string; content: string }[])[0]!.content);
  assert.ok(sys.includes("You are a professional voice actor, for a given sentence, please speak it with extreme 'Panic' feeling."));
  assert.ok(sys.some((p) => p.includes("extreme 'Uncertainty' feeling")));
  const voices = new Set(seen.map((s) => (s.body.audio as { voice: string }).voice));
  assert.ok(voices.has('nova'));
  for (const rec of r.records) {
    const buf = readFileSync(path.join(out, rec.path));
    assert.equal(buf.readUInt32LE(24), 16000);
    assert.ok(Math.abs(rec.duration_s - 3.5) < 0.01, `duration ${rec.duration_s}`);
    assert.ok(Math.abs(rec.f0_median_hz - 200) < 4, `F0 ${rec.f0_median_hz}`);
    assert.equal(rec.provider, 'openai');
  }
  // Resume: nothing is requested again.
  seen.length = 0;
  const again = await synthesize({
    out,
    provider: 'openai',
    perClass: 1,
    lengths: ['short'],
    concurrency: 1,
    seed: 4,
    openai: { apiKey: 'sk-test', baseURL, retryBaseMs: 1 },
  });
  assert.equal(again.kept, 4);
  assert.equal(seen.length, 0);
  rmSync(out, { recursive: true, force: true });
});

test('gives up after maxRetries, fails at once on 401, and needs a key', async () => {
  seen.length = 0;
  script = ['500', '500', '500'];
  await assert.rejects(
    synthesize({
      out: tmp(),
      provider: 'openai',
      classes: ['panic'],
      perClass: 1,
      lengths: ['short'],
      openai: { apiKey: 'k', baseURL, retryBaseMs: 1, maxRetries: 2 },
    }),
    /OpenAI audio request \(voice nova\) failed after 3 attempt\(s\)/,
  );
  assert.equal(seen.length, 3);
  // With 4 parallel requests, one 401 stops the run: the other workers ask for nothing more.
  seen.length = 0;
  script = ['401'];
  await assert.rejects(
    synthesize({
      out: tmp(),
      provider: 'openai',
      perClass: 5,
      lengths: ['short'],
      concurrency: 4,
      openai: { apiKey: 'bad', baseURL, retryBaseMs: 1 },
    }),
    /401/,
  );
  await new Promise((r) => setTimeout(r, 300));
  assert.ok(seen.length <= 4, `${seen.length} requests after the failure`);
  seen.length = 0;
  script = ['401'];
  await assert.rejects(
    synthesize({
      out: tmp(),
      provider: 'openai',
      classes: ['panic'],
      perClass: 1,
      lengths: ['short'],
      openai: { apiKey: 'bad', baseURL, retryBaseMs: 1 },
    }),
    /failed after 1 attempt\(s\): 401/,
  );
  assert.equal(seen.length, 1);
  const saved = process.env.OPENAI_API_KEY;
  delete process.env.OPENAI_API_KEY;
  try {
    await assert.rejects(synthesize({ out: tmp(), provider: 'openai', perClass: 1 }), /set OPENAI_API_KEY/);
  } finally {
    if (saved !== undefined) process.env.OPENAI_API_KEY = saved;
  }
});

test('--generate-sentences asks a chat model once per class and caches the sentences', async () => {
  const out = tmp();
  seen.length = 0;
  script = [];
  const r = await synthesize({
    out,
    provider: 'openai',
    classes: ['excitement'],
    perClass: 2,
    lengths: ['short'],
    concurrency: 1,
    openai: { apiKey: 'k', baseURL, retryBaseMs: 1, generateSentences: 3 },
  });
  const chat = seen.filter((s) => !s.body.modalities);
  assert.equal(chat.length, 1);
  assert.equal(chat[0]!.body.model, 'gpt-4o-mini');
  assert.ok(existsSync(path.join(out, 'generated-sentences.csv')));
  for (const rec of r.records) assert.match(rec.sentence_id, /^gen-excitement-00\d/);
  const spoken = seen.filter((s) => s.body.modalities).map((s) => (s.body.messages as { content: string }[])[1]!.content);
  assert.ok(
    spoken.every((t) => /surprise|expected|amazing/.test(t)),
    spoken.join(' | '),
  );
  rmSync(out, { recursive: true, force: true });
});
