/**
 * Small signal-processing steps for synthetic clips: tremor, level, fades and trimming (resampling is
 * src/audio's `resample`). Our own code: each is a few lines of plain arithmetic, so the output is
 * bit-identical for a given seed.
 */

/**
 * Tremor: slow vibrato (frequency modulation by a modulated delay line) plus tremolo (amplitude
 * modulation) at `rateHz`. `depthSt` is the peak pitch deviation in semitones; `ampDepth` the peak
 * relative amplitude deviation (0..1). `phase` (radians) lets callers randomise the start.
 */
export function applyTremor(x: Float32Array, sr: number, rateHz: number, depthSt: number, ampDepth: number, phase = 0): Float32Array {
  if (depthSt <= 0 && ampDepth <= 0) return x;
  const out = new Float32Array(x.length);
  const w = (2 * Math.PI * rateHz) / sr;
  // Delay d(n) = A·sin(w n) gives an instantaneous frequency ratio 1 − A·w·cos(w n); pick A for the depth.
  const A = (Math.pow(2, depthSt / 12) - 1) / w;
  const at = (k: number): number => (k >= 0 && k < x.length ? x[k]! : 0);
  for (let n = 0; n < x.length; n++) {
    const pos = n - A * (1 + Math.sin(w * n + phase));
    const i = Math.floor(pos);
    const f = pos - i;
    // Cubic (Catmull-Rom) interpolation between the four neighbours.
    const xm1 = at(i - 1),
      x0 = at(i),
      x1 = at(i + 1),
      x2 = at(i + 2);
    const v = x0 + 0.5 * f * (x1 - xm1 + f * (2 * xm1 - 5 * x0 + 4 * x1 - x2 + f * (3 * (x0 - x1) + x2 - xm1)));
    out[n] = v * (1 + ampDepth * Math.sin(w * n + phase + 0.7));
  }
  return out;
}

/**
 * Vocal effort as spectral tilt, in place. effort > 0 adds a first-difference (high-frequency) boost
 * like a pressed, loud voice (about +5 dB at 4 kHz for effort 1); effort < 0 blends in a one-pole low-pass
 * like a lax, soft voice. Levels are set afterwards, so this changes timbre, not loudness.
 */
export function applyEffort(x: Float32Array, effort: number): Float32Array {
  if (effort > 0) {
    const g = 0.7 * effort;
    let prev = 0;
    for (let i = 0; i < x.length; i++) {
      const v = x[i]!;
      x[i] = v + g * (v - prev);
      prev = v;
    }
  } else if (effort < 0) {
    const a = 0.8 * -effort;
    let y = 0;
    for (let i = 0; i < x.length; i++) {
      y = (1 - a) * x[i]! + a * y;
      x[i] = y;
    }
  }
  return x;
}

/**
 * Phrase-final rise for engines that do not intone questions (flite): the last `glideSec` of speech
 * (before trailing silence) is replayed with a speed ramp from 1 to 2^(st/12), which raises pitch
 * along a glide like a question ending; that stretch gets shorter by the same ramp (≈ 10 % of it for
 * 4 st). Returns a new buffer.
 */
export function finalRise(x: Float32Array, sr: number, st: number, glideSec = 0.35): Float32Array {
  if (st <= 0 || x.length === 0) return x;
  // Speech end: the last 10 ms frame within 40 dB of the loudest.
  const hop = Math.round(0.01 * sr);
  let maxE = 0;
  const energies: number[] = [];
  for (let s = 0; s + hop <= x.length; s += hop) {
    let e = 0;
    for (let j = 0; j < hop; j++) e += x[s + j]! * x[s + j]!;
    energies.push(e);
    if (e > maxE) maxE = e;
  }
  let lastFrame = energies.length - 1;
  while (lastFrame > 0 && energies[lastFrame]! < maxE * 1e-4) lastFrame--;
  const end = Math.min(x.length, (lastFrame + 1) * hop);
  const start = Math.max(0, end - Math.round(glideSec * sr));
  const rEnd = Math.pow(2, st / 12);
  const glide: number[] = [];
  const span = end - start;
  for (let p = start; p < end - 1;) {
    const i = Math.floor(p),
      f = p - i;
    glide.push(x[i]! + f * (x[i + 1]! - x[i]!));
    p += 1 + (rEnd - 1) * ((p - start) / span);
  }
  const out = new Float32Array(start + glide.length + (x.length - end));
  out.set(x.subarray(0, start), 0);
  out.set(glide, start);
  out.set(x.subarray(end), start + glide.length);
  return out;
}

/** RMS level in dBFS of the frames that carry speech (25 ms frames within 40 dB of the loudest). */
export function activeLevelDb(x: Float32Array, sr: number): number {
  const win = Math.max(1, Math.round(0.025 * sr));
  const energies: number[] = [];
  for (let s = 0; s + win <= x.length; s += win) {
    let e = 0;
    for (let j = 0; j < win; j++) e += x[s + j]! * x[s + j]!;
    energies.push(e / win);
  }
  if (!energies.length) return -120;
  const max = Math.max(...energies);
  const active = energies.filter((e) => e >= max * 1e-4);
  const mean = active.reduce((a, b) => a + b, 0) / active.length;
  return 10 * Math.log10(Math.max(mean, 1e-12));
}

/** Scales `x` in place so its active-speech level is `targetDb` dBFS, then limits peaks to 0.99. */
export function setLevel(x: Float32Array, sr: number, targetDb: number): Float32Array {
  const gain = Math.pow(10, (targetDb - activeLevelDb(x, sr)) / 20);
  let peak = 0;
  for (let i = 0; i < x.length; i++) {
    x[i]! *= gain;
    peak = Math.max(peak, Math.abs(x[i]!));
  }
  // A loud target on a peaky voice could clip: scale down instead (clipping would add a class cue).
  if (peak > 0.99) for (let i = 0; i < x.length; i++) x[i]! *= 0.99 / peak;
  return x;
}

/** Linear fade-in/out of `sec` seconds at both ends, in place (removes clicks at cut points). */
export function fadeEdges(x: Float32Array, sr: number, sec = 0.01): Float32Array {
  const n = Math.min(Math.floor(x.length / 2), Math.round(sec * sr));
  for (let i = 0; i < n; i++) {
    const g = i / n;
    x[i]! *= g;
    x[x.length - 1 - i]! *= g;
  }
  return x;
}

/**
 * Cuts `x` to at most `maxSec`, at the quietest 10 ms frame between `minSec` and `maxSec` (a pause
 * between words, if there is one), with a short fade so the cut never clicks.
 */
export function trimAtQuietPoint(x: Float32Array, sr: number, minSec: number, maxSec: number): Float32Array {
  const maxN = Math.round(maxSec * sr);
  if (x.length <= maxN) return x;
  const hop = Math.round(0.01 * sr);
  let bestEnd = maxN,
    bestE = Infinity;
  for (let end = Math.round(minSec * sr); end + hop <= maxN; end += hop) {
    let e = 0;
    for (let j = end - hop; j < end; j++) e += x[j]! * x[j]!;
    if (e < bestE) {
      bestE = e;
      bestEnd = end;
    }
  }
  const out = x.slice(0, bestEnd);
  const n = Math.min(out.length, Math.round(0.02 * sr));
  for (let i = 0; i < n; i++) out[out.length - 1 - i]! *= i / n;
  return out;
}

/** Concatenates pieces into one buffer. */
export function concat(pieces: Float32Array[]): Float32Array {
  const out = new Float32Array(pieces.reduce((a, p) => a + p.length, 0));
  let o = 0;
  for (const p of pieces) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}
