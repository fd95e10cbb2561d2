/**
 * The local API gateway, end to end over HTTP: API keys, the tiers' usage plans (quota and throttle), the
 * gateway's own error answers, CORS and key administration.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VoiceNoteClient } from '../../client';
import { TIERS } from '../../lib/config/tiers';
import { startTestStack, type TestStack } from '../helpers/local-stack';

let stack: TestStack;

beforeAll(async () => {
  // The free tier refills at 2 requests/s; the quota test would take ~50 s at that pace. Its quota (the thing
  // under test) stays the real one; only its throttle is lifted. The throttle is tested on the basic tier.
  stack = await startTestStack({ throttleOverrides: { free: { rateLimitPerSecond: 10_000, burstLimit: 10_000 } } });
});

afterAll(async () => {
  await stack?.stop();
});

const upload = (key: string) => stack.request('POST', '/uploads', { key, body: { contentType: 'audio/mp4', targetLanguage: 'es' } });

describe('API keys', () => {
  it('are not needed for /health', async () => {
    const answer = await stack.request('GET', '/health');
    expect(answer).toMatchObject({ status: 200, body: { status: 'ok' } });
  });

  it('are required on keyed routes: missing or unknown keys get 403 in the API error shape', async () => {
    for (const key of [undefined, 'not-a-real-key']) {
      // Prism answers a request without the key itself (401): that one goes to the stack directly.
      const answer = await stack.request('GET', '/jobs', { key, direct: key === undefined });
      expect(answer.status).toBe(403);
      expect(answer.body).toMatchObject({ error: { code: expect.any(String), message: expect.any(String) } });
    }
  });

  it('stop working as soon as they are revoked', async () => {
    const key = await stack.createKey('basic', 'e2e-revoked');
    expect((await stack.request('GET', '/jobs', { key: key.value })).status).toBe(200);

    const revoked = await fetch(`${stack.url}/__local/keys/${key.apiKeyId}`, {
      method: 'DELETE',
      headers: { authorization: `Bearer ${stack.adminToken}` },
    });
    expect(revoked.status).toBe(204);
    expect((await stack.request('GET', '/jobs', { key: key.value })).status).toBe(403);
  });

  it('are listed by the admin endpoint without their values', async () => {
    const answer = await fetch(`${stack.url}/__local/keys`, { headers: { authorization: `Bearer ${stack.adminToken}` } });
    expect(answer.status).toBe(200);
    const body = (await answer.json()) as { items: { tier: string }[] };
    const tiers = body.items.map((item) => item.tier);
    expect(tiers).toEqual(expect.arrayContaining(['free', 'basic', 'premium']));
    expect(JSON.stringify(body)).not.toContain(stack.keys.premium);
  });
});

describe('usage plans', () => {
  it(`refuse request ${TIERS.free.dailyQuota + 1} of a free key with 429 QUOTA_EXCEEDED`, async () => {
    const { value } = await stack.createKey('free', 'e2e-quota');
    const client = stack.client(value);
    const createUpload = () => client.createUpload({ contentType: 'audio/mp4', targetLanguage: 'es' });
    const outcomes: PromiseSettledResult<unknown>[] = [];
    // Ten at a time: fast, and every request is counted exactly once.
    for (let sent = 0; sent < TIERS.free.dailyQuota; sent += 10) {
      outcomes.push(...(await Promise.allSettled(Array.from({ length: 10 }, createUpload))));
    }

    expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(TIERS.free.dailyQuota);
    await expect(createUpload()).rejects.toMatchObject({ status: 429, code: 'QUOTA_EXCEEDED' });
    // Other keys are unaffected.
    await expect(stack.client(stack.keys.free).createUpload({ contentType: 'audio/mp4' })).resolves.toMatchObject({ status: 'awaiting_upload' });
  });

  it('throttle a burst above the tier burst limit with 429 THROTTLED', async () => {
    const { value } = await stack.createKey('basic', 'e2e-burst');
    const { burstLimit } = TIERS.basic;
    // Straight to the stack: through Prism the burst spreads over more than the refill of a token. The next
    // test's THROTTLED answers go through Prism.
    const answers = await Promise.all(
      Array.from({ length: burstLimit * 2 }, () => stack.request('GET', '/jobs', { key: value, direct: true })),
    );
    const ok = answers.filter((a) => a.status === 200).length;
    const throttled = answers.filter((a) => a.status === 429);

    expect(ok).toBeGreaterThanOrEqual(burstLimit);
    // A few tokens may refill while the burst is in flight.
    expect(ok).toBeLessThan(burstLimit + 5);
    expect(throttled.length).toBe(answers.length - ok);
    expect(throttled[0]?.body).toMatchObject({ error: { code: 'THROTTLED' } });
    expect(throttled[0]?.headers.get('retry-after')).toBe('1');
  });

  it('are waited out by the API client, which retries THROTTLED answers after Retry-After', async () => {
    const { value } = await stack.createKey('basic', 'e2e-client-burst');
    let sent = 0;
    const client = new VoiceNoteClient({ baseUrl: stack.apiUrl, apiKey: value, fetch: (url, init) => (sent++, fetch(url, init)) });
    const calls = TIERS.basic.burstLimit * 2;

    const pages = await Promise.all(Array.from({ length: calls }, () => client.listJobs()));

    expect(pages).toHaveLength(calls);
    expect(pages.every((page) => Array.isArray(page.items))).toBe(true);
    // The gateway did throttle: some calls took more than one request.
    expect(sent).toBeGreaterThan(calls);
  });
});

describe('the gateway', () => {
  it('answers an unknown route with 404 in the API error shape', async () => {
    // Off the contract, so past Prism (which would answer 404 itself).
    const answer = await stack.request('GET', '/no-such-route', { key: stack.keys.premium, direct: true });
    expect(answer.status).toBe(404);
    expect(answer.body).toMatchObject({ error: { code: expect.any(String) } });
  });

  it('answers a CORS preflight as the deployed REST API does: it has no OPTIONS methods (the web client is same-origin)', async () => {
    // OPTIONS is no operation of the contract: straight to the stack.
    const response = await fetch(`${stack.url}/uploads`, {
      method: 'OPTIONS',
      headers: { origin: 'http://example.test', 'access-control-request-method': 'POST' },
    });
    expect(response.status).toBe(404);
    expect(await response.json()).toMatchObject({ error: { code: 'ROUTE_NOT_FOUND' } });
  });

  it('lets a browser on the local origin upload straight to S3 (CORS on the uploads bucket)', async () => {
    const created = await upload(stack.keys.premium);
    const response = await fetch(created.body.upload.url, {
      method: 'OPTIONS',
      headers: { origin: stack.url, 'access-control-request-method': 'POST' },
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('access-control-allow-methods')).toContain('POST');
  });

  it('passes the validated key id to the handlers (POST /uploads answers with a presigned POST)', async () => {
    const answer = await upload(stack.keys.premium);
    expect(answer.status).toBe(201);
    expect(answer.body).toMatchObject({ jobId: expect.any(String), status: 'awaiting_upload', upload: { url: expect.any(String) } });
  });
});
