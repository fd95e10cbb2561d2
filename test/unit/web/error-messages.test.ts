import { describe, expect, it } from 'vitest';
import { PIPELINE_FAILURE_CODES } from '../../../functions/shared/errors';
import { API_ERROR_CODES } from '../../../functions/api/openapi/error-codes';
import { codeForStatus, describeError } from '../../../web/src/error-messages';

describe('describeError', () => {
  // The API's own codes, plus the gateway responses lib/constructs/public-api.ts customises.
  const gatewayCodes = ['API_KEY_INVALID', 'THROTTLED', 'QUOTA_EXCEEDED', 'ROUTE_NOT_FOUND', 'PAYLOAD_TOO_LARGE', 'TIMEOUT', 'BAD_REQUEST', 'INTERNAL_ERROR'];
  const apiCodes = [...Object.values(API_ERROR_CODES).flat(), ...gatewayCodes];

  it.each([...PIPELINE_FAILURE_CODES, 'QUOTA_EXCEEDED', 'INVALID_API_KEY', 'VALIDATION_ERROR', 'INVALID_CURSOR'])(
    'has its own plain words for %s',
    (code) => {
      const text = describeError({ code, message: 'server words' });
      expect(text).not.toBe('server words');
      expect(text).toMatch(/^[A-Z].*\.$/s);
    },
  );

  it('knows every code the API and its gateway answer with, so none falls back to raw server text', () => {
    const unknown = apiCodes.filter((code) => describeError({ code }) === describeError({ code: 'SOMETHING_NEW' }));
    expect(unknown).toEqual([]);
  });

  it('adds the server detail for validation errors', () => {
    expect(describeError({ code: 'VALIDATION_ERROR', message: 'targetLanguage must be a language code.' })).toBe(
      'The request was not accepted. targetLanguage must be a language code.',
    );
  });

  it('says when a refused request can be retried', () => {
    expect(describeError({ code: 'QUOTA_EXCEEDED', retryAfterSeconds: 3_600 })).toMatch(/try again in 60 minutes\.$/);
    expect(describeError({ code: 'THROTTLED', retryAfterSeconds: 5 })).toMatch(/try again in 5 seconds\.$/);
    expect(describeError({ code: 'QUOTA_EXCEEDED', retryAfterSeconds: 5 * 3_600 + 60 })).toMatch(/5 h 1 min\.$/);
  });

  it('falls back to the server message, then to the status, for unknown codes', () => {
    expect(describeError({ code: 'BRAND_NEW', message: 'Brand new failure.' })).toBe('Brand new failure.');
    expect(describeError({ code: 'BRAND_NEW', status: 500 })).toMatch(/our side/);
    expect(describeError({ code: 'BRAND_NEW', status: 400 })).toMatch(/does not understand/);
  });
});

describe('codeForStatus', () => {
  it.each([
    [403, 'Forbidden', 'INVALID_API_KEY'],
    [401, undefined, 'INVALID_API_KEY'],
    [429, 'Limit Exceeded', 'QUOTA_EXCEEDED'],
    [429, 'Too Many Requests', 'THROTTLED'],
    [413, 'Request Too Long', 'PAYLOAD_TOO_LARGE'],
    [502, 'Internal server error', 'SERVICE_UNAVAILABLE'],
    [504, 'Endpoint request timed out', 'SERVICE_UNAVAILABLE'],
    [500, undefined, 'INTERNAL_ERROR'],
    [418, undefined, 'UNEXPECTED_RESPONSE'],
  ])('maps API Gateway status %i (%s) to %s', (status, message, code) => {
    expect(codeForStatus(status, message)).toBe(code);
  });
});
