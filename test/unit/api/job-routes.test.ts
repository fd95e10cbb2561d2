import '../../events/api-env';
import { BatchWriteCommand, GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { DeleteObjectCommand } from '@aws-sdk/client-s3';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { deleteJob, handler as deleteJobHandler } from '../../../functions/api/delete-job';
import { getJob, handler as getJobHandler } from '../../../functions/api/get-job';
import { handler as listJobsHandler, listJobs } from '../../../functions/api/list-jobs';
import { HistoryCursorCodec } from '../../../functions/jobs/history-cursor';
import { TEST_ENV } from '../../events/api-env';
import { apiEvent, restEvent } from '../../events/api-gateway-event';
import { lambdaContext } from '../../events/lambda-context';
import { job, JOB_ID, NOW, OTHER_JOB_ID } from '../jobs/fixtures';
import { ALICE, ddb, givenJob, MALLORY, resetMocks, s3mock, writeCalls } from './aws-mocks';

const bodyOf = (r: { body: string }) => JSON.parse(r.body);
const jobEvent = (method: 'GET' | 'DELETE', jobId: string, apiKeyId: string = ALICE) =>
  apiEvent({ method, resource: '/jobs/{jobId}', pathParameters: { jobId }, apiKeyId });
const aliceJob = job({ ownerId: ALICE, status: 'completed', result: { transcript: 'hola', detectedLanguage: 'es', translation: 'hello', cached: false } });

beforeEach(() => {
  resetMocks();
  vi.useFakeTimers({ now: NOW, toFake: ['Date'] });
  ddb.on(GetCommand).resolves({});
  return () => vi.useRealTimers();
});

describe('GET /jobs/{jobId}', () => {
  it("returns the caller's job", async () => {
    givenJob(aliceJob);
    const response = await getJob(jobEvent('GET', JOB_ID));
    expect(response.statusCode).toBe(200);
    expect(bodyOf(response)).toEqual({
      jobId: JOB_ID,
      status: 'completed',
      progress: 100,
      createdAt: aliceJob.createdAt,
      updatedAt: aliceJob.updatedAt,
      targetLanguage: 'en',
      result: aliceJob.result,
    });
    expect(response.headers?.['Cache-Control']).toBe('no-store');
  });

  it("answers another key's job exactly like a missing one", async () => {
    givenJob(aliceJob);
    const other = await getJobHandler(
      restEvent({ resource: '/jobs/{jobId}', pathParameters: { jobId: JOB_ID }, apiKeyId: MALLORY }),
      lambdaContext(),
    );
    const missing = await getJobHandler(
      restEvent({ resource: '/jobs/{jobId}', pathParameters: { jobId: OTHER_JOB_ID }, apiKeyId: MALLORY }),
      lambdaContext(),
    );
    expect(other.statusCode).toBe(404);
    expect(bodyOf(other)).toEqual({ error: { code: 'JOB_NOT_FOUND', message: `No job ${JOB_ID}.` } });
    expect(bodyOf(missing)).toEqual({ error: { code: 'JOB_NOT_FOUND', message: `No job ${OTHER_JOB_ID}.` } });
    expect(other.headers).toEqual(missing.headers);
  });

  it('shows a long-abandoned upload as failed UPLOAD_EXPIRED', async () => {
    givenJob(job({ ownerId: ALICE, status: 'awaiting_upload', createdAt: '2026-03-14T09:00:00.000Z' }));
    expect(bodyOf(await getJob(jobEvent('GET', JOB_ID)))).toMatchObject({ status: 'failed', error: { code: 'UPLOAD_EXPIRED' } });
  });

  it('answers 403 without a key', async () => {
    const response = await getJobHandler(
      restEvent({ resource: '/jobs/{jobId}', pathParameters: { jobId: JOB_ID }, apiKeyId: null }),
      lambdaContext(),
    );
    expect(response.statusCode).toBe(403);
    expect(ddb.calls()).toHaveLength(0);
  });
});

describe('GET /jobs', () => {
  const codec = new HistoryCursorCodec(async () => TEST_ENV.CURSOR_SECRET);
  const lastKey = { pk: `JOB#${JOB_ID}`, sk: 'JOB', gsi1pk: `OWNER#${ALICE}`, gsi1sk: `${aliceJob.createdAt}#${JOB_ID}` };
  const item = { ...aliceJob, ...lastKey };

  it('lists the history newest first with a signed next cursor', async () => {
    ddb.on(QueryCommand).resolves({ Items: [item], LastEvaluatedKey: lastKey });

    const response = await listJobs(apiEvent({ resource: '/jobs', query: { limit: '1' } }));

    expect(response.statusCode).toBe(200);
    const body = bodyOf(response);
    expect(body.items).toEqual([expect.objectContaining({ jobId: JOB_ID, status: 'completed' })]);
    expect(body.items[0].ownerId).toBeUndefined();
    await expect(codec.decode(ALICE, body.nextCursor)).resolves.toEqual(lastKey);
    expect(ddb.commandCalls(QueryCommand)[0]!.args[0].input).toMatchObject({
      ExpressionAttributeValues: expect.objectContaining({ ':owner': `OWNER#${ALICE}` }),
      ScanIndexForward: false,
      Limit: 1,
    });
  });

  it('uses the default page size and continues from a valid cursor', async () => {
    ddb.on(QueryCommand).resolves({ Items: [] });
    const cursor = await codec.encode(ALICE, lastKey);

    const response = await listJobsHandler(restEvent({ resource: '/jobs', query: { cursor } }), lambdaContext());

    expect(response.statusCode).toBe(200);
    expect(bodyOf(response)).toEqual({ items: [], nextCursor: null });
    const input = ddb.commandCalls(QueryCommand)[0]!.args[0].input;
    expect(input.Limit).toBe(20);
    expect(input.ExclusiveStartKey).toEqual(lastKey);
  });

  it("refuses another key's cursor with 400 INVALID_CURSOR and reads nothing", async () => {
    const cursor = await codec.encode(ALICE, lastKey);
    const response = await listJobsHandler(
      restEvent({ resource: '/jobs', query: { cursor }, apiKeyId: MALLORY }),
      lambdaContext(),
    );
    expect(response.statusCode).toBe(400);
    expect(bodyOf(response).error.code).toBe('INVALID_CURSOR');
    expect(ddb.commandCalls(QueryCommand)).toHaveLength(0);
  });
});

describe('DELETE /jobs/{jobId}', () => {
  beforeEach(() => {
    ddb.on(QueryCommand).resolves({ Items: [] });
    ddb.on(BatchWriteCommand).resolves({});
    s3mock.on(DeleteObjectCommand).resolves({});
  });

  it("deletes the caller's job record and audio, answering 204", async () => {
    givenJob(aliceJob);

    const response = await deleteJob(jobEvent('DELETE', JOB_ID));

    expect(response.statusCode).toBe(204);
    expect(response.body).toBe('');
    expect(s3mock.commandCalls(DeleteObjectCommand)[0]!.args[0].input).toEqual({
      Bucket: 'vnt-test-uploads',
      Key: `uploads/${ALICE}/${JOB_ID}`,
    });
    expect(s3mock.commandCalls(DeleteObjectCommand).map((c) => c.args[0].input)).toContainEqual({
      Bucket: 'vnt-test-work',
      Key: `normalized/${JOB_ID}.wav`,
    });
    expect(ddb.commandCalls(BatchWriteCommand).at(-1)!.args[0].input.RequestItems).toEqual({
      'vnt-test-table': [{ DeleteRequest: { Key: { pk: `JOB#${JOB_ID}`, sk: 'JOB' } } }],
    });
  });

  it('is idempotent: a second delete answers 204 and touches nothing', async () => {
    const response = await deleteJobHandler(
      restEvent({ method: 'DELETE', resource: '/jobs/{jobId}', pathParameters: { jobId: JOB_ID } }),
      lambdaContext(),
    );
    expect(response.statusCode).toBe(204);
    expect(writeCalls()).toBe(0);
  });

  it("answers 204 for another key's job without touching it", async () => {
    givenJob(aliceJob);
    const response = await deleteJobHandler(
      restEvent({ method: 'DELETE', resource: '/jobs/{jobId}', pathParameters: { jobId: JOB_ID }, apiKeyId: MALLORY }),
      lambdaContext(),
    );
    expect(response.statusCode).toBe(204);
    expect(writeCalls()).toBe(0);
    expect(s3mock.calls()).toHaveLength(0);
  });

  it('answers 500 and keeps the record when the audio cannot be deleted', async () => {
    givenJob(aliceJob);
    s3mock.on(DeleteObjectCommand).rejects(new Error('AccessDenied on arn:aws:s3:::vnt-test-uploads'));
    const response = await deleteJobHandler(
      restEvent({ method: 'DELETE', resource: '/jobs/{jobId}', pathParameters: { jobId: JOB_ID } }),
      lambdaContext(),
    );
    expect(response.statusCode).toBe(500);
    expect(response.body).not.toContain('arn:aws');
    expect(ddb.commandCalls(BatchWriteCommand)).toHaveLength(0);
  });
});
