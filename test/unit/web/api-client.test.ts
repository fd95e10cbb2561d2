import { describe, expect, it, vi } from 'vitest';
import { ApiClient } from '../../../web/src/api-client';
import { ApiError, retryAfterSeconds, toApiError } from '../../../web/src/api-error';

interface Call {
  url: string;
  init: RequestInit;
}

/** A client whose fetch answers with `responses` in order and records the requests. */
function clientWith(responses: Response[], options: { baseUrl?: string; key?: string } = {}) {
  const calls: Call[] = [];
  const fetchImpl = vi.fn(async (url: RequestInfo | URL, init?: RequestInit) => {
    calls.push({ url: String(url), init: init ?? {} });
    const next = responses.shift();
    if (!next) throw new Error('no response queued');
    return next;
  });
  const key = 'key' in options ? options.key : 'k-123';
  const api = new ApiClient({ baseUrl: options.baseUrl ?? '', apiKey: () => key, fetch: fetchImpl as typeof fetch });
  return { api, calls };
}

const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } });

describe('ApiClient', () => {
  it('posts uploads as JSON with the key header under the configured prefix', async () => {
    const created = { jobId: 'j1', status: 'awaiting_upload', upload: { url: 'http://s3/b', fields: {}, expiresAt: 'x' } };
    const { api, calls } = clientWith([json(201, created)], { baseUrl: '/api/' });

    const result = await api.createUpload({ contentType: 'audio/ogg', sizeBytes: 10, targetLanguage: 'es' });

    expect(result).toEqual(created);
    expect(calls[0]!.url).toBe('/api/uploads');
    expect(calls[0]!.init.method).toBe('POST');
    expect(calls[0]!.init.headers).toMatchObject({ 'x-api-key': 'k-123', 'content-type': 'application/json' });
    expect(JSON.parse(String(calls[0]!.init.body))).toEqual({ contentType: 'audio/ogg', sizeBytes: 10, targetLanguage: 'es' });
  });

  it('pages history with limit and cursor, and reports an offline copy', async () => {
    const page = { items: [], nextCursor: null };
    const { api, calls } = clientWith([
      json(200, page),
      json(200, page, { 'x-vnt-saved-at': '2025-01-01T00:00:00.000Z' }),
    ]);

    await expect(api.listJobs({ limit: 10, cursor: 'c/+=' })).resolves.toEqual(page);
    await expect(api.listJobs()).resolves.toEqual({ ...page, savedAt: '2025-01-01T00:00:00.000Z' });
    expect(calls.map((c) => c.url)).toEqual(['/jobs?limit=10&cursor=c%2F%2B%3D', '/jobs']);
  });

  it('encodes job ids in paths and accepts 204 on delete', async () => {
    const { api, calls } = clientWith([new Response(null, { status: 204 })]);
    await expect(api.deleteJob('a/../b')).resolves.toBeUndefined();
    expect(calls[0]!.url).toBe('/jobs/a%2F..%2Fb');
    expect(calls[0]!.init.method).toBe('DELETE');
  });

  it('turns the API error body into an ApiError with its code, status and Retry-After', async () => {
    const { api } = clientWith([
      json(429, { error: { code: 'QUOTA_EXCEEDED', message: 'Daily quota of 100 reached.' } }, { 'retry-after': '120' }),
    ]);
    const error = await api.createUpload({ contentType: 'audio/ogg' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ code: 'QUOTA_EXCEEDED', status: 429, retryAfterSeconds: 120, message: 'Daily quota of 100 reached.' });
  });

  it("maps API Gateway's own refusals, which carry no code", async () => {
    const { api } = clientWith([json(403, { message: 'Forbidden' }), json(429, { message: 'Limit Exceeded' })]);
    await expect(api.getUsage()).rejects.toMatchObject({ code: 'INVALID_API_KEY', status: 403 });
    await expect(api.getUsage()).rejects.toMatchObject({ code: 'QUOTA_EXCEEDED', status: 429 });
  });

  it('refuses to call without a key and flags non-JSON success bodies', async () => {
    const noKey = clientWith([], { key: undefined });
    await expect(noKey.api.getUsage()).rejects.toMatchObject({ code: 'MISSING_API_KEY' });
    expect(noKey.calls).toHaveLength(0);

    const { api } = clientWith([new Response('<html>', { status: 200 })]);
    await expect(api.getJob('j1')).rejects.toMatchObject({ code: 'UNEXPECTED_RESPONSE' });
  });

  it('reports a failed fetch as a network error', async () => {
    const api = new ApiClient({
      baseUrl: '',
      apiKey: () => 'k',
      fetch: (() => Promise.reject(new TypeError('Failed to fetch'))) as typeof fetch,
    });
    const error = await api.getUsage().then(() => undefined, toApiError);
    expect(error?.code).toBe('NETWORK_ERROR');
  });
});

describe('retryAfterSeconds', () => {
  it('reads delta seconds and HTTP dates', () => {
    const now = Date.parse('2025-01-01T00:00:00Z');
    expect(retryAfterSeconds('30', now)).toBe(30);
    expect(retryAfterSeconds('Wed, 01 Jan 2025 00:01:00 GMT', now)).toBe(60);
    expect(retryAfterSeconds('soon', now)).toBeUndefined();
    expect(retryAfterSeconds(null, now)).toBeUndefined();
  });
});
