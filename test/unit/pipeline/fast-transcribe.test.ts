import './pipeline-env';
import { createReadStream } from 'node:fs';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import {
  type AudioStream,
  StartStreamTranscriptionCommand,
  TranscribeStreamingClient,
} from '@aws-sdk/client-transcribe-streaming';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { FfmpegAudioTools } from '../../../functions/audio/ffmpeg-audio-tools';
import { jobLifecycleFromEnv } from '../../../functions/pipeline/common/job-lifecycle-from-env';
import { objectStoreFromEnv } from '../../../functions/pipeline/common/object-store';
import { fastTranscribe, handler } from '../../../functions/pipeline/fast-transcribe';
import { speechRecognitionServiceFromEnv } from '../../../functions/speech/engines';
import { makeSpeechWithPauses } from '../../helpers/audio-fixtures';
import { lambdaContext } from '../../events/lambda-context';
import { JOB_ID, job, jobUpdates, jobWritesConflict, jobWritesSucceed, resetMocks, s3mock, WORK_BUCKET } from './pipeline-mocks';

const streaming = mockClient(TranscribeStreamingClient);
const input = { jobId: JOB_ID, normalizedKey: `normalized/${JOB_ID}.wav`, languageHint: null };
const PHRASE = 'go forward ten meters';

let dir: string;
let wav: string;
/** Bytes of audio each stream received, in call order. */
let streamedBytes: number[];

/** Transcribe streaming: reads the whole audio stream, then answers one final result. */
function streamingAnswers(text = PHRASE): void {
  streaming.on(StartStreamTranscriptionCommand).callsFake(async (request: { AudioStream: AsyncIterable<AudioStream> }) => {
    let bytes = 0;
    for await (const event of request.AudioStream) bytes += event.AudioEvent?.AudioChunk?.length ?? 0;
    streamedBytes.push(bytes);
    return {
      LanguageCode: undefined,
      TranscriptResultStream: (async function* () {
        yield { TranscriptEvent: { Transcript: { Results: [{ IsPartial: true, Alternatives: [{ Transcript: 'go for' }] }] } } };
        yield {
          TranscriptEvent: { Transcript: { Results: [{ IsPartial: false, Alternatives: [{ Transcript: text }], LanguageCode: 'en-US' }] } },
        };
      })(),
    };
  });
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'vnt-unit-fast-'));
  // Three phrases with a second of silence between them: ~10.5 s, so two or more chunks of ~6 s.
  wav = await makeSpeechWithPauses(dir);
});
afterAll(() => rm(dir, { recursive: true, force: true }));

beforeEach(() => {
  resetMocks();
  streaming.reset();
  streamedBytes = [];
  jobWritesSucceed(job({ status: 'transcribing' }));
  s3mock.on(GetObjectCommand, { Bucket: WORK_BUCKET, Key: input.normalizedKey }).callsFake(() => ({ Body: createReadStream(wav) as never }));
  streamingAnswers();
});

describe('fast-transcribe', () => {
  it('splits the note at pauses, streams every chunk and joins the text in order', async () => {
    const output = await handler(input, lambdaContext());

    expect(jobUpdates()).toEqual([expect.objectContaining({ status: 'transcribing' })]);
    expect(streamedBytes.length).toBeGreaterThanOrEqual(2);
    // Every sample of the note was sent once: the chunks cover the audio exactly.
    const pcmBytes = streamedBytes.reduce((a, b) => a + b, 0);
    expect(pcmBytes / 32_000).toBeCloseTo(10.5, 0);
    expect(output).toEqual({
      text: Array(streamedBytes.length).fill(PHRASE).join(' '),
      languageCode: 'en',
      transcribeMs: expect.any(Number),
    });
  });

  it('fails with NO_SPEECH when no chunk has words', async () => {
    streaming.reset();
    streamingAnswers('');

    await expect(handler(input, lambdaContext())).rejects.toMatchObject({ name: 'NO_SPEECH' });
  });

  it('reports streaming throttling as ENGINE_THROTTLED for the state machine to back off', async () => {
    streaming.on(StartStreamTranscriptionCommand).rejects(Object.assign(new Error('Too many streams'), { name: 'LimitExceededException' }));

    await expect(handler(input, lambdaContext())).rejects.toMatchObject({ name: 'ENGINE_THROTTLED' });
  });

  it('stops when the job is no longer in flight', async () => {
    jobWritesConflict();

    await expect(handler(input, lambdaContext())).rejects.toMatchObject({ name: 'JOB_NOT_ACTIVE' });
    expect(streaming.calls()).toHaveLength(0);
  });

  it('leaves no audio behind in the temp directory', async () => {
    const tempDir = await mkdtemp(path.join(dir, 'tmp-'));
    const task = fastTranscribe({
      lifecycle: jobLifecycleFromEnv(),
      objects: objectStoreFromEnv(),
      audio: new FfmpegAudioTools(),
      speech: speechRecognitionServiceFromEnv(),
      workBucket: WORK_BUCKET,
      tempDir,
    });

    await task(input);

    expect(await readdir(tempDir)).toEqual([]);
  });
});
