import { describe, expect, it } from 'vitest';
import { LanguageCatalog } from '../../../functions/languages/language-catalog';
import type { LanguageCode } from '../../../lib/config/languages';
import type { TranslationRoute } from '../../../functions/translation/translator';

const catalog = (spoken: LanguageCode[], routes: TranslationRoute[]) =>
  new LanguageCatalog({ spokenLanguages: () => spoken }, { routes: () => routes });

describe('LanguageCatalog', () => {
  it('lists each spoken language with itself and every target its routes reach, pivots named', () => {
    const languages = catalog(['fr', 'en'], [
      { source: 'en', target: 'fr', via: 'es' },
      { source: 'en', target: 'es' },
      { source: 'es', target: 'it' }, // Spanish is not spoken here: not a source
      { source: 'fr', target: 'en' },
    ]);

    expect(languages.view()).toEqual({
      spoken: [
        { language: 'en', targets: ['en', 'es', 'fr'], via: { fr: 'es' } },
        { language: 'fr', targets: ['en', 'fr'], via: {} },
      ],
      targets: ['en', 'es', 'fr'],
    });
  });

  it('a direct route wins over a pivot to the same target', () => {
    const languages = catalog(['en'], [{ source: 'en', target: 'fr', via: 'es' }, { source: 'en', target: 'fr' }]);

    expect(languages.view().spoken[0]?.via).toEqual({});
  });

  it('a recogniser with no model offers nothing and refuses every note', () => {
    const languages = catalog([], [{ source: 'en', target: 'es' }]);

    expect(languages.view()).toEqual({ spoken: [], targets: [] });
    expect(() => languages.requireDeliverable(undefined, 'es')).toThrow(expect.objectContaining({ code: 'UNSUPPORTED_LANGUAGE_PAIR' }));
  });

  it('without a hint, accepts a target reachable from any spoken language', () => {
    const languages = catalog(['en', 'fr'], [{ source: 'fr', target: 'de' }]);

    expect(() => languages.requireDeliverable(undefined, 'de')).not.toThrow();
    expect(() => languages.requireDeliverable(undefined, 'en')).not.toThrow(); // an English note's transcript
    expect(() => languages.requireDeliverable(undefined, 'ja')).toThrow(
      expect.objectContaining({
        httpStatus: 400,
        code: 'UNSUPPORTED_LANGUAGE_PAIR',
        message: 'This service cannot translate speech in en, fr into "ja". Available targets: de, en, fr.',
        details: { field: 'targetLanguage', target: 'ja', available: ['de', 'en', 'fr'] },
      }),
    );
  });

  it('with a hint, the target must be reachable from that language, and the hint recognisable', () => {
    const languages = catalog(['en', 'fr'], [{ source: 'fr', target: 'de' }]);

    expect(() => languages.requireDeliverable('fr', 'de')).not.toThrow();
    expect(() => languages.requireDeliverable('en', 'de')).toThrow(
      expect.objectContaining({ code: 'UNSUPPORTED_LANGUAGE_PAIR', message: 'This service cannot translate "en" into "de". Available targets from en: en.' }),
    );
    expect(() => languages.requireDeliverable('ja', 'en')).toThrow(
      expect.objectContaining({ code: 'UNSUPPORTED_LANGUAGE', message: 'This service cannot recognise speech in "ja". It recognises: en, fr.', details: expect.objectContaining({ field: 'sourceLanguage' }) }),
    );
  });
});
