/**
 * Feature cache: one file per (audio content, feature settings), so re-running training or evaluation
 * does not recompute features. The key hashes the file's bytes (not its path or mtime, so copies and
 * renames hit) together with every feature parameter and the loudness step.
 *
 * Safe under concurrent runs and interrupted writes: each entry is written to a unique temp file and
 * renamed into place (atomic on POSIX), and entries are validated (magic, shape, size) on read — a bad
 * entry is recomputed, never trusted.
 */
import { describeFsError } from './out-lock.js';
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { FeatureMatrix } from '../features/index.js';

const MAGIC = 0x46584641; // 'AFXF' little-endian
const FORMAT_VERSION = 1;
const HEADER_BYTES = 16;
const LITTLE_ENDIAN = os.endianness() === 'LE';

/** Default cache folder: $AFFEXION_CACHE, else $XDG_CACHE_HOME/affexion/features, else ~/.cache/…. */
export function defaultCacheDir(): string {
  if (process.env.AFFEXION_CACHE) return path.resolve(process.env.AFFEXION_CACHE);
  const base = process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache');
  return path.join(base, 'affexion', 'features');
}

/** Stable hash of the settings that change the features (key order independent). */
export function settingsHash(settings: Record<string, unknown>): string {
  const sorted = Object.keys(settings)
    .sort()
    .map((k) => [k, settings[k]]);
  return createHash('sha256')
    .update(JSON.stringify([FORMAT_VERSION, sorted]))
    .digest('hex');
}

/** Serialises a matrix: 16-byte header (magic, version, rows, frames) then float32 LE data. */
export function encodeFeatureMatrix(m: FeatureMatrix): Buffer {
  const buf = Buffer.allocUnsafe(HEADER_BYTES + m.data.length * 4);
  buf.writeUInt32LE(MAGIC, 0);
  buf.writeUInt32LE(FORMAT_VERSION, 4);
  buf.writeUInt32LE(m.rows, 8);
  buf.writeUInt32LE(m.frames, 12);
  if (LITTLE_ENDIAN) Buffer.from(m.data.buffer, m.data.byteOffset, m.data.byteLength).copy(buf, HEADER_BYTES);
  else for (let i = 0; i < m.data.length; i++) buf.writeFloatLE(m.data[i], HEADER_BYTES + 4 * i);
  return buf;
}

/** Parses {@link encodeFeatureMatrix}'s output; null when the bytes are not a complete entry. */
export function decodeFeatureMatrix(buf: Buffer): FeatureMatrix | null {
  if (buf.length < HEADER_BYTES || buf.readUInt32LE(0) !== MAGIC || buf.readUInt32LE(4) !== FORMAT_VERSION) return null;
  const rows = buf.readUInt32LE(8);
  const frames = buf.readUInt32LE(12);
  if (buf.length !== HEADER_BYTES + rows * frames * 4) return null;
  const data = new Float32Array(rows * frames);
  if (LITTLE_ENDIAN) buf.copy(Buffer.from(data.buffer), 0, HEADER_BYTES);
  else for (let i = 0; i < data.length; i++) data[i] = buf.readFloatLE(HEADER_BYTES + 4 * i);
  return { rows, frames, data };
}

/** Writes `bytes` to `file` atomically (unique temp file in the same folder, then rename). */
export function writeFileAtomic(file: string, bytes: Buffer | string | Uint8Array): void {
  const tmp = `${file}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  try {
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(tmp, bytes);
    renameSync(tmp, file);
  } catch (err) {
    // A full disk or a missing permission leaves no half-written file behind, and says which file.
    try {
      rmSync(tmp, { force: true });
    } catch {
      /* the folder itself is unusable: nothing was written */
    }
    throw describeFsError(err, `cannot write ${file}`);
  }
}

/** Content-addressed store of feature matrices. `dir = null` disables it (nothing read or written). */
export class FeatureCache {
  readonly dir: string | null;
  hits = 0;
  misses = 0;

  constructor(dir: string | null = defaultCacheDir()) {
    this.dir = dir === null ? null : path.resolve(dir);
  }

  /** Cache key of an audio file's bytes under the given settings hash. */
  static key(audioBytes: Buffer, settings: string): string {
    return createHash('sha256').update(audioBytes).update('\0').update(settings).digest('hex');
  }

  private entryPath(key: string): string {
    return path.join(this.dir as string, key.slice(0, 2), `${key}.afxf`);
  }

  /** The cached matrix for `key`, or null (missing, unreadable or corrupt). */
  get(key: string): FeatureMatrix | null {
    if (this.dir === null) return null;
    let buf: Buffer;
    try {
      buf = readFileSync(this.entryPath(key));
    } catch {
      return null;
    }
    return decodeFeatureMatrix(buf);
  }

  /** Stores a matrix (atomically). Cache write failures are not fatal: features were computed. */
  put(key: string, m: FeatureMatrix): void {
    if (this.dir === null) return;
    try {
      writeFileAtomic(this.entryPath(key), encodeFeatureMatrix(m));
    } catch (err) {
      process.emitWarning(`affexion: could not write feature cache entry in ${this.dir}: ${(err as Error).message}`);
    }
  }

  /** Returns the cached matrix or computes, stores and returns it. */
  async getOrCompute(key: string, compute: () => Promise<FeatureMatrix> | FeatureMatrix): Promise<FeatureMatrix> {
    const hit = this.get(key);
    if (hit) {
      this.hits++;
      return hit;
    }
    this.misses++;
    const m = await compute();
    this.put(key, m);
    return m;
  }
}
