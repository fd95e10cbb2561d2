import { ConditionalCheckFailedException, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { DynamoApiKeyRepository } from '../../../functions/keys/dynamo-api-key-repository';

const ddb = mockClient(DynamoDBDocumentClient);
const repo = new DynamoApiKeyRepository({
  client: DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'us-east-1' })),
  tableName: 'tbl',
});
const record = { apiKeyId: 'k1', name: 'alice', tier: 'basic', createdAt: '2026-03-14T12:00:00.000Z' } as const;
const stored = { ...record, pk: 'KEY#k1', sk: 'KEY', gsi1pk: 'KEYS', gsi1sk: `${record.createdAt}#k1` };
const conditionFailed = () => new ConditionalCheckFailedException({ message: 'failed', $metadata: {} });

beforeEach(() => ddb.reset());

describe('DynamoApiKeyRepository', () => {
  it('creates a record with its listing keys, never overwriting', async () => {
    ddb.on(PutCommand).resolves({});
    await repo.create(record);
    const input = ddb.commandCalls(PutCommand)[0]!.args[0].input;
    expect(input.Item).toEqual(stored);
    expect(input.ConditionExpression).toBe('attribute_not_exists(#pk)');
  });

  it('maps a duplicate id to 409 KEY_EXISTS', async () => {
    ddb.on(PutCommand).rejects(conditionFailed());
    await expect(repo.create(record)).rejects.toMatchObject({ code: 'KEY_EXISTS', httpStatus: 409 });
  });

  it('rethrows other create errors', async () => {
    ddb.on(PutCommand).rejects(new Error('denied'));
    await expect(repo.create(record)).rejects.toThrow('denied');
  });

  it('gets a record without its key attributes', async () => {
    ddb.on(GetCommand).resolves({ Item: { ...stored, revokedAt: '2026-03-15T00:00:00.000Z' } });
    await expect(repo.get('k1')).resolves.toEqual({ ...record, revokedAt: '2026-03-15T00:00:00.000Z' });
    expect(ddb.commandCalls(GetCommand)[0]!.args[0].input.Key).toEqual({ pk: 'KEY#k1', sk: 'KEY' });
  });

  it('returns undefined for an unknown key', async () => {
    ddb.on(GetCommand).resolves({});
    await expect(repo.get('nope')).resolves.toBeUndefined();
  });

  it('refuses a record with a tier that does not exist rather than guessing one', async () => {
    ddb.on(GetCommand).resolves({ Item: { ...stored, tier: 'gold' } });
    await expect(repo.get('k1')).rejects.toThrow('unknown tier');
  });

  it('lists every page of records newest first', async () => {
    ddb
      .on(QueryCommand)
      .resolvesOnce({ Items: [stored], LastEvaluatedKey: { pk: 'KEY#k1' } })
      .resolvesOnce({ Items: [{ ...stored, apiKeyId: 'k0', name: 'bob', tier: 'free' }] });
    const records = await repo.list();
    expect(records.map((r) => r.apiKeyId)).toEqual(['k1', 'k0']);
    const first = ddb.commandCalls(QueryCommand)[0]!.args[0].input;
    expect(first).toMatchObject({ IndexName: 'gsi1', ScanIndexForward: false, ExpressionAttributeValues: { ':keys': 'KEYS' } });
    expect(ddb.commandCalls(QueryCommand)[1]!.args[0].input.ExclusiveStartKey).toEqual({ pk: 'KEY#k1' });
  });

  it('stamps revokedAt once, keeping the first time', async () => {
    ddb.on(UpdateCommand).resolves({});
    await expect(repo.markRevoked('k1', '2026-03-15T00:00:00.000Z')).resolves.toBe(true);
    const input = ddb.commandCalls(UpdateCommand)[0]!.args[0].input;
    expect(input.UpdateExpression).toBe('SET revokedAt = if_not_exists(revokedAt, :at)');
    expect(input.ConditionExpression).toBe('attribute_exists(#pk)');
  });

  it('reports false when revoking an unknown key', async () => {
    ddb.on(UpdateCommand).rejects(conditionFailed());
    await expect(repo.markRevoked('nope', 'x')).resolves.toBe(false);
  });

  it('rethrows other revoke errors', async () => {
    ddb.on(UpdateCommand).rejects(new Error('denied'));
    await expect(repo.markRevoked('k1', 'x')).rejects.toThrow('denied');
  });
});
