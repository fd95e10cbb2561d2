import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import type { ApiKeyRecord } from '../../../functions/keys/api-key';
import type { Job } from '../../../functions/jobs/job';
import { keys } from '../../../lib/config/table-design';

/** SDK mocks shared by the handler tests: they replace `send` on every client, including module singletons. */
export const ddb = mockClient(DynamoDBDocumentClient);
export const s3mock = mockClient(S3Client);

export const ALICE = 'key-alice';
export const MALLORY = 'key-mallory';

export function resetMocks(): void {
  ddb.reset();
  s3mock.reset();
}

/** Registers the KEY# record the handlers read the tier from. */
export function givenKey(apiKeyId: string, tier: ApiKeyRecord['tier'], extra: Partial<ApiKeyRecord> = {}): void {
  ddb.on(GetCommand, { Key: keys.apiKey(apiKeyId) }).resolves({
    Item: { ...keys.apiKey(apiKeyId), apiKeyId, name: apiKeyId, tier, createdAt: '2026-01-01T00:00:00.000Z', ...extra },
  });
}

/** Registers a stored job item. */
export function givenJob(job: Job): void {
  ddb.on(GetCommand, { Key: keys.job(job.jobId) }).resolves({
    Item: { ...job, ...keys.job(job.jobId), ...keys.jobHistory(job.ownerId, job.createdAt, job.jobId) },
  });
}

/** Every write the handlers could make: a refused request must have made none of them. */
export function writeCalls(): number {
  const writes = new Set(['PutCommand', 'UpdateCommand', 'DeleteCommand', 'BatchWriteCommand']);
  const s3Writes = new Set(['PutObjectCommand', 'DeleteObjectCommand', 'DeleteObjectsCommand']);
  return (
    ddb.calls().filter((c) => writes.has(c.args[0].constructor.name)).length +
    s3mock.calls().filter((c) => s3Writes.has(c.args[0].constructor.name)).length
  );
}
