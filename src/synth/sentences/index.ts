/**
 * The built-in sentence bank: sentences written for each of the four emotions (plus neutral), varied in
 * topic and length, with emotion-typical wording — the offline counterpart of the paper's GPT-written text.
 */
import { BOREDOM } from './boredom.js';
import { PANIC } from './panic.js';
import { EXCITEMENT } from './excitement.js';
import { UNCERTAINTY } from './uncertainty.js';
import { NEUTRAL } from './neutral.js';

/** Built-in sentences by label. */
export const SENTENCE_BANK: Readonly<Record<string, readonly string[]>> = {
  boredom: BOREDOM,
  panic: PANIC,
  excitement: EXCITEMENT,
  uncertainty: UNCERTAINTY,
  neutral: NEUTRAL,
};
