import { TooManyRequestsException, TranslateClient, TranslateTextCommand, UnsupportedLanguagePairException } from '@aws-sdk/client-translate';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { PIPELINE } from '../../../lib/config/limits';
import { RetryableError } from '../../../functions/shared/errors';
import { AwsTranslator } from '../../../functions/translation/aws-translator';

const translateMock = mockClient(TranslateClient);
const translator = () => new AwsTranslator(new TranslateClient({}));

beforeEach(() => translateMock.reset());

describe('AwsTranslator', () => {
  it('calls TranslateText with our codes and returns the text', async () => {
    translateMock.on(TranslateTextCommand).resolves({ TranslatedText: 'Avanza diez metros' });

    await expect(translator().translate('go forward ten meters', 'en', 'es')).resolves.toBe('Avanza diez metros');
    expect(translateMock.commandCalls(TranslateTextCommand)[0]?.args[0].input).toEqual({
      Text: 'go forward ten meters',
      SourceLanguageCode: 'en',
      TargetLanguageCode: 'es',
    });
  });

  it('offers every ordered pair of Amazon Translate’s 75 languages, from the static set (no request)', () => {
    const routes = translator().routes();

    expect(routes).toHaveLength(75 * 74);
    expect(routes).toContainEqual({ source: 'en', target: 'ja' });
    expect(routes).toContainEqual({ source: 'pt-PT', target: 'fr-CA' });
    expect(routes.some((r) => r.source === r.target || r.via !== undefined)).toBe(false);
    expect(routes.some((r) => ['gl', 'eo'].includes(r.target))).toBe(false); // not Amazon Translate languages
    expect(translator().supports('en', 'ja')).toBe(true);
    expect(translateMock.calls()).toHaveLength(0);
  });

  it('declares Amazon Translate’s request size (kept under the 10,000-byte limit)', () => {
    expect(translator().maxBytesPerRequest).toBe(PIPELINE.translateMaxBytesPerRequest);
    expect(translator().maxBytesPerRequest).toBeLessThanOrEqual(10_000);
  });

  it.each(['ThrottlingException', 'TooManyRequestsException', 'ServiceUnavailableException'])('%s → RetryableError ENGINE_THROTTLED', async (name) => {
    const error =
      name === 'TooManyRequestsException'
        ? new TooManyRequestsException({ message: 'slow down', $metadata: {} })
        : Object.assign(new Error('busy'), { name });
    translateMock.on(TranslateTextCommand).rejects(error);

    const thrown = await translator().translate('hi', 'en', 'es').catch((e: unknown) => e);

    expect(thrown).toBeInstanceOf(RetryableError);
    expect(thrown).toMatchObject({ name: 'ENGINE_THROTTLED', code: 'ENGINE_THROTTLED' });
  });

  it('UnsupportedLanguagePairException → UNSUPPORTED_LANGUAGE_PAIR', async () => {
    translateMock
      .on(TranslateTextCommand)
      .rejects(new UnsupportedLanguagePairException({ message: 'nope', $metadata: {}, SourceLanguageCode: 'en', TargetLanguageCode: 'so' }));

    await expect(translator().translate('hi', 'en', 'so')).rejects.toMatchObject({ code: 'UNSUPPORTED_LANGUAGE_PAIR' });
  });

  it('unknown errors propagate unchanged (the state machine catches them as INTERNAL)', async () => {
    const boom = Object.assign(new Error('access denied'), { name: 'AccessDeniedException' });
    translateMock.on(TranslateTextCommand).rejects(boom);

    await expect(translator().translate('hi', 'en', 'es')).rejects.toBe(boom);
  });

  it('supports every pair of distinct Translate languages', () => {
    expect(translator().supports('en', 'ja')).toBe(true);
    expect(translator().supports('en', 'en')).toBe(false);
  });
});
