/**
 * Where the project's shared reference material lives: `shared/` beside the repository (as on the
 * developers' machines and in CI), overridable with AFFEXION_SHARED_DIR.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export const SHARED_DIR = process.env.AFFEXION_SHARED_DIR ?? path.resolve(repoRoot, '..', 'shared');
