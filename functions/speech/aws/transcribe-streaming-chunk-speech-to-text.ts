import { createReadStream } from 'node:fs';
import { setTimeout as delay } from 'node:timers/promises';
import {
  type AudioStream,
  type LanguageCode as StreamingLocale,
  StartStreamTranscriptionCommand,
  type StartStreamTranscriptionCommandInput,
  type TranscribeStreamingClient,
  type TranscriptResultStream,
} from '@aws-sdk/client-transcribe-streaming';
import type { LanguageCode } from '../../../lib/config/languages';
import { AUDIO, TRANSCRIBE_STREAMING } from '../../../lib/config/limits';
import { readWavLayout } from '../../audio/wav';
import { PipelineFailureError } from '../../shared/errors';
import { decideLanguage } from '../transcript-service';
import { languageFromLocale } from '../locales';
import type { ChunkSpeechToText, Transcript } from '../speech-to-text';
import { languageSelection } from './transcribe-batch-speech-to-text';
import { errorName, toRetryable } from './transcribe-errors';

/** Time as a stream sees it; injectable, so tests check the send schedule without sleeping. */
export interface StreamClock {
  /** Milliseconds on a monotonic clock. */
  now(): number;
  sleep(ms: number): Promise<void>;
}

export const realTimeClock: StreamClock = { now: () => performance.now(), sleep: (ms) => delay(ms) };

export interface TranscribeStreamingOptions {
  /** Streams this stage may hold at once, across every note. @default TRANSCRIBE_STREAMING.maxStreamsPerStage */
  readonly maxConcurrentChunks?: number;
  /** Audio per AudioEvent (at most 1 s). @default TRANSCRIBE_STREAMING.audioEventMs */
  readonly audioEventMs?: number;
  /** @default realTimeClock */
  readonly clock?: StreamClock;
}

/**
 * Fast-path recognition of one short chunk over Transcribe streaming. The audio is sent at its real-time rate,
 * as AWS asks of pre-recorded audio, in events of `audioEventMs`: a stream of N seconds takes about N
 * seconds. Only final (non-partial) results are kept.
 */
export class TranscribeStreamingChunkSpeechToText implements ChunkSpeechToText {
  readonly maxConcurrentChunks: number;
  private readonly audioEventMs: number;
  private readonly clock: StreamClock;

  constructor(
    private readonly client: TranscribeStreamingClient,
    options: TranscribeStreamingOptions = {},
  ) {
    this.maxConcurrentChunks = options.maxConcurrentChunks ?? TRANSCRIBE_STREAMING.maxStreamsPerStage;
    this.audioEventMs = options.audioEventMs ?? TRANSCRIBE_STREAMING.audioEventMs;
    if (!(this.audioEventMs > 0 && this.audioEventMs <= 1_000)) throw new RangeError('audioEventMs must be within (0, 1000]');
    this.clock = options.clock ?? realTimeClock;
  }

  async transcribeChunk(
    wavPath: string,
    languageHint: LanguageCode | undefined,
    candidates: readonly LanguageCode[],
  ): Promise<Transcript> {
    const selection = languageSelection(languageHint, candidates);
    const input: StartStreamTranscriptionCommandInput = {
      MediaEncoding: 'pcm',
      MediaSampleRateHertz: AUDIO.sampleRateHz,
      AudioStream: pacedAudioEvents(wavPath, this.audioEventMs, this.clock),
      ...(selection.LanguageCode !== undefined
        ? { LanguageCode: selection.LanguageCode as StreamingLocale }
        : { IdentifyLanguage: true, LanguageOptions: (selection.LanguageOptions ?? []).join(',') }),
    };
    try {
      const response = await this.client.send(new StartStreamTranscriptionCommand(input));
      const segments: Array<{ index: number; text: string; languageCode: LanguageCode }> = [];
      const fallback = languageHint ?? languageOfLocale(response.LanguageCode) ?? candidates[0];
      for await (const event of response.TranscriptResultStream ?? []) {
        throwIfStreamError(event);
        for (const result of event.TranscriptEvent?.Transcript?.Results ?? []) {
          const text = result.Alternatives?.[0]?.Transcript?.trim();
          if (result.IsPartial || !text) continue;
          const languageCode = languageOfLocale(result.LanguageCode) ?? fallback;
          if (languageCode === undefined) continue;
          segments.push({ index: segments.length, text, languageCode });
        }
      }
      const text = segments.map((s) => s.text).join(' ');
      const languageCode = languageHint ?? (segments.length > 0 ? decideLanguage(segments) : fallback);
      if (languageCode === undefined) {
        throw new PipelineFailureError('UNSUPPORTED_LANGUAGE', 'Amazon Transcribe did not identify a supported language.');
      }
      return { text, languageCode };
    } catch (error) {
      const retryable = toRetryable(error);
      if (retryable !== error) throw retryable;
      if (errorName(error) === 'BadRequestException') {
        throw new PipelineFailureError('TRANSCRIPTION_FAILED', `Amazon Transcribe streaming rejected the audio: ${(error as Error).message}`);
      }
      throw error;
    }
  }
}

function languageOfLocale(locale: string | undefined): LanguageCode | undefined {
  return locale === undefined ? undefined : languageFromLocale(locale);
}

/** Exceptions can arrive as stream members rather than thrown errors; surface them the same way. */
function throwIfStreamError(event: TranscriptResultStream): void {
  for (const name of ['BadRequestException', 'LimitExceededException', 'InternalFailureException', 'ConflictException', 'ServiceUnavailableException'] as const) {
    const member = (event as Partial<Record<typeof name, { Message?: string }>>)[name];
    if (member) {
      const error = new Error(member.Message ?? name);
      error.name = name;
      throw error;
    }
  }
}

/**
 * The WAV's PCM samples (header skipped) as Transcribe audio events of `eventMs` each, paced at real time:
 * an event goes out once the audio sent before it has played, so the stream is never more than one event
 * ahead of real time (and catches up at once if the consumer was slow).
 */
async function* pacedAudioEvents(wavPath: string, eventMs: number, clock: StreamClock): AsyncGenerator<AudioStream> {
  const layout = await readWavLayout(wavPath);
  if (layout.dataBytes === 0) return;
  const bytesPerFrame = (layout.channels * layout.bitsPerSample) / 8;
  const bytesPerMs = (layout.sampleRateHz * bytesPerFrame) / 1000;
  const eventBytes = Math.max(bytesPerFrame, Math.floor((bytesPerMs * eventMs) / bytesPerFrame) * bytesPerFrame);
  const stream = createReadStream(wavPath, {
    start: layout.dataOffset,
    end: layout.dataOffset + layout.dataBytes - 1,
    highWaterMark: eventBytes,
  });
  const started = clock.now();
  let sentBytes = 0;
  for await (const chunk of stream) {
    const wait = started + sentBytes / bytesPerMs - clock.now();
    if (wait > 0) await clock.sleep(wait);
    sentBytes += (chunk as Buffer).length;
    yield { AudioEvent: { AudioChunk: new Uint8Array(chunk as Buffer) } };
  }
}
