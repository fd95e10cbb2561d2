import '../../events/api-env';
import { describe, expect, it } from 'vitest';
import * as z from 'zod';
import { callerKeyId } from '../../../functions/http/identity';
import { parseWith } from '../../../functions/http/validation';
import { ForbiddenError, ValidationError } from '../../../functions/shared/errors';
import { restEvent } from '../../events/api-gateway-event';

describe('callerKeyId', () => {
  it('returns the API key id API Gateway validated', () => {
    expect(callerKeyId(restEvent({ resource: '/usage', apiKeyId: 'abc123' }))).toBe('abc123');
  });

  it.each([null, ''])('refuses a request without a key id (%j) with 403 FORBIDDEN', (apiKeyId) => {
    const event = restEvent({ resource: '/usage', apiKeyId: apiKeyId as string | null });
    expect(() => callerKeyId(event)).toThrowError(ForbiddenError);
  });

  it('refuses an event without an identity block', () => {
    const event = restEvent({ resource: '/usage' });
    (event.requestContext as { identity?: unknown }).identity = undefined;
    expect(() => callerKeyId(event)).toThrowError(expect.objectContaining({ code: 'FORBIDDEN', httpStatus: 403 }));
  });
});

describe('parseWith', () => {
  const schema = z.strictObject({ a: z.string(), b: z.number().int().optional() });

  it('returns the parsed value', () => {
    expect(parseWith(schema, { a: 'x', b: 2 }, 'body')).toEqual({ a: 'x', b: 2 });
  });

  it('lists every issue with its path in a 400 VALIDATION_ERROR', () => {
    let error: ValidationError | undefined;
    try {
      parseWith(schema, { a: 1, b: 1.5, c: true }, 'request body');
    } catch (e) {
      error = e as ValidationError;
    }
    expect(error).toBeInstanceOf(ValidationError);
    expect(error?.code).toBe('VALIDATION_ERROR');
    expect(error?.message).toMatch(/^The request body is not valid: /);
    const paths = (error?.details?.issues as { path: string }[]).map((i) => i.path);
    expect(paths).toEqual(expect.arrayContaining(['a', 'b', '(root)']));
  });
});
