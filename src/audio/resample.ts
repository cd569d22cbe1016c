/**
 * Sample-rate conversion with libsamplerate (SRC_SINC_BEST_QUALITY, WebAssembly build from npm), the
 * best-quality resampler published there; librosa uses soxr 'HQ', which has no npm port. The measured
 * difference from librosa on the golden inputs is in docs/audio-features.md.
 */
import libsamplerate from '@alexanderolsen/libsamplerate-js';

// The wasm module loads asynchronously; loading it once here (top-level await) keeps resample() sync.
// Rates are changed on the one converter before each call.
const converter = await libsamplerate.create(1, 16000, 16000, { converterType: libsamplerate.ConverterType.SRC_SINC_BEST_QUALITY });

/** Output length librosa.load gives: ⌈n · to / from⌉ (util.fix_length after resampling). */
export function resampledLength(n: number, fromRate: number, toRate: number): number {
  return Math.ceil((n * toRate) / fromRate);
}

/**
 * Resamples mono `x` from `fromRate` to `toRate` Hz; output has ⌈len · to / from⌉ samples, aligned
 * with the input (no filter delay), like librosa.load. Equal rates return a copy.
 */
export function resample(x: Float32Array, fromRate: number, toRate: number): Float32Array {
  for (const [name, v] of [['fromRate', fromRate], ['toRate', toRate]] as const) {
    if (!Number.isFinite(v) || v <= 0) throw new RangeError(`resample: ${name} must be a positive number, got ${v}`);
  }
  if (fromRate === toRate) return Float32Array.from(x);
  const outLen = resampledLength(x.length, fromRate, toRate);
  if (x.length === 0) return new Float32Array(0);
  // libsamplerate's one-shot call keeps the filter's tail inside; zeros appended flush it out.
  const tail = Math.ceil((512 * fromRate) / toRate) + 64;
  const padded = new Float32Array(x.length + tail);
  padded.set(x);
  converter.inputSampleRate = fromRate;
  converter.outputSampleRate = toRate;
  const y = converter.full(padded);
  const out = new Float32Array(outLen);
  out.set(y.subarray(0, Math.min(outLen, y.length)));
  return out;
}
