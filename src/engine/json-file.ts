/**
 * Reads a JSON file a user wrote (profile files and the like) and validates it with a zod schema, so
 * every such file fails the same way: a ParamError naming the parameter, the file and each offending
 * field by its path.
 */
import { readFileSync } from 'node:fs';
import type { z } from 'zod';
import { ParamError } from './errors.js';

/** The parsed, validated content of `file`; `what` names the kind of file in the error ("profile file"). */
export function readJsonFile<S extends z.ZodType>(file: string, schema: S, param: string, what: string): z.infer<S> {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new ParamError(param, `${file}: cannot read JSON (${(e as Error).message})`);
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
    throw new ParamError(param, `${file}: invalid ${what}: ${issues}`);
  }
  return parsed.data;
}
