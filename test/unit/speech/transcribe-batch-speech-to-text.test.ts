import { GetObjectCommand, type GetObjectCommandOutput, S3Client } from '@aws-sdk/client-s3';
import {
  BadRequestException,
  ConflictException,
  GetTranscriptionJobCommand,
  LimitExceededException,
  StartTranscriptionJobCommand,
  TranscribeClient,
} from '@aws-sdk/client-transcribe';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { TranscribeBatchSpeechToText } from '../../../functions/speech/aws/transcribe-batch-speech-to-text';
import { PipelineFailureError, RetryableError } from '../../../functions/shared/errors';

const transcribeMock = mockClient(TranscribeClient);
const s3Mock = mockClient(S3Client);

const WORK_BUCKET = 'work-bucket';
const request = {
  jobId: '01JOB',
  audio: { bucket: WORK_BUCKET, key: 'normalized/01JOB.wav' },
  candidates: ['en', 'es', 'fr'] as const,
};

function adapter() {
  return new TranscribeBatchSpeechToText(new TranscribeClient({}), new S3Client({}), { outputBucket: WORK_BUCKET, stage: 'dev' });
}

/** The slice of the SDK's streaming body the adapter uses. */
function body(text: string): GetObjectCommandOutput['Body'] {
  return { transformToString: async () => text } as unknown as GetObjectCommandOutput['Body'];
}

beforeEach(() => {
  transcribeMock.reset();
  s3Mock.reset();
});

describe('TranscribeBatchSpeechToText.start', () => {
  it('starts a job named after the stage and job id, identifying the language among the candidates, output to the work bucket', async () => {
    transcribeMock.on(StartTranscriptionJobCommand).resolves({});

    await adapter().start(request);

    expect(transcribeMock.commandCalls(StartTranscriptionJobCommand)[0]?.args[0].input).toEqual({
      TranscriptionJobName: 'vnt-dev-01JOB',
      Media: { MediaFileUri: 's3://work-bucket/normalized/01JOB.wav' },
      MediaFormat: 'wav',
      MediaSampleRateHertz: 16_000,
      OutputBucketName: WORK_BUCKET,
      OutputKey: 'transcripts/01JOB.json',
      IdentifyLanguage: true,
      LanguageOptions: ['en-US', 'es-US', 'fr-FR'],
    });
  });

  it('pins the language to the hint', async () => {
    transcribeMock.on(StartTranscriptionJobCommand).resolves({});

    await adapter().start({ ...request, languageHint: 'de' });

    const input = transcribeMock.commandCalls(StartTranscriptionJobCommand)[0]?.args[0].input;
    expect(input).toMatchObject({ LanguageCode: 'de-DE' });
    expect(input?.IdentifyLanguage).toBeUndefined();
    expect(input?.LanguageOptions).toBeUndefined();
  });

  it('fails UNSUPPORTED_LANGUAGE for a hint Transcribe cannot hear, without calling it', async () => {
    await expect(adapter().start({ ...request, languageHint: 'mt' })).rejects.toMatchObject({ code: 'UNSUPPORTED_LANGUAGE' });
    expect(transcribeMock.commandCalls(StartTranscriptionJobCommand)).toHaveLength(0);
  });

  it('treats ConflictException (job name exists) as already started', async () => {
    transcribeMock.on(StartTranscriptionJobCommand).rejects(new ConflictException({ message: 'The requested job name already exists.', $metadata: {} }));

    await expect(adapter().start(request)).resolves.toBeUndefined();
  });

  it('turns LimitExceededException and ThrottlingException into RetryableError ENGINE_THROTTLED', async () => {
    transcribeMock
      .on(StartTranscriptionJobCommand)
      .rejectsOnce(new LimitExceededException({ message: 'limit', $metadata: {} }))
      .rejectsOnce(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' }));

    for (let attempt = 0; attempt < 2; attempt++) {
      const error = await adapter().start(request).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(RetryableError);
      expect(error).toMatchObject({ name: 'ENGINE_THROTTLED' });
    }
  });

  it('a BadRequest is a TRANSCRIPTION_FAILED pipeline failure', async () => {
    transcribeMock.on(StartTranscriptionJobCommand).rejects(new BadRequestException({ message: 'bad media', $metadata: {} }));

    await expect(adapter().start(request)).rejects.toMatchObject({ code: 'TRANSCRIPTION_FAILED' });
  });
});

describe('TranscribeBatchSpeechToText.fetch', () => {
  it('IN_PROGRESS while queued or running', async () => {
    transcribeMock.on(GetTranscriptionJobCommand).resolves({ TranscriptionJob: { TranscriptionJobStatus: 'QUEUED' } });

    await expect(adapter().fetch('01JOB')).resolves.toEqual({ status: 'IN_PROGRESS' });
    expect(transcribeMock.commandCalls(GetTranscriptionJobCommand)[0]?.args[0].input).toEqual({ TranscriptionJobName: 'vnt-dev-01JOB' });
  });

  it('COMPLETED reads the transcript JSON from the work bucket and maps the identified locale', async () => {
    transcribeMock
      .on(GetTranscriptionJobCommand)
      .resolves({ TranscriptionJob: { TranscriptionJobStatus: 'COMPLETED', LanguageCode: 'es-US' } });
    s3Mock
      .on(GetObjectCommand, { Bucket: WORK_BUCKET, Key: 'transcripts/01JOB.json' })
      .resolves({ Body: body(JSON.stringify({ results: { transcripts: [{ transcript: 'Hola, ¿qué tal?' }] } })) });

    await expect(adapter().fetch('01JOB')).resolves.toEqual({
      status: 'COMPLETED',
      transcript: { text: 'Hola, ¿qué tal?', languageCode: 'es' },
    });
  });

  it('FAILED carries Transcribe’s reason', async () => {
    transcribeMock
      .on(GetTranscriptionJobCommand)
      .resolves({ TranscriptionJob: { TranscriptionJobStatus: 'FAILED', FailureReason: 'Unsupported audio' } });

    await expect(adapter().fetch('01JOB')).resolves.toEqual({ status: 'FAILED', reason: 'Unsupported audio' });
  });

  it('throttled polling is retryable', async () => {
    transcribeMock.on(GetTranscriptionJobCommand).rejects(new LimitExceededException({ message: 'limit', $metadata: {} }));

    await expect(adapter().fetch('01JOB')).rejects.toMatchObject({ name: 'ENGINE_THROTTLED' });
  });

  it('an identified language outside ours fails UNSUPPORTED_LANGUAGE', async () => {
    transcribeMock
      .on(GetTranscriptionJobCommand)
      .resolves({ TranscriptionJob: { TranscriptionJobStatus: 'COMPLETED', LanguageCode: 'gd-GB' } });
    s3Mock.on(GetObjectCommand).resolves({ Body: body('{"results":{"transcripts":[{"transcript":"x"}]}}') });

    const error = await adapter().fetch('01JOB').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PipelineFailureError);
    expect(error).toMatchObject({ code: 'UNSUPPORTED_LANGUAGE' });
  });
});
