import '../pipeline/pipeline-env';
import { GoneException, PostToConnectionCommand } from '@aws-sdk/client-apigatewaymanagementapi';
import { BatchWriteCommand, GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { handler as connect } from '../../../functions/progress/connect';
import { handler as disconnect } from '../../../functions/progress/disconnect';
import { progressPublisherFromEnv } from '../../../functions/progress/api-gateway-connection-poster';
import { handler as subscribe } from '../../../functions/progress/subscribe';
import { logger, metrics } from '../../../functions/shared/powertools';
import { METRICS } from '../../../lib/config/metric-names';
import { keys } from '../../../lib/config/table-design';
import { lambdaContext } from '../../events/lambda-context';
import { webSocketEvent } from '../../events/websocket-event';
import { ddb, givenJob, JOB_ID, job, OWNER, postedMessages, resetMocks, websocket } from '../pipeline/pipeline-mocks';

const CONNECTION = 'L0SM9cOFvHcCIhw=';

function wsEvent(routeKey: string, options: { apiKeyId?: string; body?: unknown } = {}) {
  return webSocketEvent(routeKey, CONNECTION, options);
}
const bodyOf = (result: { body?: string }) => JSON.parse(result.body ?? '{}');
const batchWrites = () => ddb.commandCalls(BatchWriteCommand).flatMap((c) => Object.values(c.args[0].input.RequestItems ?? {}).flat());

function givenKeyRecord(revokedAt?: string, apiKeyId = OWNER): void {
  ddb.on(GetCommand, { Key: keys.apiKey(apiKeyId) }).resolves({
    Item: { ...keys.apiKey(apiKeyId), apiKeyId, name: 'alice', tier: 'free', createdAt: '2026-01-01T00:00:00Z', ...(revokedAt ? { revokedAt } : {}) },
  });
}

function givenConnectionOwner(ownerId = OWNER): void {
  ddb.on(GetCommand, { Key: keys.connectionOwner(CONNECTION) }).resolves({
    Item: { ...keys.connectionOwner(CONNECTION), ownerId, expiresAt: Math.floor(Date.now() / 1000) + 600 },
  });
}

beforeEach(() => {
  resetMocks();
  ddb.on(PutCommand).resolves({});
  ddb.on(BatchWriteCommand).resolves({});
  websocket.on(PostToConnectionCommand).resolves({});
});

describe('$connect', () => {
  it('accepts a live API key and remembers it as the connection’s owner', async () => {
    givenKeyRecord();

    await expect(connect(wsEvent('$connect', { apiKeyId: OWNER }), lambdaContext())).resolves.toEqual({ statusCode: 200 });
    expect(ddb.commandCalls(PutCommand)[0]?.args[0].input.Item).toMatchObject({
      ...keys.connectionOwner(CONNECTION),
      ownerId: OWNER,
      expiresAt: expect.any(Number),
    });
  });

  it('answers 500 with a clear log and metric when API Gateway passed no key id, naming the fields it did pass but no secret', async () => {
    const error = vi.spyOn(logger, 'error');
    const addMetric = vi.spyOn(metrics, 'addMetric');
    const event = wsEvent('$connect');
    // What a stage that lost its key settings passes: the key value, but no key id.
    Object.assign(event.requestContext.identity, { apiKey: 'SECRET-KEY-VALUE-0123456789' });

    const result = await connect(event, lambdaContext());

    // Not 401: the client sent a key (API Gateway refuses a missing one before this handler); the stage is at fault.
    expect(result.statusCode).toBe(500);
    expect(bodyOf(result)).toEqual({ error: { code: 'INTERNAL_ERROR', message: expect.stringMatching(/GET \/jobs/) } });
    expect(addMetric).toHaveBeenCalledWith(METRICS.names.webSocketConnectWithoutKeyId, 'Count', 1);
    const [message, details] = error.mock.calls.find(([m]) => String(m).includes('without identity.apiKeyId'))!;
    expect(message).toMatch(/usageIdentifierKey/);
    expect(details).toMatchObject({ routeKey: '$connect', identityFields: ['apiKey', 'sourceIp'], stage: 'test' });
    expect(JSON.stringify(error.mock.calls)).not.toContain('SECRET-KEY-VALUE');
    expect(ddb.commandCalls(PutCommand)).toHaveLength(0);
  });

  it.each([
    ['unknown', undefined],
    ['revoked', '2026-02-01T00:00:00Z'],
  ])('refuses an %s key (403)', async (state, revokedAt) => {
    if (state === 'revoked') givenKeyRecord(revokedAt);

    const result = await connect(wsEvent('$connect', { apiKeyId: OWNER }), lambdaContext());

    expect(result.statusCode).toBe(403);
    expect(ddb.commandCalls(PutCommand)).toHaveLength(0);
  });
});

describe('subscribe', () => {
  const send = (body: unknown) => subscribe(wsEvent('subscribe', { body }), lambdaContext());
  beforeEach(() => givenKeyRecord());

  it('subscribes the owner to the job and sends its current state straight away', async () => {
    givenConnectionOwner();
    givenJob(job({ status: 'transcribing' }));

    const result = await send({ action: 'subscribe', jobId: JOB_ID });

    expect(result).toEqual({ statusCode: 200, body: JSON.stringify({ type: 'subscribed', jobId: JOB_ID }) });
    expect(batchWrites()).toEqual([
      { PutRequest: { Item: expect.objectContaining({ ...keys.subscription(JOB_ID, CONNECTION), expiresAt: expect.any(Number) }) } },
      { PutRequest: { Item: expect.objectContaining({ ...keys.connection(CONNECTION, JOB_ID), expiresAt: expect.any(Number) }) } },
    ]);
    // The same public view as GET /jobs/{id}, tagged as a job message.
    expect(postedMessages(CONNECTION)).toEqual([
      {
        type: 'job',
        jobId: JOB_ID,
        status: 'transcribing',
        progress: 50,
        createdAt: '2026-03-14T11:59:00.000Z',
        updatedAt: '2026-03-14T11:59:30.000Z',
        targetLanguage: 'es',
      },
    ]);
  });

  it('sends a job whose upload never came as failed UPLOAD_EXPIRED, like GET /jobs/{id}', async () => {
    givenConnectionOwner();
    givenJob(job({ status: 'awaiting_upload', createdAt: new Date(Date.now() - 2 * 3600_000).toISOString() }));

    await send({ action: 'subscribe', jobId: JOB_ID });

    expect(postedMessages(CONNECTION)[0]).toMatchObject({
      type: 'job',
      jobId: JOB_ID,
      status: 'failed',
      progress: 100,
      error: { code: 'UPLOAD_EXPIRED' },
    });
  });

  it.each([
    ['someone else’s job', () => givenJob(job({ ownerId: 'key-mallory' }))],
    ['a job that does not exist', () => undefined],
  ])('answers %s exactly like a missing one (404)', async (_, arrange) => {
    givenConnectionOwner();
    arrange();

    const result = await send({ action: 'subscribe', jobId: JOB_ID });

    expect(result.statusCode).toBe(404);
    expect(bodyOf(result)).toMatchObject({ error: { code: 'JOB_NOT_FOUND' } });
    expect(batchWrites()).toHaveLength(0);
  });

  it('refuses a connection whose key was revoked after it connected (403), subscribing nothing', async () => {
    // Its own key id: the handler remembers live keys for a while (ApiKeyService cache).
    givenConnectionOwner('key-revoked');
    givenKeyRecord('2026-02-01T00:00:00Z', 'key-revoked');
    givenJob(job({ ownerId: 'key-revoked' }));

    const result = await send({ action: 'subscribe', jobId: JOB_ID });

    expect(result.statusCode).toBe(403);
    expect(bodyOf(result).error.code).toBe('KEY_REVOKED');
    expect(batchWrites()).toHaveLength(0);
  });

  it('refuses a connection that never authenticated (403)', async () => {
    givenJob(job());

    expect((await send({ action: 'subscribe', jobId: JOB_ID })).statusCode).toBe(403);
  });

  it.each([
    ['not JSON', 'hello'],
    ['no job id', { action: 'subscribe' }],
    ['a malformed job id', { action: 'subscribe', jobId: '../../etc' }],
  ])('refuses a message with %s (400)', async (_, body) => {
    givenConnectionOwner();

    const result = await send(body);

    expect(result.statusCode).toBe(400);
    expect(bodyOf(result).error.code).toBe('VALIDATION_ERROR');
  });
});

describe('$disconnect', () => {
  it('drops the connection’s owner record and every subscription it held', async () => {
    ddb.on(QueryCommand).resolves({
      Items: [
        { ...keys.connectionOwner(CONNECTION), ownerId: OWNER },
        { ...keys.connection(CONNECTION, JOB_ID), jobId: JOB_ID },
      ],
    });

    await expect(disconnect(wsEvent('$disconnect'), lambdaContext())).resolves.toEqual({ statusCode: 200 });

    expect(batchWrites()).toEqual([
      { DeleteRequest: { Key: keys.connectionOwner(CONNECTION) } },
      { DeleteRequest: { Key: keys.connection(CONNECTION, JOB_ID) } },
      { DeleteRequest: { Key: keys.subscription(JOB_ID, CONNECTION) } },
    ]);
  });
});

describe('progress publisher', () => {
  it('pushes a job whose upload never came as failed UPLOAD_EXPIRED, like GET /jobs/{id}', async () => {
    ddb.on(QueryCommand).resolves({ Items: [{ ...keys.subscription(JOB_ID, CONNECTION), connectionId: CONNECTION }] });

    await progressPublisherFromEnv().publish(job({ status: 'awaiting_upload', createdAt: new Date(Date.now() - 2 * 3600_000).toISOString() }));

    expect(postedMessages(CONNECTION)[0]).toMatchObject({
      type: 'job',
      status: 'failed',
      error: { code: 'UPLOAD_EXPIRED' },
    });
  });

  it('treats GoneException as a closed connection, not an error', async () => {
    givenConnectionOwner();
    givenJob(job());
    websocket.on(PostToConnectionCommand).rejects(new GoneException({ message: 'Gone', $metadata: {} }));

    await expect(subscribe(wsEvent('subscribe', { body: { action: 'subscribe', jobId: JOB_ID } }), lambdaContext())).resolves.toMatchObject({
      statusCode: 200,
    });
  });
});
