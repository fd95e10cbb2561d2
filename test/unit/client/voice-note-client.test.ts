import { afterEach, describe, expect, it, vi } from 'vitest';
import { ApiError, VoiceNoteClient } from '../../../client';
import { type Answer, type RecordedRequest, type RecordingServer, startRecordingServer } from './recording-server';

let server: RecordingServer | undefined;

afterEach(async () => {
  await server?.close();
  server = undefined;
  vi.useRealTimers();
});

async function clientFor(answer: (request: RecordedRequest) => Answer | Promise<Answer>, options: { apiKey?: string; prefix?: string } = {}) {
  server = await startRecordingServer(answer);
  const client = new VoiceNoteClient({ baseUrl: `${server.url}${options.prefix ?? ''}/`, apiKey: 'apiKey' in options ? options.apiKey : 'k-123' });
  return { client, requests: server.requests };
}

const job = { jobId: 'j1', status: 'queued', progress: 10, createdAt: 't', updatedAt: 't', targetLanguage: 'es' };

describe('VoiceNoteClient over HTTP', () => {
  it('creates an upload: JSON body, key header, under the base URL prefix', async () => {
    const created = { jobId: 'j1', status: 'awaiting_upload', upload: { url: 'http://s3/b', fields: { key: 'k' }, expiresAt: 'x' } };
    const { client, requests } = await clientFor(() => ({ status: 201, body: created }), { prefix: '/api' });

    await expect(client.createUpload({ contentType: 'audio/ogg', sizeBytes: 10, targetLanguage: 'es' })).resolves.toEqual(created);

    expect(requests[0]).toMatchObject({ method: 'POST', url: '/api/uploads' });
    expect(requests[0]!.headers).toMatchObject({ 'x-api-key': 'k-123', 'content-type': 'application/json', accept: 'application/json' });
    expect(JSON.parse(requests[0]!.body.toString())).toEqual({ contentType: 'audio/ogg', sizeBytes: 10, targetLanguage: 'es' });
  });

  it('pages history with an encoded cursor, reads jobs, usage and stats, and deletes with 204', async () => {
    const answers: Record<string, Answer> = {
      'GET /jobs?limit=10&cursor=c%2F%2B%3D': { status: 200, body: { items: [job], nextCursor: 'next' } },
      'GET /jobs': { status: 200, body: { items: [], nextCursor: null } },
      'GET /jobs/a%2F..%2Fb': { status: 200, body: job },
      'DELETE /jobs/j1': { status: 204 },
      'GET /usage': { status: 200, body: { tier: 'free', dailyQuota: 100, used: 1, remaining: 99, resetsAt: 'r' } },
      'GET /stats': { status: 200, body: { notesTranslated: 3 } },
    };
    const { client, requests } = await clientFor((r) => answers[`${r.method} ${r.url}`] ?? { status: 500, body: { error: { code: 'UNEXPECTED' } } });

    await expect(client.listJobs({ limit: 10, cursor: 'c/+=' })).resolves.toEqual({ items: [job], nextCursor: 'next' });
    await expect(client.listJobs()).resolves.toEqual({ items: [], nextCursor: null });
    await expect(client.getJob('a/../b')).resolves.toEqual(job);
    await expect(client.deleteJob('j1')).resolves.toBeUndefined();
    await expect(client.getUsage()).resolves.toMatchObject({ remaining: 99 });
    await expect(client.getStats()).resolves.toMatchObject({ notesTranslated: 3 });
    expect(requests.map((r) => r.headers['x-api-key'])).toEqual(Array(6).fill('k-123'));
  });

  it('calls /health without a key, and refuses keyed routes without one before sending anything', async () => {
    const { client, requests } = await clientFor(() => ({ status: 200, body: { status: 'ok', version: '1' } }), { apiKey: undefined });

    await expect(client.health()).resolves.toEqual({ status: 'ok', version: '1' });
    await expect(client.getUsage()).rejects.toMatchObject({ code: 'MISSING_API_KEY' });
    expect(requests).toHaveLength(1);
    expect(requests[0]!.headers['x-api-key']).toBeUndefined();
  });

  it('reads the key on every call when given a function', async () => {
    let key = 'first';
    server = await startRecordingServer(() => ({ status: 200, body: {} }));
    const client = new VoiceNoteClient({ baseUrl: server.url, apiKey: () => key });
    await client.getUsage();
    key = 'second';
    await client.getUsage();
    expect(server.requests.map((r) => r.headers['x-api-key'])).toEqual(['first', 'second']);
  });

  it("fails with the API's code, status, message and Retry-After, without retrying QUOTA_EXCEEDED", async () => {
    const { client, requests } = await clientFor(() => ({
      status: 429,
      headers: { 'retry-after': '3600' },
      body: { error: { code: 'QUOTA_EXCEEDED', message: 'Daily quota of 100 reached.', details: { retryAfterSeconds: 3600 } } },
    }));

    const error = await client.createUpload({ contentType: 'audio/ogg' }).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ code: 'QUOTA_EXCEEDED', status: 429, retryAfterSeconds: 3600, message: 'Daily quota of 100 reached.' });
    expect(requests).toHaveLength(1);
  });

  it('waits out 429 THROTTLED for as long as Retry-After says, then succeeds', async () => {
    const { client, requests } = await clientFor((r) =>
      requestsSoFar(r) === 1
        ? { status: 429, headers: { 'retry-after': '1' }, body: { error: { code: 'THROTTLED', message: 'slow down' } } }
        : { status: 201, body: { jobId: 'j1' } },
    );
    const started = Date.now();

    await expect(client.createUpload({ contentType: 'audio/ogg' })).resolves.toEqual({ jobId: 'j1' });

    expect(requests).toHaveLength(2);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1_000);
    expect(requests[1]!.body.toString()).toBe(requests[0]!.body.toString());
  });

  it('reports an API it cannot reach as API_UNREACHABLE', async () => {
    const { client } = await clientFor(() => ({ status: 200 }));
    await server!.close();
    server = undefined;
    await expect(client.getUsage()).rejects.toMatchObject({ code: 'API_UNREACHABLE', status: undefined });
  });

  it('flags a success that is not JSON', async () => {
    const { client } = await clientFor(() => ({ status: 200, body: '<html>captive portal</html>' }));
    await expect(client.getJob('j1')).rejects.toMatchObject({ code: 'UNEXPECTED_RESPONSE', status: 200 });
  });

  it('stops at once when the signal fires', async () => {
    const { client } = await clientFor(() => new Promise<Answer>(() => undefined));
    const controller = new AbortController();
    const pending = client.getUsage({ signal: controller.signal });
    controller.abort();
    await expect(pending).rejects.toMatchObject({ code: 'ABORTED' });
  });
});

/** How many requests the server had seen when it received `request` (1-based). */
function requestsSoFar(request: RecordedRequest): number {
  return server!.requests.indexOf(request) + 1;
}

describe('waiting out THROTTLED (timers)', () => {
  const throttled = (retryAfter?: string) =>
    new Response(JSON.stringify({ error: { code: 'THROTTLED', message: 'slow down' } }), {
      status: 429,
      headers: { 'content-type': 'application/json', ...(retryAfter === undefined ? {} : { 'retry-after': retryAfter }) },
    });
  const ok = () => new Response('{}', { status: 200, headers: { 'content-type': 'application/json' } });

  function clientWith(responses: Array<() => Response>, throttle?: { retries?: number; maxWaitSeconds?: number }) {
    const fetch = vi.fn(async () => responses.shift()!());
    return { client: new VoiceNoteClient({ baseUrl: 'http://api', apiKey: 'k', fetch, throttle }), fetch };
  }

  it('does not retry before Retry-After has passed', async () => {
    vi.useFakeTimers();
    const { client, fetch } = clientWith([() => throttled('5'), ok]);
    const pending = client.getUsage();
    await vi.advanceTimersByTimeAsync(4_999);
    expect(fetch).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(251);
    expect(fetch).toHaveBeenCalledTimes(2);
    await expect(pending).resolves.toEqual({});
  });

  it('backs off 1 s, 2 s, 4 s without Retry-After, then gives up with THROTTLED', async () => {
    vi.useFakeTimers();
    const { client, fetch } = clientWith([() => throttled(), () => throttled(), () => throttled(), () => throttled()]);
    const pending = client.getUsage().catch((e: unknown) => e);
    for (const [wait, calls] of [[1_250, 2], [2_250, 3], [4_250, 4]] as const) {
      await vi.advanceTimersByTimeAsync(wait);
      expect(fetch).toHaveBeenCalledTimes(calls);
    }
    await expect(pending).resolves.toMatchObject({ code: 'THROTTLED', status: 429 });
  });

  it('returns a wait longer than it may take to the caller instead of sleeping', async () => {
    const { client, fetch } = clientWith([() => throttled('120'), ok], { maxWaitSeconds: 30 });
    await expect(client.getUsage()).rejects.toMatchObject({ code: 'THROTTLED', retryAfterSeconds: 120 });
    expect(fetch).toHaveBeenCalledTimes(1);
  });

  it('abandons the wait when the signal fires', async () => {
    vi.useFakeTimers();
    const { client, fetch } = clientWith([() => throttled('10'), ok]);
    const controller = new AbortController();
    const pending = client.getUsage({ signal: controller.signal }).catch((e: unknown) => e);
    await vi.advanceTimersByTimeAsync(1_000);
    controller.abort();
    await expect(pending).resolves.toMatchObject({ code: 'ABORTED' });
    expect(fetch).toHaveBeenCalledTimes(1);
    expect(vi.getTimerCount()).toBe(0);
  });
});
