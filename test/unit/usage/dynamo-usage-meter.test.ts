import { ConditionalCheckFailedException, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { DynamoUsageMeter } from '../../../functions/usage/dynamo-usage-meter';

const ddb = mockClient(DynamoDBDocumentClient);
const meter = new DynamoUsageMeter({
  client: DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'us-east-1' })),
  tableName: 'tbl',
});
const conditionFailed = () => new ConditionalCheckFailedException({ message: 'failed', $metadata: {} });

beforeEach(() => ddb.reset());

describe('DynamoUsageMeter.tryConsume', () => {
  it('increments atomically under count < limit and refreshes the TTL', async () => {
    ddb.on(UpdateCommand).resolves({ Attributes: { count: 7 } });

    await expect(meter.tryConsume('k1', '2026-03-14', 100, 1_773_600_000)).resolves.toEqual({ accepted: true, used: 7 });

    const input = ddb.commandCalls(UpdateCommand)[0]!.args[0].input;
    expect(input).toMatchObject({
      TableName: 'tbl',
      Key: { pk: 'USAGE#k1', sk: 'DAY#2026-03-14' },
      UpdateExpression: 'ADD #count :one SET #exp = :exp',
      ConditionExpression: 'attribute_not_exists(#count) OR #count < :limit',
      ExpressionAttributeNames: { '#count': 'count', '#exp': 'expiresAt' },
      ExpressionAttributeValues: { ':one': 1, ':limit': 100, ':exp': 1_773_600_000 },
    });
  });

  it('refuses when the condition fails and reports the current count', async () => {
    ddb.on(UpdateCommand).rejects(conditionFailed());
    ddb.on(GetCommand).resolves({ Item: { count: 100 } });

    await expect(meter.tryConsume('k1', '2026-03-14', 100, 0)).resolves.toEqual({ accepted: false, used: 100 });
    expect(ddb.commandCalls(GetCommand)[0]!.args[0].input.ConsistentRead).toBe(true);
  });

  it('rethrows other errors (the request fails rather than going unmetered)', async () => {
    ddb.on(UpdateCommand).rejects(new Error('throttled'));
    await expect(meter.tryConsume('k1', '2026-03-14', 100, 0)).rejects.toThrow('throttled');
  });
});

describe('DynamoUsageMeter.release / read', () => {
  it('gives one unit back only while the count is above zero', async () => {
    ddb.on(UpdateCommand).resolves({});
    await meter.release('k1', '2026-03-14');
    expect(ddb.commandCalls(UpdateCommand)[0]!.args[0].input).toMatchObject({
      UpdateExpression: 'ADD #count :minusOne',
      ConditionExpression: '#count > :zero',
    });
  });

  it('ignores a release with nothing to give back', async () => {
    ddb.on(UpdateCommand).rejects(conditionFailed());
    await expect(meter.release('k1', '2026-03-14')).resolves.toBeUndefined();
  });

  it('rethrows other release errors', async () => {
    ddb.on(UpdateCommand).rejects(new Error('boom'));
    await expect(meter.release('k1', '2026-03-14')).rejects.toThrow('boom');
  });

  it('reads 0 for a day without usage', async () => {
    ddb.on(GetCommand).resolves({});
    await expect(meter.read('k1', '2026-03-14')).resolves.toBe(0);
  });
});
