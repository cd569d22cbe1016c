/**
 * Prosody check of converted speech: does a converted clip move, relative to the neutral clip it was
 * made from, in every direction the literature gives for its label (docs/augmentation.md, "Boredom and
 * uncertainty from the literature")? Measured with the project's own tools — the YIN tracker
 * (`trackPitch`), HNR and cycle-to-cycle jitter of the functionals (`hnrDb`, `extractCycles`) — on the
 * same speaker's source and converted clip, so no absolute norms are needed.
 *
 * Thresholds are margins, not just signs: the check must fail on an unconverted clip (tested), and a
 * direction that moves by less than the tracker's noise is not counted as produced.
 */
import { trackPitch, type PitchTrack } from '../../features/pitch.js';
import { extractCycles, hnrDb, jitterLocal } from '../../features/functionals.js';
import { percentile, wholeFrameLevelsDb } from '../../features/frame-stats.js';
import { ParamError } from '../../engine/errors.js';

/** Per-clip measures the directions are judged on. */
export interface ConversionMeasures {
  /** Median F0 of voiced frames, Hz. */
  f0MedianHz: number;
  /** F0 range, 20th–80th percentile of voiced F0 (the eGeMAPS range; robust to creaky-end outliers), semitones. */
  f0RangeSt: number;
  /** Level of the speech frames (within 30 dB of the loud frames), dB re full scale: pauses do not lower it. */
  speechLevelDb: number;
  /** Speaking time: the span from the first to the last speech frame minus the silent pauses, seconds. */
  speakingSec: number;
  /** Silent pauses (≥ PAUSE_MIN_SEC, 30 dB below the loud frames) inside the speech span. */
  pauseCount: number;
  /** Their total length, seconds. */
  pauseSec: number;
  /** Mean length of voiced runs (≈ syllable nuclei), seconds (reported; PSOLA and fillers fragment runs, so not judged). */
  voicedRunSec: number;
  /** Mean length of the three longest voiced runs (lengthened syllables and fillers are the long ones), seconds. */
  longRunSec: number;
  /** Length of the final nucleus (the last voiced run ≥ 100 ms), seconds. */
  finalNucleusSec: number;
  /** Filled-pause-like stretches: ≥ FILLER_MIN_SEC of voicing on one pitch (±1 st), next to a silent pause. */
  levelStretches: number;
  /**
   * F0 slope over (at most) the last FINAL_SEC of the final nucleus — the last voiced run of ≥ 100 ms —
   * as a Theil–Sen (median pairwise) slope, semitones per second. A shorter voiced blip after it is not a
   * syllable: PSOLA copies the last ~20 ms of voicing after its last pitch mark unmodified, and trackers
   * slip there.
   */
  finalSlopeStPerSec: number;
  /** HNR over the voiced frames of the last PHRASE_END_SEC of voicing, dB. */
  endHnrDb: number;
  /** Local jitter over the same stretch, fraction. */
  endJitter: number;
  /** Share of the loud frames from there to the end of the phrase that the tracker finds voiced (creak reads as unvoiced). */
  endVoicedShare: number;
}

/** One direction, measured. */
export interface DirectionResult {
  /** e.g. 'f0 lower'. */
  direction: string;
  /** What is compared, with both values. */
  detail: string;
  pass: boolean;
}

/** The check of one converted clip against its source. */
export interface ConversionCheck {
  label: string;
  pass: boolean;
  directions: DirectionResult[];
  source: ConversionMeasures;
  converted: ConversionMeasures;
}

const FRAME_SEC = 0.025;
const HOP_SEC = 0.01;
/** Silence: this far below the 95th-percentile frame level (as `measureProsody`). */
const SILENCE_DB = 30;
/** Shortest silent stretch counted as a pause: shorter ones are stop closures and word junctures. */
const PAUSE_MIN_SEC = 0.2;
/** Shortest level voiced stretch counted as filled-pause-like: longer than most vowels of fluent speech. */
const FILLER_MIN_SEC = 0.15;
/** A filled-pause-like stretch must start or end this close to a silent pause, seconds. */
const FILLER_NEAR_SEC = 0.1;
/** Length of the final contour whose slope is measured, seconds of voicing. */
const FINAL_SEC = 0.3;
/** Loud frames at the phrase end: within this many dB of the loud frames (speech, not breath or release). */
const END_LOUD_DB = 20;
/** Shortest voiced run taken as the final nucleus, seconds. */
const NUCLEUS_MIN_SEC = 0.1;
/** Length of the phrase end whose voice quality is measured, seconds of speech. */
const PHRASE_END_SEC = 0.3;

/** Runs of `flag[i] === want` as [start, end) index pairs. */
function runsOf(flag: ArrayLike<number | boolean>, want: boolean, from = 0, to = flag.length): [number, number][] {
  const out: [number, number][] = [];
  for (let i = from; i < to;) {
    if (!!flag[i] !== want) {
      i++;
      continue;
    }
    let j = i;
    while (j < to && !!flag[j] === want) j++;
    out.push([i, j]);
    i = j;
  }
  return out;
}

/** A copy of `track` voiced only in frames [a, b). */
function maskTrack(track: PitchTrack, a: number, b: number): PitchTrack {
  const voiced = new Uint8Array(track.voiced.length);
  for (let i = Math.max(0, a); i < Math.min(b, voiced.length); i++) voiced[i] = track.voiced[i]!;
  return { f0: track.f0, voiced, hopSec: track.hopSec };
}

/**
 * Measures one clip for the check.
 * @param x mono samples
 * @param sr sample rate, Hz (≥ 10 kHz)
 */
export function measureForCheck(x: Float32Array, sr: number, track: PitchTrack = trackPitch(x, sr)): ConversionMeasures {
  const levels = wholeFrameLevelsDb(x, sr, FRAME_SEC, HOP_SEC);
  const thr = percentile(Float64Array.from(levels).sort(), 0.95) - SILENCE_DB;
  let first = -1,
    last = -1;
  levels.forEach((l, i) => {
    if (l >= thr) {
      if (first < 0) first = i;
      last = i;
    }
  });
  const active = Uint8Array.from(levels, (l) => (l >= thr ? 1 : 0));
  let power = 0,
    nActive = 0;
  for (let i = 0; i < levels.length; i++)
    if (active[i]) {
      power += 10 ** (levels[i]! / 10);
      nActive++;
    }
  const pauses = first < 0 ? [] : runsOf(active, false, first, last + 1).filter(([a, b]) => (b - a) * HOP_SEC >= PAUSE_MIN_SEC - 1e-9);

  const voicedF0: number[] = [];
  for (let i = 0; i < track.f0.length; i++) if (track.voiced[i]) voicedF0.push(track.f0[i]!);
  const sortedF0 = Float64Array.from(voicedF0).sort();
  const vRuns = runsOf(track.voiced, true);
  const st = (f: number): number => 12 * Math.log2(f);

  // Level stretches: voiced runs joined across dropouts of ≤ 30 ms (trackers lose a frame or two of a
  // sustained low voice) that hold a FILLER_MIN_SEC window ≥ 80 % voiced with ≥ 90 % of its voiced
  // frames within ±1 st of their median (one octave slip does not break it): a vowel sustained on one
  // pitch, as a filler is; counted once per joined run.
  let levelStretches = 0;
  const minFrames = Math.round(FILLER_MIN_SEC / track.hopSec),
    bridge = Math.round(0.03 / track.hopSec);
  const joined: [number, number][] = [];
  for (const r of vRuns) {
    const prev = joined[joined.length - 1];
    if (prev && r[0] - prev[1] <= bridge) prev[1] = r[1];
    else joined.push([r[0], r[1]]);
  }
  // Only those next to a silent pause (within FILLER_NEAR_SEC): a filler is a hesitation, heard with the
  // delay it announces (Clark & Fox Tree 2002); a level vowel inside fluent speech is not one.
  const pauseTimes = pauses.map(([a, b]) => [a * HOP_SEC + FRAME_SEC / 2, b * HOP_SEC + FRAME_SEC / 2] as const);
  const nearPause = (a: number, b: number): boolean =>
    pauseTimes.some(([p0, p1]) => Math.abs(a * track.hopSec - p1) <= FILLER_NEAR_SEC || Math.abs(p0 - b * track.hopSec) <= FILLER_NEAR_SEC);
  for (const [a, b] of joined) {
    if (!nearPause(a, b)) continue;
    for (let s = a; s + minFrames <= b; s++) {
      const w: number[] = [];
      for (let i = s; i < s + minFrames; i++) if (track.voiced[i]) w.push(st(track.f0[i]!));
      if (w.length < 0.8 * minFrames) continue;
      const med = w.sort((p, q) => p - q)[w.length >> 1]!;
      if (w.filter((v) => Math.abs(v - med) <= 1).length >= 0.9 * w.length) {
        levelStretches++;
        break;
      }
    }
  }

  // Final contour: voiced frames of the last FINAL_SEC before the last voiced frame.
  let finalSlopeStPerSec = NaN;
  const nucleus = [...vRuns].reverse().find(([a, b]) => (b - a) * track.hopSec >= NUCLEUS_MIN_SEC - 1e-9);
  if (nucleus) {
    const end = nucleus[1];
    const from = end - Math.round(FINAL_SEC / track.hopSec);
    // Theil–Sen (median of the pairwise slopes): one octave slip or a frame at the tracker's floor
    // at the very end cannot turn a level contour into a fall, as it does a least-squares line.
    const pts: [number, number][] = [];
    for (let i = Math.max(nucleus[0], from); i < end; i++) pts.push([i * track.hopSec, st(track.f0[i]!)]);
    const slopes: number[] = [];
    for (let p = 0; p < pts.length; p++)
      for (let q = p + 1; q < pts.length; q++) slopes.push((pts[q]![1] - pts[p]![1]) / (pts[q]![0] - pts[p]![0]));
    if (pts.length >= 5)
      finalSlopeStPerSec = percentile(
        slopes.sort((a, b) => a - b),
        0.5,
      );
  }

  // Phrase end: the last PHRASE_END_SEC of voicing (HNR and jitter of its voiced frames), and the share
  // of the loud frames from its start to the last loud frame (within END_LOUD_DB of the loud frames, so a
  // breath or release noise after the phrase does not count) that the tracker finds voiced.
  let endHnr = NaN,
    endJitter = NaN,
    endVoicedShare = NaN;
  const lastVoiced = track.voiced.lastIndexOf(1);
  if (lastVoiced >= 0 && first >= 0) {
    const a = lastVoiced + 1 - Math.round(PHRASE_END_SEC / track.hopSec);
    const end = maskTrack(track, a, lastVoiced + 1);
    endHnr = hnrDb(x, sr, end);
    endJitter = jitterLocal(extractCycles(x, sr, end));
    // Level frames are 25 ms from i·hop; the tracker's frame k is centred at k·hopSec.
    const toTrack = (f: number): number => Math.round((f * HOP_SEC + FRAME_SEC / 2) / track.hopSec);
    const loudThr = thr + SILENCE_DB - END_LOUD_DB;
    let lastLoud = last;
    while (lastLoud > first && levels[lastLoud]! < loudThr) lastLoud--;
    let sp = 0,
      vo = 0;
    for (let f = first; f <= lastLoud; f++) {
      const k = toTrack(f);
      if (k < a || levels[f]! < loudThr) continue;
      sp++;
      if (track.voiced[k]) vo++;
    }
    endVoicedShare = sp ? vo / sp : NaN;
  }

  return {
    f0MedianHz: percentile(sortedF0, 0.5),
    f0RangeSt: sortedF0.length >= 10 ? st(percentile(sortedF0, 0.8)) - st(percentile(sortedF0, 0.2)) : NaN,
    speechLevelDb: nActive ? 10 * Math.log10(power / nActive) : NaN,
    speakingSec: first < 0 ? 0 : (last - first + 1 - pauses.reduce((s, [a, b]) => s + b - a, 0)) * HOP_SEC,
    pauseCount: pauses.length,
    pauseSec: pauses.reduce((s, [a, b]) => s + (b - a) * HOP_SEC, 0),
    voicedRunSec: vRuns.length ? (vRuns.reduce((s, [a, b]) => s + b - a, 0) * track.hopSec) / vRuns.length : NaN,
    levelStretches,
    longRunSec: vRuns.length
      ? vRuns
          .map(([a, b]) => b - a)
          .sort((p, q) => q - p)
          .slice(0, 3)
          .reduce((s2, v, _i, arr) => s2 + v / arr.length, 0) * track.hopSec
      : NaN,
    finalNucleusSec: nucleus ? (nucleus[1] - nucleus[0]) * track.hopSec : NaN,
    finalSlopeStPerSec,
    endHnrDb: endHnr,
    endJitter,
    endVoicedShare,
  };
}

type Judge = (s: ConversionMeasures, c: ConversionMeasures) => DirectionResult;

const f = (v: number, digits = 2): string => (Number.isFinite(v) ? v.toFixed(digits) : 'n/a');

/** Directions shared by both labels. */
const slower: Judge = (s, c) => ({
  direction: 'slower articulation',
  // Same words, so a longer speaking time (pauses excluded) is a lower articulation rate.
  detail: `speaking time ${f(s.speakingSec)} → ${f(c.speakingSec)} s (need ≥ ×1.05)`,
  pass: c.speakingSec >= 1.05 * s.speakingSec,
});
const morePauses: Judge = (s, c) => ({
  direction: 'more and longer pauses',
  detail: `pauses ≥ ${PAUSE_MIN_SEC} s: ${s.pauseCount} (${f(s.pauseSec)} s) → ${c.pauseCount} (${f(c.pauseSec)} s) (need more, and ≥ 0.2 s more in all)`,
  pass: c.pauseCount > s.pauseCount && c.pauseSec >= s.pauseSec + 0.2,
});

/** The directions each label is checked on (the list; docs/augmentation.md gives the sources). */
export const CHECKED_DIRECTIONS: Readonly<Record<string, readonly Judge[]>> = {
  boredom: [
    (s, c) => ({
      direction: 'F0 lower',
      detail: `F0 median ${f(s.f0MedianHz, 1)} → ${f(c.f0MedianHz, 1)} Hz (need ≤ ×0.97)`,
      pass: c.f0MedianHz <= 0.97 * s.f0MedianHz,
    }),
    (s, c) => ({
      direction: 'F0 flatter (narrower range)',
      // A source already monotone (range ≤ 1 st, within the tracker's noise) cannot be measurably flattened.
      detail: `F0 range 20–80 % ${f(s.f0RangeSt)} → ${f(c.f0RangeSt)} st (need ≤ ×0.9, or both ≤ 1 st)`,
      pass: c.f0RangeSt <= 0.9 * s.f0RangeSt || (s.f0RangeSt <= 1 && c.f0RangeSt <= 1),
    }),
    (s, c) => ({
      direction: 'intensity lower',
      detail: `speech level ${f(s.speechLevelDb, 1)} → ${f(c.speechLevelDb, 1)} dBFS (need ≥ 1 dB lower)`,
      pass: c.speechLevelDb <= s.speechLevelDb - 1,
    }),
    slower,
    morePauses,
    (s, c) => {
      // Creak: jitter up, or the end read as unvoiced though loud (YIN, like Praat, drops irregular
      // periods); breathiness: HNR down.
      const creak = c.endJitter >= s.endJitter + 0.005 || c.endVoicedShare <= s.endVoicedShare - 0.15;
      const breath = c.endHnrDb <= s.endHnrDb - 1;
      return {
        direction: 'creak or breathiness at the phrase end',
        detail: `last ${PHRASE_END_SEC} s: jitter ${f(100 * s.endJitter)} → ${f(100 * c.endJitter)} %, voiced share ${f(s.endVoicedShare)} → ${f(c.endVoicedShare)}, HNR ${f(s.endHnrDb, 1)} → ${f(c.endHnrDb, 1)} dB (need jitter +0.5 points, voiced share −0.15 or HNR −1 dB)`,
        pass: creak || breath,
      };
    },
  ],
  uncertainty: [
    (s, c) => ({
      direction: 'final contour rising or level',
      // Level: falls by less than 1 semitone over the final 0.3 s; and, from a falling source, clearly
      // less falling (a source already level or rising only has to stay so).
      detail: `final-nucleus F0 slope ${f(s.finalSlopeStPerSec, 1)} → ${f(c.finalSlopeStPerSec, 1)} st/s (need ≥ ${f(-1 / FINAL_SEC, 1)}, and ≥ source + 2 if the source falls)`,
      pass:
        c.finalSlopeStPerSec >= -1 / FINAL_SEC &&
        (s.finalSlopeStPerSec >= -1 / FINAL_SEC || c.finalSlopeStPerSec >= s.finalSlopeStPerSec + 2),
    }),
    morePauses,
    (s, c) => ({
      direction: 'filled pauses',
      detail: `level voiced stretches ≥ ${FILLER_MIN_SEC} s next to a pause: ${s.levelStretches} → ${c.levelStretches} (need more)`,
      pass: c.levelStretches > s.levelStretches,
    }),
    slower,
    (s, c) => ({
      direction: 'lengthened syllables',
      detail: `three longest voiced runs ${f(s.longRunSec, 3)} → ${f(c.longRunSec, 3)} s (need ≥ ×1.1)`,
      pass: c.longRunSec >= 1.1 * s.longRunSec,
    }),
  ],
};

/**
 * Checks one converted clip against the neutral clip it was made from.
 * @param label 'boredom' or 'uncertainty' (the labels with literature directions checked here)
 * @throws ParamError('label') for other labels
 */
export function checkConversionProsody(
  source: Float32Array,
  converted: Float32Array,
  sr: number,
  label: string,
  sourceMeasures?: ConversionMeasures,
): ConversionCheck {
  const judges = CHECKED_DIRECTIONS[label];
  if (!judges) throw new ParamError('label', `no prosody check for '${label}' (checked: ${Object.keys(CHECKED_DIRECTIONS).join(', ')})`);
  const s = sourceMeasures ?? measureForCheck(source, sr);
  const c = measureForCheck(converted, sr);
  const directions = judges.map((j) => j(s, c));
  return { label, pass: directions.every((d) => d.pass), directions, source: s, converted: c };
}
