/**
 * eSpeak NG (npm `espeak-ng`, Emscripten build of the espeak-ng CLI) as a synthesis engine.
 *
 * The package exposes the CLI, not a library: every call instantiates a fresh module with the command
 * line as arguments and reads the WAV it wrote to the in-memory file system. The compiled
 * WasmModule is cached, so a call costs one instantiation (~0.1 s), not a compile.
 * Prosody is set with SSML <prosody> (pitch, range, rate are relative percentages).
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { decodeWav16, type PcmAudio } from './wav-read.js';
import { Wasm, type WasmImports, type WasmInstance, type WasmModule } from './wasm.js';

type EspeakFactory = (moduleArg: Record<string, unknown>) => Promise<{ FS: { readFile(p: string): Uint8Array } }>;

let factory: EspeakFactory | null = null;
let compiled: WasmModule | null = null;

async function load(): Promise<{ factory: EspeakFactory; compiled: WasmModule }> {
  if (!factory || !compiled) {
    const require = createRequire(import.meta.url);
    const main = require.resolve('espeak-ng');
    factory = ((await import(pathToFileURL(main).href)) as { default: EspeakFactory }).default;
    compiled = await Wasm.compile(readFileSync(path.join(path.dirname(main), 'espeak-ng.wasm')));
  }
  return { factory, compiled };
}

/** A piece of an utterance: words (optionally at a slower rate, for fillers) or a silent pause. */
export type SpeechPart = { text: string; rateFactor?: number } | { pauseSec: number };

/** What one espeak call should say and how. */
export interface EspeakRequest {
  /** Plain text, or parts with pauses between them (rendered in one call with SSML breaks). */
  text: string | SpeechPart[];
  /** espeak voice with variant, e.g. "en-us+f3". */
  voice: string;
  /** Pitch level change in semitones (0 = the voice's own). */
  pitchShiftSt: number;
  /** Multiplier on the voice's pitch range (1 = its own). */
  pitchRange: number;
  /** Speaking-rate multiplier (1 = 175 words/min). */
  rate: number;
  /** Seeds espeak's internal random variation (via its clock, see below); default 0. */
  seed?: number;
}

const escapeXml = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

const pct = (x: number): string => `${x >= 0 ? '+' : ''}${x.toFixed(1)}%`;

/** The SSML document sent to espeak (exported for tests and for the manifest's reproducibility). */
export function espeakSsml(req: EspeakRequest): string {
  const pitch = pct((Math.pow(2, req.pitchShiftSt / 12) - 1) * 100);
  const range = pct((req.pitchRange - 1) * 100);
  const rate = `${Math.round(req.rate * 100)}%`;
  const parts = typeof req.text === 'string' ? [{ text: req.text }] : req.text;
  const body = parts
    .map((p) => {
      if ('pauseSec' in p) return `<break time="${Math.round(p.pauseSec * 1000)}ms"/>`;
      if (p.rateFactor && p.rateFactor !== 1)
        return `<prosody rate="${Math.round(req.rate * p.rateFactor * 100)}%">${escapeXml(p.text)}</prosody>`;
      return escapeXml(p.text);
    })
    .join(' ');
  return `<speak><prosody pitch="${pitch}" range="${range}" rate="${rate}">${body}</prosody></speak>`;
}

/** Synthesises one utterance with espeak; returns its native-rate (22.05 kHz) audio. */
export async function espeakSynthesize(req: EspeakRequest): Promise<PcmAudio> {
  const { factory, compiled } = await load();
  const errors: string[] = [];
  const mod = await factory({
    arguments: ['-m', '-v', req.voice, '-w', '/out.wav', espeakSsml(req)],
    print: () => {},
    printErr: (s: string) => {
      if (!s.startsWith('program exited')) errors.push(s);
    },
    // espeak seeds its random pitch/amplitude variation from the clock, so the same request would give
    // different audio on every call. The module's clock imports are replaced by a fixed, seed-derived
    // time: output is then a pure function of the request.
    instantiateWasm(imports: WasmImports, done: (inst: WasmInstance) => void) {
      const fixedMs = 1.7e12 + ((req.seed ?? 0) % 1e6) * 1000;
      const patched: WasmImports = {};
      for (const [ns, fns] of Object.entries(imports)) {
        patched[ns] = { ...fns };
        if ('emscripten_date_now' in fns) patched[ns]!.emscripten_date_now = () => fixedMs;
        if ('emscripten_get_now' in fns) patched[ns]!.emscripten_get_now = () => 0;
      }
      void Wasm.instantiate(compiled, patched).then(done);
      return {};
    },
  });
  let wav: Uint8Array;
  try {
    wav = mod.FS.readFile('/out.wav');
  } catch {
    throw new Error(`espeak-ng produced no audio for voice "${req.voice}"${errors.length ? `: ${errors.join('; ')}` : ''}`);
  }
  return decodeWav16(wav, `espeak-ng output (voice ${req.voice})`);
}
