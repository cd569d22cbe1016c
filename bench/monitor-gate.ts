/**
 * The live speech gate against the offline detector and against Silero VAD: frame agreement of
 * SpeechGate (streamed in 50 ms chunks, deciding with 0.3 s of look-ahead, threshold from the past 10 s
 * only) with detectSpeech on whole clips, over the dev corpora. Two ways: each clip as its own stream (a
 * cold start every 3–5 s: the gate knows no level history), and each speaker's clips back to back as one
 * stream (as live). Silero VAD v5 (the .onnx shipped in @ricky0123/vad-web, run with onnxruntime-web,
 * one thread; 512-sample frames with 64 samples of context and @ricky0123/vad-web's hysteresis, speech
 * from ≥ 0.3 until < 0.25, as the streaming VADs built on it do) runs on the same per-speaker streams.
 * No detector here is ground truth: the corpora have no speech marks. Besides agreement, the share of
 * frames each calls speech in each clip's first 0.3 s (RAVDESS clips open with about a second of room
 * noise before the actor speaks: a false-alarm proxy). Prints JSON.
 *
 *   npx tsx bench/monitor-gate.ts [--no-silero] [DIR…]     (default ../shared/data/ravdess-dev and tess-dev)
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { loadAudio } from '../src/audio/load.js';
import { DEFAULT_SPEECH_DETECT, detectSpeech } from '../src/audio/speech.js';
import { SpeechGate } from '../src/monitor/gate.js';

const shared = process.env.AFFEXION_SHARED_DIR ?? path.resolve(import.meta.dirname, '..', '..', 'shared');
const args = process.argv.slice(2);
const useSilero = !args.includes('--no-silero');
const dirArgs = args.filter((a) => !a.startsWith('--'));
const dirs = dirArgs.length ? dirArgs : ['ravdess-dev', 'tess-dev'].map((d) => path.join(shared, 'data', d));
const sr = 16000;
const hop = Math.round(DEFAULT_SPEECH_DETECT.hopSec * sr);

/** Offline speech flag per hop-frame of a clip. */
function offlineMask(x: Float32Array): Uint8Array {
  const n = Math.floor(x.length / hop);
  const m = new Uint8Array(n);
  for (const s of detectSpeech(x, sr)) for (let i = Math.ceil(s.start / hop); i < n && i * hop < s.end; i++) m[i] = 1;
  return m;
}

/** Streams x through a fresh gate in 50 ms chunks; speech flag per hop-frame; µs spent. */
function liveMask(x: Float32Array): { mask: Uint8Array; ms: number } {
  const n = Math.floor(x.length / hop);
  const mask = new Uint8Array(n);
  const g = new SpeechGate(sr);
  const t0 = performance.now();
  const take = (): void => {
    for (const d of g.takeDecided()) if (d.frame < n) mask[d.frame] = d.speech ? 1 : 0;
  };
  for (let s = 0; s < x.length; s += 800) {
    g.push(x.subarray(s, s + 800));
    take();
  }
  g.finish();
  take();
  return { mask, ms: performance.now() - t0 };
}

/**
 * Silero VAD v5 over a stream: speech flag per hop-frame (each 10 ms frame takes the decision of the
 * 32 ms Silero frame that holds its start); ms spent.
 */
async function sileroMask(x: Float32Array): Promise<{ mask: Uint8Array; ms: number }> {
  const ort = await import('onnxruntime-web');
  ort.env.wasm.numThreads = 1;
  silero ??= await ort.InferenceSession.create(
    readFileSync(path.join(import.meta.dirname, '..', 'node_modules', '@ricky0123', 'vad-web', 'dist', 'silero_vad_v5.onnx')),
  );
  const FRAME = 512,
    CONTEXT = 64;
  const n = Math.floor(x.length / hop);
  const mask = new Uint8Array(n);
  let state = new ort.Tensor('float32', new Float32Array(2 * 128), [2, 1, 128]);
  const rate = new ort.Tensor('int64', BigInt64Array.from([BigInt(sr)]), []);
  let context = new Float32Array(CONTEXT);
  let speaking = false;
  const t0 = performance.now();
  for (let s = 0; s + FRAME <= x.length; s += FRAME) {
    const input = new Float32Array(CONTEXT + FRAME);
    input.set(context);
    input.set(x.subarray(s, s + FRAME), CONTEXT);
    context = x.slice(s + FRAME - CONTEXT, s + FRAME);
    const out = await silero.run({ input: new ort.Tensor('float32', input, [1, input.length]), state, sr: rate });
    state = out.stateN as typeof state;
    const p = (out.output!.data as Float32Array)[0]!;
    speaking = speaking ? p >= 0.25 : p >= 0.3;
    for (let i = Math.ceil(s / hop); i < n && i * hop < s + FRAME; i++) mask[i] = speaking ? 1 : 0;
  }
  return { mask, ms: performance.now() - t0 };
}
let silero: import('onnxruntime-web').InferenceSession | null = null;

class Tally {
  agree = 0;
  total = 0;
  both = 0;
  off = 0;
  live = 0;
  ms = 0;
  add(off: Uint8Array, live: Uint8Array, from = 0): void {
    for (let i = 0; i < off.length; i++) {
      const o = off[i]!,
        l = live[from + i]!;
      this.total++;
      this.agree += o === l ? 1 : 0;
      this.both += o & l;
      this.off += o;
      this.live += l;
    }
  }
  /** `ref`: what the first mask of add() is (recall = share of its speech frames the other finds). */
  json(ref = 'offline'): object {
    return {
      frames: this.total,
      agreement: +(this.agree / this.total).toFixed(4),
      [`recall_of_${ref}_speech`]: +(this.both / this.off).toFixed(4),
      [`precision_vs_${ref}`]: +(this.both / this.live).toFixed(4),
    };
  }
}

const results: Record<string, unknown> = {};
for (const dir of dirs) {
  const rows = readFileSync(path.join(dir, 'labels.csv'), 'utf8')
    .trim()
    .split('\n')
    .slice(1)
    .map((l) => l.split(','));
  const clips: { speaker: string; x: Float32Array }[] = [];
  for (const r of rows) {
    const { samples } = await loadAudio(path.join(dir, r[0]!), { sr });
    clips.push({ speaker: r[2]!, x: samples.subarray(0, Math.floor(samples.length / hop) * hop) });
  }
  const perClip = new Tally();
  for (const c of clips) {
    const { mask, ms } = liveMask(c.x);
    perClip.add(offlineMask(c.x), mask);
    perClip.ms += ms;
  }
  const stream = new Tally();
  const vsSilero = { gate: new Tally(), offline: new Tally() };
  const leadIn = { gate: [0, 0], offline: [0, 0], silero: [0, 0] };
  const lead = Math.round(0.3 / DEFAULT_SPEECH_DETECT.hopSec);
  let sileroMs = 0,
    frames = 0;
  for (const spk of [...new Set(clips.map((c) => c.speaker))]) {
    const mine = clips.filter((c) => c.speaker === spk);
    const all = new Float32Array(mine.reduce((n, c) => n + c.x.length, 0));
    let o = 0;
    for (const c of mine) {
      all.set(c.x, o);
      o += c.x.length;
    }
    const { mask } = liveMask(all);
    const sil = useSilero ? await sileroMask(all) : null;
    sileroMs += sil?.ms ?? 0;
    frames += mask.length;
    o = 0;
    for (const c of mine) {
      const off = offlineMask(c.x),
        f = o / hop;
      stream.add(off, mask, f);
      if (sil) {
        // Tally(a, b): a plays "reference" — Silero here, so recall = share of Silero's speech frames the other finds.
        vsSilero.gate.add(sil.mask.subarray(f, f + off.length), mask, f);
        vsSilero.offline.add(sil.mask.subarray(f, f + off.length), off);
        for (let i = 0; i < lead && i < off.length; i++) {
          leadIn.gate[0] += mask[f + i]!;
          leadIn.offline[0] += off[i]!;
          leadIn.silero[0] += sil.mask[f + i]!;
          leadIn.gate[1]++;
          leadIn.offline[1]++;
          leadIn.silero[1]++;
        }
      }
      o += c.x.length;
    }
  }
  const share = (t: number[]): number => +(t[0]! / Math.max(1, t[1]!)).toFixed(4);
  results[path.basename(dir)] = {
    clips: clips.length,
    per_speaker_stream: stream.json(),
    per_clip_cold_start: perClip.json(),
    us_per_frame: +((perClip.ms * 1000) / perClip.total).toFixed(2),
    ...(useSilero
      ? {
          silero_v5: {
            gate_vs_silero: vsSilero.gate.json('silero'),
            offline_vs_silero: vsSilero.offline.json('silero'),
            speech_share_first_0_3_s: { gate: share(leadIn.gate), offline: share(leadIn.offline), silero: share(leadIn.silero) },
            us_per_10ms_frame: +((sileroMs * 1000) / frames).toFixed(2),
          },
        }
      : {}),
  };
}
process.stdout.write(
  JSON.stringify(
    {
      bench: 'monitor-gate',
      gate: 'SpeechGate (streamed, 50 ms chunks)',
      reference: 'detectSpeech (whole clip)',
      load_avg: (await import('node:os')).loadavg().map((v) => +v.toFixed(2)),
      results,
    },
    null,
    2,
  ) + '\n',
);
