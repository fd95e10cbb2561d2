/**
 * The local API gateway, end to end over HTTP: API keys, quotas as users expect them (uploads spend notes,
 * reads never do; the metered plan's backstop; throttles), the gateway's own error answers, CORS and key
 * administration.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VoiceNoteClient } from '../../client';
import { TIERS } from '../../lib/config/tiers';
import { GATEWAY_RETRY_AFTER_SECONDS, quotaBackstop } from '../../lib/config/usage-plans';
import { startTestStack, type TestStack } from '../helpers/local-stack';
import { subscribeToJob } from '../helpers/progress-socket';

let stack: TestStack;

beforeAll(async () => {
  // The free tier refills at 2 requests/s; the quota tests would take minutes at that pace. Its quota (the
  // thing under test) stays the real one; only its throttle is lifted. The throttle is tested on the basic tier.
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

/** The wait the exact meter's refusal must ask for: seconds to the next UTC midnight, computed here on its own. */
function secondsToUtcMidnight(at: number): number {
  const now = new Date(at);
  return Math.ceil((Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + 1) - at) / 1000);
}

/** Sends `count` uploads, ten at a time (fast, and every request counted exactly once); their statuses. */
async function uploads(key: string, count: number): Promise<number[]> {
  const statuses: number[] = [];
  for (let sent = 0; sent < count; sent += 10) {
    const batch = Array.from({ length: Math.min(10, count - sent) }, () => upload(key));
    statuses.push(...(await Promise.all(batch)).map((a) => a.status));
  }
  return statuses;
}

describe('quotas', () => {
  const { dailyQuota } = TIERS.free;

  it(`let a free key poll 30 times and still upload ${dailyQuota} notes; note ${dailyQuota + 1} is 429 QUOTA_EXCEEDED with Retry-After to midnight UTC; reads still answer`, async () => {
    const { value } = await stack.createKey('free', 'e2e-quota');
    const first = await upload(value);
    expect(first.status).toBe(201);
    const jobId = first.body.jobId as string;
    // What a client polling its note once a second for 30 s sends (without the wait): reads spend no notes.
    for (let poll = 0; poll < 30; poll += 1) {
      const answer = await stack.request('GET', poll % 2 === 0 ? `/jobs/${jobId}` : '/usage', { key: value });
      expect(answer.status, `poll ${poll + 1}`).toBe(200);
    }

    const rest = await uploads(value, dailyQuota - 1);
    expect(rest.filter((status) => status === 201)).toHaveLength(dailyQuota - 1);

    const sentAt = Date.now();
    const over = await upload(value);
    expect(over.status).toBe(429);
    expect(over.body).toMatchObject({ error: { code: 'QUOTA_EXCEEDED' } });
    expect(Math.abs(Number(over.headers.get('retry-after')) - secondsToUtcMidnight(sentAt))).toBeLessThanOrEqual(2);

    // Notes already paid for can still be fetched and followed.
    const usage = await stack.request('GET', '/usage', { key: value });
    expect(usage).toMatchObject({ status: 200, body: { tier: 'free', dailyQuota, used: dailyQuota, remaining: 0 } });
    expect((await stack.request('GET', `/jobs/${jobId}`, { key: value })).status).toBe(200);
    expect((await stack.request('GET', '/jobs', { key: value })).status).toBe(200);
    await expect(subscribeToJob(stack.webSocketUrl, value, jobId)).resolves.toBe('subscribed');
    // Other keys are unaffected.
    await expect(stack.client(stack.keys.free).createUpload({ contentType: 'audio/mp4' })).resolves.toMatchObject({ status: 'awaiting_upload' });
  });

  it(`stop uploads that keep coming after the meter said no at the usage plan's backstop (${quotaBackstop(dailyQuota)} a day), never reads`, async () => {
    const { value } = await stack.createKey('free', 'e2e-backstop');
    const backstop = quotaBackstop(dailyQuota);
    const statuses = await uploads(value, dailyQuota);
    expect(statuses.filter((status) => status === 201)).toHaveLength(dailyQuota);

    // The exact meter answers up to the backstop: each refusal still counts in the plan, as in API Gateway.
    for (let sent = dailyQuota; sent < backstop; sent += 1) {
      const refused = await upload(value);
      expect(refused.status).toBe(429);
      expect(refused.headers.get('x-amzn-errortype'), 'answered by the handler').toBeNull();
      expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    }
    const atTheEdge = await upload(value);
    expect(atTheEdge.status).toBe(429);
    expect(atTheEdge.body).toMatchObject({ error: { code: 'QUOTA_EXCEEDED' } });
    expect(atTheEdge.headers.get('x-amzn-errortype'), 'answered by the gateway').toBe('TooManyRequestsException');
    expect(atTheEdge.headers.get('retry-after')).toBe(String(GATEWAY_RETRY_AFTER_SECONDS.quotaExceeded));

    expect((await stack.request('GET', '/usage', { key: value })).body).toMatchObject({ used: dailyQuota, remaining: 0 });
    expect((await stack.request('GET', '/jobs', { key: value })).status).toBe(200);
  });

  it('throttle a burst above the tier burst limit with 429 THROTTLED and Retry-After: 1', async () => {
    const { value } = await stack.createKey('basic', 'e2e-burst');
    const { burstLimit, rateLimitPerSecond } = TIERS.basic;
    const started = performance.now();
    // Straight to the stack: through Prism the burst spreads over more than the refill of a token. The next
    // test's THROTTLED answers go through Prism.
    const answers = await Promise.all(
      Array.from({ length: burstLimit * 4 }, () => stack.request('GET', '/jobs', { key: value, direct: true })),
    );
    const elapsedSeconds = (performance.now() - started) / 1000;
    const ok = answers.filter((a) => a.status === 200).length;
    const throttled = answers.filter((a) => a.status === 429);

    expect(ok).toBeGreaterThanOrEqual(burstLimit);
    // The bucket refills at the tier's rate while the burst is in flight (slowly, on a loaded machine): no
    // more than the burst plus what refilled can have passed.
    expect(ok).toBeLessThanOrEqual(burstLimit + Math.ceil(rateLimitPerSecond * elapsedSeconds));
    expect(throttled.length).toBeGreaterThan(0);
    expect(throttled.length).toBe(answers.length - ok);
    expect(throttled[0]?.body).toMatchObject({ error: { code: 'THROTTLED' } });
    expect(throttled.map((a) => a.headers.get('retry-after'))).toEqual(throttled.map(() => String(GATEWAY_RETRY_AFTER_SECONDS.throttled)));
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
