import '../../events/api-env';
import { GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { createUpload, handler } from '../../../functions/api/create-upload';
import { metrics } from '../../../functions/shared/powertools';
import { apiEvent, restEvent } from '../../events/api-gateway-event';
import { lambdaContext } from '../../events/lambda-context';
import { ALICE, ddb, givenKey, resetMocks, writeCalls } from './aws-mocks';

const NOW = new Date('2026-03-14T22:00:00.000Z');
const post = (body: unknown, apiKeyId: string | null = ALICE) => apiEvent({ method: 'POST', resource: '/uploads', body, apiKeyId });
const bodyOf = (r: { body: string }) => JSON.parse(r.body);

beforeEach(() => {
  resetMocks();
  vi.useFakeTimers({ now: NOW, toFake: ['Date'] });
  ddb.on(GetCommand).resolves({});
  givenKey(ALICE, 'free');
  ddb.on(UpdateCommand).resolves({ Attributes: { count: 1 } });
  ddb.on(PutCommand).resolves({});
  return () => vi.useRealTimers();
});

describe('POST /uploads', () => {
  it('creates an awaiting_upload job and returns a presigned POST for the exact key', async () => {
    const addMetric = vi.spyOn(metrics, 'addMetric');

    const response = await createUpload(post({ contentType: 'audio/mp4', sizeBytes: 48_213, targetLanguage: 'es' }));

    expect(response.statusCode).toBe(201);
    const body = bodyOf(response);
    expect(body).toEqual({
      jobId: expect.stringMatching(/^[0-9a-f-]{36}$/),
      status: 'awaiting_upload',
      upload: { url: expect.stringContaining('vnt-test-uploads'), fields: expect.any(Object), expiresAt: '2026-03-14T22:05:00.000Z' },
    });
    expect(body.upload.fields).toMatchObject({ key: `uploads/${ALICE}/${body.jobId}`, 'Content-Type': 'audio/mp4' });
    expect(response.headers).toMatchObject({ Location: `/jobs/${body.jobId}`, 'Cache-Control': 'no-store' });

    const put = ddb.commandCalls(PutCommand)[0]!.args[0].input;
    expect(put.TableName).toBe('vnt-test-table');
    expect(put.Item).toMatchObject({
      pk: `JOB#${body.jobId}`,
      gsi1pk: `OWNER#${ALICE}`,
      status: 'awaiting_upload',
      ownerId: ALICE,
      tier: 'free',
      targetLanguage: 'es',
      expiresAt: NOW.getTime() / 1000 + 7 * 86_400,
    });
    const meter = ddb.commandCalls(UpdateCommand)[0]!.args[0].input;
    expect(meter.Key).toEqual({ pk: `USAGE#${ALICE}`, sk: 'DAY#2026-03-14' });
    expect(meter.ExpressionAttributeValues).toMatchObject({ ':limit': 100 });
    expect(addMetric).toHaveBeenCalledWith('UploadsCreated', 'Count', 1);
  });

  it('defaults the target language to English', async () => {
    await createUpload(post({ contentType: 'audio/ogg' }));
    expect(ddb.commandCalls(PutCommand)[0]!.args[0].input.Item).toMatchObject({ targetLanguage: 'en' });
  });

  it('answers 429 QUOTA_EXCEEDED with Retry-After when the daily quota is used up, creating nothing', async () => {
    ddb.on(UpdateCommand).rejects(new ConditionalCheckFailedException({ message: 'failed', $metadata: {} }));
    ddb.on(GetCommand, { Key: { pk: `USAGE#${ALICE}`, sk: 'DAY#2026-03-14' } }).resolves({ Item: { count: 100 } });
    const addMetric = vi.spyOn(metrics, 'addMetric');

    const response = await handler(
      restEvent({ method: 'POST', resource: '/uploads', body: { contentType: 'audio/mp4' } }),
      lambdaContext(),
    );

    expect(response.statusCode).toBe(429);
    expect(response.headers).toMatchObject({ 'Retry-After': '7200' });
    expect(bodyOf(response).error.code).toBe('QUOTA_EXCEEDED');
    expect(ddb.commandCalls(PutCommand)).toHaveLength(0);
    expect(addMetric).toHaveBeenCalledWith('QuotaRejected', 'Count', 1);
  });

  it('creates a job through the full middleware chain', async () => {
    const response = await handler(
      restEvent({ method: 'POST', resource: '/uploads', body: { contentType: 'audio/x-m4a', sizeBytes: 1 } }),
      lambdaContext(),
    );
    expect(response.statusCode).toBe(201);
    expect(response.headers).toMatchObject({ 'Strict-Transport-Security': expect.any(String) });
  });

  // Each case uses its own key id: the handler remembers live keys for a while (ApiKeyService cache).
  it('uses the tier of the key record (413 applies the basic limit, not free)', async () => {
    givenKey('key-basic-bob', 'basic');
    const ok = await createUpload(post({ contentType: 'audio/mp4', sizeBytes: 20 * 1024 * 1024 }, 'key-basic-bob'));
    expect(ok.statusCode).toBe(201);
  });

  it.each([
    ['unregistered key', undefined, 'KEY_NOT_REGISTERED'],
    ['revoked key', { revokedAt: '2026-03-01T00:00:00.000Z' }, 'KEY_REVOKED'],
  ])('refuses a %s with 403 and creates nothing', async (_case, extra, code) => {
    const keyId = `key-${code.toLowerCase()}`;
    if (extra) givenKey(keyId, 'free', extra);
    else ddb.on(GetCommand, { Key: { pk: `KEY#${keyId}`, sk: 'KEY' } }).resolves({});

    await expect(createUpload(post({ contentType: 'audio/mp4' }, keyId))).rejects.toMatchObject({ httpStatus: 403, code });
    expect(writeCalls()).toBe(0);
  });

  it('refunds the quota unit and answers 500 without internals when storing the job fails', async () => {
    ddb.on(PutCommand).rejects(new Error('ResourceNotFoundException: table vnt-test-table'));

    const response = await handler(
      restEvent({ method: 'POST', resource: '/uploads', body: { contentType: 'audio/mp4' } }),
      lambdaContext(),
    );

    expect(response.statusCode).toBe(500);
    expect(response.body).not.toContain('vnt-test-table');
    const updates = ddb.commandCalls(UpdateCommand).map((c) => c.args[0].input.UpdateExpression);
    expect(updates).toEqual(['ADD #count :one SET #exp = :exp', 'ADD #count :minusOne']);
  });
});
