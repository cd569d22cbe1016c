/**
 * Where the speech is: an energy-based speech detector shared by training (trimming leading/trailing
 * silence), batch prediction and the live monitor's gate, so every path sees the same speech.
 *
 * Why our own and not a neural VAD: the decision only has to separate speech from silence or faint
 * room noise around it (the recordings this toolkit sees are close-talk), it must be bit-for-bit the
 * same in training, prediction and streaming, and it must cost microseconds per frame. A frame is
 * speech when its RMS level is within `rangeDb` of the loudest frame and at least `snrDb` above the
 * clip's noise floor (the 10th percentile of frame levels). Both are relative, so a quiet recording
 * (calm speech peaking at −50 dBFS exists in the dev corpora) is detected like a loud one; only
 * digital silence (below `silenceDb`) is absolute. Speech is also modulated at the syllable rate while
 * steady noise is not: a frame counts only where the level varies by at least `modulationDb` within
 * ±`modulationSec` (so faint hiss appended to a quiet recording is not taken for speech). Short gaps
 * are bridged (`bridgeSec`) and segments padded (`padSec`) so word onsets and plosive closures stay.
 *
 * ```ts
 * const { samples } = await loadAudio('clip.wav');          // 16 kHz mono
 * const t = trimSilence(samples, 16000);                    // null when there is no speech at all
 * if (t) console.log(t.start / 16000, t.end / 16000);       // seconds kept
 * ```
 */

/** Detector settings; the defaults are the ones training and prediction use. */
export interface SpeechDetectOptions {
  /** Analysis frame, seconds. */
  frameSec?: number;
  /** Hop between frames, seconds. */
  hopSec?: number;
  /** A frame is speech when within this many dB of the loudest frame … */
  rangeDb?: number;
  /** … and this many dB above the noise floor (10th percentile of frame levels) … */
  snrDb?: number;
  /** … and above this absolute level (dBFS, full scale = 1.0): digital silence is never speech. */
  silenceDb?: number;
  /** Level swing (dB) required within ±modulationSec of a frame: steady noise has almost none. */
  modulationDb?: number;
  modulationSec?: number;
  /** Gaps shorter than this (seconds) between speech frames count as speech. */
  bridgeSec?: number;
  /** Speech segments shorter than this (seconds) are dropped as clicks. */
  minSegmentSec?: number;
  /** Padding kept around each segment, seconds. */
  padSec?: number;
}

export const DEFAULT_SPEECH_DETECT: Required<SpeechDetectOptions> = {
  frameSec: 0.025,
  hopSec: 0.01,
  rangeDb: 35,
  snrDb: 10,
  silenceDb: -90,
  modulationDb: 8,
  modulationSec: 0.2,
  bridgeSec: 0.3,
  minSegmentSec: 0.05,
  padSec: 0.1,
};

/** A stretch of speech, in samples [start, end). */
export interface SpeechSegment {
  start: number;
  end: number;
}

/**
 * RMS level of each frame in dBFS (frame i covers samples [i·hop, i·hop + frame)); the last partial
 * frame is included when the clip is shorter than a frame. Silence reads −120 dB.
 */
export function frameLevelsDb(
  samples: Float32Array,
  sr: number,
  frameSec = DEFAULT_SPEECH_DETECT.frameSec,
  hopSec = DEFAULT_SPEECH_DETECT.hopSec,
): Float32Array {
  const frame = Math.max(1, Math.round(frameSec * sr));
  const hop = Math.max(1, Math.round(hopSec * sr));
  const n = samples.length <= frame ? (samples.length > 0 ? 1 : 0) : 1 + Math.floor((samples.length - frame) / hop);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const a = i * hop,
      b = Math.min(samples.length, a + frame);
    let ss = 0;
    for (let j = a; j < b; j++) ss += samples[j]! * samples[j]!;
    out[i] = 10 * Math.log10(Math.max(ss / (b - a), 1e-12));
  }
  return out;
}

function resolve(opts: SpeechDetectOptions): Required<SpeechDetectOptions> {
  const o = { ...DEFAULT_SPEECH_DETECT, ...opts };
  for (const [k, v] of Object.entries(o)) {
    if (!Number.isFinite(v)) throw new Error(`${k}: expected a finite number, got ${v}`);
  }
  if (o.frameSec <= 0 || o.hopSec <= 0) throw new Error(`frameSec/hopSec: expected > 0, got ${o.frameSec}/${o.hopSec}`);
  if (o.rangeDb <= 0) throw new Error(`rangeDb: expected > 0, got ${o.rangeDb}`);
  return o;
}

/**
 * The level (dBFS) above which a frame is speech, from a clip's (or a stream's recent) frame levels:
 * within `rangeDb` of the loudest, `snrDb` above the noise floor, above `silenceDb`.
 */
export function speechThresholdDb(levels: ArrayLike<number>, opts: SpeechDetectOptions = {}): number {
  const o = { ...DEFAULT_SPEECH_DETECT, ...opts };
  if (levels.length === 0) return Infinity;
  const sorted = Float32Array.from(levels).sort();
  const peak = sorted[sorted.length - 1]!;
  const floor = sorted[Math.floor(0.1 * (sorted.length - 1))]!;
  return Math.max(peak - o.rangeDb, floor + o.snrDb, o.silenceDb);
}

/**
 * Speech segments of a clip, in samples, in time order (empty when nothing is above the floor).
 * @param samples mono samples in [-1, 1]
 * @param sr sample rate, Hz
 */
export function detectSpeech(samples: Float32Array, sr: number, opts: SpeechDetectOptions = {}): SpeechSegment[] {
  const o = resolve(opts);
  const levels = frameLevelsDb(samples, sr, o.frameSec, o.hopSec);
  const threshold = speechThresholdDb(levels, o);
  const hop = Math.max(1, Math.round(o.hopSec * sr));
  const frame = Math.max(1, Math.round(o.frameSec * sr));
  const bridge = Math.round(o.bridgeSec / o.hopSec);
  // Runs of speech frames, bridged over short gaps.
  const radius = Math.round(o.modulationSec / o.hopSec);
  // Runs of frames above the threshold, bridged over short gaps …
  const above: [number, number][] = [];
  for (let i = 0; i < levels.length; i++) {
    if (levels[i]! < threshold) continue;
    const last = above[above.length - 1];
    if (last && i - last[1] <= bridge) last[1] = i;
    else above.push([i, i]);
  }
  // … cut to their modulated part, judged inside the run only (a step from silence into steady noise
  // is modulated at the step when seen from outside the run, not inside it).
  const runs: [number, number][] = [];
  for (const [a, b] of above) {
    const m = modulatedFrames(levels.subarray(a, b + 1), radius, o.modulationDb);
    const first = m.indexOf(1),
      last = m.lastIndexOf(1);
    if (first >= 0) runs.push([a + first, a + last]);
  }
  const pad = Math.round(o.padSec * sr);
  const segs: SpeechSegment[] = [];
  for (const [a, b] of runs) {
    const start = a * hop,
      end = Math.min(samples.length, b * hop + frame);
    if (end - start < o.minSegmentSec * sr) continue;
    const s = { start: Math.max(0, start - pad), end: Math.min(samples.length, end + pad) };
    const prev = segs[segs.length - 1];
    if (prev && s.start <= prev.end) prev.end = Math.max(prev.end, s.end);
    else segs.push(s);
  }
  return segs;
}

/** Whether each frame's level swings by ≥ `db` within ±`radius` frames (sliding max − min, O(n·radius)). */
function modulatedFrames(levels: Float32Array, radius: number, db: number): Uint8Array {
  const out = new Uint8Array(levels.length);
  for (let i = 0; i < levels.length; i++) {
    let lo = Infinity,
      hi = -Infinity;
    for (let j = Math.max(0, i - radius); j <= Math.min(levels.length - 1, i + radius); j++) {
      const v = levels[j]!;
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
    out[i] = hi - lo >= db ? 1 : 0;
  }
  return out;
}

/** A clip with leading and trailing silence removed: the samples from the first to the last speech. */
export interface TrimmedSpeech {
  samples: Float32Array;
  start: number;
  end: number;
}

/**
 * Removes leading and trailing silence (pauses inside the speech are kept: they are part of how a
 * speaker sounds). Returns null when the clip holds no speech at all.
 */
export function trimSilence(samples: Float32Array, sr: number, opts: SpeechDetectOptions = {}): TrimmedSpeech | null {
  const segs = detectSpeech(samples, sr, opts);
  if (segs.length === 0) return null;
  const start = segs[0]!.start,
    end = segs[segs.length - 1]!.end;
  return { samples: samples.subarray(start, end), start, end };
}

/** Thrown for a clip that holds no speech once silence is trimmed. */
export class NoSpeechError extends Error {
  constructor(readonly file: string) {
    super(`no speech in ${file} (all silence or steady noise once leading/trailing silence is trimmed)`);
    this.name = 'NoSpeechError';
  }
}

/**
 * The samples features are computed from: with `trimSilence`, leading/trailing silence removed
 * (the same detector in training, evaluation and prediction). `settings` is the data layer's
 * FeatureSettings (only the rate and the switch are read). Throws {@link NoSpeechError} naming `file`.
 */
export function speechSamples(
  samples: Float32Array,
  settings: { params: { sr: number }; trimSilence?: boolean },
  file: string,
): Float32Array {
  if (!settings.trimSilence) return samples;
  const t = trimSilence(samples, settings.params.sr);
  if (!t) throw new NoSpeechError(file);
  return t.samples;
}
