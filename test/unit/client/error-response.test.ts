import { describe, expect, it } from 'vitest';
import { ApiError, toApiError } from '../../../client';
import { codeForStatus, errorFromResponse, retryAfterSeconds } from '../../../client/error-response';

const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } });

describe('errorFromResponse', () => {
  it("keeps the API's code, message and details", async () => {
    const error = await errorFromResponse(
      json(413, { error: { code: 'UPLOAD_TOO_LARGE', message: 'The free tier accepts uploads up to 5242880 bytes.', details: { maxBytes: 5242880 } } }),
    );
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ code: 'UPLOAD_TOO_LARGE', status: 413, details: { maxBytes: 5242880 }, retryAfterSeconds: undefined });
    expect(error.message).toBe('The free tier accepts uploads up to 5242880 bytes.');
  });

  it('takes the wait from Retry-After, else from details.retryAfterSeconds', async () => {
    const body = { error: { code: 'QUOTA_EXCEEDED', message: 'm', details: { retryAfterSeconds: 50 } } };
    await expect(errorFromResponse(json(429, body, { 'retry-after': '40' }))).resolves.toMatchObject({ retryAfterSeconds: 40 });
    // Cross-origin, a browser hides Retry-After unless it is exposed: the body still says.
    await expect(errorFromResponse(json(429, body))).resolves.toMatchObject({ retryAfterSeconds: 50 });
  });

  it("gives API Gateway's default refusals (no code) the codes of the customised ones", async () => {
    await expect(errorFromResponse(json(403, { message: 'Forbidden' }))).resolves.toMatchObject({ code: 'API_KEY_INVALID', message: 'Forbidden' });
    await expect(errorFromResponse(json(429, { message: 'Limit Exceeded' }))).resolves.toMatchObject({ code: 'QUOTA_EXCEEDED' });
    await expect(errorFromResponse(json(429, { message: 'Too Many Requests' }, { 'retry-after': '1' }))).resolves.toMatchObject({
      code: 'THROTTLED',
      retryAfterSeconds: 1,
    });
  });

  it('copes with an answer that is not JSON', async () => {
    const error = await errorFromResponse(new Response('<html>Bad gateway</html>', { status: 502 }));
    expect(error).toMatchObject({ code: 'SERVICE_UNAVAILABLE', status: 502, message: 'The API answered HTTP 502.' });
  });
});

describe('codeForStatus', () => {
  it.each([
    [403, 'Forbidden', 'API_KEY_INVALID'],
    [403, 'Missing Authentication Token', 'ROUTE_NOT_FOUND'],
    [401, undefined, 'API_KEY_INVALID'],
    [429, 'Limit Exceeded', 'QUOTA_EXCEEDED'],
    [429, 'Too Many Requests', 'THROTTLED'],
    [404, undefined, 'NOT_FOUND'],
    [413, 'Request Too Long', 'PAYLOAD_TOO_LARGE'],
    [502, 'Internal server error', 'SERVICE_UNAVAILABLE'],
    [504, 'Endpoint request timed out', 'SERVICE_UNAVAILABLE'],
    [500, undefined, 'INTERNAL_ERROR'],
    [418, undefined, 'UNEXPECTED_RESPONSE'],
  ])('maps status %i (%s) to %s', (status, message, code) => {
    expect(codeForStatus(status, message)).toBe(code);
  });
});

describe('retryAfterSeconds', () => {
  it('reads delta seconds and HTTP dates', () => {
    const now = Date.parse('2025-01-01T00:00:00Z');
    expect(retryAfterSeconds('30', now)).toBe(30);
    expect(retryAfterSeconds(' 7 ', now)).toBe(7);
    expect(retryAfterSeconds('Wed, 01 Jan 2025 00:01:00 GMT', now)).toBe(60);
    expect(retryAfterSeconds('Tue, 31 Dec 2024 00:00:00 GMT', now)).toBe(0);
    expect(retryAfterSeconds('soon', now)).toBeUndefined();
    expect(retryAfterSeconds(null, now)).toBeUndefined();
  });
});

describe('toApiError', () => {
  it('passes ApiErrors through and wraps anything else', () => {
    const original = new ApiError('THROTTLED');
    expect(toApiError(original)).toBe(original);
    expect(toApiError(new Error('boom'))).toMatchObject({ code: 'UNEXPECTED_RESPONSE', message: 'boom' });
    expect(toApiError('text')).toMatchObject({ code: 'UNEXPECTED_RESPONSE', message: 'text' });
  });
});
