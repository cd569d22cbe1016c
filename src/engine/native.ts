/**
 * Loads the native compute core (native/, built by `npm install` through node-gyp).
 * The addon's path is resolved from the package root, so it works from src/ (tsx) and dist/ alike.
 */
import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const packageRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
/** AFFEXION_NATIVE_ADDON may point at another build of the addon (e.g. an experimental one). */
const addonPath = process.env.AFFEXION_NATIVE_ADDON || path.join(packageRoot, 'build', 'Release', 'affexion_native.node');

/** Raw exports of the addon; typed views over it live next to their users (see native-kernels.ts). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type NativeAddon = Record<string, any>;

let cached: NativeAddon | undefined;

/** The loaded addon. Throws a clear error if it was not built. */
export function loadNative(): NativeAddon {
  if (cached) return cached;
  if (!existsSync(addonPath)) {
    throw new Error(
      `affexion: the native compute core is not built (${addonPath} is missing). ` +
        'Run `npm run build:native` (needs g++, make, python3 and Node.js headers).',
    );
  }
  const require = createRequire(import.meta.url);
  cached = require(addonPath) as NativeAddon;
  return cached;
}

/**
 * The loaded addon, or null when it is not built (callers with a JS fallback: the resampler, the spectral
 * front end). The one place the addon's path is resolved, so AFFEXION_NATIVE_ADDON applies everywhere.
 */
export function nativeIfBuilt(): NativeAddon | null {
  return cached ?? (existsSync(addonPath) ? loadNative() : null);
}
