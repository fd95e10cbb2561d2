import { describe, expect, it } from 'vitest';
import type { LanguageCode } from '../../../lib/config/languages';
import type { BatchSpeechToText, BatchTranscriptionState, ChunkSpeechToText } from '../../../functions/speech/speech-to-text';
import {
  type ChunkTranscript,
  decideLanguage,
  joinChunkTranscripts,
  requireSpeech,
  SpeechRecognitionService,
} from '../../../functions/speech/transcript-service';

const part = (index: number, text: string, languageCode: LanguageCode): ChunkTranscript => ({ index, text, languageCode });

describe('joinChunkTranscripts', () => {
  it('joins chunk texts in chunk order whatever order they finished in, skipping empty chunks', () => {
    const joined = joinChunkTranscripts([part(2, 'ten meters', 'en'), part(0, ' go ', 'en'), part(1, '', 'en'), part(3, '', 'en'), part(1.5, 'forward', 'en')]);

    expect(joined).toEqual({ text: 'go forward ten meters', languageCode: 'en' });
  });

  it('NO_SPEECH when no chunk has words', () => {
    expect(() => joinChunkTranscripts([part(0, '  ', 'en'), part(1, '', 'en')])).toThrow(expect.objectContaining({ code: 'NO_SPEECH' }));
  });

  it('the hint is the language, whatever the chunks say', () => {
    expect(joinChunkTranscripts([part(0, 'hola', 'es')], 'en').languageCode).toBe('en');
  });
});

describe('decideLanguage', () => {
  it.each([
    { name: 'unanimous', parts: [part(0, 'hola amigos', 'es'), part(1, 'qué tal', 'es')], expected: 'es' },
    { name: 'most recognised text wins over more chunks', parts: [part(0, 'a', 'fr'), part(1, 'b', 'fr'), part(2, 'a much longer english sentence', 'en')], expected: 'en' },
    { name: 'a tie goes to the earliest chunk', parts: [part(1, 'abcd', 'de'), part(0, 'wxyz', 'nl')], expected: 'nl' },
    { name: 'chunks without words have no say', parts: [part(0, '', 'fr'), part(1, 'hello', 'en')], expected: 'en' },
  ] as const)('$name', ({ parts, expected }) => {
    expect(decideLanguage(parts)).toBe(expected);
  });

  it('falls back to the hint when no chunk has words', () => {
    expect(decideLanguage([part(0, '', 'fr')], 'de')).toBe('de');
  });
});

describe('requireSpeech', () => {
  it('trims and passes speech through; empty is NO_SPEECH with a human message', () => {
    expect(requireSpeech({ text: ' hi ', languageCode: 'en' })).toEqual({ text: 'hi', languageCode: 'en' });
    expect(() => requireSpeech({ text: '', languageCode: 'en' })).toThrow(/No speech/);
  });
});

describe('SpeechRecognitionService', () => {
  const batchIn = (state: BatchTranscriptionState): BatchSpeechToText => ({ start: async () => undefined, fetch: async () => state });
  const noChunks: ChunkSpeechToText = { maxConcurrentChunks: 4, transcribeChunk: async () => ({ text: '', languageCode: 'en' }) };

  it('fetchBatch: IN_PROGRESS passes through, COMPLETED is checked for speech', async () => {
    await expect(new SpeechRecognitionService(batchIn({ status: 'IN_PROGRESS' }), noChunks).fetchBatch('j')).resolves.toEqual({ status: 'IN_PROGRESS' });
    await expect(
      new SpeechRecognitionService(batchIn({ status: 'COMPLETED', transcript: { text: '', languageCode: 'en' } }), noChunks).fetchBatch('j'),
    ).rejects.toMatchObject({ code: 'NO_SPEECH' });
  });

  it('fetchBatch: FAILED throws TRANSCRIPTION_FAILED, or the engine’s own code', async () => {
    await expect(new SpeechRecognitionService(batchIn({ status: 'FAILED', reason: 'bad' }), noChunks).fetchBatch('j')).rejects.toMatchObject({
      code: 'TRANSCRIPTION_FAILED',
      message: 'Transcription failed: bad',
    });
    await expect(
      new SpeechRecognitionService(batchIn({ status: 'FAILED', reason: 'es', code: 'UNSUPPORTED_LANGUAGE' }), noChunks).fetchBatch('j'),
    ).rejects.toMatchObject({ code: 'UNSUPPORTED_LANGUAGE' });
  });

  it('transcribeChunks: runs chunks in parallel up to the streams held and joins in order', async () => {
    let inFlight = 0;
    let maxInFlight = 0;
    const chunk: ChunkSpeechToText = {
      maxConcurrentChunks: 4,
      transcribeChunk: async (wavPath) => {
        inFlight++;
        maxInFlight = Math.max(maxInFlight, inFlight);
        // Later chunks finish first.
        await new Promise((resolve) => setTimeout(resolve, 40 - Number(wavPath) * 10));
        inFlight--;
        return { text: `word${wavPath}`, languageCode: 'en' };
      },
    };
    const service = new SpeechRecognitionService(batchIn({ status: 'IN_PROGRESS' }), chunk);

    const transcript = await service.transcribeChunks(
      [0, 1, 2, 3].map((i) => ({ index: i, wavPath: String(i) })),
      undefined,
      ['en'],
      2,
    );

    expect(transcript).toEqual({ text: 'word0 word1 word2 word3', languageCode: 'en' });
    expect(maxInFlight).toBe(2);
  });
});
