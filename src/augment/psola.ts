/**
 * TD-PSOLA (time-domain pitch-synchronous overlap-add, Moulines & Charpentier 1990): pitch and tempo
 * modification of real speech that keeps the voice's spectral envelope (its formants), so a shifted
 * voice still sounds like the same person.
 *
 * Written here rather than taken from npm: the npm options are WSOLA ports (soundtouch: LGPL, tempo and
 * resampling-based pitch, which moves formants) or frame-based phase vocoders, none takes a pitch
 * *contour* (we need per-period ratios for range scaling, tremor, jitter and phrase-final rises).
 *
 * Steps: (1) pitch marks — in voiced runs of the tracker's output, one epoch per period: the first at
 * the largest low-passed peak, each next one where the waveform best matches the previous period within
 * ±20 % of where the tracked period predicts it; in unvoiced stretches, marks every 10 ms;
 * (2) synthesis marks — walked along the output at the local period divided by the pitch ratio
 * (unvoiced: the analysis spacing), each mapped back through the time warp to the nearest analysis
 * mark; (3) overlap-add of segments under asymmetric Hann windows reaching the neighbouring marks.
 */
import { trackPitch, type PitchTrack } from '../features/pitch.js';
import { filterCascade, lowpass } from './filters.js';

/** One analysis mark: sample position, local period in samples, and whether it is pitch-synchronous. */
export interface PitchMark {
  pos: number;
  period: number;
  voiced: boolean;
  /** Distances to the previous and next mark: the two halves of its (asymmetric) Hann window. */
  left: number;
  right: number;
}

/** Spacing of marks in unvoiced stretches, seconds. */
const UNVOICED_STEP_SEC = 0.01;

/** F0 (Hz) at sample n, linearly interpolated between tracker frames; 0 if that frame is unvoiced. */
function f0At(track: PitchTrack, n: number, sr: number): number {
  const pos = n / sr / track.hopSec;
  const i = Math.max(0, Math.min(track.f0.length - 1, Math.floor(pos)));
  const j = Math.min(track.f0.length - 1, i + 1);
  const a = track.f0[i]!;
  const b = track.f0[j]!;
  if (a > 0 && b > 0) return a + (b - a) * Math.min(1, Math.max(0, pos - i));
  return Math.round(pos) === i ? a : b;
}

/** Voiced runs of the track as sample ranges [start, end), with short dropouts bridged. */
function voicedRuns(track: PitchTrack, sr: number, n: number): [number, number][] {
  const hop = track.hopSec * sr;
  const runs: [number, number][] = [];
  for (let i = 0; i < track.voiced.length;) {
    if (!track.voiced[i]) {
      i++;
      continue;
    }
    let j = i;
    while (j < track.voiced.length && track.voiced[j]) j++;
    const start = Math.max(0, Math.round(i * hop - hop / 2));
    const end = Math.min(n, Math.round((j - 1) * hop + hop / 2));
    const prev = runs[runs.length - 1];
    // Voicing dropouts of up to two frames inside a vowel are tracker noise: bridge them, so the
    // epoch chain (and the pitch) continues through instead of restarting mid-vowel.
    if (prev && start - prev[1] <= 2 * hop) prev[1] = end;
    else if (end > start) runs.push([start, end]);
    i = j;
  }
  return runs;
}

/**
 * Analysis pitch marks over the whole signal, sorted by position (see the module comment).
 * @param track a pitch track of `x` (from `trackPitch`)
 */
export function pitchMarks(x: Float32Array, sr: number, track: PitchTrack): PitchMark[] {
  // Low-passed copy for epoch picking: the largest peak of the first-formant band is a stable,
  // once-per-period landmark; higher formants add competing peaks.
  const lp = filterCascade(x, [lowpass(900, sr, 0.5412), lowpass(900, sr, 1.3066)]);
  const step = Math.round(UNVOICED_STEP_SEC * sr);
  const marks: PitchMark[] = [];
  const addUnvoiced = (from: number, to: number): void => {
    for (let p = from; p < to; p += step) marks.push({ pos: p, period: step, voiced: false, left: step, right: step });
  };
  let cursor = 0;
  for (const [start, end] of voicedRuns(track, sr, x.length)) {
    const f0s = f0At(track, start, sr) || f0At(track, start + 1, sr);
    if (!(f0s > 0)) continue;
    let T = sr / f0s;
    const last = marks[marks.length - 1];
    let best: number;
    if (last?.voiced && start < last.pos + 1.5 * T) {
      // A voicing gap shorter than a period (a tracker dropout): continue the previous run's epoch
      // chain, or the two runs' marks could end up a fraction of a period apart.
      const lo = Math.round(last.pos + 0.8 * T),
        hi = Math.min(x.length - 1, Math.round(last.pos + 1.2 * T));
      best = lo <= hi ? mostSimilar(x, last.pos, Math.round(T), lo, hi) : Math.round(last.pos + T);
    } else {
      // First epoch: the largest peak in the first period of the run (at least half a period after
      // the previous mark).
      const from = last ? Math.max(start, Math.round(last.pos + 0.5 * (last.voiced ? last.period : step))) : start;
      best = from;
      for (let n = from; n < Math.min(end, from + Math.round(T)); n++) if (lp[n]! > lp[best]!) best = n;
      addUnvoiced(cursor, best - step / 2);
    }
    let pos = best;
    while (pos < end) {
      const f = f0At(track, pos, sr);
      if (f > 0) T = sr / f;
      marks.push({ pos, period: T, voiced: true, left: T, right: T });
      const expect = pos + T;
      const lo = Math.max(pos + 1, Math.round(expect - 0.2 * T));
      const hi = Math.min(x.length - 1, Math.round(expect + 0.2 * T));
      if (lo > hi || expect >= end) {
        pos = Math.round(expect);
        break;
      }
      pos = mostSimilar(x, pos, Math.round(T), lo, hi);
    }
    cursor = Math.max(cursor, pos + step / 2);
  }
  addUnvoiced(cursor, x.length);
  // Windows reach to the neighbouring marks (capped at two periods), so with unmodified timing the
  // windows form a partition of unity and the signal comes back exactly.
  for (let i = 0; i < marks.length; i++) {
    const m = marks[i]!;
    if (i > 0) m.left = Math.min(2 * m.period, m.pos - marks[i - 1]!.pos);
    if (i + 1 < marks.length) m.right = Math.min(2 * m.period, marks[i + 1]!.pos - m.pos);
  }
  if (marks.length === 0) marks.push({ pos: 0, period: step, voiced: false, left: step, right: step });
  return marks;
}

/**
 * The position in [lo, hi] whose surrounding period of waveform best matches the one around `ref`
 * (normalised cross-correlation). Tracking the waveform period by period keeps every mark at the same
 * phase of the cycle, which is what PSOLA needs; picking peaks alone jumps between competing peaks.
 */
function mostSimilar(x: Float32Array, ref: number, T: number, lo: number, hi: number): number {
  const h = T >> 1;
  let best = Math.round((lo + hi) / 2),
    bestScore = -Infinity;
  let eRef = 0;
  for (let j = -h; j < h; j++) {
    const v = x[ref + j] ?? 0;
    eRef += v * v;
  }
  for (let c = lo; c <= hi; c++) {
    let xy = 0,
      e = 0;
    for (let j = -h; j < h; j++) {
      const a = x[ref + j] ?? 0,
        b = x[c + j] ?? 0;
      xy += a * b;
      e += b * b;
    }
    const score = xy / Math.sqrt(eRef * e + 1e-20);
    if (score > bestScore) {
      bestScore = score;
      best = c;
    }
  }
  return best;
}

/** Options for {@link psola}. */
export interface PsolaOptions {
  /** Pitch track of the input (computed with `trackPitch` when omitted). */
  track?: PitchTrack;
  /**
   * Pitch ratio (output F0 / input F0): a constant, or a function of input time (s) and the input's
   * local F0 (Hz) — evaluated once per output period, so it can carry contours, tremor and jitter.
   */
  pitchRatio?: number | ((tSec: number, f0: number) => number);
  /**
   * Duration ratio (output / input; 2 = twice as long, i.e. half the tempo): a constant or a function
   * of input time (s) giving the local stretch.
   */
  stretch?: number | ((tSec: number) => number);
}

/** Output times (s) at input times 0, 1 ms, 2 ms, … for a local-stretch function. */
function timeMap(durSec: number, stretch: (t: number) => number): Float64Array {
  const dt = 0.001;
  const n = Math.ceil(durSec / dt) + 1;
  const out = new Float64Array(n);
  for (let i = 1; i < n; i++) {
    const s = stretch((i - 0.5) * dt);
    if (!(s > 0) || !Number.isFinite(s)) throw new RangeError(`psola: stretch must be > 0, got ${s} at ${(i * dt).toFixed(3)} s`);
    out[i] = out[i - 1]! + s * dt;
  }
  return out;
}

/**
 * Pitch- and time-modifies speech by TD-PSOLA. Output length = the input length mapped through the
 * stretch (so exactly `stretch × input` for a constant stretch).
 */
export function psola(x: Float32Array, sr: number, opts: PsolaOptions = {}): Float32Array {
  if (x.length === 0) return new Float32Array(0);
  const track = opts.track ?? trackPitch(x, sr);
  const ratio = opts.pitchRatio ?? 1;
  const ratioAt = typeof ratio === 'number' ? () => ratio : ratio;
  const stretchOpt = opts.stretch ?? 1;
  const stretchAt = typeof stretchOpt === 'number' ? () => stretchOpt : stretchOpt;
  if (typeof ratio === 'number' && !(ratio > 0)) throw new RangeError(`psola: pitch ratio must be > 0, got ${ratio}`);

  const marks = pitchMarks(x, sr, track);
  const durSec = x.length / sr;
  const map = timeMap(durSec, stretchAt);
  const outLen = Math.max(1, Math.round(interp(map, (x.length / sr) * 1000) * sr));
  const y = new Float32Array(outLen);

  // Inverse time map: output seconds → input seconds, walked forwards (synthesis marks only increase).
  let mi = 0;
  const toInput = (tOut: number): number => {
    while (mi + 1 < map.length - 1 && map[mi + 1]! < tOut) mi++;
    const a = map[mi]!;
    const b = map[mi + 1] ?? a;
    const frac = b > a ? Math.min(1, Math.max(0, (tOut - a) / (b - a))) : 0;
    return (mi + frac) * 0.001;
  };

  let k = 0; // nearest analysis mark, advanced monotonically
  let ts = 0; // synthesis mark position in output samples
  let lastK = -1;
  let prevTs = -1;
  while (ts < outLen) {
    const tin = toInput(ts / sr) * sr;
    while (k + 1 < marks.length && Math.abs(marks[k + 1]!.pos - tin) <= Math.abs(marks[k]!.pos - tin)) k++;
    const m = marks[k]!;
    // Entering a voiced run: start its synthesis marks on the (mapped) first epoch, so unmodified
    // stretches come back sample-aligned instead of shifted by a fraction of a period.
    if (m.voiced && k !== lastK && (lastK < 0 || !marks[lastK]!.voiced)) {
      ts = Math.max(prevTs + 1, Math.round(interp(map, (m.pos / sr) * 1000) * sr));
      if (ts >= outLen) break;
    }
    lastK = k;
    prevTs = ts;
    overlapAdd(x, m.pos, Math.max(1, Math.round(m.left)), Math.max(1, Math.round(m.right)), y, Math.round(ts));
    // The spacing to the next mark is the local period: stepping by it makes ratio 1 an exact identity.
    // Only steps between two voiced marks carry the pitch ratio; a step into an unvoiced stretch keeps
    // the analysis spacing so the following noise marks stay aligned.
    let step = m.right;
    if (m.voiced && marks[k + 1]?.voiced) {
      if (m.right >= 1.5 * m.period || m.right < 0.5 * m.period) step = m.period;
      const r = ratioAt(m.pos / sr, sr / m.period);
      if (!(r > 0) || !Number.isFinite(r)) throw new RangeError(`psola: pitch ratio must be > 0, got ${r} at ${(m.pos / sr).toFixed(3)} s`);
      step /= r;
    }
    ts += Math.max(1, step);
  }
  return y;
}

/** Linear interpolation in a table sampled every 1 unit. */
function interp(table: Float64Array, at: number): number {
  const i = Math.max(0, Math.min(table.length - 2, Math.floor(at)));
  return table[i]! + (table[i + 1]! - table[i]!) * (at - i);
}

/** Adds x[c − left, c + right) under an asymmetric Hann window (rising over `left`, falling over
 *  `right`) to the output centred at `at`. */
function overlapAdd(x: Float32Array, c: number, left: number, right: number, y: Float32Array, at: number): void {
  for (let j = -left + 1; j < right; j++) {
    const src = c + j;
    const dst = at + j;
    if (src < 0 || src >= x.length || dst < 0 || dst >= y.length) continue;
    const w = j < 0 ? 0.5 + 0.5 * Math.cos((Math.PI * j) / left) : 0.5 + 0.5 * Math.cos((Math.PI * j) / right);
    y[dst] += x[src]! * w;
  }
}
