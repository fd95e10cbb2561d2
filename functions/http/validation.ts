import type { z } from 'zod';
import { ValidationError } from '../shared/errors';

/**
 * Parses `value` with a zod schema; on failure throws a 400 VALIDATION_ERROR whose details list every
 * problem with its path, so a client can fix all of them in one go.
 */
export function parseWith<S extends z.ZodType>(schema: S, value: unknown, what: string): z.output<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issues = result.error.issues.map((issue) => ({
    path: issue.path.map(String).join('.') || '(root)',
    message: issue.message,
  }));
  throw new ValidationError(`The ${what} is not valid: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`, {
    issues,
  });
}
