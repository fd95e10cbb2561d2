import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DynamoDBClient, type DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { startDynamoDb } from '../../local/emulators/dynamodb';

export interface DynaliteTable {
  readonly tableName: string;
  /** A document client on the table's server, as the functions build theirs. */
  readonly documents: DynamoDBDocumentClient;
  stop(): Promise<void>;
}

/**
 * The single table on a dynalite server of its own, in a temporary directory, for integration tests that
 * need DynamoDB's real conditional writes. `client` options override the SDK client's (e.g. maxAttempts).
 */
export async function startDynaliteTable(tableName: string, client: Partial<DynamoDBClientConfig> = {}): Promise<DynaliteTable> {
  const stateDir = await mkdtemp(path.join(tmpdir(), `${tableName}-`));
  const database = await startDynamoDb(stateDir, tableName);
  const raw = new DynamoDBClient({
    endpoint: database.endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    ...client,
  });
  return {
    tableName,
    documents: DynamoDBDocumentClient.from(raw, { marshallOptions: { removeUndefinedValues: true } }),
    async stop() {
      raw.destroy();
      await database.stop();
      await rm(stateDir, { recursive: true, force: true });
    },
  };
}
