/**
 * Default locations of the development data sets (real neutral speech to convert, real acted speech to
 * evaluate on): `../shared/data/<name>` beside the working directory — the layout of a checkout next
 * to the project's shared folder — or `$AFFEXION_SHARED_DIR/data/<name>`. Commands use them only as
 * defaults for options the user can always set.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';

/** The shared folder (holding data/, golden/ …). */
export function sharedDir(): string {
  return process.env.AFFEXION_SHARED_DIR ? path.resolve(process.env.AFFEXION_SHARED_DIR) : path.resolve(process.cwd(), '..', 'shared');
}

/** `<shared>/data/<name>` (it may not exist). */
export function sharedDataPath(name: 'neutral-pool' | 'ravdess-dev' | 'tess-dev'): string {
  return path.join(sharedDir(), 'data', name);
}

/** `<shared>/data/<name>` when it exists, else null. */
export function existingSharedData(name: 'neutral-pool' | 'ravdess-dev' | 'tess-dev'): string | null {
  const p = sharedDataPath(name);
  return existsSync(p) ? p : null;
}
