import { afterEach, describe, expect, it, vi } from 'vitest';
import { AwsTranslator } from '../../../functions/translation/aws-translator';
import { createAmazonTranslator, setTranslatorFactory, translationServiceFromEnv } from '../../../functions/translation/engines';
import type { Translator } from '../../../functions/translation/translator';

describe('translation engine', () => {
  afterEach(() => setTranslatorFactory(createAmazonTranslator));

  it('is Amazon Translate unless the process installs another', async () => {
    await expect(createAmazonTranslator()).resolves.toBeInstanceOf(AwsTranslator);
  });

  it('the service reads its cache table at cold start, not on first use', () => {
    expect(() => translationServiceFromEnv({})).toThrow(/TABLE_NAME/);
  });

  it('an installed factory replaces it for every handler, built once', async () => {
    const translator: Translator = { maxBytesPerRequest: 1000, routes: () => [], supports: () => false, translate: async () => 'never' };
    const factory = vi.fn(() => translator);
    setTranslatorFactory(factory);
    const first = translationServiceFromEnv({ TABLE_NAME: 'table' });
    const second = translationServiceFromEnv({ TABLE_NAME: 'table' });

    // Amazon Translate has en → es; this translator has no pairs, and the service asks it before the cache.
    await expect((await first()).translate({ text: 'hello', source: 'en', target: 'es' })).rejects.toMatchObject({ code: 'UNSUPPORTED_LANGUAGE_PAIR' });
    await second();

    expect(factory).toHaveBeenCalledTimes(1);
  });
});
