import { describe, expect, it } from 'vitest';
import type { LanguageCode } from '../../../lib/config/languages';
import { CACHE_TTLS } from '../../../lib/config/limits';
import {
  type CachedTranslation,
  normalizeForCache,
  type TextTranslationCache,
  textTranslationHash,
} from '../../../functions/translation/text-translation-cache';
import { TranslationService } from '../../../functions/translation/translation-service';
import type { Translator } from '../../../functions/translation/translator';

class RecordingTranslator implements Translator {
  readonly calls: string[] = [];
  constructor(
    readonly maxBytesPerRequest = 1000,
    private readonly pairs = new Set(['en>es']),
  ) {}
  routes() {
    return [...this.pairs].map((pair) => {
      const [source, target] = pair.split('>') as [LanguageCode, LanguageCode];
      return { source, target };
    });
  }
  supports(source: LanguageCode, target: LanguageCode) {
    return this.pairs.has(`${source}>${target}`);
  }
  async translate(text: string) {
    this.calls.push(text);
    return `[${text}]`;
  }
}

class MemoryCache implements TextTranslationCache {
  readonly entries = new Map<string, { entry: CachedTranslation; ttlSeconds: number }>();
  async get(hash: string) {
    return this.entries.get(hash)?.entry;
  }
  async put(hash: string, entry: CachedTranslation, ttlSeconds: number) {
    this.entries.set(hash, { entry, ttlSeconds });
  }
}

describe('TranslationService', () => {
  it('skips translation when source and target are the same', async () => {
    const translator = new RecordingTranslator();
    const cache = new MemoryCache();

    const outcome = await new TranslationService(translator, cache).translate({ text: 'hello', source: 'en', target: 'en' });

    expect(outcome).toEqual({ translatedText: 'hello', skipped: true, cacheHit: false, requests: 0 });
    expect(translator.calls).toEqual([]);
    expect(cache.entries.size).toBe(0);
  });

  it('translates, then caches under the hash of normalised text + languages with the text TTL', async () => {
    const translator = new RecordingTranslator();
    const cache = new MemoryCache();

    const outcome = await new TranslationService(translator, cache).translate({ text: 'go forward', source: 'en', target: 'es' });

    expect(outcome).toEqual({ translatedText: '[go forward]', skipped: false, cacheHit: false, requests: 1 });
    expect(cache.entries.get(textTranslationHash('go forward', 'en', 'es'))).toEqual({
      entry: { translatedText: '[go forward]', sourceLanguage: 'en', targetLanguage: 'es' },
      ttlSeconds: CACHE_TTLS.textTranslationSeconds,
    });
  });

  it('answers from the cache for the same text modulo whitespace, without calling the translator', async () => {
    const translator = new RecordingTranslator();
    const service = new TranslationService(translator, new MemoryCache());
    await service.translate({ text: 'go forward', source: 'en', target: 'es' });

    const outcome = await service.translate({ text: '  go \n forward ', source: 'en', target: 'es' });

    expect(outcome).toEqual({ translatedText: '[go forward]', skipped: false, cacheHit: true, requests: 0 });
    expect(translator.calls).toHaveLength(1);
  });

  it('splits text over the per-request limit at sentences and joins the translations in order', async () => {
    const translator = new RecordingTranslator(30);
    const text = 'First sentence here. Second sentence here. Third one.';

    const outcome = await new TranslationService(translator, new MemoryCache()).translate({ text, source: 'en', target: 'es' });

    expect(translator.calls).toEqual(['First sentence here.', 'Second sentence here.', 'Third one.']);
    expect(outcome.translatedText).toBe('[First sentence here.] [Second sentence here.] [Third one.]');
    expect(outcome.requests).toBe(3);
  });

  it('UNSUPPORTED_LANGUAGE_PAIR when the engine cannot translate the pair', async () => {
    await expect(
      new TranslationService(new RecordingTranslator(), new MemoryCache()).translate({ text: 'x', source: 'en', target: 'ja' }),
    ).rejects.toMatchObject({ code: 'UNSUPPORTED_LANGUAGE_PAIR', message: expect.stringContaining('"en" to "ja"') });
  });
});

describe('text cache keys', () => {
  it('normalise Unicode and whitespace, keep case and punctuation, and separate languages', () => {
    expect(normalizeForCache(' Cafe\u0301 \t au  lait\n')).toBe('Café au lait');
    expect(textTranslationHash('Hello', 'en', 'es')).not.toBe(textTranslationHash('hello', 'en', 'es'));
    expect(textTranslationHash('Hello', 'en', 'es')).not.toBe(textTranslationHash('Hello', 'en', 'fr'));
    expect(textTranslationHash('Hello', 'en', 'es')).toMatch(/^[0-9a-f]{64}$/);
  });
});
