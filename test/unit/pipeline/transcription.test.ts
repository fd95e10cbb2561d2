import './pipeline-env';
import { Readable } from 'node:stream';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { SendTaskFailureCommand, SendTaskSuccessCommand, TaskTimedOut } from '@aws-sdk/client-sfn';
import { GetTranscriptionJobCommand, StartTranscriptionJobCommand } from '@aws-sdk/client-transcribe';
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { beforeEach, describe, expect, it } from 'vitest';
import { handler as fetchTranscription } from '../../../functions/pipeline/fetch-transcription';
import { handler as startTranscription } from '../../../functions/pipeline/start-transcription';
import { handler as transcribeEvents } from '../../../functions/pipeline/transcribe-events';
import { keys } from '../../../lib/config/table-design';
import { lambdaContext } from '../../events/lambda-context';
import {
  ddb,
  JOB_ID,
  job,
  jobUpdates,
  jobWritesConflict,
  jobWritesSucceed,
  resetMocks,
  s3mock,
  sfn,
  transcribe,
  WORK_BUCKET,
} from './pipeline-mocks';

const TOKEN = 'AAAAKgAAAAIAAAAAAAAAAQ-task-token';
/** pipeline-env sets STAGE=test: this stage's Transcribe job names are `vnt-test-<jobId>`. */
const JOB_NAME = `vnt-test-${JOB_ID}`;
const STARTED_AT = new Date(Date.now() - 4000).toISOString();

const throttling = () => Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' });

function givenCallback(): void {
  ddb.on(GetCommand, { Key: keys.transcriptionCallback(JOB_ID) }).resolves({
    Item: { ...keys.transcriptionCallback(JOB_ID), taskToken: TOKEN, startedAt: STARTED_AT },
  });
}

/** Transcribe's view of the job, and the transcript JSON it wrote to the work bucket. */
function givenTranscribeJob(status: 'IN_PROGRESS' | 'COMPLETED' | 'FAILED', transcript = 'go forward ten meters'): void {
  transcribe.on(GetTranscriptionJobCommand, { TranscriptionJobName: JOB_NAME }).resolves({
    TranscriptionJob: {
      TranscriptionJobName: JOB_NAME,
      TranscriptionJobStatus: status,
      LanguageCode: 'en-US',
      ...(status === 'FAILED' ? { FailureReason: 'The media format is not supported.' } : {}),
    },
  });
  s3mock.on(GetObjectCommand, { Bucket: WORK_BUCKET, Key: `transcripts/${JOB_ID}.json` }).callsFake(() => ({
    Body: Object.assign(Readable.from([JSON.stringify({ results: { transcripts: [{ transcript }] } })]), {
      transformToString: async () => JSON.stringify({ results: { transcripts: [{ transcript }] } }),
    }),
  }));
}

function event(status: 'COMPLETED' | 'FAILED', name = JOB_NAME) {
  return {
    version: '0',
    id: 'ev-1',
    'detail-type': 'Transcribe Job State Change',
    source: 'aws.transcribe',
    account: '123456789012',
    time: '2026-03-14T12:00:00Z',
    region: 'us-east-1',
    resources: [],
    detail: { TranscriptionJobName: name, TranscriptionJobStatus: status },
  };
}

beforeEach(() => {
  resetMocks();
  jobWritesSucceed(job({ status: 'transcribing' }));
  ddb.on(PutCommand).resolves({});
  transcribe.on(StartTranscriptionJobCommand).resolves({});
  sfn.on(SendTaskSuccessCommand).resolves({});
  sfn.on(SendTaskFailureCommand).resolves({});
});

describe('start-transcription (batch path, .waitForTaskToken)', () => {
  const input: { jobId: string; normalizedKey: string; languageHint: string | null; taskToken: string } = {
    jobId: JOB_ID,
    normalizedKey: `normalized/${JOB_ID}.wav`,
    languageHint: null,
    taskToken: TOKEN,
  };
  const start = (overrides: Partial<typeof input> = {}) => startTranscription({ ...input, ...overrides }, lambdaContext());

  it('stores the task token first, then starts a Transcribe job named after the job with language identification', async () => {
    await expect(start()).resolves.toEqual({ started: true });

    expect(jobUpdates()).toEqual([expect.objectContaining({ status: 'transcribing' })]);
    const [put] = ddb.commandCalls(PutCommand);
    expect(put?.args[0].input.Item).toMatchObject({ ...keys.transcriptionCallback(JOB_ID), taskToken: TOKEN, startedAt: expect.any(String) });
    const [startJob] = transcribe.commandCalls(StartTranscriptionJobCommand);
    expect(startJob?.args[0].input).toMatchObject({
      TranscriptionJobName: JOB_NAME,
      Media: { MediaFileUri: `s3://${WORK_BUCKET}/normalized/${JOB_ID}.wav` },
      OutputBucketName: WORK_BUCKET,
      IdentifyLanguage: true,
    });
    // The token is in the table before Transcribe can finish.
    expect(put!.calledBefore(startJob! as never)).toBe(true);
  });

  it('pins the language when the caller gave a hint', async () => {
    await start({ languageHint: 'es' });

    expect(transcribe.commandCalls(StartTranscriptionJobCommand)[0]?.args[0].input).toMatchObject({ LanguageCode: 'es-US' });
  });

  it('reports Transcribe throttling as ENGINE_THROTTLED for the state machine to back off', async () => {
    transcribe.on(StartTranscriptionJobCommand).rejects(throttling());

    await expect(start()).rejects.toMatchObject({ name: 'ENGINE_THROTTLED' });
  });

  it('stops when the job is no longer in flight', async () => {
    jobWritesConflict();

    await expect(start()).rejects.toMatchObject({ name: 'JOB_NOT_ACTIVE' });
    expect(transcribe.calls()).toHaveLength(0);
  });
});

describe('transcribe-events (EventBridge → SendTaskSuccess/Failure)', () => {
  const deliver = (e: ReturnType<typeof event>) => transcribeEvents(e, lambdaContext());

  it('completes the waiting task with the transcript and how long Transcribe took', async () => {
    givenCallback();
    givenTranscribeJob('COMPLETED');

    await expect(deliver(event('COMPLETED'))).resolves.toBe('success');

    const [success] = sfn.commandCalls(SendTaskSuccessCommand);
    expect(success?.args[0].input.taskToken).toBe(TOKEN);
    expect(JSON.parse(success!.args[0].input.output!)).toEqual({
      text: 'go forward ten meters',
      languageCode: 'en',
      transcribeMs: expect.toSatisfy((ms: number) => ms >= 4000),
    });
  });

  it('fails the waiting task with TRANSCRIPTION_FAILED when the job failed', async () => {
    givenCallback();
    givenTranscribeJob('FAILED');

    await expect(deliver(event('FAILED'))).resolves.toBe('failure');

    expect(sfn.commandCalls(SendTaskFailureCommand)[0]?.args[0].input).toEqual({
      taskToken: TOKEN,
      error: 'TRANSCRIPTION_FAILED',
      cause: expect.stringContaining('The media format is not supported.'),
    });
  });

  it('fails the waiting task with NO_SPEECH when Transcribe heard nothing', async () => {
    givenCallback();
    givenTranscribeJob('COMPLETED', '   ');

    await deliver(event('COMPLETED'));

    expect(sfn.commandCalls(SendTaskFailureCommand)[0]?.args[0].input).toMatchObject({ error: 'NO_SPEECH' });
  });

  it('ignores events for jobs that are not ours or have no waiting task', async () => {
    await expect(deliver(event('COMPLETED', 'someone-elses-job'))).resolves.toBe('not-ours');
    await expect(deliver(event('COMPLETED'))).resolves.toBe('not-ours');
    expect(sfn.calls()).toHaveLength(0);
  });

  it('ignores another stage’s job in the same account, even when this stage waits on the same job id', async () => {
    givenCallback();

    await expect(deliver(event('COMPLETED', `vnt-prod-${JOB_ID}`))).resolves.toBe('not-ours');
    expect(transcribe.calls()).toHaveLength(0);
    expect(sfn.calls()).toHaveLength(0);
  });

  it('drops a late or repeated event whose task is already closed', async () => {
    givenCallback();
    givenTranscribeJob('COMPLETED');
    sfn.on(SendTaskSuccessCommand).rejects(new TaskTimedOut({ message: 'Task Timed Out', $metadata: {} }));

    await expect(deliver(event('COMPLETED'))).resolves.toBe('closed');
  });

  it('asks for a retry when the event overtakes the job status', async () => {
    givenCallback();
    givenTranscribeJob('IN_PROGRESS');

    await expect(deliver(event('COMPLETED'))).rejects.toMatchObject({ name: 'TRANSCRIPTION_PENDING' });
    expect(sfn.calls()).toHaveLength(0);
  });

  it('lets Step Functions API errors through so EventBridge retries the delivery', async () => {
    givenCallback();
    givenTranscribeJob('COMPLETED');
    sfn.on(SendTaskSuccessCommand).rejects(throttling());

    await expect(deliver(event('COMPLETED'))).rejects.toMatchObject({ name: 'ThrottlingException' });
  });
});

describe('fetch-transcription (fallback when the event is lost)', () => {
  const poll = () => fetchTranscription({ jobId: JOB_ID }, lambdaContext());

  it('asks to be retried while the job runs', async () => {
    givenTranscribeJob('IN_PROGRESS');

    await expect(poll()).rejects.toMatchObject({ name: 'TRANSCRIPTION_PENDING' });
  });

  it('returns the transcript once the job completed', async () => {
    givenCallback();
    givenTranscribeJob('COMPLETED');

    await expect(poll()).resolves.toEqual({
      text: 'go forward ten meters',
      languageCode: 'en',
      transcribeMs: expect.toSatisfy((ms: number) => ms >= 4000),
    });
  });

  it('fails with TRANSCRIPTION_FAILED when the job failed', async () => {
    givenTranscribeJob('FAILED');

    await expect(poll()).rejects.toMatchObject({ name: 'TRANSCRIPTION_FAILED' });
  });

  it('reports throttled polls as ENGINE_THROTTLED', async () => {
    transcribe.on(GetTranscriptionJobCommand).rejects(throttling());

    await expect(poll()).rejects.toMatchObject({ name: 'ENGINE_THROTTLED' });
  });
});
