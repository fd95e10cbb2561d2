import '../../events/api-env';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { handler as getJob } from '../../../functions/api/get-job';
import { handler as getUsage } from '../../../functions/api/get-usage';
import { handler as health } from '../../../functions/api/health';
import { restProxyWithApiKey, restProxyWithoutApiKey, SAMPLE_API_KEY_ID } from '../../events/aws-samples/samples';
import { lambdaContext } from '../../events/lambda-context';
import { job, JOB_ID, NOW, OTHER_JOB_ID } from '../jobs/fixtures';
import { ddb, givenJob, givenKey, resetMocks } from '../api/aws-mocks';

/**
 * REST proxy events as AWS documents them (test/events/aws-samples), through the real handlers and their
 * middleware chain: the caller is `requestContext.identity.apiKeyId`, present on requests to routes that
 * require an API key, absent otherwise.
 */
const bodyOf = (response: { body: string }) => JSON.parse(response.body);

beforeEach(() => {
  resetMocks();
  vi.useFakeTimers({ now: NOW, toFake: ['Date'] });
  ddb.on(GetCommand).resolves({});
  return () => vi.useRealTimers();
});

describe('REST proxy event with identity.apiKeyId (AWS Lambda for Go sample)', () => {
  it('GET /usage reports the day’s count for the sample’s key and its tier', async () => {
    givenKey(SAMPLE_API_KEY_ID, 'basic');
    ddb.on(GetCommand, { Key: { pk: `USAGE#${SAMPLE_API_KEY_ID}`, sk: 'DAY#2026-03-14' } }).resolves({ Item: { count: 3 } });

    const response = await getUsage(restProxyWithApiKey({ method: 'GET', resource: '/usage' }), lambdaContext());

    expect(response.statusCode).toBe(200);
    expect(bodyOf(response)).toMatchObject({ tier: 'basic', used: 3, remaining: 997 });
  });

  it('GET /jobs/{jobId} answers the key’s own job, and 404 for another key’s', async () => {
    givenJob(job({ ownerId: SAMPLE_API_KEY_ID }));
    givenJob(job({ jobId: OTHER_JOB_ID, ownerId: 'key-mallory' }));
    const get = (jobId: string) => getJob(restProxyWithApiKey({ method: 'GET', resource: '/jobs/{jobId}', pathParameters: { jobId } }), lambdaContext());

    const own = await get(JOB_ID);
    const other = await get(OTHER_JOB_ID);

    expect(own.statusCode).toBe(200);
    expect(bodyOf(own)).toMatchObject({ jobId: JOB_ID, status: 'queued' });
    expect(other.statusCode).toBe(404);
  });
});

describe('REST proxy event without an API key (API Gateway guide sample)', () => {
  it('GET /health, a route without a key, answers', async () => {
    const response = await health(restProxyWithoutApiKey({ method: 'GET', resource: '/health' }), lambdaContext());

    expect(response.statusCode).toBe(200);
    expect(bodyOf(response)).toMatchObject({ status: 'ok' });
  });

  it('GET /usage refuses it: a keyed route never guesses the caller', async () => {
    const response = await getUsage(restProxyWithoutApiKey({ method: 'GET', resource: '/usage' }), lambdaContext());

    expect(response.statusCode).toBe(403);
    expect(bodyOf(response).error.code).toBe('FORBIDDEN');
    expect(ddb.calls()).toHaveLength(0);
  });
});
