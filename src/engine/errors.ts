/**
 * `ParamError`: an error about one parameter of a library call, named as the library spells it
 * (`batch_size`, `out`, `labelMap`, `data`…). The library never speaks in command-line flags; the CLI
 * maps `param` to its flag (src/cli/options.ts, PARAM_FLAGS) and prints `--batch-size: …`.
 *
 * ```ts
 * try { resolveHyperparameters({ batch_size: 0 }); }
 * catch (e) { if (e instanceof ParamError) console.log(e.param, '→', e.detail); } // batch_size → expected a positive integer, got 0
 * ```
 */
export class ParamError extends Error {
  /** The parameter, as the library call names it. */
  readonly param: string;
  /** What is wrong with it (the message without the parameter name). */
  readonly detail: string;

  constructor(param: string, detail: string, options?: { cause?: unknown }) {
    super(`${param}: ${detail}`, options);
    this.name = 'ParamError';
    this.param = param;
    this.detail = detail;
  }
}

/**
 * Runs `work`, renaming the parameters of the ParamErrors it throws: a helper that validates "the
 * dataset" (`data`) or "the spec" (`augment`) is called for a caller's own parameter (`real`, `spec`).
 * Only ParamErrors listed in `names` change; every other error passes through untouched. Sync or async.
 */
export function renameParams<T>(names: Record<string, string>, work: () => T): T {
  const rename = (err: unknown): never => {
    if (err instanceof ParamError && Object.hasOwn(names, err.param))
      throw new ParamError(names[err.param]!, err.detail, { cause: err.cause });
    throw err;
  };
  try {
    const r = work();
    return (r instanceof Promise ? r.catch(rename) : r) as T;
  } catch (err) {
    return rename(err);
  }
}
