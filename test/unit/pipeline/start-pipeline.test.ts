import './pipeline-env';
import { ExecutionAlreadyExists, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { SQSEvent } from 'aws-lambda';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { handler, NOT_STARTED_MESSAGE } from '../../../functions/pipeline/start-pipeline';
import { metrics } from '../../../functions/shared/powertools';
import { METRICS } from '../../../lib/config/metric-names';
import { keys } from '../../../lib/config/table-design';
import { lambdaContext } from '../../events/lambda-context';
import {
  ddb,
  givenJob,
  JOB_ID,
  job,
  jobUpdates,
  jobWritesConflict,
  jobWritesSucceed,
  OWNER,
  quotaRefunds,
  resetMocks,
  statsUpdates,
  sfn,
  UPLOADS_BUCKET,
} from './pipeline-mocks';
import { PIPELINE_TEST_ENV } from './pipeline-env';

const KEY = `uploads/${OWNER}/${JOB_ID}`;

function objectCreated(key = KEY, bucket = UPLOADS_BUCKET) {
  return { version: '0', source: 'aws.s3', 'detail-type': 'Object Created', detail: { bucket: { name: bucket }, object: { key, size: 1234 } } };
}

function sqsEvent(...bodies: unknown[]): SQSEvent {
  return {
    Records: bodies.map((body, i) => ({
      messageId: `m${i}`,
      receiptHandle: `r${i}`,
      body: typeof body === 'string' ? body : JSON.stringify(body),
      attributes: {} as never,
      messageAttributes: {},
      md5OfBody: '',
      eventSource: 'aws:sqs',
      eventSourceARN: 'arn:aws:sqs:us-east-1:123456789012:intake',
      awsRegion: 'us-east-1',
    })),
  };
}

const start = (event: SQSEvent) => handler(event, lambdaContext());

beforeEach(() => {
  resetMocks();
  givenJob(job({ status: 'awaiting_upload', sourceLanguage: 'en' }));
  jobWritesSucceed(job({ sourceLanguage: 'en' }));
  sfn.on(StartExecutionCommand).resolves({ executionArn: `arn:aws:states:us-east-1:123456789012:execution:p:${JOB_ID}`, startDate: new Date() });
});

describe('start-pipeline', () => {
  it('queues the job and starts an execution named after it, with an input derived from the job only', async () => {
    const result = await start(sqsEvent(objectCreated()));

    expect(result).toEqual({ batchItemFailures: [] });
    expect(jobUpdates()).toEqual([expect.objectContaining({ status: 'queued' })]);
    const [call] = sfn.commandCalls(StartExecutionCommand);
    expect(call?.args[0].input).toEqual({
      stateMachineArn: PIPELINE_TEST_ENV.STATE_MACHINE_ARN,
      name: JOB_ID,
      input: JSON.stringify({ jobId: JOB_ID, upload: { bucket: UPLOADS_BUCKET, key: KEY }, targetLanguage: 'es', languageHint: 'en' }),
    });
  });

  it('accepts classic S3 notification records with URL-encoded keys', async () => {
    const record = { eventName: 'ObjectCreated:Post', s3: { bucket: { name: UPLOADS_BUCKET }, object: { key: KEY.replaceAll('/', '%2F'), size: 1 } } };

    await expect(start(sqsEvent({ Records: [record] }))).resolves.toEqual({ batchItemFailures: [] });
    expect(sfn.commandCalls(StartExecutionCommand)).toHaveLength(1);
  });

  it('acknowledges the S3 test event without starting anything', async () => {
    await expect(start(sqsEvent({ Service: 'Amazon S3', Event: 's3:TestEvent', Bucket: UPLOADS_BUCKET }))).resolves.toEqual({
      batchItemFailures: [],
    });
    expect(sfn.calls()).toHaveLength(0);
  });

  it.each([
    ['a key outside uploads/<owner>/<job>', objectCreated('uploads/whatever.m4a')],
    ['an upload for an unknown job', objectCreated(`uploads/${OWNER}/1c2d3e4f-5a6b-4c7d-9e8f-a0b1c2d3e4f5`)],
    ['an upload under another owner than the job’s', objectCreated(`uploads/key-mallory/${JOB_ID}`)],
  ])('ignores %s (logged, not retried)', async (_, body) => {
    await expect(start(sqsEvent(body))).resolves.toEqual({ batchItemFailures: [] });
    expect(ddb.commandCalls(UpdateCommand)).toHaveLength(0);
    expect(sfn.calls()).toHaveLength(0);
  });

  it('treats a notification for a job already past queued as a duplicate', async () => {
    givenJob(job({ status: 'transcribing' }));

    await expect(start(sqsEvent(objectCreated()))).resolves.toEqual({ batchItemFailures: [] });
    expect(ddb.commandCalls(UpdateCommand)).toHaveLength(0);
    expect(sfn.calls()).toHaveLength(0);
  });

  it('treats a job that moved on between read and write as a duplicate', async () => {
    jobWritesConflict();

    await expect(start(sqsEvent(objectCreated()))).resolves.toEqual({ batchItemFailures: [] });
    expect(sfn.calls()).toHaveLength(0);
  });

  it('treats ExecutionAlreadyExists as the duplicate it is', async () => {
    givenJob(job({ status: 'queued' }));
    sfn.on(StartExecutionCommand).rejects(new ExecutionAlreadyExists({ message: 'Execution already exists', $metadata: {} }));

    await expect(start(sqsEvent(objectCreated()))).resolves.toEqual({ batchItemFailures: [] });
  });

  it('reports only the failed messages of a batch, so only they are retried', async () => {
    sfn.on(StartExecutionCommand).rejects(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' }));

    const result = await start(sqsEvent(objectCreated(), 'not json', { unexpected: true }, { Event: 's3:TestEvent' }));

    expect(result).toEqual({ batchItemFailures: [{ itemIdentifier: 'm0' }, { itemIdentifier: 'm1' }, { itemIdentifier: 'm2' }] });
  });

  it('refuses an event that is not an SQS batch', async () => {
    await expect(start({ hello: 'world' } as never)).rejects.toMatchObject({ name: 'VALIDATION_ERROR' });
  });
});

describe('start-pipeline on the last delivery', () => {
  function lastDelivery(event: SQSEvent): SQSEvent {
    return { Records: event.Records.map((r) => ({ ...r, attributes: { ApproximateReceiveCount: '3' } as never })) };
  }

  it('fails the job when its execution still cannot be started, so it never waits in queued forever', async () => {
    sfn.on(StartExecutionCommand).rejects(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' }));

    const result = await start(lastDelivery(sqsEvent(objectCreated())));

    // Still reported, so the message lands in the DLQ for operators.
    expect(result).toEqual({ batchItemFailures: [{ itemIdentifier: 'm0' }] });
    expect(jobUpdates()).toEqual([
      expect.objectContaining({ status: 'queued' }),
      expect.objectContaining({ status: 'failed', error: { code: 'INTERNAL_ERROR', message: NOT_STARTED_MESSAGE } }),
    ]);
  });

  it('counts the intake failure in the stats and the failed-notes metric', async () => {
    sfn.on(StartExecutionCommand).rejects(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' }));
    ddb.on(UpdateCommand, { Key: keys.stats() }).resolves({});
    const addMetric = vi.spyOn(metrics, 'addMetric');

    await start(lastDelivery(sqsEvent(objectCreated())));

    const stats = statsUpdates();
    expect(stats).toHaveLength(1);
    expect(Object.values(stats[0]!.args[0].input.ExpressionAttributeNames!)).toEqual(['notesFailed', 'failed:INTERNAL_ERROR']);
    expect(addMetric).toHaveBeenCalledWith(METRICS.names.notesFailed, 'Count', 1);
    // Nothing was processed: the upload's quota unit is given back.
    expect(quotaRefunds()).toEqual([keys.usage(OWNER, job().createdAt.slice(0, 10))]);
  });

  it('leaves the job queued on an earlier delivery, for the retry', async () => {
    sfn.on(StartExecutionCommand).rejects(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' }));

    await start(sqsEvent(objectCreated()));

    expect(jobUpdates()).toEqual([expect.objectContaining({ status: 'queued' })]);
  });
});
