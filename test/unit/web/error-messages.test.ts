import { describe, expect, it } from 'vitest';
import { PIPELINE_FAILURE_CODES } from '../../../functions/shared/errors';
import { API_ERROR_CODES } from '../../../functions/api/openapi/error-codes';
import { GATEWAY_ERROR_RESPONSES, GATEWAY_RESPONSE_TYPE_CODE } from '../../../lib/config/gateway-responses';
import type { ClientErrorCode } from '../../../client';
import { describeError } from '../../../web/src/error-messages';

/** Every code the API client produces: the compiler fails this object when one is added or removed. */
const CLIENT_CODES: Record<ClientErrorCode, true> = {
  API_UNREACHABLE: true,
  STORAGE_UNREACHABLE: true,
  UNEXPECTED_RESPONSE: true,
  SERVICE_UNAVAILABLE: true,
  NOT_FOUND: true,
  MISSING_API_KEY: true,
  UPLOAD_FAILED: true,
  UPLOAD_POLICY_EXPIRED: true,
  ABORTED: true,
};

describe('describeError', () => {
  // The API's own codes, plus the gateway responses every REST API customises (lib/config/gateway-responses.ts).
  const gatewayCodes = GATEWAY_ERROR_RESPONSES.map((response) => response.code).filter((code) => code !== GATEWAY_RESPONSE_TYPE_CODE);
  const apiCodes = [...Object.values(API_ERROR_CODES).flat(), ...gatewayCodes];

  it.each([...PIPELINE_FAILURE_CODES, 'QUOTA_EXCEEDED', 'API_KEY_INVALID', 'VALIDATION_ERROR', 'INVALID_CURSOR'])(
    'has its own plain words for %s',
    (code) => {
      const text = describeError({ code, message: 'server words' });
      expect(text).not.toBe('server words');
      expect(text).toMatch(/^[A-Z].*\.$/s);
    },
  );

  it('knows every code the API, its gateway and the API client produce, so none falls back to raw text', () => {
    const codes = [...apiCodes, ...Object.keys(CLIENT_CODES)];
    const unknown = codes.filter((code) => describeError({ code, message: 'raw text' }) === 'raw text.');
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
