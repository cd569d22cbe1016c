/**
 * GPT-4o audio as a synthesis engine, through the official `openai` SDK: the paper's voice-actor prompt
 * asks for the sentence spoken with an extreme emotion; the answer's audio (base64 WAV, 24 kHz) is
 * decoded. Retries are ours (SDK retries off) so 429/5xx/malformed answers are handled in one place,
 * with exponential back-off plus seeded jitter, and tests can shorten the delays.
 */
import OpenAI from 'openai';
import { decodeWav16, type PcmAudio } from './wav-read.js';
import { ParamError } from '../../engine/errors.js';

/** Settings of the OpenAI provider. */
export interface OpenAIOptions {
  /** Audio chat model (default gpt-4o-audio-preview). */
  model?: string;
  /** API base URL (default the SDK's; e.g. a proxy or a local test server). */
  baseURL?: string;
  /** API key (default $OPENAI_API_KEY). */
  apiKey?: string;
  /** Retries after a 429, 5xx, network error or malformed answer (default 5). */
  maxRetries?: number;
  /** First back-off delay in ms, doubled per retry (default 1000). */
  retryBaseMs?: number;
  /** Request timeout in ms (default 120000). */
  timeoutMs?: number;
  /** Price used for the cost estimate, USD per minute of generated audio (default 0.10, see docs/synth.md). */
  pricePerMinuteUsd?: number;
  /** Chat model for --generate-sentences (default gpt-4o-mini). */
  sentenceModel?: string;
}

/** The paper's prompt. */
export function actorPrompt(emotion: string): string {
  const e = emotion.charAt(0).toUpperCase() + emotion.slice(1);
  return `You are a professional voice actor, for a given sentence, please speak it with extreme '${e}' feeling.`;
}

/** Creates the SDK client; a missing key is a clear error naming the variable. */
export function openaiClient(o: OpenAIOptions = {}): OpenAI {
  const apiKey = o.apiKey ?? process.env.OPENAI_API_KEY;
  if (!apiKey) throw new ParamError('provider', 'openai: set OPENAI_API_KEY (or pass apiKey) to use the OpenAI provider');
  return new OpenAI({ apiKey, baseURL: o.baseURL, maxRetries: 0, timeout: o.timeoutMs ?? 120000 });
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** True for errors worth retrying: rate limits, server errors, network failures, malformed answers. */
function retryable(e: unknown): boolean {
  if (e instanceof MalformedAnswer) return true;
  if (e instanceof OpenAI.APIError) {
    const s = e.status;
    return s === undefined || s === 408 || s === 409 || s === 429 || s >= 500;
  }
  return e instanceof TypeError || (e instanceof Error && /fetch|ECONN|socket|network|JSON/i.test(e.message));
}

class MalformedAnswer extends Error {}

/** Calls `fn` with retries and exponential back-off; `what` names the request in errors. */
export async function withRetries<T>(what: string, o: OpenAIOptions, fn: () => Promise<T>, jitter: () => number = Math.random): Promise<T> {
  const max = o.maxRetries ?? 5;
  const base = o.retryBaseMs ?? 1000;
  for (let attempt = 0; ; attempt++) {
    try {
      return await fn();
    } catch (e) {
      if (attempt >= max || !retryable(e)) {
        const msg = e instanceof Error ? e.message : String(e);
        throw new Error(`OpenAI ${what} failed after ${attempt + 1} attempt(s): ${msg}`);
      }
      await sleep(base * 2 ** attempt * (0.75 + 0.5 * jitter()));
    }
  }
}

/** Speaks `text` with `emotion` in OpenAI voice `voice`; returns the decoded audio. */
export async function openaiSynthesize(
  client: OpenAI,
  text: string,
  emotion: string,
  voice: string,
  o: OpenAIOptions = {},
  jitter?: () => number,
): Promise<PcmAudio> {
  const model = o.model ?? 'gpt-4o-audio-preview';
  return withRetries(
    `audio request (voice ${voice})`,
    o,
    async () => {
      const res = await client.chat.completions.create({
        model,
        modalities: ['text', 'audio'],
        audio: { voice: voice as 'alloy', format: 'wav' },
        messages: [
          { role: 'system', content: actorPrompt(emotion) },
          { role: 'user', content: text },
        ],
      });
      const data = res?.choices?.[0]?.message?.audio?.data;
      if (typeof data !== 'string' || !data.length) throw new MalformedAnswer('answer has no choices[0].message.audio.data');
      const bytes = Buffer.from(data, 'base64');
      try {
        return decodeWav16(bytes, `OpenAI audio (voice ${voice})`);
      } catch (e) {
        throw new MalformedAnswer((e as Error).message);
      }
    },
    jitter,
  );
}

/** Asks a chat model for `n` new sentences typical of `emotion` (one per line, de-duplicated). */
export async function openaiGenerateSentences(client: OpenAI, emotion: string, n: number, o: OpenAIOptions = {}): Promise<string[]> {
  const model = o.sentenceModel ?? 'gpt-4o-mini';
  const out = await withRetries(`sentence generation (${emotion})`, o, async () => {
    const res = await client.chat.completions.create({
      model,
      messages: [
        {
          role: 'user',
          content:
            `Write ${n} different English sentences that a person would say while feeling '${emotion}'. ` +
            'Vary topics and lengths (5 to 25 words). One sentence per line, no numbering, no quotes.',
        },
      ],
    });
    const content = res?.choices?.[0]?.message?.content;
    if (typeof content !== 'string') throw new MalformedAnswer('answer has no choices[0].message.content');
    return content;
  });
  const lines = out
    .split(/\r?\n/)
    .map((l) =>
      l
        .replace(/^\s*(\d+[.)]|[-*•])\s*/, '')
        .replace(/^"|"$/g, '')
        .trim(),
    )
    .filter((l) => l.length > 3);
  return [...new Set(lines)].slice(0, n);
}
