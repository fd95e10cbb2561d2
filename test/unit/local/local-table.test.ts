/**
 * The local table follows the table design: a state directory made by a version with fewer indexes gets the
 * design's indexes at start, with its items kept and its jobs in flight in the in-flight index.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { CreateTableCommand, DescribeTableCommand, DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import dynalite from 'dynalite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoJobRepository } from '../../../functions/jobs/dynamo-job-repository';
import { keys, TABLE } from '../../../lib/config/table-design';
import { startDynamoDb } from '../../../local/emulators/dynamodb';
import { closeServer, listen } from '../../../local/http/server';
import { job } from '../jobs/fixtures';

const TABLE_NAME = 'vnt-local-migration';
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'vnt-local-table-'));
});

afterAll(() => rm(dir, { recursive: true, force: true }));

const clientFor = (endpoint: string) =>
  new DynamoDBClient({ endpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });

/** The table as an older version made it: GSI1 only, jobs without in-flight keys. */
async function givenOldTable(): Promise<void> {
  const server = dynalite({ path: dir, createTableMs: 0 });
  const port = await listen(server, 0, '127.0.0.1');
  const client = clientFor(`http://127.0.0.1:${port}`);
  try {
    await client.send(
      new CreateTableCommand({
        TableName: TABLE_NAME,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: ['pk', 'sk', 'gsi1pk', 'gsi1sk'].map((name) => ({ AttributeName: name, AttributeType: 'S' })),
        KeySchema: [
          { AttributeName: 'pk', KeyType: 'HASH' },
          { AttributeName: 'sk', KeyType: 'RANGE' },
        ],
        GlobalSecondaryIndexes: [
          {
            IndexName: 'gsi1',
            KeySchema: [
              { AttributeName: 'gsi1pk', KeyType: 'HASH' },
              { AttributeName: 'gsi1sk', KeyType: 'RANGE' },
            ],
            Projection: { ProjectionType: 'ALL' },
          },
        ],
      }),
    );
    const documents = DynamoDBDocumentClient.from(client);
    const expiresAt = Math.floor(Date.now() / 1000) + 86_400;
    for (const stored of [job({ jobId: 'stuck', status: 'transcribing', expiresAt }), job({ jobId: 'done', status: 'completed', expiresAt })]) {
      await documents.send(
        new PutCommand({ TableName: TABLE_NAME, Item: { ...stored, ...keys.job(stored.jobId), ...keys.jobHistory(stored.ownerId, stored.createdAt, stored.jobId) } }),
      );
    }
    await documents.send(new PutCommand({ TableName: TABLE_NAME, Item: { ...keys.stats(), notes: 7 } }));
  } finally {
    client.destroy();
    await closeServer(server);
  }
}

describe('the local table', () => {
  it('is rebuilt with the design’s indexes, keeping every item and indexing the jobs still in flight', async () => {
    await givenOldTable();

    const database = await startDynamoDb(dir, TABLE_NAME);
    const client = clientFor(database.endpoint);
    try {
      const { Table } = await client.send(new DescribeTableCommand({ TableName: TABLE_NAME }));
      expect(Table?.GlobalSecondaryIndexes?.map((index) => index.IndexName).sort()).toEqual([TABLE.gsi1.name, TABLE.gsi2.name]);
      const jobs = new DynamoJobRepository({ client: DynamoDBDocumentClient.from(client), tableName: TABLE_NAME });
      const inFlight: string[] = [];
      for await (const id of jobs.inFlightJobIds('transcribing')) inFlight.push(id);
      expect(inFlight).toEqual(['stuck']);
      expect(await jobs.get('done')).toMatchObject({ status: 'completed' });
      const { Count } = await client.send(new ScanCommand({ TableName: TABLE_NAME, Select: 'COUNT' }));
      expect(Count).toBe(3);
    } finally {
      client.destroy();
      await database.stop();
    }
  });
});
