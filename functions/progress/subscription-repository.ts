import { type DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { ENV } from '../../lib/config/env-names';
import { CACHE_TTLS } from '../../lib/config/limits';
import { keys, primaryKeyOf, TABLE } from '../../lib/config/table-design';
import { batchWriteAll } from '../shared/batch-write';
import { dynamoDocumentClient } from '../shared/clients';
import { requireEnv } from '../shared/env';
import { expiresAfter, isLive } from '../shared/item-expiry';
import { queryPartition } from '../shared/partition-query';

/**
 * Who follows which job over the WebSocket API. Two items per subscription (table-design): the job's SUB#
 * partition lists its connections for the publisher, the connection partition lists a connection's jobs so
 * $disconnect can clean up without a scan. Everything expires (TTL) because $disconnect is best-effort.
 */
export interface SubscriptionRepository {
  /** Remembers the API key a connection authenticated with at $connect. */
  registerConnection(connectionId: string, ownerId: string): Promise<void>;
  connectionOwner(connectionId: string): Promise<string | undefined>;
  subscribe(jobId: string, connectionId: string): Promise<void>;
  /** Connection ids currently subscribed to the job. */
  subscribers(jobId: string): Promise<string[]>;
  unsubscribe(jobId: string, connectionId: string): Promise<void>;
  /** Removes the connection's owner item and every subscription it holds. */
  dropConnection(connectionId: string): Promise<void>;
}

export interface DynamoSubscriptionRepositoryOptions {
  readonly client: DynamoDBDocumentClient;
  readonly tableName: string;
  /** @default CACHE_TTLS.progressSubscriptionSeconds */
  readonly ttlSeconds?: number;
  /** @default - the system clock */
  readonly now?: () => Date;
}

type Key = Record<string, unknown>;

export class DynamoSubscriptionRepository implements SubscriptionRepository {
  private readonly client: DynamoDBDocumentClient;
  private readonly tableName: string;
  private readonly ttlSeconds: number;
  private readonly now: () => Date;

  constructor(options: DynamoSubscriptionRepositoryOptions) {
    this.client = options.client;
    this.tableName = options.tableName;
    this.ttlSeconds = options.ttlSeconds ?? CACHE_TTLS.progressSubscriptionSeconds;
    this.now = options.now ?? (() => new Date());
  }

  async registerConnection(connectionId: string, ownerId: string): Promise<void> {
    await this.client.send(
      new PutCommand({
        TableName: this.tableName,
        Item: { ...keys.connectionOwner(connectionId), ownerId, [TABLE.ttlAttribute]: this.expiresAt() },
      }),
    );
  }

  async connectionOwner(connectionId: string): Promise<string | undefined> {
    const { Item } = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: keys.connectionOwner(connectionId), ConsistentRead: true }),
    );
    if (!Item || !this.isLive(Item) || typeof Item.ownerId !== 'string') return undefined;
    return Item.ownerId;
  }

  async subscribe(jobId: string, connectionId: string): Promise<void> {
    const expiresAt = this.expiresAt();
    await this.batchWrite([
      { PutRequest: { Item: { ...keys.subscription(jobId, connectionId), connectionId, [TABLE.ttlAttribute]: expiresAt } } },
      { PutRequest: { Item: { ...keys.connection(connectionId, jobId), jobId, [TABLE.ttlAttribute]: expiresAt } } },
    ]);
  }

  async subscribers(jobId: string): Promise<string[]> {
    const items = await queryPartition(this.client, this.tableName, keys.subscriptionPartition(jobId));
    return items.filter((item) => this.isLive(item)).map((item) => String(item.connectionId));
  }

  async unsubscribe(jobId: string, connectionId: string): Promise<void> {
    await this.batchWrite([
      { DeleteRequest: { Key: keys.subscription(jobId, connectionId) } },
      { DeleteRequest: { Key: keys.connection(connectionId, jobId) } },
    ]);
  }

  async dropConnection(connectionId: string): Promise<void> {
    const items = await queryPartition(this.client, this.tableName, keys.connectionPartition(connectionId));
    const deletes: Key[] = [];
    for (const item of items) {
      deletes.push({
        DeleteRequest: { Key: primaryKeyOf(item) },
      });
      if (typeof item.jobId === 'string') {
        deletes.push({ DeleteRequest: { Key: keys.subscription(item.jobId, connectionId) } });
      }
    }
    await this.batchWrite(deletes);
  }

  private async batchWrite(requests: readonly Key[]): Promise<void> {
    await batchWriteAll(this.client, this.tableName, requests);
  }

  private expiresAt(): number {
    return expiresAfter(this.now(), this.ttlSeconds);
  }

  private isLive(item: Key): boolean {
    return isLive(item, this.now());
  }
}

/** The repository every function uses: the container's shared client and the table from the environment. */
export function subscriptionRepositoryFromEnv(): DynamoSubscriptionRepository {
  return new DynamoSubscriptionRepository({ client: dynamoDocumentClient(), tableName: requireEnv(ENV.tableName) });
}
