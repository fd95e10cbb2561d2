import './pipeline-env';
import { createReadStream } from 'node:fs';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import {
  type AudioStream,
  StartStreamTranscriptionCommand,
  TranscribeStreamingClient,
} from '@aws-sdk/client-transcribe-streaming';
import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { FfmpegAudioTools } from '../../../functions/audio/ffmpeg-audio-tools';
import { jobLifecycleFromEnv } from '../../../functions/pipeline/common/job-lifecycle-from-env';
import { objectStoreFromEnv } from '../../../functions/pipeline/common/object-store';
import { fastTranscribe, handler } from '../../../functions/pipeline/fast-transcribe';
import { TranscribeStreamingChunkSpeechToText } from '../../../functions/speech/aws/transcribe-streaming-chunk-speech-to-text';
import { streamLeaseStoreFromEnv } from '../../../functions/speech/dynamo-stream-lease-store';
import { createTranscribeEngines, setSpeechEnginesFactory, speechRecognitionServiceFromEnv } from '../../../functions/speech/engines';
import { StreamLeases } from '../../../functions/speech/stream-leases';
import { TRANSCRIBE_STREAMING } from '../../../lib/config/limits';
import { keys } from '../../../lib/config/table-design';
import { makeSpeechWithPauses } from '../../helpers/audio-fixtures';
import { lambdaContext } from '../../events/lambda-context';
import { ddb, JOB_ID, job, jobUpdates, jobWritesConflict, jobWritesSucceed, resetMocks, s3mock, WORK_BUCKET } from './pipeline-mocks';

const streaming = mockClient(TranscribeStreamingClient);
const input = { jobId: JOB_ID, normalizedKey: `normalized/${JOB_ID}.wav`, languageHint: null };
const PHRASE = 'go forward ten meters';

let dir: string;
let wav: string;
/** Bytes of audio each stream received, in call order. */
let streamedBytes: number[];

/** What happened, in order: lease writes and streams. */
let timeline: string[];

/** Transcribe streaming: reads the whole audio stream, then answers one final result. */
function streamingAnswers(text = PHRASE): void {
  streaming.on(StartStreamTranscriptionCommand).callsFake(async (request: { AudioStream: AsyncIterable<AudioStream> }) => {
    let bytes = 0;
    for await (const event of request.AudioStream) bytes += event.AudioEvent?.AudioChunk?.length ?? 0;
    streamedBytes.push(bytes);
    timeline.push('stream');
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

/** The lease item's writes: `add` (ADD … claims) and `remove` (DELETE … claims), with their values. */
const leaseWrites = () =>
  ddb
    .commandCalls(UpdateCommand)
    .filter((call) => JSON.stringify(call.args[0].input.Key) === JSON.stringify(keys.streamLease()))
    .map((call) => ({ op: call.args[0].input.UpdateExpression!.startsWith('ADD') ? 'add' : 'remove', values: call.args[0].input.ExpressionAttributeValues! }));

/** The stage's streams are all held by other notes whose claims are still live. */
function streamsAllTaken(): void {
  ddb.on(UpdateCommand, { Key: keys.streamLease() }).rejects(new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} }));
  const live = Math.floor(Date.now() / 1000) + 30;
  ddb.on(GetCommand, { Key: keys.streamLease() }).resolves({
    Item: { ...keys.streamLease(), inFlight: 12, claims: new Set([`${live}|5|other-a#1`, `${live}|5|other-b#2`, `${live}|2|other-c#3`]) },
  });
}

beforeAll(async () => {
  // The real streaming adapter on a clock that does not sleep: the schedule is tested in its own unit test.
  setSpeechEnginesFactory(async (settings) => ({
    ...(await createTranscribeEngines(settings)),
    chunk: new TranscribeStreamingChunkSpeechToText(new TranscribeStreamingClient({}), { clock: { now: () => 0, sleep: async () => undefined } }),
  }));
  dir = await mkdtemp(path.join(tmpdir(), 'vnt-unit-fast-'));
  // Three phrases with a second of silence between them: ~10.5 s, so two or more chunks of ~6 s.
  wav = await makeSpeechWithPauses(dir);
});
afterAll(async () => {
  setSpeechEnginesFactory(createTranscribeEngines);
  await rm(dir, { recursive: true, force: true });
});

beforeEach(() => {
  resetMocks();
  streaming.reset();
  streamedBytes = [];
  timeline = [];
  jobWritesSucceed(job({ status: 'transcribing' }));
  ddb.on(UpdateCommand, { Key: keys.streamLease() }).callsFake((command: { UpdateExpression: string }) => {
    timeline.push(command.UpdateExpression.startsWith('ADD') ? 'acquire' : 'release');
    return {};
  });
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
      outcome: 'transcribed',
      transcript: { text: Array(streamedBytes.length).fill(PHRASE).join(' '), languageCode: 'en', transcribeMs: expect.any(Number) },
    });
  });

  it('holds one stream per chunk from the stage’s lease while it streams, and gives them back', async () => {
    await handler(input, lambdaContext());

    const chunks = streamedBytes.length;
    expect(timeline).toEqual(['acquire', ...Array(chunks).fill('stream'), 'release']);
    const [add, remove] = leaseWrites();
    expect(add).toEqual({
      op: 'add',
      values: expect.objectContaining({ ':streams': chunks, ':room': TRANSCRIBE_STREAMING.maxStreamsPerStage - chunks }),
    });
    expect(remove).toEqual({ op: 'remove', values: expect.objectContaining({ ':release': -chunks, ':entry': add!.values[':entry'] }) });
  });

  it('sends the note to the batch path, untouched, when the stage’s streams are all taken', async () => {
    streamsAllTaken();

    const output = await handler(input, lambdaContext());

    expect(output).toEqual({ outcome: 'streams-busy', transcript: null });
    expect(streaming.calls()).toHaveLength(0);
    // The batch path moves the job to `transcribing`; nothing is held, nothing to give back.
    expect(jobUpdates()).toEqual([]);
    expect(leaseWrites().map((w) => w.op)).toEqual(['add']);
  });

  it('takes back the streams of a holder that died, once its claim has expired', async () => {
    streamsAllTaken();
    const expired = Math.floor(Date.now() / 1000) - 1;
    ddb.on(GetCommand, { Key: keys.streamLease() }).resolves({
      Item: { ...keys.streamLease(), inFlight: 12, claims: new Set([`${expired}|10|crashed#1`, `${expired + 120}|2|alive#2`]) },
    });
    ddb
      .on(UpdateCommand, { Key: keys.streamLease() })
      .rejectsOnce(new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} }))
      .resolves({});

    const output = await handler(input, lambdaContext());

    expect(output.outcome).toBe('transcribed');
    const writes = leaseWrites();
    expect(writes.map((w) => w.op)).toEqual(['add', 'remove', 'add', 'remove']);
    expect(writes[1]!.values[':entry']).toBe(`${expired}|10|crashed#1`);
  });

  it('gives the streams back when recognition fails', async () => {
    streaming.on(StartStreamTranscriptionCommand).rejects(Object.assign(new Error('Could not decode the audio'), { name: 'BadRequestException' }));

    await expect(handler(input, lambdaContext())).rejects.toMatchObject({ name: 'TRANSCRIPTION_FAILED' });
    expect(timeline.at(-1)).toBe('release');
  });

  it('fails with NO_SPEECH when no chunk has words', async () => {
    streaming.reset();
    streamingAnswers('');

    await expect(handler(input, lambdaContext())).rejects.toMatchObject({ name: 'NO_SPEECH' });
  });

  it.each(['LimitExceededException', 'ThrottlingException'])(
    'sends the note to the batch path when Transcribe throttles its streams (%s: the account’s quota), and gives them back',
    async (name) => {
      streaming.on(StartStreamTranscriptionCommand).rejects(Object.assign(new Error('Too many streams'), { name }));

      const output = await handler(input, lambdaContext());

      expect(output).toEqual({ outcome: 'streams-busy', transcript: null });
      expect(timeline.at(-1)).toBe('release');
    },
  );

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
      streams: new StreamLeases(streamLeaseStoreFromEnv(), { leaseSeconds: TRANSCRIBE_STREAMING.fastPathTimeoutSeconds }),
      workBucket: WORK_BUCKET,
      tempDir,
    });

    await task(input);

    expect(await readdir(tempDir)).toEqual([]);
  });
});
