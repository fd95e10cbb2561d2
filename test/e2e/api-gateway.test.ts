/**
 * The local API gateway, end to end over HTTP: API keys, the tiers' usage plans (quota and throttle), the
 * gateway's own error answers, CORS and key administration.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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
      const answer = await stack.request('GET', '/jobs', { key });
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
    const statuses: number[] = [];
    // Ten at a time: fast, and every request is counted exactly once.
    for (let sent = 0; sent < TIERS.free.dailyQuota; sent += 10) {
      statuses.push(...(await Promise.all(Array.from({ length: 10 }, () => upload(value)))).map((a) => a.status));
    }
    const over = await upload(value);

    expect(statuses.filter((status) => status === 201)).toHaveLength(TIERS.free.dailyQuota);
    expect(over.status).toBe(429);
    expect(over.body).toMatchObject({ error: { code: 'QUOTA_EXCEEDED' } });
    // Other keys are unaffected.
    expect((await upload(stack.keys.free)).status).toBe(201);
  });

  it('throttle a burst above the tier burst limit with 429 THROTTLED', async () => {
    const { value } = await stack.createKey('basic', 'e2e-burst');
    const { burstLimit } = TIERS.basic;
    const answers = await Promise.all(
      Array.from({ length: burstLimit * 2 }, () => stack.request('GET', '/jobs', { key: value })),
    );
    const ok = answers.filter((a) => a.status === 200).length;
    const throttled = answers.filter((a) => a.status === 429);

    expect(ok).toBeGreaterThanOrEqual(burstLimit);
    // A few tokens may refill while the burst is in flight.
    expect(ok).toBeLessThan(burstLimit + 5);
    expect(throttled.length).toBe(answers.length - ok);
    expect(throttled[0]?.body).toMatchObject({ error: { code: 'THROTTLED' } });
  });
});

describe('the gateway', () => {
  it('answers an unknown route with 404 in the API error shape', async () => {
    const answer = await stack.request('GET', '/no-such-route', { key: stack.keys.premium });
    expect(answer.status).toBe(404);
    expect(answer.body).toMatchObject({ error: { code: expect.any(String) } });
  });

  it('answers a CORS preflight as the deployed REST API does: it has no OPTIONS methods (the web client is same-origin)', async () => {
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
