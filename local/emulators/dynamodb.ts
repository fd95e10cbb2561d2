import type { Server } from 'node:http';
import {
  CreateTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  ResourceNotFoundException,
} from '@aws-sdk/client-dynamodb';
import dynalite from 'dynalite';
import { TABLE } from '../../lib/config/table-design';
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
  try {
    await client.send(new DescribeTableCommand({ TableName: tableName }));
    return;
  } catch (error) {
    if (!(error instanceof ResourceNotFoundException)) throw error;
  }
  const { partitionKey, sortKey, gsi1 } = TABLE;
  await client.send(
    new CreateTableCommand({
      TableName: tableName,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [partitionKey, sortKey, gsi1.partitionKey, gsi1.sortKey].map((name) => ({
        AttributeName: name,
        AttributeType: 'S',
      })),
      KeySchema: [
        { AttributeName: partitionKey, KeyType: 'HASH' },
        { AttributeName: sortKey, KeyType: 'RANGE' },
      ],
      GlobalSecondaryIndexes: [
        {
          IndexName: gsi1.name,
          KeySchema: [
            { AttributeName: gsi1.partitionKey, KeyType: 'HASH' },
            { AttributeName: gsi1.sortKey, KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'ALL' },
        },
      ],
    }),
  );
}
