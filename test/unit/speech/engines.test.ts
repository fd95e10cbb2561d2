import { describe, expect, it } from 'vitest';
import { TranscribeBatchSpeechToText } from '../../../functions/speech/aws/transcribe-batch-speech-to-text';
import { TranscribeStreamingChunkSpeechToText } from '../../../functions/speech/aws/transcribe-streaming-chunk-speech-to-text';
import { createSpeechEngines, engineNameFrom } from '../../../functions/speech/engines';
import { LocalBatchSpeechToText } from '../../../functions/speech/local/local-batch-speech-to-text';
import { LocalChunkSpeechToText } from '../../../functions/speech/local/local-chunk-speech-to-text';

describe('speech engine factory', () => {
  it('defaults to aws and needs the stage and the work bucket for Transcribe jobs', async () => {
    const engines = await createSpeechEngines({ STAGE: 'dev', WORK_BUCKET: 'work', AWS_REGION: 'eu-west-1' });

    expect(engines.name).toBe('aws');
    expect(engines.batch).toBeInstanceOf(TranscribeBatchSpeechToText);
    expect(engines.chunk).toBeInstanceOf(TranscribeStreamingChunkSpeechToText);
    await expect(createSpeechEngines({ SPEECH_ENGINE: 'aws', STAGE: 'dev' })).rejects.toThrow(/WORK_BUCKET/);
    await expect(createSpeechEngines({ SPEECH_ENGINE: 'aws', WORK_BUCKET: 'work' })).rejects.toThrow(/STAGE/);
  });

  it('SPEECH_ENGINE=local gives the pocketsphinx adapters', async () => {
    const engines = await createSpeechEngines({ SPEECH_ENGINE: 'local', STAGE: 'dev' });

    expect(engines.name).toBe('local');
    expect(engines.batch).toBeInstanceOf(LocalBatchSpeechToText);
    expect(engines.chunk).toBeInstanceOf(LocalChunkSpeechToText);
  });

  it('anything else fails the cold start with the allowed values', () => {
    expect(() => engineNameFrom('SPEECH_ENGINE', { SPEECH_ENGINE: 'whisper' })).toThrow('SPEECH_ENGINE must be one of aws, local; got "whisper"');
  });
});
