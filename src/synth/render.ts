/**
 * Renders one clip with an offline engine (espeak or flite): sentence by sentence, each with the
 * profile's pauses and fillers between its phrases, until the clip reaches its target length; then
 * tremor, level and length limits.
 */
import { Rng } from '../engine/rng.js';
import { espeakSynthesize, type SpeechPart } from './engines/espeak.js';
import { fliteSynthesize } from './engines/flite.js';
import { resample } from '../audio/index.js';
import { applyEffort, applyTremor, concat, finalRise, fadeEdges, setLevel, trimAtQuietPoint } from './dsp.js';
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

/** How an utterance is spoken: the clip's pitch level, pitch range and rate. */
interface PhraseProsody {
  pitchShiftSt: number;
  pitchRange: number;
  rate: number;
}

/**
 * eSpeak's SSML pitch change comes out at about half the requested size (measured with trackPitch over
 * ±5 semitones on en-us+f3 and +m3), so requests are doubled to make profile values mean semitones.
 */
const ESPEAK_PITCH_GAIN = 2;

/**
 * Rise given to flite's questions, semitones: espeak's "?" ends ≈ 5 st above its "." ends (measured
 * with trackPitch on two sentences), flite's are unchanged by "?".
 */
const FLITE_QUESTION_RISE_ST = 5;

/**
 * Speaks one sentence (phrases, fillers and pauses) with the voice's engine; returns 16 kHz audio.
 * espeak takes the whole sentence in one call (pauses as SSML breaks; one call costs ~0.1 s of module
 * instantiation however short the text, and intonation then runs across the phrases). Flite has no
 * pause control, so it speaks phrase by phrase with silence inserted between.
 */
export async function synthSentence(parts: SpeechPart[], voice: VoiceSpec, p: PhraseProsody, seed = 0): Promise<Float32Array> {
  const scale = voice.tractScale ?? 1;
  if (voice.engine === 'espeak') {
    const audio = await espeakSynthesize({
      text: parts,
      voice: voice.engineVoice,
      pitchShiftSt: p.pitchShiftSt * ESPEAK_PITCH_GAIN,
      pitchRange: p.pitchRange,
      rate: p.rate,
      seed,
    });
    return toOutRate(audio.samples, audio.sampleRate * scale);
  }
  if (voice.engine !== 'flite') throw new Error(`synthSentence: voice ${voice.id} uses engine ${voice.engine}, which is not offline`);
  const f = Math.pow(2, p.pitchShiftSt / 12) / scale; // tract scaling raises pitch by `scale` afterwards
  const pieces: Float32Array[] = [];
  for (const part of parts) {
    if ('pauseSec' in part) {
      pieces.push(silence(part.pauseSec));
      continue;
    }
    const audio = await fliteSynthesize({
      text: part.text,
      voice: voice.engineVoice,
      f0MeanHz: voice.baseF0Hz * f,
      f0StdHz: voice.baseF0StdHz * p.pitchRange * f,
      rate: (p.rate * (part.rateFactor ?? 1)) / scale, // tract scaling also shortens the audio by `scale`
    });
    let y = toOutRate(audio.samples, audio.sampleRate * scale);
    // flite ignores "?": give questions their rise afterwards (espeak intones them itself).
    if (/\?\s*$/.test(part.text)) y = finalRise(y, OUT_RATE, FLITE_QUESTION_RISE_ST);
    pieces.push(y);
  }
  return concat(pieces);
}

/**
 * Resamples engine output to 16 kHz with src/audio's resampler, always its JS loop: the native one
 * differs in the last bits, and clips must be byte-identical whether or not the addon is built.
 */
export function toOutRate(x: Float32Array, rate: number): Float32Array {
  return resample(x, Math.round(rate), OUT_RATE, { backend: 'js' });
}

/** Splits a sentence into phrases at commas, semicolons, colons and dashes (punctuation kept). */
export function splitPhrases(sentence: string): string[] {
  return sentence
    .split(/(?<=[,;:])\s+|\s+-\s+/)
    .map((s) => s.trim())
    .filter(Boolean);
}

const silence = (sec: number): Float32Array => new Float32Array(Math.max(0, Math.round(sec * OUT_RATE)));

/** Renders a planned clip with its offline engine. Deterministic in the job. */
export async function renderOffline(job: ClipJob): Promise<RenderedClip> {
  const rng = new Rng(job.seed ^ 0x5bd1e995);
  const pr = job.prosody;
  const base: PhraseProsody = { pitchShiftSt: pr.pitchShiftSt, pitchRange: pr.pitchRange, rate: pr.rate };
  const jitter = (sec: number): number => Math.round(sec * (0.8 + 0.4 * rng.next()) * 1000) / 1000;
  const pieces: Float32Array[] = [silence(0.1 + 0.2 * rng.next())];
  let total = pieces[0]!.length / OUT_RATE;
  const spoken: string[] = [];
  const used: string[] = [];

  for (let n = 0; n < job.sentences.length && total < job.targetSec; n++) {
    const sent = job.sentences[n]!;
    let text = sent.text.trim();
    if (rng.next() < pr.finalRise) text = text.replace(/[.!?]+$/, '') + '?';
    // The sentence as parts: phrases with the profile's pauses, hesitation fillers before some phrases.
    const parts: SpeechPart[] = [];
    const words: string[] = [];
    for (const phrase of splitPhrases(text)) {
      if (parts.length) parts.push({ pauseSec: jitter(pr.phrasePauseSec) });
      let afterFiller = false;
      if (job.fillers.length && rng.next() < pr.fillerRate) {
        const filler = `${job.fillers[rng.int(job.fillers.length)]!},`;
        parts.push({ text: filler, rateFactor: 0.75 }, { pauseSec: jitter(pr.phrasePauseSec) });
        words.push(filler);
        afterFiller = true;
      }
      // After a filler the phrase continues the utterance: no capital (except "I").
      const said = afterFiller && /^[A-Z][a-z]/.test(phrase) ? phrase[0]!.toLowerCase() + phrase.slice(1) : phrase;
      parts.push({ text: said });
      words.push(said);
    }
    const audio = await synthSentence(parts, job.voice, base, job.seed + n);
    const sec = audio.length / OUT_RATE;
    // Stop before a sentence that would overshoot once the clip is long enough.
    if (total >= job.minSec && total + sec > job.maxSec) break;
    pieces.push(audio);
    total += sec;
    spoken.push(words.join(' '));
    used.push(sent.id);
    if (total < job.targetSec) {
      const pause = silence(jitter(pr.sentencePauseSec));
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
  applyEffort(x, pr.effort);
  setLevel(x, OUT_RATE, pr.levelDb);
  fadeEdges(x, OUT_RATE, 0.005);
  return { samples: x, text: spoken.join(' '), sentenceIds: used };
}
