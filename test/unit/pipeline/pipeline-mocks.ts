import { ApiGatewayManagementApiClient, PostToConnectionCommand } from '@aws-sdk/client-apigatewaymanagementapi';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { SFNClient } from '@aws-sdk/client-sfn';
import { TranscribeClient } from '@aws-sdk/client-transcribe';
import { TranslateClient } from '@aws-sdk/client-translate';
import { DynamoDBDocumentClient, GetCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import type { Job } from '../../../functions/jobs/job';
import { job as storedJob, JOB_ID, OWNER } from '../jobs/fixtures';
import { keys } from '../../../lib/config/table-design';
import { PIPELINE_TEST_ENV } from './pipeline-env';

/** SDK mocks shared by the pipeline tests: they replace `send` on every client, module singletons included. */
export const ddb = mockClient(DynamoDBDocumentClient);
export const s3mock = mockClient(S3Client);
export const sfn = mockClient(SFNClient);
export const websocket = mockClient(ApiGatewayManagementApiClient);
export const transcribe = mockClient(TranscribeClient);
export const translateMock = mockClient(TranslateClient);

export const TABLE = PIPELINE_TEST_ENV.TABLE_NAME;
export const WORK_BUCKET = PIPELINE_TEST_ENV.WORK_BUCKET;
export const UPLOADS_BUCKET = PIPELINE_TEST_ENV.UPLOADS_BUCKET;
export { JOB_ID, OWNER };

/**
 * Resets every mock to the quiet defaults of a healthy table: no subscribers to push progress to, writes
 * succeed. Tests then register what their case needs.
 */
export function resetMocks(): void {
  for (const mock of [ddb, s3mock, sfn, websocket, transcribe, translateMock]) mock.reset();
  ddb.on(QueryCommand).resolves({ Items: [] });
  ddb.on(GetCommand).resolves({});
}

/** A stored job as the repository returns it; the pipeline's cases translate into Spanish by default. */
export function job(overrides: Partial<Job> = {}): Job {
  return storedJob({ targetLanguage: 'es', expiresAt: Math.floor(Date.now() / 1000) + 7 * 86_400, ...overrides });
}

/** The stored item for a job (a GetItem answer). */
export function givenJob(stored: Job): void {
  ddb.on(GetCommand, { Key: keys.job(stored.jobId) }).resolves({ Item: { ...stored, ...keys.job(stored.jobId) } });
}

/** Conditional job writes succeed and return the job with what they SET (status, result, …). */
export function jobWritesSucceed(base: Job = job()): void {
  ddb
    .on(UpdateCommand, { Key: keys.job(base.jobId) })
    .callsFake((input: Parameters<typeof setFields>[0]) => ({ Attributes: { ...base, ...keys.job(base.jobId), ...setFields(input) } }));
}

/** Conditional job writes fail: the job is terminal, moved on, or gone. */
export function jobWritesConflict(jobId = JOB_ID): void {
  ddb
    .on(UpdateCommand, { Key: keys.job(jobId) })
    .rejects(new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} }));
}

/** The values an UpdateExpression `SET #f0 = :v0, …` assigns, by attribute name. */
export function setFields(input: {
  ExpressionAttributeNames?: Record<string, string>;
  ExpressionAttributeValues?: Record<string, unknown>;
  UpdateExpression?: string;
}): Record<string, unknown> {
  const fields: Record<string, unknown> = {};
  const assignments = /SET (.*)$/.exec(input.UpdateExpression ?? '')?.[1] ?? '';
  for (const part of assignments.split(',')) {
    const [name, value] = part.split('=').map((s) => s.trim());
    if (name && value && input.ExpressionAttributeNames?.[name] && value in (input.ExpressionAttributeValues ?? {})) {
      fields[input.ExpressionAttributeNames[name]] = input.ExpressionAttributeValues![value];
    }
  }
  return fields;
}

/** The WebSocket messages posted to `connectionId`, parsed. */
export function postedMessages(connectionId: string): Record<string, unknown>[] {
  return websocket
    .commandCalls(PostToConnectionCommand)
    .filter((call) => call.args[0].input.ConnectionId === connectionId)
    .map((call) => JSON.parse(Buffer.from(call.args[0].input.Data as Uint8Array).toString()) as Record<string, unknown>);
}

/** UpdateCommands on the `/stats` totals item. */
export function statsUpdates() {
  return ddb.commandCalls(UpdateCommand).filter((call) => call.args[0].input.Key?.pk === keys.stats().pk);
}

/** Quota units given back: the usage meter items decremented, as their keys. */
export function quotaRefunds(): Record<string, unknown>[] {
  return ddb
    .commandCalls(UpdateCommand)
    .filter((call) => String(call.args[0].input.Key?.pk).startsWith('USAGE#') && call.args[0].input.UpdateExpression?.includes(':minusOne'))
    .map((call) => call.args[0].input.Key!);
}

/** Job updates (UpdateCommand on the job item) in call order, as the fields they SET. */
export function jobUpdates(jobId = JOB_ID): Record<string, unknown>[] {
  return ddb
    .commandCalls(UpdateCommand)
    .filter((call) => JSON.stringify(call.args[0].input.Key) === JSON.stringify(keys.job(jobId)))
    .map((call) => setFields(call.args[0].input as Parameters<typeof setFields>[0]));
}
