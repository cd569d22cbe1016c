/**
 * Converts one neutral clip into one emotion: draws the profile's values, then
 *   1. PSOLA with an F0 contour (level, range around the median, tremor, jitter, phrase-final movement)
 *      and a tempo change; a formant scaling α is done by PSOLA to pitch 1/α and duration α followed
 *      by resampling the result α× faster, which moves formants, F0 and tempo by α — net: formants ×α only;
 *   2. hesitation pauses (room tone cut from the clip's quietest stretch) and fillers (the clip's own
 *      loudest vowel, lengthened and given a falling pitch) at phrase boundaries;
 *      The tempo is not uniform when `lengthen` > 1: the ~200 ms before each planned pause and before the
 *      end of the last voiced stretch are stretched further (hesitation and phrase-final lengthening);
 *      a phrase-final `creak` lowers F0 and alternates long and short periods (vocal fry);
 *   3. aspiration noise for breathy voices (more of it at the phrase end with `finalBreath`); first-
 *      harmonic level (H1–H2 voice-quality cue); loudness contour (envelope contrast + drift), spectral
 *      tilt, gain; peaks limited to −0.5 dBFS.
 */
import { trackPitch, type PitchTrack } from '../../features/pitch.js';
import { psola } from '../psola.js';
import { resample } from '../../audio/resample.js';
import { filterCascade, highpass, highShelf, lowpass, peaking } from '../filters.js';
import { type RandomSource, uniform } from '../random.js';
import { type DrawnProfile, type EmotionProfile } from './profiles.js';

/**
 * Version of the conversion method: bump it when a change here alters the audio made from the same
 * profile and seed, so runs that cache converted sets (`prepareConverted`) make them afresh.
 * 2: formant scaling (2026-11-22).
 * 3: boredom pauses, creak and phrase-final breath; level-pitched fillers; pre-pause and final
 *    lengthening; first-harmonic (H1–H2) voice quality; uncertainty's end rising or level (issue 13).
 * 4: uncertainty: the source's final fall is levelled before the rise (`finalFlatten`), a filled pause
 *    is silence then the filler (the hesitation stays audible as a pause), every clip gets a filler
 *    (2026-12-05). Boredom, panic and excitement are unchanged.
 * 5: panic without tremor, with excitement's jitter, tilt and H1 (profiles.ts; 2026-12-06). The transform
 *    is unchanged: the version marks the profile change, which the stamp also sees.
 */
export const CONVERSION_METHOD_VERSION = 5;

/** Draws one clip's values from a profile. */
export function drawProfile(p: EmotionProfile, rng: RandomSource): DrawnProfile {
  const u = (r: readonly [number, number]): number => uniform(rng, r[0], r[1]);
  const d: DrawnProfile = {
    f0Shift: u(p.f0Shift),
    f0Range: u(p.f0Range),
    duration: u(p.duration),
    tremorHz: u(p.tremorHz),
    tremorDepth: u(p.tremorDepth),
    jitter: u(p.jitter),
    tiltDb: u(p.tiltDb),
    breathiness: u(p.breathiness),
    gainDb: u(p.gainDb),
    dynamics: u(p.dynamics),
    declinationDb: u(p.declinationDb),
    finalRise: u(p.finalRise),
    finalSec: u(p.finalSec),
    pauses: Math.floor(uniform(rng, p.pauses[0], p.pauses[1] + 0.999)),
    pauseSec: [],
    fillers: [],
    formant: 1,
    creak: 0,
    finalBreath: 0,
    h1Db: 0,
    lengthen: 1,
  };
  for (let i = 0; i < d.pauses; i++) {
    d.pauseSec.push(u(p.pauseSec));
    // The first pause of a profile with fillers always holds one: every such clip has a filled pause.
    d.fillers.push(rng.next() < p.fillerProb || (i === 0 && p.fillerProb > 0));
  }
  d.formant = u(p.formant); // drawn after the others, so they keep their place in the stream
  d.creak = u(p.creak);
  d.finalBreath = u(p.finalBreath);
  d.h1Db = u(p.h1Db);
  d.lengthen = u(p.lengthen);
  return d;
}

function voicedSpan(track: PitchTrack): { first: number; last: number; median: number } | null {
  const vals: number[] = [];
  let first = -1,
    last = -1;
  for (let i = 0; i < track.f0.length; i++) {
    if (!track.voiced[i]) continue;
    if (first < 0) first = i;
    last = i;
    vals.push(track.f0[i]!);
  }
  if (vals.length < 5) return null;
  vals.sort((a, b) => a - b);
  return { first: first * track.hopSec, last: (last + 1) * track.hopSec, median: vals[vals.length >> 1]! };
}

/** 5-frame median filter over voiced frames: removes single-frame octave slips before F0 drives PSOLA. */
export function smoothTrack(track: PitchTrack): PitchTrack {
  const f0 = Float32Array.from(track.f0);
  for (let i = 0; i < f0.length; i++) {
    if (!track.voiced[i]) continue;
    const win: number[] = [];
    for (let j = Math.max(0, i - 2); j <= Math.min(f0.length - 1, i + 2); j++) if (track.voiced[j]) win.push(track.f0[j]!);
    win.sort((a, b) => a - b);
    f0[i] = win[win.length >> 1]!;
  }
  return { f0, voiced: track.voiced, hopSec: track.hopSec };
}

/** Length of the phrase-final creak (at most `finalSec`), seconds: about the last syllable. */
const CREAK_SEC = 0.2;

/** Median source F0 of the voiced frames within 50 ms of `tSec` (else of the last voiced frame before it; else `fallback`). */
function f0Near(track: PitchTrack, tSec: number, fallback: number): number {
  const c = Math.round(tSec / track.hopSec),
    w = Math.round(0.05 / track.hopSec);
  const v: number[] = [];
  for (let i = Math.max(0, c - w); i <= Math.min(track.f0.length - 1, c + w); i++) if (track.voiced[i]) v.push(track.f0[i]!);
  if (v.length) return v.sort((a, b) => a - b)[v.length >> 1]!;
  for (let i = Math.min(track.f0.length - 1, c); i >= 0; i--) if (track.voiced[i]) return track.f0[i]!;
  return fallback;
}

/** Start and end (s) of the last voiced run of ≥ 100 ms, or null. */
function finalNucleus(track: PitchTrack): { start: number; end: number } | null {
  const min = Math.round(0.1 / track.hopSec);
  for (let j = track.voiced.length; j > 0;) {
    while (j > 0 && !track.voiced[j - 1]) j--;
    let i = j;
    while (i > 0 && track.voiced[i - 1]) i--;
    if (j - i >= min) return { start: i * track.hopSec, end: j * track.hopSec };
    j = i;
  }
  return null;
}

/** Time over which the final levelling (`finalFlatten`) grows in, seconds: fast, so the source's fall is gone early. */
const FLATTEN_RAMP_SEC = 0.05;

/**
 * The F0 ratio function for PSOLA: level × range scaling × tremor × jitter × final movement. With
 * `flatten` > 0 the source's F0 after `flattenFrom` is pulled towards `anchorF0` (its F0 there) before
 * the rest applies, so a falling statement ending can become level or rising.
 */
function pitchContour(
  d: DrawnProfile,
  median: number,
  lastVoicedSec: number,
  rng: RandomSource,
  flatten = 0,
  anchorF0 = median,
  flattenFrom = lastVoicedSec - d.finalSec,
): (t: number, f0: number) => number {
  const phase = 2 * Math.PI * rng.next();
  const riseStart = lastVoicedSec - d.finalSec;
  const creakStart = lastVoicedSec - Math.min(CREAK_SEC, d.finalSec);
  let alternate = 1; // creak: every other period longer, the next shorter (period doubling)
  return (t, f0) => {
    let level = 1; // source F0 → the levelled F0 this point is treated as
    if (flatten > 0 && t > flattenFrom && f0 > 0) {
      const w = flatten * Math.min(1, (t - flattenFrom) / FLATTEN_RAMP_SEC);
      // Up to 2.2: a run of octave-low tracker frames (f0 ≈ anchor / 2) is levelled too.
      level = Math.pow(Math.max(0.5, Math.min(2.2, anchorF0 / f0)), w);
    }
    const f = f0 * level;
    // Range scaling bounded to ±1 octave of deviation, so a tracker octave slip cannot run away.
    let r = level * d.f0Shift * Math.pow(Math.max(0.5, Math.min(2, f / median)), d.f0Range - 1);
    if (d.tremorDepth > 0) r *= 1 + d.tremorDepth * Math.sin(2 * Math.PI * d.tremorHz * t + phase);
    if (d.jitter > 0) r *= 1 + d.jitter * Math.max(-3, Math.min(3, rng.normal()));
    if (t > riseStart) r *= Math.pow(d.finalRise, Math.min(1, (t - riseStart) / d.finalSec));
    if (d.creak > 0 && t > creakStart) {
      // Vocal fry on the last syllable: lower F0, alternating periods, strong jitter, grown in over 50 ms.
      const k = d.creak * Math.min(1, (t - creakStart) / 0.05);
      alternate = -alternate;
      r *= (1 - 0.25 * k) * (1 + 0.15 * k * alternate) * (1 + 0.08 * k * Math.max(-2, Math.min(2, rng.normal())));
    }
    // The 2.2 bound is on the change of the (levelled) F0; levelling an octave-low frame may need more.
    return Math.max(0.5, Math.min(2.2 * Math.max(1, level), r));
  };
}

/** RMS envelope in 10 ms frames (25 ms windows). */
function envelope(x: Float32Array, sr: number): { env: Float64Array; hop: number } {
  const hop = Math.round(0.01 * sr),
    win = Math.round(0.025 * sr);
  const n = Math.max(1, Math.ceil(x.length / hop));
  const env = new Float64Array(n);
  for (let f = 0; f < n; f++) {
    const c = f * hop;
    let e = 0,
      cnt = 0;
    for (let j = Math.max(0, c - (win >> 1)); j < Math.min(x.length, c + (win >> 1)); j++) {
      e += x[j]! * x[j]!;
      cnt++;
    }
    env[f] = Math.sqrt(e / Math.max(1, cnt));
  }
  return { env, hop };
}

/** Start of the quietest `len`-sample stretch (for room tone). */
function quietestStretch(x: Float32Array, len: number): number {
  if (x.length <= len) return 0;
  let e = 0;
  for (let i = 0; i < len; i++) e += x[i]! * x[i]!;
  let best = e,
    at = 0;
  for (let i = len; i < x.length; i++) {
    e += x[i]! * x[i]! - x[i - len]! * x[i - len]!;
    if (e < best) {
      best = e;
      at = i - len + 1;
    }
  }
  return at;
}

/** `n` samples of room tone: the quiet stretch tiled with raised-cosine cross-fades. */
function roomTone(quiet: Float32Array, n: number): Float32Array {
  const out = new Float32Array(n);
  const fade = Math.min(160, quiet.length >> 2);
  const step = quiet.length - fade;
  for (let start = 0; start < n; start += step) {
    for (let j = 0; j < quiet.length && start + j < n; j++) {
      let w = 1;
      if (j < fade && start > 0) w = 0.5 - 0.5 * Math.cos((Math.PI * j) / fade);
      else if (j >= step) w = 0.5 + 0.5 * Math.cos((Math.PI * (j - step)) / fade);
      out[start + j] += quiet[j]! * w;
    }
  }
  return out;
}

/**
 * Phrase-boundary candidates (sample positions), best first: the quietest point of each unvoiced gap
 * ≥ 40 ms between voiced runs that drops at least 20 dB below the loud frames (a gap that stays loud is a
 * fricative, and cutting it would chop a sound), longest gaps first (more likely between words than a
 * stop closure) but gaps already ≥ 0.2 s last; when there is no other gap, the quietest point in the middle
 * half of the speech (away from the speaker's own pauses).
 */
function boundaries(x: Float32Array, sr: number, track: PitchTrack): number[] {
  const { env, hop } = envelope(x, sr);
  const ref = Float64Array.from(env).sort()[Math.floor(0.9 * (env.length - 1))]! || 1;
  const runs: [number, number][] = [];
  for (let i = 0; i < track.voiced.length;) {
    if (!track.voiced[i]) {
      i++;
      continue;
    }
    let j = i;
    while (j < track.voiced.length && track.voiced[j]) j++;
    runs.push([i, j]);
    i = j;
  }
  const toFrame = (i: number): number => Math.round((i * track.hopSec * sr) / hop);
  const quietest = (a: number, b: number): number => {
    let m = a;
    for (let f = a; f < b && f < env.length; f++) if (env[f]! < env[m]!) m = f;
    return m;
  };
  // Only runs that reach speech level (within 20 dB of the loud frames) delimit phrases: a faint voiced
  // blip after the sentence (a breath, a click) would otherwise make the trailing silence a "boundary".
  const loudRun = ([a, b]: [number, number]): boolean => {
    for (let f = toFrame(a); f < toFrame(b) && f < env.length; f++) if (env[f]! >= 0.1 * ref) return true;
    return false;
  };
  runs.splice(0, runs.length, ...runs.filter(loudRun));
  const out: { pos: number; gap: number; a: number; b: number }[] = [];
  for (let r = 0; r + 1 < runs.length; r++) {
    const a = toFrame(runs[r]![1]),
      b = toFrame(runs[r + 1]![0]);
    if ((b - a) * hop < 0.04 * sr) continue;
    const m = quietest(a, b);
    if (env[m]! < 0.1 * ref) out.push({ pos: m * hop, gap: b - a, a, b });
  }
  // Gaps that already are pauses (≥ 0.2 s) go last: a new pause between other words makes more pauses,
  // lengthening the one the speaker made does not.
  const isPause = (o: { gap: number }): number => (o.gap * hop >= 0.2 * sr ? 1 : 0);
  if (out.every((o) => isPause(o)) && runs.length > 0) {
    // No word gap that is not a pause yet (fluent clip, or its only quiet gaps are pauses already): the
    // quietest point in the middle half of the speech, away (≥ 50 ms) from the speaker's own pauses.
    const a = toFrame(runs[0]![0]),
      b = toFrame(runs[runs.length - 1]![1]),
      margin = Math.round((0.05 * sr) / hop);
    const lo = a + Math.floor((b - a) / 4),
      hi = a + Math.floor((3 * (b - a)) / 4);
    let m = -1;
    for (let f = lo; f < hi && f < env.length; f++) {
      if (out.some((o) => f >= o.a - margin && f < o.b + margin)) continue;
      if (m < 0 || env[f]! < env[m]!) m = f;
    }
    if (m >= 0) out.push({ pos: m * hop, gap: 0, a: m, b: m });
  }
  return out.sort((p, q) => isPause(p) - isPause(q) || q.gap - p.gap).map((o) => o.pos);
}

/** A filler: the loudest 80 ms of voicing, sustained by PSOLA at a level, low pitch, faded in and out. */
function makeFiller(x: Float32Array, sr: number, track: PitchTrack, lenSec: number, rng: RandomSource): Float32Array {
  const { env, hop } = envelope(x, sr);
  let best = -1;
  for (let i = 0; i < track.voiced.length; i++) {
    if (!track.voiced[i]) continue;
    const f = Math.round((i * track.hopSec * sr) / hop);
    if (f < env.length && (best < 0 || env[f]! > env[Math.round((best * track.hopSec * sr) / hop)]!)) best = i;
  }
  if (best < 0) return new Float32Array(0);
  // 80 ms of frames around the loudest voiced one, cut on frame centres so the nucleus keeps the
  // clip's own F0 at that point as a steady track (tracking the short cut again loses its edges, and
  // PSOLA would then repeat 10 ms noise marks: a buzz, not a vowel).
  const frameLen = track.hopSec * sr;
  const frames = Math.round(0.08 / track.hopSec);
  const startFrame = Math.max(0, Math.min(Math.floor((x.length - 1) / frameLen) - frames, best - (frames >> 1)));
  const start = Math.round(startFrame * frameLen);
  const nucleus = x.slice(start, start + Math.round(frames * frameLen));
  const steady: PitchTrack = {
    f0: new Float32Array(frames).fill(track.f0[best]!),
    voiced: new Uint8Array(frames).fill(1),
    hopSec: track.hopSec,
  };
  // Sustained at a level pitch a little below the speaker's median: fillers are low and flat
  // (Shriberg & Lickley 1993), whereas the loudest vowel is often a pitch accent.
  const voicedF0 = [...track.f0].filter((f, i) => track.voiced[i]).sort((a, b) => a - b);
  const target = 0.9 * voicedF0[voicedF0.length >> 1]!;
  const ratio = Math.max(0.5, Math.min(2, target / track.f0[best]!));
  const stretched = psola(nucleus, sr, { track: steady, stretch: lenSec / 0.08, pitchRatio: ratio });
  let y = stretched;
  if (rng.next() < 0.5) {
    // "um": the second half nasalised (low-passed, closed mouth), cross-faded over 40 ms from the
    // filtered whole, so the filter's onset transient does not break the voicing in the middle.
    const half = y.length >> 1,
      xf = Math.min(Math.round(0.02 * sr), half);
    const m = filterCascade(y, [lowpass(700, sr), lowpass(700, sr)]);
    y = Float32Array.from(y);
    for (let j = half - xf; j < y.length; j++) {
      const w = j >= half + xf ? 1 : 0.5 - 0.5 * Math.cos((Math.PI * (j - half + xf)) / (2 * xf));
      y[j] = (1 - w) * y[j]! + w * m[j]!;
    }
  }
  const fade = Math.min(Math.round(0.04 * sr), y.length >> 2);
  for (let j = 0; j < fade; j++) {
    const w = 0.5 - 0.5 * Math.cos((Math.PI * j) / fade);
    y[j] *= w;
    y[y.length - 1 - j] *= w;
  }
  return y;
}

/** Splices `insert` into x at `pos` with 10 ms raised-cosine fades on the speech either side. */
function spliceAt(x: Float32Array, pos: number, insert: Float32Array, sr: number): Float32Array {
  const fade = Math.round(0.01 * sr);
  const out = new Float32Array(x.length + insert.length);
  out.set(x.subarray(0, pos), 0);
  out.set(insert, pos);
  for (let j = 0; j < fade && j < insert.length >> 1; j++) {
    const w = 0.5 - 0.5 * Math.cos((Math.PI * j) / fade);
    out[pos + j] *= w;
    out[pos + insert.length - 1 - j] *= w;
  }
  out.set(x.subarray(pos), pos + insert.length);
  for (let j = 0; j < fade; j++) {
    const w = 0.5 - 0.5 * Math.cos((Math.PI * j) / fade); // 0 → 1
    if (pos - 1 - j >= 0) out[pos - 1 - j] *= w;
    if (pos + insert.length + j < out.length) out[pos + insert.length + j] *= w;
  }
  return out;
}

/**
 * Adds aspiration noise: white noise high-passed at 2 kHz, shaped by the speech envelope (so it is
 * only there while the person speaks, at `amount` × the local speech RMS, rising by `finalAmount`
 * towards the end of the last phrase: breathy, trailing-off endings).
 */
function addBreath(x: Float32Array, sr: number, amount: number, finalAmount: number, finalSec: number, rng: RandomSource): Float32Array {
  if (amount <= 0 && finalAmount <= 0) return x;
  const { env, hop } = envelope(x, sr);
  const ref = Float64Array.from(env).sort()[Math.floor(0.9 * (env.length - 1))]! || 1;
  // The phrase end: the last speech frame; `finalAmount` ramps in over the `finalSec` before it.
  let lastSpeech = env.length - 1;
  while (lastSpeech > 0 && env[lastSpeech]! < 0.1 * ref) lastSpeech--;
  const rampFrom = lastSpeech - Math.max(1, Math.round((finalSec * sr) / hop));
  const noise = new Float32Array(x.length);
  for (let i = 0; i < noise.length; i++) noise[i] = rng.normal();
  const hf = filterCascade(noise, [highpass(2000, sr, 0.5412), highpass(2000, sr, 1.3066)]);
  let p = 0;
  for (let i = 0; i < hf.length; i++) p += hf[i]! * hf[i]!;
  const norm = p > 0 ? 1 / Math.sqrt(p / hf.length) : 0;
  const y = Float32Array.from(x);
  for (let i = 0; i < y.length; i++) {
    const f = Math.min(env.length - 1, Math.round(i / hop));
    const e = env[f]! >= 0.1 * ref ? env[f]! : 0; // speech frames only, not pauses or the noise floor
    const a = amount + (f > rampFrom ? finalAmount * Math.min(1, (f - rampFrom) / (lastSpeech - rampFrom)) : 0);
    y[i] += a * e * hf[i]! * norm;
  }
  return y;
}

/**
 * Applies the first-harmonic level (a bell at the output's median F0 `f0Hz`), the loudness contour,
 * spectral tilt and gain; limits peaks to −0.5 dBFS.
 */
function shapeLoudness(x: Float32Array, sr: number, d: DrawnProfile, f0Hz: number): Float32Array {
  const { env, hop } = envelope(x, sr);
  const sorted = Float64Array.from(env).sort();
  const ref = sorted[Math.floor(0.9 * (sorted.length - 1))]! || 1; // loud-frame level
  // Contrast acts on the speech range only (−20…0 dB re loud frames); quieter frames (pauses, noise
  // floor) share the −20 dB gain, so flattening cannot lift the noise floor by more than 20·|d| dB.
  const floor = ref * 0.1;
  const gains = new Float64Array(env.length);
  for (let f = 0; f < env.length; f++) {
    const e = Math.min(ref, Math.max(env[f]!, floor));
    const contrast = Math.pow(e / ref, d.dynamics);
    const drift = Math.pow(10, (d.declinationDb * (f / Math.max(1, env.length - 1))) / 20);
    gains[f] = contrast * drift;
  }
  const g0 = Math.pow(10, d.gainDb / 20);
  const shaped = filterCascade(x, [
    ...(d.h1Db !== 0 && f0Hz > 0 && f0Hz < sr / 4 ? [peaking(f0Hz, sr, d.h1Db)] : []),
    ...(d.tiltDb !== 0 ? [highShelf(1500, sr, d.tiltDb)] : []),
  ]);
  let peak = 0;
  for (let i = 0; i < shaped.length; i++) {
    const pos = i / hop;
    const f = Math.min(gains.length - 2, Math.floor(pos));
    const g = gains.length > 1 ? gains[f]! + (gains[f + 1]! - gains[f]!) * Math.min(1, pos - f) : gains[0]!;
    shaped[i] *= g * g0;
    peak = Math.max(peak, Math.abs(shaped[i]!));
  }
  const limit = 0.944; // −0.5 dBFS
  if (peak > limit) for (let i = 0; i < shaped.length; i++) shaped[i] *= limit / peak;
  return shaped;
}

/** Stretch of the speech just before a pause or the phrase end that `lengthen` applies to, seconds. */
const LENGTHEN_SEC = 0.2;

/**
 * Local tempo (input time → stretch): `d.duration` everywhere, × `d.lengthen` over the LENGTHEN_SEC
 * before each planned pause (`pausesSec`, input time) and before the end of voicing `lastVoicedSec`.
 */
function tempoOf(d: DrawnProfile, pausesSec: readonly number[], lastVoicedSec: number): (t: number) => number {
  if (!(d.lengthen > 1)) return () => d.duration;
  const ends = [...pausesSec, lastVoicedSec];
  return (t) => (ends.some((e) => t < e && t >= e - LENGTHEN_SEC) ? d.duration * d.lengthen : d.duration);
}

/** Smallest formant change worth a resampling pass. */
const FORMANT_EPS = 1e-3;

/**
 * PSOLA with the drawn contour and tempo, plus the formant scaling (see the module comment). The
 * resampler works in whole Hz, so α is rounded to a multiple of 1/sr (and `d.formant` set to it).
 */
function formantScaled(
  x: Float32Array,
  sr: number,
  track: PitchTrack,
  d: DrawnProfile,
  contour: (t: number, f0: number) => number,
  stretch: (t: number) => number,
): Float32Array {
  const from = Math.round(sr * d.formant);
  const a = from / sr;
  if (Math.abs(a - 1) < FORMANT_EPS) {
    d.formant = 1;
    return psola(x, sr, { track, stretch, pitchRatio: contour });
  }
  d.formant = a;
  const y = psola(x, sr, { track, stretch: (t) => stretch(t) * a, pitchRatio: (t, f0) => contour(t, f0) / a });
  return resample(y, from, sr);
}

/**
 * Length of the filler that follows a silent pause of `pauseSec`: 0.3–0.5 s, the usual length of "uh"/"um"
 * in conversation (shorter ones lose most of their voicing to the fades and no longer sound sustained).
 */
export function fillerSec(pauseSec: number): number {
  return Math.min(0.5, Math.max(0.3, 0.8 * pauseSec));
}

/** Silence after a filler, before the speech resumes, seconds. */
export const FILLER_GAP_SEC = 0.06;

/** Result of converting one clip. */
export interface ConvertedClip {
  samples: Float32Array;
  drawn: DrawnProfile;
}

/**
 * Converts one neutral clip into one emotion.
 * @param sourceTrack `trackPitch(x, sr)` when the caller already has it (saves a pass per emotion)
 * @throws when the clip has too little voicing to carry an F0 contour (names `source`)
 */
export function convertClip(
  x: Float32Array,
  sr: number,
  profile: EmotionProfile,
  rng: RandomSource,
  source = 'clip',
  sourceTrack?: PitchTrack,
): ConvertedClip {
  const d = drawProfile(profile, rng);
  const track = smoothTrack(sourceTrack ?? trackPitch(x, sr));
  const span = voicedSpan(track);
  if (!span) throw new Error(`${source}: too little voiced speech to convert (fewer than 5 voiced frames)`);
  // Where pauses will go (found again on the output below): the syllables before them are lengthened.
  const planned =
    d.pauses > 0 && d.lengthen > 1
      ? boundaries(x, sr, track)
          .slice(0, d.pauses)
          .map((p) => p / sr)
      : [];
  let contour;
  if (profile.finalFlatten > 0) {
    // The final nucleus: the last voiced run of ≥ 100 ms (short blips after it are not a syllable, and
    // anchoring the final movement on them leaves the nucleus's own fall in place). It is levelled
    // from its start (or from the start of the final movement, if earlier) on the F0 found there.
    const nuc = finalNucleus(track) ?? { start: span.last - d.finalSec, end: span.last };
    const from = Math.min(nuc.end - d.finalSec, nuc.start + 0.02);
    contour = pitchContour(d, span.median, nuc.end, rng, profile.finalFlatten, f0Near(track, from, span.median), from);
  } else {
    contour = pitchContour(d, span.median, span.last, rng);
  }
  let y = formantScaled(x, sr, track, d, contour, tempoOf(d, planned, span.last));

  if (d.pauses > 0) {
    const yTrack = trackPitch(y, sr);
    const quietLen = Math.round(0.12 * sr);
    const qs = quietestStretch(y, quietLen);
    const quiet = y.slice(qs, qs + quietLen);
    const spots = boundaries(y, sr, yTrack)
      .slice(0, d.pauses)
      .sort((a, b) => b - a); // splice from the end
    d.pauses = spots.length;
    for (let i = 0; i < spots.length; i++) {
      const silence = Math.round(d.pauseSec[i]! * sr);
      // A filled pause is the silent pause, then the filler, then a short gap: the hesitation stays
      // audible (and measurable) as a pause, and the "uh" follows it as in delayed answers.
      const filler = d.fillers[i] ? makeFiller(y, sr, yTrack, fillerSec(d.pauseSec[i]!), rng) : new Float32Array(0);
      const pause = roomTone(quiet, silence + (filler.length ? filler.length + Math.round(FILLER_GAP_SEC * sr) : 0));
      for (let j = 0; j < filler.length; j++) pause[silence + j] += filler[j]!;
      y = spliceAt(y, spots[i]!, pause, sr);
    }
    d.pauseSec.length = d.fillers.length = spots.length;
  }
  const breathy = addBreath(y, sr, d.breathiness, d.finalBreath, d.finalSec * d.duration, rng);
  return { samples: shapeLoudness(breathy, sr, d, span.median * d.f0Shift), drawn: d };
}
