import { ConditionalCheckFailedException, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  BatchWriteCommand,
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { DynamoJobRepository } from '../../../functions/jobs/dynamo-job-repository';
import { ConflictError } from '../../../functions/shared/errors';
import { keys } from '../../../lib/config/table-design';
import { job, JOB_ID, NOW, OWNER } from './fixtures';

const TABLE = 'vnt-test-table';
const ddb = mockClient(DynamoDBDocumentClient);
const client = DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'us-east-1' }));
const repo = new DynamoJobRepository({ client, tableName: TABLE, now: () => NOW });
const nowSeconds = Math.floor(NOW.getTime() / 1000);
const conditionFailed = () => new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} });

/** A job item as stored: the job plus its table and GSI keys (GSI2 while it is in flight). */
const item = (overrides = {}) => {
  const j = job(overrides);
  const inFlight = j.status === 'completed' || j.status === 'failed' ? {} : { gsi2pk: `INFLIGHT#${j.status}`, gsi2sk: `${j.createdAt}#${j.jobId}` };
  return { ...j, pk: `JOB#${j.jobId}`, sk: 'JOB', gsi1pk: `OWNER#${j.ownerId}`, gsi1sk: `${j.createdAt}#${j.jobId}`, ...inFlight };
};

beforeEach(() => ddb.reset());

describe('DynamoJobRepository.create', () => {
  it('puts the job with its table, history and in-flight keys, refusing to overwrite', async () => {
    ddb.on(PutCommand).resolves({});

    await repo.create(job({ status: 'awaiting_upload' }));

    const input = ddb.commandCalls(PutCommand)[0]!.args[0].input;
    expect(input.TableName).toBe(TABLE);
    expect(input.Item).toEqual(item({ status: 'awaiting_upload' }));
    expect(input.Item).toMatchObject({ gsi2pk: 'INFLIGHT#awaiting_upload', gsi2sk: `${job().createdAt}#${JOB_ID}` });
    expect(input.ConditionExpression).toBe('attribute_not_exists(#pk)');
  });

  it('maps an existing id to a 409 JOB_EXISTS', async () => {
    ddb.on(PutCommand).rejects(conditionFailed());

    const error = await repo.create(job()).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(ConflictError);
    expect(error).toMatchObject({ code: 'JOB_EXISTS', httpStatus: 409 });
  });

  it('rethrows other DynamoDB errors', async () => {
    ddb.on(PutCommand).rejects(new Error('ProvisionedThroughputExceeded'));
    await expect(repo.create(job())).rejects.toThrow('ProvisionedThroughputExceeded');
  });
});

describe('DynamoJobRepository.get', () => {
  it('reads consistently and strips key attributes', async () => {
    ddb.on(GetCommand).resolves({ Item: item() });

    await expect(repo.get(JOB_ID)).resolves.toEqual(job());
    expect(ddb.commandCalls(GetCommand)[0]!.args[0].input).toEqual({
      TableName: TABLE,
      Key: { pk: `JOB#${JOB_ID}`, sk: 'JOB' },
      ConsistentRead: true,
    });
  });

  it('returns undefined for a missing job', async () => {
    ddb.on(GetCommand).resolves({});
    await expect(repo.get(JOB_ID)).resolves.toBeUndefined();
  });

  it('hides a job past expiresAt that TTL has not deleted yet', async () => {
    ddb.on(GetCommand).resolves({ Item: item({ expiresAt: nowSeconds }) });
    await expect(repo.get(JOB_ID)).resolves.toBeUndefined();
  });
});

describe('DynamoJobRepository.listByOwner', () => {
  it('queries the owner history on GSI1 newest first, filtering expired items', async () => {
    ddb.on(QueryCommand).resolves({ Items: [item()] });

    const page = await repo.listByOwner(OWNER, 20);

    expect(page).toEqual({ items: [job()] });
    const input = ddb.commandCalls(QueryCommand)[0]!.args[0].input;
    expect(input).toMatchObject({
      IndexName: 'gsi1',
      KeyConditionExpression: '#gpk = :owner',
      ExpressionAttributeValues: { ':owner': `OWNER#${OWNER}`, ':now': nowSeconds },
      ScanIndexForward: false,
      Limit: 20,
    });
    expect(input.FilterExpression).toContain('#exp > :now');
  });

  it('passes the start key through and returns the last evaluated key', async () => {
    const startKey = { pk: 'JOB#a', sk: 'JOB', gsi1pk: `OWNER#${OWNER}`, gsi1sk: 'x#a' };
    const lastKey = { pk: 'JOB#b', sk: 'JOB', gsi1pk: `OWNER#${OWNER}`, gsi1sk: 'x#b' };
    ddb.on(QueryCommand).resolves({ Items: [item(), item()], LastEvaluatedKey: lastKey });

    const page = await repo.listByOwner(OWNER, 2, startKey);

    expect(page.lastKey).toEqual(lastKey);
    expect(ddb.commandCalls(QueryCommand)[0]!.args[0].input.ExclusiveStartKey).toEqual(startKey);
  });

  it('keeps querying for the missing items when the filter dropped expired ones', async () => {
    const k1 = { pk: 'JOB#1', sk: 'JOB', gsi1pk: `OWNER#${OWNER}`, gsi1sk: '1' };
    ddb
      .on(QueryCommand)
      .resolvesOnce({ Items: [item()], LastEvaluatedKey: k1 })
      .resolvesOnce({ Items: [item(), item()] });

    const page = await repo.listByOwner(OWNER, 3);

    expect(page.items).toHaveLength(3);
    expect(page.lastKey).toBeUndefined();
    const second = ddb.commandCalls(QueryCommand)[1]!.args[0].input;
    expect(second.Limit).toBe(2);
    expect(second.ExclusiveStartKey).toEqual(k1);
  });

  it('stops after a bounded number of rounds and hands back the key to continue from', async () => {
    const key = { pk: 'JOB#1', sk: 'JOB', gsi1pk: `OWNER#${OWNER}`, gsi1sk: '1' };
    ddb.on(QueryCommand).resolves({ Items: [], LastEvaluatedKey: key });

    const page = await repo.listByOwner(OWNER, 10);

    expect(page).toEqual({ items: [], lastKey: key });
    expect(ddb.commandCalls(QueryCommand)).toHaveLength(5);
  });
});

describe('DynamoJobRepository.delete', () => {
  const deletedKeys = () =>
    ddb.commandCalls(BatchWriteCommand).flatMap((c) => c.args[0].input.RequestItems![TABLE]!.map((r) => r.DeleteRequest!.Key));

  it('deletes everything stored for the job (callback, subscriptions with their connection side, cached results), the job item last', async () => {
    const hash = 'c'.repeat(64);
    ddb.on(GetCommand, { Key: keys.job(JOB_ID) }).resolves({
      Item: { ...keys.job(JOB_ID), audioHash: hash, targetLanguage: 'es', sourceLanguage: 'en' },
    });
    ddb.on(QueryCommand).resolves({ Items: [{ ...keys.subscription(JOB_ID, 'c1'), connectionId: 'c1' }] });
    ddb.on(BatchWriteCommand).resolves({});

    await repo.delete(JOB_ID);

    expect(ddb.commandCalls(QueryCommand)[0]!.args[0].input.ExpressionAttributeValues).toEqual({ ':pk': `SUB#${JOB_ID}` });
    expect(deletedKeys()).toEqual([
      keys.transcriptionCallback(JOB_ID),
      keys.subscription(JOB_ID, 'c1'),
      keys.connection('c1', JOB_ID),
      keys.audioResult(hash, 'es', null),
      keys.audioResult(hash, 'es', 'en'),
      keys.job(JOB_ID),
    ]);
    expect(ddb.commandCalls(BatchWriteCommand).at(-1)!.args[0].input.RequestItems![TABLE]).toEqual([
      { DeleteRequest: { Key: keys.job(JOB_ID) } },
    ]);
  });

  it('keeps the job item when the other deletes fail, so a retry finds it', async () => {
    ddb.on(GetCommand).resolves({ Item: keys.job(JOB_ID) });
    ddb.on(QueryCommand).resolves({ Items: [] });
    ddb.on(BatchWriteCommand).rejects(new Error('throttled'));

    await expect(repo.delete(JOB_ID)).rejects.toThrow('throttled');

    expect(deletedKeys()).not.toContainEqual(keys.job(JOB_ID));
  });

  it('is a no-op for a job that does not exist (idempotent)', async () => {
    ddb.on(GetCommand).resolves({});
    await repo.delete(JOB_ID);
    expect(ddb.commandCalls(BatchWriteCommand)).toHaveLength(0);
  });

  it('retries unprocessed deletes', async () => {
    ddb.on(GetCommand).resolves({ Item: keys.job(JOB_ID) });
    ddb.on(QueryCommand).resolves({ Items: [] });
    ddb
      .on(BatchWriteCommand)
      .resolvesOnce({ UnprocessedItems: { [TABLE]: [{ DeleteRequest: { Key: keys.transcriptionCallback(JOB_ID) } }] } })
      .resolves({});

    await repo.delete(JOB_ID);

    expect(ddb.commandCalls(BatchWriteCommand)).toHaveLength(3);
  });
});

describe('DynamoJobRepository.transition', () => {
  it('moves the job only from the given statuses and applies the patch', async () => {
    ddb.on(UpdateCommand).resolves({ Attributes: item({ status: 'normalizing', durationSeconds: 12 }) });

    const updated = await repo.transition(JOB_ID, ['queued'], 'normalizing', { durationSeconds: 12 });

    expect(updated).toEqual(job({ status: 'normalizing', durationSeconds: 12 }));
    const input = ddb.commandCalls(UpdateCommand)[0]!.args[0].input;
    expect(input.ConditionExpression).toBe('attribute_exists(#pk) AND #status IN (:from0)');
    expect(input.ExpressionAttributeValues).toMatchObject({ ':from0': 'queued' });
    const assigned = Object.fromEntries(
      Object.entries(input.ExpressionAttributeNames!)
        .filter(([k]) => k.startsWith('#f'))
        .map(([k, name]) => [name, input.ExpressionAttributeValues![k.replace('#f', ':v')]]),
    );
    // The in-flight index entry moves with the status.
    expect(assigned).toEqual({ status: 'normalizing', gsi2pk: 'INFLIGHT#normalizing', durationSeconds: 12, updatedAt: NOW.toISOString() });
    expect(input.UpdateExpression).not.toContain('REMOVE');
    expect(input.ReturnValues).toBe('ALL_NEW');
  });

  it('returns undefined when the job is not in a source status (late or duplicate event)', async () => {
    ddb.on(UpdateCommand).rejects(conditionFailed());
    await expect(repo.transition(JOB_ID, ['queued', 'normalizing'], 'transcribing')).resolves.toBeUndefined();
  });

  it('refuses an empty source list instead of writing an invalid expression', async () => {
    await expect(repo.transition(JOB_ID, [], 'queued')).rejects.toThrow('at least one source status');
  });

  it('rethrows other errors', async () => {
    ddb.on(UpdateCommand).rejects(new Error('boom'));
    await expect(repo.transition(JOB_ID, ['queued'], 'normalizing')).rejects.toThrow('boom');
  });
});

describe('DynamoJobRepository.transition to a terminal status', () => {
  const result = { transcript: 'hola', detectedLanguage: 'es', translation: 'hello', cached: false } as const;

  it('writes the result and timings with the completed status', async () => {
    ddb.on(UpdateCommand).resolves({ Attributes: item({ status: 'completed', result }) });

    await expect(repo.transition(JOB_ID, ['translating'], 'completed', { result, timings: { total: 1200 } })).resolves.toMatchObject({
      status: 'completed',
      result,
    });

    const values = Object.values(ddb.commandCalls(UpdateCommand)[0]!.args[0].input.ExpressionAttributeValues!);
    expect(values).toContainEqual(result);
    expect(values).toContainEqual({ total: 1200 });
  });

  it('writes the error with the failed status', async () => {
    const error = { code: 'NO_SPEECH', message: 'No speech was recognised.' } as const;
    ddb.on(UpdateCommand).resolves({ Attributes: item({ status: 'failed', error }) });

    await expect(repo.transition(JOB_ID, ['transcribing'], 'failed', { error })).resolves.toMatchObject({ status: 'failed', error });
    expect(Object.values(ddb.commandCalls(UpdateCommand)[0]!.args[0].input.ExpressionAttributeValues!)).toContainEqual(error);
  });

  it.each(['completed', 'failed'] as const)('takes a %s job out of the in-flight index in the same conditional write', async (to) => {
    ddb.on(UpdateCommand).resolves({ Attributes: item({ status: to }) });

    await repo.transition(JOB_ID, ['translating'], to);

    const input = ddb.commandCalls(UpdateCommand)[0]!.args[0].input;
    const removed = /^REMOVE (#r\d+), (#r\d+) SET /.exec(input.UpdateExpression!);
    expect(removed).not.toBeNull();
    expect([input.ExpressionAttributeNames![removed![1]!], input.ExpressionAttributeNames![removed![2]!]]).toEqual(['gsi2pk', 'gsi2sk']);
    expect(Object.values(input.ExpressionAttributeValues!)).not.toContain(`INFLIGHT#${to}`);
    expect(input.ConditionExpression).toBe('attribute_exists(#pk) AND #status IN (:from0)');
  });
});

describe('DynamoJobRepository.inFlightJobIds', () => {
  const entry = (jobId: string) => ({ pk: `JOB#${jobId}`, sk: 'JOB', gsi2pk: 'INFLIGHT#queued', gsi2sk: `2026-03-14T11:00:00.000Z#${jobId}` });

  it('Queries the in-flight index for one status, page by page, oldest first', async () => {
    ddb
      .on(QueryCommand)
      .resolvesOnce({ Items: [entry('a'), entry('b')], LastEvaluatedKey: entry('b') })
      .resolvesOnce({ Items: [entry('c')] });

    const ids: string[] = [];
    for await (const id of repo.inFlightJobIds('queued')) ids.push(id);

    expect(ids).toEqual(['a', 'b', 'c']);
    const calls = ddb.commandCalls(QueryCommand).map((call) => call.args[0].input);
    expect(calls).toHaveLength(2);
    expect(calls[0]).toMatchObject({
      TableName: TABLE,
      IndexName: 'gsi2',
      KeyConditionExpression: '#ipk = :status',
      ExpressionAttributeNames: { '#ipk': 'gsi2pk' },
      ExpressionAttributeValues: { ':status': 'INFLIGHT#queued' },
    });
    expect(calls[0]!.ScanIndexForward).not.toBe(false);
    expect(calls[1]!.ExclusiveStartKey).toEqual(entry('b'));
  });

  it('only asks for jobs created before a time when given one', async () => {
    ddb.on(QueryCommand).resolves({ Items: [] });
    const before = new Date('2026-03-14T11:00:00.000Z');

    for await (const id of repo.inFlightJobIds('awaiting_upload', before)) expect.fail(`unexpected ${id}`);

    expect(ddb.commandCalls(QueryCommand)[0]!.args[0].input).toMatchObject({
      KeyConditionExpression: '#ipk = :status AND #isk < :before',
      ExpressionAttributeNames: { '#ipk': 'gsi2pk', '#isk': 'gsi2sk' },
      ExpressionAttributeValues: { ':status': 'INFLIGHT#awaiting_upload', ':before': before.toISOString() },
    });
  });
});
