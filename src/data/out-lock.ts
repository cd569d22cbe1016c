/**
 * One run per output folder. Two `train … --out M` at once would both report success while one result
 * is silently lost, so every command that writes a model or run folder takes `<out>/.affexion.lock`
 * first. The lock file is created with O_EXCL (atomic on local file systems) and holds the owner's pid
 * and host: a lock whose process is gone on this host is stale and taken over, so a crashed or killed
 * run never blocks the next one. (proper-lockfile would add mtime polling; the pid check suffices for
 * one machine and costs no dependency.)
 */
import { closeSync, existsSync, mkdirSync, rmdirSync, openSync, readFileSync, rmSync, statSync, writeSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ParamError } from '../engine/errors.js';

export const LOCK_FILE = '.affexion.lock';

interface LockRecord {
  pid: number;
  host: string;
  started: string;
  command: string;
}

/** Folders this process holds (released on exit even when `finally` blocks do not run). */
const held = new Set<string>();
let exitHookInstalled = false;

/** A friendly message for the file-system errors a user can act on. */
export function describeFsError(err: unknown, what: string): Error {
  const code = (err as NodeJS.ErrnoException).code;
  const why: Record<string, string> = {
    ENOSPC: 'no space left on the device',
    EDQUOT: 'disk quota exceeded',
    EACCES: 'permission denied',
    EPERM: 'not permitted',
    EROFS: 'read-only file system',
    ENOTDIR: 'a part of the path is a file, not a folder',
    EEXIST: 'exists and is not a folder',
  };
  const e = new Error(`${what}: ${code && why[code] ? `${why[code]} (${code})` : (err as Error).message}`, {
    cause: err,
  }) as NodeJS.ErrnoException;
  if (code) e.code = code;
  return e;
}

/** Creates `dir` if needed, checking it is (or can be) a folder; errors are ParamErrors about `out`. */
export function ensureOutputDir(dir: string): string {
  const abs = path.resolve(dir);
  let isDir = false;
  try {
    isDir = statSync(abs).isDirectory();
    if (!isDir) throw new ParamError('out', `${dir} is a file, not a folder`);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT' && (err as NodeJS.ErrnoException).code !== 'ENOTDIR') throw err;
  }
  if (!isDir) {
    try {
      mkdirSync(abs, { recursive: true });
    } catch (err) {
      throw new ParamError('out', describeFsError(err, `${dir}: cannot create the folder`).message, { cause: err });
    }
  }
  return abs;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'; // exists, owned by someone else
  }
}

function readLock(file: string): LockRecord | null {
  try {
    const r = JSON.parse(readFileSync(file, 'utf8')) as LockRecord;
    return Number.isInteger(r.pid) && typeof r.host === 'string' ? r : null;
  } catch {
    return null;
  }
}

/**
 * Locks output folder `dir` (created if needed) for this process; returns the release function.
 * Throws naming the folder and the owner when another live run holds it.
 */
export function lockOutputDir(dir: string, opts: { command?: string } = {}): () => void {
  const abs = ensureOutputDir(dir);
  const file = path.join(abs, LOCK_FILE);
  const record: LockRecord = {
    pid: process.pid,
    host: os.hostname(),
    started: new Date().toISOString(),
    command: opts.command ?? process.argv.slice(2).join(' '),
  };
  for (let attempt = 0; ; attempt++) {
    let fd: number;
    try {
      fd = openSync(file, 'wx');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST')
        throw new ParamError('out', describeFsError(err, `${dir}: cannot create ${LOCK_FILE}`).message, { cause: err });
      const owner = readLock(file);
      let age = Infinity;
      try {
        age = Date.now() - statSync(file).mtimeMs;
      } catch {
        /* removed meanwhile: retry */
      }
      // Stale: the owner is gone (same host), or the file is unreadable and not being written right now.
      const stale = owner ? owner.host === os.hostname() && !alive(owner.pid) : age > 10_000;
      if (stale && attempt < 3) {
        rmSync(file, { force: true });
        continue;
      }
      const who = owner
        ? `pid ${owner.pid} on ${owner.host}, since ${owner.started}${owner.command ? `: affexion ${owner.command}` : ''}`
        : 'an unreadable lock';
      throw new ParamError(
        'out',
        `${dir}: another Affexion run is writing there (${who}); wait for it to finish, ` +
          `choose another folder, or delete ${file} if that run is gone`,
      );
    }
    try {
      writeSync(fd, JSON.stringify(record));
    } finally {
      closeSync(fd);
    }
    break;
  }
  held.add(abs);
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    // Ctrl-C and process.exit() skip `finally` blocks; the lock must still go.
    process.on('exit', () => {
      for (const d of held) rmSync(path.join(d, LOCK_FILE), { force: true });
    });
  }
  return once(() => release(abs));
}

function release(abs: string): void {
  held.delete(abs);
  rmSync(path.join(abs, LOCK_FILE), { force: true });
}

function once(f: () => void): () => void {
  let done = false;
  return () => {
    if (!done) {
      done = true;
      f();
    }
  };
}

/** Runs `work` holding the lock of output folder `dir`. */
export async function withOutputLock<T>(dir: string, work: () => Promise<T>, opts: { command?: string } = {}): Promise<T> {
  const existed = existsSync(dir);
  const release = lockOutputDir(dir, opts);
  try {
    return await work();
  } catch (err) {
    release();
    // A run that failed before writing anything leaves no empty folder behind.
    if (!existed) {
      try {
        rmdirSync(dir);
      } catch {
        /* not empty: keep what was written */
      }
    }
    throw err;
  } finally {
    release();
  }
}
