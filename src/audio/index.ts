/**
 * Audio input: decoding, mono mix-down, resampling (see docs/audio-features.md).
 */
export { AudioError } from './errors.js';
export { loadAudio, mixToMono, type AudioBuffer } from './load.js';
export { resample, resampledLength, nativeResampleAvailable } from './resample.js';
export { decodeAudioBytes, type DecodedAudio } from './decode.js';
export { encodeWav16, writeWav16 } from './wav-write.js';
export { detectSpeech, trimSilence, frameLevelsDb, speechThresholdDb, DEFAULT_SPEECH_DETECT, type SpeechDetectOptions, type SpeechSegment, type TrimmedSpeech } from './speech.js';
