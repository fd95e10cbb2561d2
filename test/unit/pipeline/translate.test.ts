import './pipeline-env';
import { TranslateTextCommand } from '@aws-sdk/client-translate';
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { handler } from '../../../functions/pipeline/translate';
import { metrics } from '../../../functions/shared/powertools';
import { METRICS } from '../../../lib/config/metric-names';
import { lambdaContext } from '../../events/lambda-context';
import { ddb, JOB_ID, job, jobUpdates, jobWritesConflict, jobWritesSucceed, resetMocks, translateMock } from './pipeline-mocks';

const input = {
  jobId: JOB_ID,
  transcript: { text: 'go forward ten meters', languageCode: 'en', transcribeMs: 800 },
  targetLanguage: 'es',
};
const translate = (overrides: Partial<typeof input> = {}) => handler({ ...input, ...overrides }, lambdaContext());
const textCacheItems = () => ddb.commandCalls(PutCommand).filter((c) => String(c.args[0].input.Item?.pk).startsWith('TEXT#'));

beforeEach(() => {
  resetMocks();
  jobWritesSucceed(job({ status: 'translating' }));
  ddb.on(PutCommand).resolves({});
  translateMock.on(TranslateTextCommand).resolves({ TranslatedText: 'avanza diez metros' });
});

describe('translate', () => {
  it('moves the job to translating with the detected language, translates and caches the text', async () => {
    await expect(translate()).resolves.toEqual({ text: 'avanza diez metros', translateMs: expect.any(Number) });

    expect(jobUpdates()).toEqual([expect.objectContaining({ status: 'translating', sourceLanguage: 'en' })]);
    expect(translateMock.commandCalls(TranslateTextCommand)[0]?.args[0].input).toEqual({
      Text: 'go forward ten meters',
      SourceLanguageCode: 'en',
      TargetLanguageCode: 'es',
    });
    expect(textCacheItems()).toHaveLength(1);
  });

  it('answers from the text cache without calling Translate', async () => {
    ddb.on(GetCommand).callsFake((request: { Key: { pk: string } }) =>
      request.Key.pk.startsWith('TEXT#')
        ? { Item: { ...request.Key, translatedText: 'avanza diez metros (cached)', sourceLanguage: 'en', targetLanguage: 'es' } }
        : {},
    );
    const addMetric = vi.spyOn(metrics, 'addMetric');

    await expect(translate()).resolves.toMatchObject({ text: 'avanza diez metros (cached)' });
    expect(translateMock.calls()).toHaveLength(0);
    expect(addMetric).toHaveBeenCalledWith(METRICS.names.textCacheHit, 'Count', 1);
  });

  it('skips translation when the note is already in the target language', async () => {
    await expect(translate({ targetLanguage: 'en' })).resolves.toMatchObject({ text: 'go forward ten meters' });
    expect(translateMock.calls()).toHaveLength(0);
  });

  it('reports Translate throttling as ENGINE_THROTTLED for the state machine to back off', async () => {
    translateMock.on(TranslateTextCommand).rejects(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' }));

    await expect(translate()).rejects.toMatchObject({ name: 'ENGINE_THROTTLED' });
  });

  it('fails with UNSUPPORTED_LANGUAGE_PAIR when Translate cannot do the pair', async () => {
    translateMock
      .on(TranslateTextCommand)
      .rejects(Object.assign(new Error('Unsupported language pair: en to xx'), { name: 'UnsupportedLanguagePairException' }));

    await expect(translate()).rejects.toMatchObject({ name: 'UNSUPPORTED_LANGUAGE_PAIR' });
  });

  it('stops when the job is no longer in flight', async () => {
    jobWritesConflict();

    await expect(translate()).rejects.toMatchObject({ name: 'JOB_NOT_ACTIVE' });
    expect(translateMock.calls()).toHaveLength(0);
  });

  it('refuses a transcript without a language', async () => {
    await expect(
      handler({ ...input, transcript: { text: 'x', transcribeMs: 1 } } as never, lambdaContext()),
    ).rejects.toMatchObject({ name: 'VALIDATION_ERROR' });
  });
});
