/**
 * Renders one clip with an offline engine (espeak or flite): phrase by phrase, with the profile's
 * pauses and fillers between phrases, then tremor, level and length limits. Phrase-wise synthesis costs
 * more engine calls than one long call, but gives exact control of pauses (neither engine's own pause
 * control is precise) and lets the clip stop at a phrase boundary near its target length.
 */
import { Rng } from '../engine/rng.js';
import { espeakSynthesize } from './engines/espeak.js';
import { fliteSynthesize } from './engines/flite.js';
import { resample } from '../audio/index.js';
import { applyTremor, concat, fadeEdges, setLevel, trimAtQuietPoint } from './dsp.js';
import type { ClipJob } from './plan.js';
import type { VoiceSpec } from './voices.js';

/** Output sample rate of every clip. */
export const OUT_RATE = 16000;

/** The result of rendering: audio plus the text actually spoken. */
export interface RenderedClip {
  samples: Float32Array;
  /** Text as spoken (with fillers and question endings), sentence ids used. */
  text: string;
  sentenceIds: string[];
}

/** How one phrase is spoken: the clip's pitch/range/rate, maybe slowed for a filler. */
interface PhraseProsody { pitchShiftSt: number; pitchRange: number; rate: number }

/**
 * eSpeak's SSML pitch change comes out at about half the requested size (measured with trackPitch over
 * ±5 semitones on en-us+f3 and +m3), so requests are doubled to make profile values mean semitones.
 */
const ESPEAK_PITCH_GAIN = 2;

/** Synthesises one phrase with the voice's engine and returns it at 16 kHz. */
export async function synthPhrase(text: string, voice: VoiceSpec, p: PhraseProsody, seed = 0): Promise<Float32Array> {
  const scale = voice.tractScale ?? 1;
  let audio;
  if (voice.engine === 'espeak') {
    audio = await espeakSynthesize({ text, voice: voice.engineVoice, pitchShiftSt: p.pitchShiftSt * ESPEAK_PITCH_GAIN, pitchRange: p.pitchRange, rate: p.rate, seed });
  } else if (voice.engine === 'flite') {
    const f = Math.pow(2, p.pitchShiftSt / 12) / scale; // tract scaling raises pitch by `scale` afterwards
    audio = await fliteSynthesize({
      text, voice: voice.engineVoice, f0MeanHz: voice.baseF0Hz * f, f0StdHz: voice.baseF0StdHz * p.pitchRange * f,
      rate: p.rate / scale, // tract scaling also shortens the audio by `scale`
    });
  } else {
    throw new Error(`renderOffline: voice ${voice.id} uses engine ${voice.engine}, which is not offline`);
  }
  return resample(audio.samples, audio.sampleRate * scale, OUT_RATE);
}

/** Splits a sentence into phrases at commas, semicolons, colons and dashes (punctuation kept). */
export function splitPhrases(sentence: string): string[] {
  return sentence.split(/(?<=[,;:])\s+|\s+-\s+/).map((s) => s.trim()).filter(Boolean);
}

const silence = (sec: number): Float32Array => new Float32Array(Math.max(0, Math.round(sec * OUT_RATE)));

/** Renders a planned clip with its offline engine. Deterministic in the job. */
export async function renderOffline(job: ClipJob): Promise<RenderedClip> {
  const rng = new Rng(job.seed ^ 0x5bd1e995);
  const pr = job.prosody;
  const base: PhraseProsody = { pitchShiftSt: pr.pitchShiftSt, pitchRange: pr.pitchRange, rate: pr.rate };
  const pieces: Float32Array[] = [silence(0.1 + 0.2 * rng.next())];
  let total = pieces[0]!.length / OUT_RATE;
  const spoken: string[] = [];
  const used: string[] = [];
  const jitter = (sec: number): number => sec * (0.8 + 0.4 * rng.next());
  let done = false;
  let calls = 0; // engine calls so far: each gets its own seed

  for (const sent of job.sentences) {
    if (done) break;
    let text = sent.text.trim();
    if (rng.next() < pr.finalRise) text = text.replace(/[.!]+$/, '') + '?';
    const phrases = splitPhrases(text);
    used.push(sent.id);
    for (let k = 0; k < phrases.length && !done; k++) {
      if (job.fillers.length && rng.next() < pr.fillerRate) {
        const filler = job.fillers[rng.int(job.fillers.length)]!;
        const fa = await synthPhrase(`${filler},`, job.voice, { ...base, rate: base.rate * 0.75 }, job.seed + calls++);
        if (total + fa.length / OUT_RATE < job.maxSec - 0.5) {
          pieces.push(fa, silence(jitter(pr.phrasePauseSec)));
          total += fa.length / OUT_RATE + pieces[pieces.length - 1]!.length / OUT_RATE;
          spoken.push(`${filler},`);
        }
      }
      const audio = await synthPhrase(phrases[k]!, job.voice, base, job.seed + calls++);
      const sec = audio.length / OUT_RATE;
      // Stop before a phrase that would overshoot, once the clip is long enough.
      if (total >= job.minSec && total + sec > job.maxSec) { done = true; break; }
      pieces.push(audio);
      total += sec;
      spoken.push(phrases[k]!);
      if (total >= job.targetSec) { done = true; break; }
      const pause = silence(jitter(k === phrases.length - 1 ? pr.sentencePauseSec : pr.phrasePauseSec));
      pieces.push(pause);
      total += pause.length / OUT_RATE;
    }
  }
  pieces.push(silence(0.1 + 0.2 * rng.next()));
  let x = concat(pieces);
  if (x.length / OUT_RATE > job.maxSec) x = trimAtQuietPoint(x, OUT_RATE, job.minSec, job.maxSec);
  if (x.length / OUT_RATE < job.minSec) x = concat([x, silence(job.minSec - x.length / OUT_RATE + 0.05)]);
  if (pr.tremorDepthSt > 0 || pr.tremoloDepth > 0) {
    x = applyTremor(x, OUT_RATE, pr.tremorHz, pr.tremorDepthSt, pr.tremoloDepth, 2 * Math.PI * rng.next());
  }
  setLevel(x, OUT_RATE, pr.levelDb);
  fadeEdges(x, OUT_RATE, 0.005);
  return { samples: x, text: spoken.join(' '), sentenceIds: used };
}
