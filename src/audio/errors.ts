/** Error raised for audio that cannot be read: names the file and says why. */
export class AudioError extends Error {
  /** The file (or source label) that failed. */
  readonly file: string;
  /** Why, in a few words (e.g. "truncated: data chunk declares 88200 bytes, 1000 present"). */
  readonly reason: string;

  constructor(file: string, reason: string, options?: { cause?: unknown }) {
    super(`${file}: ${reason}`, options);
    this.name = 'AudioError';
    this.file = file;
    this.reason = reason;
  }
}
