/**
 * Labels become folder and file names (`augment`, `convert`, `synth` write `<out>/<label>/<id>.wav`).
 * A label from a manifest is user data: `..`, `a/b`, `/etc` or a control character would write outside
 * the output folder or make names no shell can type. One validator for every place a label becomes a path.
 */
import { ParamError } from '../engine/errors.js';

/** Why `label` cannot be a single path segment, or null when it can. */
export function unsafeLabelReason(label: string): string | null {
  if (label.length === 0) return 'is empty';
  if (label.trim() !== label) return 'starts or ends with white space';
  if (label === '.' || label === '..') return 'is a relative folder reference';
  if (/[/\\]/.test(label)) return 'contains a path separator (/ or \\)';
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(label)) return 'contains a control character';
  if (/^[A-Za-z]:/.test(label)) return 'looks like a drive letter';
  if (label.length > 100) return 'is longer than 100 characters';
  return null;
}

/**
 * Throws a ParamError about `param` when `label` cannot be used as a folder name inside an output
 * folder; `origin` (e.g. the manifest it came from) is named in the message when given.
 */
export function assertSafeLabel(label: string, param: string, origin?: string): void {
  const reason = unsafeLabelReason(label);
  if (reason)
    throw new ParamError(
      param,
      `${origin ? `${origin}: ` : ''}label ${JSON.stringify(label)} ${reason}; a label becomes a folder name, so it must be one plain name`,
    );
}
