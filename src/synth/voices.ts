/**
 * The voice catalogue: every voice a provider can speak with, its sex (as perceived) and the neutral
 * pitch it is driven from. Engine voices are widened with "tract scaling" (resampling, which moves
 * formants and pitch together, like a shorter or longer vocal tract) to get more distinct speakers
 * out of the few built into flite.
 */
import { ParamError } from '../engine/errors.js';

/** Engines that produce audio. "mixed" is not an engine but a mix of the offline ones. */
export type EngineName = 'espeak' | 'flite' | 'openai';
/** What the `provider` option accepts. */
export type ProviderName = EngineName | 'mixed';

/** One synthetic speaker. */
export interface VoiceSpec {
  /** Stable id used on the command line and in the manifest. */
  id: string;
  engine: EngineName;
  /** The engine's own voice name (espeak voice+variant, flite voice, OpenAI voice). */
  engineVoice: string;
  sex: 'male' | 'female';
  /** Neutral mean F0 the voice is driven at (Hz; flite targets, informative for the others). */
  baseF0Hz: number;
  /** Neutral F0 standard deviation (Hz; flite's range control). */
  baseF0StdHz: number;
  /** Resampling factor applied after synthesis (> 1 raises formants and pitch). Default 1. */
  tractScale?: number;
  description: string;
}

/** All known voices. */
export const VOICES: readonly VoiceSpec[] = [
  {
    id: 'espeak-us-f3',
    engine: 'espeak',
    engineVoice: 'en-us+f3',
    sex: 'female',
    baseF0Hz: 205,
    baseF0StdHz: 30,
    description: 'eSpeak NG, American English, female variant 3',
  },
  {
    id: 'espeak-us-f5',
    engine: 'espeak',
    engineVoice: 'en-us+f5',
    sex: 'female',
    baseF0Hz: 200,
    baseF0StdHz: 25,
    description: 'eSpeak NG, American English, female variant 5 (breathy)',
  },
  {
    id: 'espeak-rp-f2',
    engine: 'espeak',
    engineVoice: 'en-gb-x-rp+f2',
    sex: 'female',
    baseF0Hz: 190,
    baseF0StdHz: 25,
    description: 'eSpeak NG, British RP, female variant 2',
  },
  {
    id: 'espeak-us-m3',
    engine: 'espeak',
    engineVoice: 'en-us+m3',
    sex: 'male',
    baseF0Hz: 104,
    baseF0StdHz: 15,
    description: 'eSpeak NG, American English, male variant 3',
  },
  {
    id: 'espeak-sc-m2',
    engine: 'espeak',
    engineVoice: 'en-gb-scotland+m2',
    sex: 'male',
    baseF0Hz: 99,
    baseF0StdHz: 12,
    description: 'eSpeak NG, Scottish English, male variant 2',
  },
  {
    id: 'flite-slt',
    engine: 'flite',
    engineVoice: 'slt',
    sex: 'female',
    baseF0Hz: 170,
    baseF0StdHz: 25,
    description: 'Flite CMU SLT, American English female',
  },
  {
    id: 'flite-slt-b',
    engine: 'flite',
    engineVoice: 'slt',
    sex: 'female',
    baseF0Hz: 195,
    baseF0StdHz: 28,
    tractScale: 1.08,
    description: 'Flite SLT with a shorter vocal tract (formants and pitch +8%)',
  },
  {
    id: 'flite-awb-f',
    engine: 'flite',
    engineVoice: 'awb',
    sex: 'female',
    baseF0Hz: 200,
    baseF0StdHz: 28,
    tractScale: 1.17,
    description: 'Flite AWB (Scottish) raised to a female register (pitch ×1.9, formants +17%)',
  },
  {
    id: 'flite-awb',
    engine: 'flite',
    engineVoice: 'awb',
    sex: 'male',
    baseF0Hz: 105,
    baseF0StdHz: 15,
    description: 'Flite CMU AWB, Scottish English male',
  },
  {
    id: 'flite-kal16',
    engine: 'flite',
    engineVoice: 'kal16',
    sex: 'male',
    baseF0Hz: 100,
    baseF0StdHz: 12,
    description: 'Flite KAL16 diphone voice, American English male',
  },
  {
    id: 'openai-nova',
    engine: 'openai',
    engineVoice: 'nova',
    sex: 'female',
    baseF0Hz: 0,
    baseF0StdHz: 0,
    description: 'OpenAI voice "nova"',
  },
  {
    id: 'openai-shimmer',
    engine: 'openai',
    engineVoice: 'shimmer',
    sex: 'female',
    baseF0Hz: 0,
    baseF0StdHz: 0,
    description: 'OpenAI voice "shimmer"',
  },
  {
    id: 'openai-coral',
    engine: 'openai',
    engineVoice: 'coral',
    sex: 'female',
    baseF0Hz: 0,
    baseF0StdHz: 0,
    description: 'OpenAI voice "coral"',
  },
  {
    id: 'openai-sage',
    engine: 'openai',
    engineVoice: 'sage',
    sex: 'female',
    baseF0Hz: 0,
    baseF0StdHz: 0,
    description: 'OpenAI voice "sage"',
  },
  {
    id: 'openai-alloy',
    engine: 'openai',
    engineVoice: 'alloy',
    sex: 'female',
    baseF0Hz: 0,
    baseF0StdHz: 0,
    description: 'OpenAI voice "alloy"',
  },
  {
    id: 'openai-onyx',
    engine: 'openai',
    engineVoice: 'onyx',
    sex: 'male',
    baseF0Hz: 0,
    baseF0StdHz: 0,
    description: 'OpenAI voice "onyx"',
  },
  {
    id: 'openai-echo',
    engine: 'openai',
    engineVoice: 'echo',
    sex: 'male',
    baseF0Hz: 0,
    baseF0StdHz: 0,
    description: 'OpenAI voice "echo"',
  },
  { id: 'openai-ash', engine: 'openai', engineVoice: 'ash', sex: 'male', baseF0Hz: 0, baseF0StdHz: 0, description: 'OpenAI voice "ash"' },
  {
    id: 'openai-verse',
    engine: 'openai',
    engineVoice: 'verse',
    sex: 'male',
    baseF0Hz: 0,
    baseF0StdHz: 0,
    description: 'OpenAI voice "verse"',
  },
];

/** Default voice set per provider: 5 voices, 2 male and 3 female, as in the paper. */
export const DEFAULT_VOICES: Readonly<Record<ProviderName, readonly string[]>> = {
  espeak: ['espeak-us-f3', 'espeak-us-f5', 'espeak-rp-f2', 'espeak-us-m3', 'espeak-sc-m2'],
  flite: ['flite-slt', 'flite-slt-b', 'flite-awb-f', 'flite-awb', 'flite-kal16'],
  mixed: ['espeak-us-f3', 'flite-slt', 'espeak-rp-f2', 'espeak-us-m3', 'flite-awb'],
  openai: ['openai-nova', 'openai-shimmer', 'openai-coral', 'openai-onyx', 'openai-echo'],
};

/**
 * Resolves `voices` for a provider. Entries are catalogue ids; for openai a bare OpenAI voice name
 * (e.g. "ballad") is accepted too. Throws a ParamError (`voices`) when a voice is unknown or belongs to
 * another provider.
 */
export function resolveVoices(provider: ProviderName, ids?: readonly string[]): VoiceSpec[] {
  const wanted = ids && ids.length ? ids : DEFAULT_VOICES[provider];
  const out: VoiceSpec[] = [];
  for (const raw of wanted) {
    const id = raw.trim();
    let v = VOICES.find((x) => x.id === id);
    if (!v && provider === 'openai' && /^[a-z]+$/.test(id)) {
      v = {
        id: `openai-${id}`,
        engine: 'openai',
        engineVoice: id,
        sex: 'female',
        baseF0Hz: 0,
        baseF0StdHz: 0,
        description: `OpenAI voice "${id}" (sex unknown)`,
      };
    }
    if (!v) throw new ParamError('voices', `unknown voice "${id}"; known: ${VOICES.map((x) => x.id).join(', ')}`);
    const ok = provider === 'mixed' ? v.engine !== 'openai' : v.engine === provider;
    if (!ok) throw new ParamError('voices', `voice "${id}" is a ${v.engine} voice, not usable with provider ${provider}`);
    if (out.some((x) => x.id === v!.id)) throw new ParamError('voices', `voice "${id}" is listed twice`);
    out.push(v);
  }
  return out;
}
