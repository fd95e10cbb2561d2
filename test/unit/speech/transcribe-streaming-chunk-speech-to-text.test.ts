import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  type AudioStream,
  LimitExceededException,
  StartStreamTranscriptionCommand,
  type StartStreamTranscriptionCommandInput,
  TranscribeStreamingClient,
  type TranscriptResultStream,
} from '@aws-sdk/client-transcribe-streaming';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { FfmpegAudioTools } from '../../../functions/audio/ffmpeg-audio-tools';
import { readWavLayout } from '../../../functions/audio/wav';
import {
  type StreamClock,
  TranscribeStreamingChunkSpeechToText,
} from '../../../functions/speech/aws/transcribe-streaming-chunk-speech-to-text';
import { makeAudio } from '../../helpers/audio-fixtures';

const streamingMock = mockClient(TranscribeStreamingClient);

function result(text: string, isPartial: boolean, languageCode?: string): TranscriptResultStream {
  return {
    TranscriptEvent: {
      Transcript: { Results: [{ IsPartial: isPartial, Alternatives: [{ Transcript: text }], ...(languageCode ? { LanguageCode: languageCode } : {}) }] },
    },
  } as TranscriptResultStream;
}

async function* events(list: readonly TranscriptResultStream[]): AsyncGenerator<TranscriptResultStream> {
  for (const event of list) yield event;
}

/** A clock that never sleeps: `sleep` moves time forward at once, so a paced stream runs instantly. */
function fakeClock(): StreamClock & { advance(ms: number): void } {
  let now = 0;
  return {
    now: () => now,
    sleep: async (ms) => {
      now += ms;
    },
    advance: (ms) => {
      now += ms;
    },
  };
}

/** 16 kHz mono 16-bit: 32 bytes per millisecond of audio. */
const BYTES_PER_MS = 32;

describe('TranscribeStreamingChunkSpeechToText', () => {
  let dir: string;
  let wavPath: string;
  let pcmBytes: number;
  const adapter = (clock: StreamClock = fakeClock()) => new TranscribeStreamingChunkSpeechToText(new TranscribeStreamingClient({}), { clock });

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'vnt-streaming-'));
    wavPath = (await new FfmpegAudioTools().normalize(await makeAudio('wav', dir), path.join(dir, 'n.wav'))).wavPath;
    pcmBytes = (await readWavLayout(wavPath)).dataBytes;
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });
  beforeEach(() => streamingMock.reset());

  it('streams the PCM samples (no WAV header) in 100 ms events with language identification, keeping only final results', async () => {
    let sent: Uint8Array[] = [];
    let input: StartStreamTranscriptionCommandInput | undefined;
    streamingMock.on(StartStreamTranscriptionCommand).callsFake(async (commandInput: StartStreamTranscriptionCommandInput) => {
      input = commandInput;
      sent = [];
      for await (const event of commandInput.AudioStream as AsyncIterable<AudioStream>) {
        if (event.AudioEvent?.AudioChunk) sent.push(event.AudioEvent.AudioChunk);
      }
      return {
        TranscriptResultStream: events([
          result('go for', true, 'en-US'),
          result('go forward ten meters', false, 'en-US'),
          result('and back', false, 'en-US'),
        ]),
      };
    });

    const transcript = await adapter().transcribeChunk(wavPath, undefined, ['en', 'es']);

    expect(transcript).toEqual({ text: 'go forward ten meters and back', languageCode: 'en' });
    expect(input).toMatchObject({ MediaEncoding: 'pcm', MediaSampleRateHertz: 16_000, IdentifyLanguage: true, LanguageOptions: 'en-US,es-US' });
    expect(input?.LanguageCode).toBeUndefined();
    expect(sent.reduce((n, c) => n + c.length, 0)).toBe(pcmBytes);
    expect(Math.max(...sent.map((c) => c.length))).toBe(100 * BYTES_PER_MS);
    expect(sent.length).toBe(Math.ceil(pcmBytes / (100 * BYTES_PER_MS)));
  });

  it('sends pre-recorded audio at real time: each event once the audio before it has played', async () => {
    const clock = fakeClock();
    const sent: Array<{ atMs: number; bytes: number }> = [];
    streamingMock.on(StartStreamTranscriptionCommand).callsFake(async (commandInput: StartStreamTranscriptionCommandInput) => {
      for await (const event of commandInput.AudioStream as AsyncIterable<AudioStream>) {
        sent.push({ atMs: clock.now(), bytes: event.AudioEvent!.AudioChunk!.length });
      }
      return { TranscriptResultStream: events([result('go forward ten meters', false)]) };
    });

    await adapter(clock).transcribeChunk(wavPath, 'en', []);

    let playedMs = 0;
    for (const { atMs, bytes } of sent) {
      expect(atMs).toBeCloseTo(playedMs, 6);
      playedMs += bytes / BYTES_PER_MS;
    }
    expect(playedMs * BYTES_PER_MS).toBe(pcmBytes);
    // The stream lasts as long as its audio (the last event goes out as the one before it ends).
    expect(clock.now()).toBeCloseTo(playedMs - sent.at(-1)!.bytes / BYTES_PER_MS, 6);
    expect(clock.now()).toBeGreaterThan(2_000);
  });

  it('never runs ahead of real time, and does not wait again after a slow consumer', async () => {
    const clock = fakeClock();
    const sleeps: number[] = [];
    const paced: StreamClock = { now: clock.now, sleep: async (ms) => { sleeps.push(ms); await clock.sleep(ms); } };
    const sent: Array<{ atMs: number; bytes: number }> = [];
    streamingMock.on(StartStreamTranscriptionCommand).callsFake(async (commandInput: StartStreamTranscriptionCommandInput) => {
      for await (const event of commandInput.AudioStream as AsyncIterable<AudioStream>) {
        sent.push({ atMs: clock.now(), bytes: event.AudioEvent!.AudioChunk!.length });
        // The network stalls for half a second after the fifth event.
        if (sent.length === 5) clock.advance(500);
      }
      return { TranscriptResultStream: events([]) };
    });

    await adapter(paced).transcribeChunk(wavPath, 'en', []);

    let playedMs = 0;
    for (const { atMs, bytes } of sent) {
      expect(atMs).toBeGreaterThanOrEqual(playedMs - 1e-6);
      playedMs += bytes / BYTES_PER_MS;
    }
    // Behind after the stall: the next events go out at once, then pacing resumes.
    expect(sent[5]!.atMs).toBeCloseTo(400 + 500, 6);
    expect(sent[6]!.atMs).toBeCloseTo(900, 6);
    expect(sent.at(-1)!.atMs).toBeCloseTo(playedMs - sent.at(-1)!.bytes / BYTES_PER_MS, 6);
    expect(sleeps.every((ms) => ms > 0)).toBe(true);
  });

  it('uses LanguageCode for a hint and reports the hint as the language', async () => {
    streamingMock.on(StartStreamTranscriptionCommand).resolves({ TranscriptResultStream: events([result('hola amigos', false)]) });

    const transcript = await adapter().transcribeChunk(wavPath, 'es', ['en', 'es']);

    expect(transcript).toEqual({ text: 'hola amigos', languageCode: 'es' });
    expect(streamingMock.commandCalls(StartStreamTranscriptionCommand)[0]?.args[0].input).toMatchObject({ LanguageCode: 'es-US' });
  });

  it('returns empty text for a chunk without words (the service decides NO_SPEECH for the whole note)', async () => {
    streamingMock.on(StartStreamTranscriptionCommand).resolves({ TranscriptResultStream: events([]) });

    await expect(adapter().transcribeChunk(wavPath, 'en', [])).resolves.toEqual({ text: '', languageCode: 'en' });
  });

  it('throttling, thrown or arriving in the stream, is RetryableError ENGINE_THROTTLED', async () => {
    streamingMock
      .on(StartStreamTranscriptionCommand)
      .rejectsOnce(new LimitExceededException({ message: 'too many streams', $metadata: {} }))
      .resolvesOnce({ TranscriptResultStream: events([{ LimitExceededException: { message: 'limit' } } as unknown as TranscriptResultStream]) });

    await expect(adapter().transcribeChunk(wavPath, 'en', [])).rejects.toMatchObject({ name: 'ENGINE_THROTTLED' });
    await expect(adapter().transcribeChunk(wavPath, 'en', [])).rejects.toMatchObject({ name: 'ENGINE_THROTTLED' });
  });

  it('an unsupported hint fails before opening a stream', async () => {
    await expect(adapter().transcribeChunk(wavPath, 'mt', [])).rejects.toMatchObject({ code: 'UNSUPPORTED_LANGUAGE' });
    expect(streamingMock.commandCalls(StartStreamTranscriptionCommand)).toHaveLength(0);
  });
});
