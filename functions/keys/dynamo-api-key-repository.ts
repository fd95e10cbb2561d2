import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { ENV } from '../../lib/config/env-names';
import { keys, TABLE } from '../../lib/config/table-design';
import { isTierName } from '../../lib/config/tiers';
import { dynamoDocumentClient } from '../shared/clients';
import { requireEnv } from '../shared/env';
import { ConflictError } from '../shared/errors';
import type { ApiKeyRecord } from './api-key';
import type { ApiKeyRepository } from './api-key-repository';

export interface DynamoApiKeyRepositoryOptions {
  readonly client: DynamoDBDocumentClient;
  readonly tableName: string;
}

/** Key records in the single table; listed newest first through GSI1 (`KEYS`). */
export class DynamoApiKeyRepository implements ApiKeyRepository {
  private readonly client: DynamoDBDocumentClient;
  private readonly tableName: string;

  constructor(options: DynamoApiKeyRepositoryOptions) {
    this.client = options.client;
    this.tableName = options.tableName;
  }

  async create(record: ApiKeyRecord): Promise<void> {
    try {
      await this.client.send(
        new PutCommand({
          TableName: this.tableName,
          Item: {
            ...record,
            ...keys.apiKey(record.apiKeyId),
            ...keys.apiKeyListing(record.createdAt, record.apiKeyId),
          },
          ConditionExpression: 'attribute_not_exists(#pk)',
          ExpressionAttributeNames: { '#pk': TABLE.partitionKey },
        }),
      );
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) {
        throw new ConflictError(`API key ${record.apiKeyId} is already registered.`, 'KEY_EXISTS');
      }
      throw error;
    }
  }

  async get(apiKeyId: string): Promise<ApiKeyRecord | undefined> {
    const { Item } = await this.client.send(new GetCommand({ TableName: this.tableName, Key: keys.apiKey(apiKeyId) }));
    return Item ? toRecord(Item) : undefined;
  }

  async list(): Promise<readonly ApiKeyRecord[]> {
    const records: ApiKeyRecord[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await this.client.send(
        new QueryCommand({
          TableName: this.tableName,
          IndexName: TABLE.gsi1.name,
          KeyConditionExpression: '#gpk = :keys',
          ExpressionAttributeNames: { '#gpk': TABLE.gsi1.partitionKey },
          ExpressionAttributeValues: { ':keys': keys.apiKeyListing('', '').gsi1pk },
          ScanIndexForward: false,
          ExclusiveStartKey: startKey,
        }),
      );
      records.push(...(page.Items ?? []).map(toRecord));
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    return records;
  }

  async markRevoked(apiKeyId: string, revokedAt: string): Promise<boolean> {
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: keys.apiKey(apiKeyId),
          UpdateExpression: 'SET revokedAt = if_not_exists(revokedAt, :at)',
          ConditionExpression: 'attribute_exists(#pk)',
          ExpressionAttributeNames: { '#pk': TABLE.partitionKey },
          ExpressionAttributeValues: { ':at': revokedAt },
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }
}

function toRecord(item: Record<string, unknown>): ApiKeyRecord {
  const tier = item.tier;
  if (!isTierName(tier)) throw new Error(`Key record ${String(item.apiKeyId)} has an unknown tier`);
  return {
    apiKeyId: String(item.apiKeyId),
    name: String(item.name),
    tier,
    createdAt: String(item.createdAt),
    ...(typeof item.revokedAt === 'string' ? { revokedAt: item.revokedAt } : {}),
  };
}

/** The repository every function uses: the container's shared client and the table from the environment. */
export function apiKeyRepositoryFromEnv(): DynamoApiKeyRepository {
  return new DynamoApiKeyRepository({ client: dynamoDocumentClient(), tableName: requireEnv(ENV.tableName) });
}
