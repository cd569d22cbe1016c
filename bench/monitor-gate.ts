/**
 * The live speech gate against the offline detector: frame agreement of SpeechGate (streamed in 50 ms
 * chunks, deciding with 0.3 s of look-ahead, threshold from the past 10 s only) with detectSpeech on
 * whole clips, over the dev corpora. Two ways: each clip as its own stream (a cold start every 3–5 s:
 * the gate knows no level history), and each speaker's clips back to back as one stream (as live).
 * Prints JSON.
 *
 *   npx tsx bench/monitor-gate.ts [DIR…]     (default ../shared/data/ravdess-dev and tess-dev)
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { loadAudio } from '../src/audio/load.js';
import { DEFAULT_SPEECH_DETECT, detectSpeech } from '../src/audio/speech.js';
import { SpeechGate } from '../src/monitor/gate.js';

const shared = process.env.AFFEXION_SHARED_DIR ?? path.resolve(import.meta.dirname, '..', '..', 'shared');
const dirs = process.argv.slice(2).length ? process.argv.slice(2) : ['ravdess-dev', 'tess-dev'].map((d) => path.join(shared, 'data', d));
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
  const take = (): void => { for (const d of g.takeDecided()) if (d.frame < n) mask[d.frame] = d.speech ? 1 : 0; };
  for (let s = 0; s < x.length; s += 800) { g.push(x.subarray(s, s + 800)); take(); }
  g.finish();
  take();
  return { mask, ms: performance.now() - t0 };
}

class Tally {
  agree = 0; total = 0; both = 0; off = 0; live = 0; ms = 0;
  add(off: Uint8Array, live: Uint8Array, from = 0): void {
    for (let i = 0; i < off.length; i++) {
      const o = off[i]!, l = live[from + i]!;
      this.total++; this.agree += o === l ? 1 : 0; this.both += o & l; this.off += o; this.live += l;
    }
  }
  json(): object {
    return { frames: this.total, agreement: +(this.agree / this.total).toFixed(4), recall_of_offline_speech: +(this.both / this.off).toFixed(4),
      precision_vs_offline: +(this.both / this.live).toFixed(4) };
  }
}

const results: Record<string, unknown> = {};
for (const dir of dirs) {
  const rows = readFileSync(path.join(dir, 'labels.csv'), 'utf8').trim().split('\n').slice(1).map((l) => l.split(','));
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
  for (const spk of [...new Set(clips.map((c) => c.speaker))]) {
    const mine = clips.filter((c) => c.speaker === spk);
    const all = new Float32Array(mine.reduce((n, c) => n + c.x.length, 0));
    let o = 0;
    for (const c of mine) { all.set(c.x, o); o += c.x.length; }
    const { mask } = liveMask(all);
    o = 0;
    for (const c of mine) { stream.add(offlineMask(c.x), mask, o / hop); o += c.x.length; }
  }
  results[path.basename(dir)] = {
    clips: clips.length, per_speaker_stream: stream.json(), per_clip_cold_start: perClip.json(),
    us_per_frame: +((perClip.ms * 1000) / perClip.total).toFixed(2),
  };
}
process.stdout.write(JSON.stringify({ bench: 'monitor-gate', gate: 'SpeechGate (streamed, 50 ms chunks)', reference: 'detectSpeech (whole clip)', results }, null, 2) + '\n');
