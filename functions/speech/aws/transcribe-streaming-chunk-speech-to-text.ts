import { createReadStream } from 'node:fs';
import {
  type AudioStream,
  type LanguageCode as StreamingLocale,
  StartStreamTranscriptionCommand,
  type StartStreamTranscriptionCommandInput,
  type TranscribeStreamingClient,
  type TranscriptResultStream,
} from '@aws-sdk/client-transcribe-streaming';
import type { LanguageCode } from '../../../lib/config/languages';
import { AUDIO } from '../../../lib/config/limits';
import { readWavLayout } from '../../audio/wav';
import { PipelineFailureError } from '../../shared/errors';
import { decideLanguage } from '../transcript-service';
import { languageFromLocale } from '../locales';
import type { ChunkSpeechToText, Transcript } from '../speech-to-text';
import { languageSelection } from './transcribe-batch-speech-to-text';
import { errorName, toRetryable } from './transcribe-errors';

/** Transcribe streaming wants small audio events; ~8 KB is a quarter second of 16 kHz 16-bit mono. */
export const STREAM_CHUNK_BYTES = 8 * 1024;

/**
 * Fast-path recognition of one short chunk over Transcribe streaming. The chunk is sent as fast as it can be
 * read (no real-time pacing: the file is complete), and only final (non-partial) results are kept.
 */
export class TranscribeStreamingChunkSpeechToText implements ChunkSpeechToText {
  constructor(private readonly client: TranscribeStreamingClient) {}

  async transcribeChunk(
    wavPath: string,
    languageHint: LanguageCode | undefined,
    candidates: readonly LanguageCode[],
  ): Promise<Transcript> {
    const selection = languageSelection(languageHint, candidates);
    const input: StartStreamTranscriptionCommandInput = {
      MediaEncoding: 'pcm',
      MediaSampleRateHertz: AUDIO.sampleRateHz,
      AudioStream: audioEvents(wavPath),
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

/** The WAV's PCM samples (header skipped) as Transcribe audio events. */
async function* audioEvents(wavPath: string): AsyncGenerator<AudioStream> {
  const layout = await readWavLayout(wavPath);
  if (layout.dataBytes === 0) return;
  const stream = createReadStream(wavPath, {
    start: layout.dataOffset,
    end: layout.dataOffset + layout.dataBytes - 1,
    highWaterMark: STREAM_CHUNK_BYTES,
  });
  for await (const chunk of stream) {
    yield { AudioEvent: { AudioChunk: new Uint8Array(chunk as Buffer) } };
  }
}
