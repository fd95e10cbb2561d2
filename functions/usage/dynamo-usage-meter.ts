import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { ENV } from '../../lib/config/env-names';
import { keys, TABLE } from '../../lib/config/table-design';
import { dynamoDocumentClient } from '../shared/clients';
import { requireEnv } from '../shared/env';
import type { MeterResult, UsageMeter } from './usage-meter';

export interface DynamoUsageMeterOptions {
  readonly client: DynamoDBDocumentClient;
  readonly tableName: string;
}

/**
 * The daily meter item `USAGE#<apiKeyId>` / `DAY#<yyyy-mm-dd>`. One UpdateItem does `ADD count 1` under
 * `count < limit`: DynamoDB serialises writes to an item, so the condition and the increment are atomic
 * and request N+1 is refused however many arrive at once. No transaction needed (nor available locally).
 */
export class DynamoUsageMeter implements UsageMeter {
  private readonly client: DynamoDBDocumentClient;
  private readonly tableName: string;

  constructor(options: DynamoUsageMeterOptions) {
    this.client = options.client;
    this.tableName = options.tableName;
  }

  async tryConsume(apiKeyId: string, day: string, limit: number, expiresAt: number): Promise<MeterResult> {
    try {
      const { Attributes } = await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: keys.usage(apiKeyId, day),
          UpdateExpression: 'ADD #count :one SET #exp = :exp',
          ConditionExpression: 'attribute_not_exists(#count) OR #count < :limit',
          ExpressionAttributeNames: { '#count': 'count', '#exp': TABLE.ttlAttribute },
          ExpressionAttributeValues: { ':one': 1, ':limit': limit, ':exp': expiresAt },
          ReturnValues: 'UPDATED_NEW',
        }),
      );
      return { accepted: true, used: Number(Attributes?.count ?? 1) };
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) {
        return { accepted: false, used: await this.read(apiKeyId, day) };
      }
      throw error;
    }
  }

  async release(apiKeyId: string, day: string): Promise<void> {
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: keys.usage(apiKeyId, day),
          UpdateExpression: 'ADD #count :minusOne',
          ConditionExpression: '#count > :zero',
          ExpressionAttributeNames: { '#count': 'count' },
          ExpressionAttributeValues: { ':minusOne': -1, ':zero': 0 },
        }),
      );
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return; // nothing to give back
      throw error;
    }
  }

  async read(apiKeyId: string, day: string): Promise<number> {
    const { Item } = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: keys.usage(apiKeyId, day), ConsistentRead: true }),
    );
    return typeof Item?.count === 'number' ? Item.count : 0;
  }
}

/** The meter every function uses: the container's shared client and the table from the environment. */
export function usageMeterFromEnv(): DynamoUsageMeter {
  return new DynamoUsageMeter({ client: dynamoDocumentClient(), tableName: requireEnv(ENV.tableName) });
}
