/**
 * Audio input (layer: engine / audio / report, the bottom): decoding WAV / FLAC / MP3 / OGG, mono
 * mix-down, resampling, speech detection, 16-bit WAV writing (see docs/audio-features.md). Every
 * decoder error is an AudioError naming the file; loading is bounded (duration, resample ratio, NaN).
 *
 * ```ts
 * const audio = await loadAudio('clip.flac', { sr: 16000 });  // { samples: Float32Array, sampleRate, durationSec, … }
 * const speech = trimSilence(audio.samples, audio.sampleRate);      // null when the clip holds no speech
 * if (speech) writeWav16('trimmed.wav', speech.samples, 16000);
 * ```
 */
export { AudioError } from './errors.js';
export { loadAudio, mixToMono, type AudioBuffer } from './load.js';
export { resample, resampledLength, nativeResampleAvailable } from './resample.js';
export { decodeAudioBytes, type DecodedAudio } from './decode.js';
export { encodeWav16, writeWav16 } from './wav-write.js';
export {
  detectSpeech,
  trimSilence,
  speechSamples,
  NoSpeechError,
  frameLevelsDb,
  speechThresholdDb,
  DEFAULT_SPEECH_DETECT,
  type SpeechDetectOptions,
  type SpeechSegment,
  type TrimmedSpeech,
} from './speech.js';
