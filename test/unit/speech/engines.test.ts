import { afterEach, describe, expect, it, vi } from 'vitest';
import { TranscribeBatchSpeechToText } from '../../../functions/speech/aws/transcribe-batch-speech-to-text';
import { TranscribeStreamingChunkSpeechToText } from '../../../functions/speech/aws/transcribe-streaming-chunk-speech-to-text';
import {
  createTranscribeEngines,
  type SpeechEngines,
  setSpeechEnginesFactory,
  speechRecognitionServiceFromEnv,
} from '../../../functions/speech/engines';
import { TRANSCRIBE_STREAMING } from '../../../lib/config/limits';

const ENV = { STAGE: 'dev', WORK_BUCKET: 'work' };

/** Engines whose batch side answers every job with `text`. */
function enginesAnswering(text: string): SpeechEngines {
  return {
    batch: { start: async () => undefined, fetch: async () => ({ status: 'COMPLETED', transcript: { text, languageCode: 'en' } }) },
    chunk: { maxConcurrentChunks: 4, transcribeChunk: async () => ({ text, languageCode: 'en' }) },
  };
}

describe('speech engines', () => {
  afterEach(() => setSpeechEnginesFactory(createTranscribeEngines));

  it('are Amazon Transcribe batch jobs and Transcribe streaming unless the process installs others', async () => {
    const engines = await createTranscribeEngines({ stage: 'dev', workBucket: 'work' });

    expect(engines.batch).toBeInstanceOf(TranscribeBatchSpeechToText);
    expect(engines.chunk).toBeInstanceOf(TranscribeStreamingChunkSpeechToText);
    expect(engines.chunk.maxConcurrentChunks).toBe(TRANSCRIBE_STREAMING.maxStreamsPerStage);
  });

  it('read the stage and the work bucket at cold start, not on first use', () => {
    expect(() => speechRecognitionServiceFromEnv({ STAGE: 'dev' })).toThrow(/WORK_BUCKET/);
    expect(() => speechRecognitionServiceFromEnv({ WORK_BUCKET: 'work' })).toThrow(/STAGE/);
  });

  it('an installed factory replaces them for every handler, built once with the function’s settings', async () => {
    const factory = vi.fn(() => enginesAnswering('installed'));
    setSpeechEnginesFactory(factory);
    const first = speechRecognitionServiceFromEnv(ENV);
    const second = speechRecognitionServiceFromEnv(ENV);

    await expect((await first()).fetchBatch('job-1')).resolves.toMatchObject({ transcript: { text: 'installed' } });
    await (await second()).fetchBatch('job-2');

    expect(factory).toHaveBeenCalledTimes(1);
    expect(factory).toHaveBeenCalledWith({ stage: 'dev', workBucket: 'work' });
  });

  it('a factory that fails is tried again on the next use (a failed cold start does not stick)', async () => {
    const factory = vi.fn<() => SpeechEngines>().mockImplementationOnce(() => {
      throw new Error('model missing');
    });
    factory.mockImplementation(() => enginesAnswering('recovered'));
    setSpeechEnginesFactory(factory);
    const speech = speechRecognitionServiceFromEnv(ENV);

    await expect(speech()).rejects.toThrow('model missing');
    await expect((await speech()).fetchBatch('job-1')).resolves.toMatchObject({ transcript: { text: 'recovered' } });
  });
});
