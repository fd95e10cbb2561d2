import type { Server } from 'node:http';
import {
  type AttributeValue,
  BatchWriteItemCommand,
  CreateTableCommand,
  DeleteTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  ResourceNotFoundException,
  ScanCommand,
} from '@aws-sdk/client-dynamodb';
import dynalite from 'dynalite';
import { isTerminal, type JobStatus } from '../../functions/jobs/job';
import { GLOBAL_SECONDARY_INDEXES, keys, TABLE } from '../../lib/config/table-design';
import { LOCAL } from '../config';
import { closeServer, listen } from '../http/server';
import { emulatorClientConfig } from './aws-clients';

export interface LocalDynamoDb {
  readonly endpoint: string;
  stop(): Promise<void>;
}

/**
 * dynalite on disk (LevelDB) with the single table from the shared table design. TTL is not configured:
 * dynalite has no UpdateTimeToLive, and every reader already filters on `expiresAt`.
 */
export async function startDynamoDb(directory: string, tableName: string): Promise<LocalDynamoDb> {
  const server: Server = dynalite({ path: directory, createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  const port = await listen(server, 0, LOCAL.host);
  const endpoint = `http://${LOCAL.host}:${port}`;
  const client = new DynamoDBClient(emulatorClientConfig(endpoint));
  try {
    await ensureTable(client, tableName);
  } catch (error) {
    await closeServer(server);
    throw error;
  } finally {
    client.destroy();
  }
  return { endpoint, stop: () => closeServer(server) };
}

async function ensureTable(client: DynamoDBClient, tableName: string): Promise<void> {
  const existing = await describe(client, tableName);
  if (existing === undefined) {
    await createTable(client, tableName);
    return;
  }
  const present = new Set(existing.map((index) => index.IndexName));
  if (GLOBAL_SECONDARY_INDEXES.every((index) => present.has(index.name))) return;
  await rebuildTable(client, tableName);
}

/** The table's index descriptions, or undefined when there is no such table. */
async function describe(client: DynamoDBClient, tableName: string) {
  try {
    const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
    return Table?.GlobalSecondaryIndexes ?? [];
  } catch (error) {
    if (error instanceof ResourceNotFoundException) return undefined;
    throw error;
  }
}

async function createTable(client: DynamoDBClient, tableName: string): Promise<void> {
  const { partitionKey, sortKey } = TABLE;
  const indexKeys = GLOBAL_SECONDARY_INDEXES.flatMap((index) => [index.partitionKey, index.sortKey]);
  await client.send(
    new CreateTableCommand({
      TableName: tableName,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [partitionKey, sortKey, ...indexKeys].map((name) => ({ AttributeName: name, AttributeType: 'S' })),
      KeySchema: [
        { AttributeName: partitionKey, KeyType: 'HASH' },
        { AttributeName: sortKey, KeyType: 'RANGE' },
      ],
      GlobalSecondaryIndexes: GLOBAL_SECONDARY_INDEXES.map((index) => ({
        IndexName: index.name,
        KeySchema: [
          { AttributeName: index.partitionKey, KeyType: 'HASH' },
          { AttributeName: index.sortKey, KeyType: 'RANGE' },
        ],
        Projection: { ProjectionType: index.projection },
      })),
    }),
  );
}

/**
 * A state directory from a version with fewer indexes: dynalite cannot add an index to a table (no
 * GlobalSecondaryIndexUpdates), so the table is made again with the design's indexes and its items put back,
 * jobs still in flight with the in-flight index keys their status writes would have set.
 */
async function rebuildTable(client: DynamoDBClient, tableName: string): Promise<void> {
  const items: Record<string, AttributeValue>[] = [];
  let startKey: Record<string, AttributeValue> | undefined;
  do {
    const page = await client.send(new ScanCommand({ TableName: tableName, ExclusiveStartKey: startKey }));
    items.push(...(page.Items ?? []));
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  await client.send(new DeleteTableCommand({ TableName: tableName }));
  while ((await describe(client, tableName)) !== undefined) await new Promise((resolve) => setTimeout(resolve, 10));
  await createTable(client, tableName);
  for (let i = 0; i < items.length; i += 25) {
    let requests = items.slice(i, i + 25).map((item) => ({ PutRequest: { Item: withInFlightKeys(item) } }));
    while (requests.length > 0) {
      const { UnprocessedItems } = await client.send(new BatchWriteItemCommand({ RequestItems: { [tableName]: requests } }));
      requests = (UnprocessedItems?.[tableName] ?? []) as typeof requests;
    }
  }
}

function withInFlightKeys(item: Record<string, AttributeValue>): Record<string, AttributeValue> {
  const [pk, sk, status, createdAt] = [item[TABLE.partitionKey]?.S, item[TABLE.sortKey]?.S, item.status?.S, item.createdAt?.S];
  const jobPrefix = keys.jobPartition('');
  if (sk !== keys.job('').sk || !pk?.startsWith(jobPrefix) || status === undefined || createdAt === undefined) return item;
  if (isTerminal(status as JobStatus) || item[TABLE.gsi2.partitionKey] !== undefined) return item;
  const inFlight = keys.jobInFlight(status, createdAt, pk.slice(jobPrefix.length));
  return { ...item, [TABLE.gsi2.partitionKey]: { S: inFlight.gsi2pk }, [TABLE.gsi2.sortKey]: { S: inFlight.gsi2sk } };
}
