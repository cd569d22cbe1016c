/**
 * Affexion's public API. Everything the CLI does is available here, typed and documented.
 */
export type { Kernels, LstmDirection } from './engine/kernels.js';
export { encodeWav16, writeWav16 } from './audio/wav-write.js';
