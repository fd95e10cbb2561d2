import { isLanguageCode, type LanguageCode, TRANSLATE_LANGUAGES } from '../../lib/config/languages';
import type { TranslationLanguages, TranslationRoute } from './translator';

/**
 * What Amazon Translate can do: every ordered pair of its languages (lib/config/languages.ts). Static data in a
 * module of its own, without the SDK, so the API functions that answer from it do not bundle the Translate client.
 */
export const AMAZON_TRANSLATE_LANGUAGES = {
  routes: (): readonly TranslationRoute[] => ROUTES,
  supports(source: LanguageCode, target: LanguageCode): boolean {
    return isLanguageCode(source) && isLanguageCode(target) && source !== target;
  },
} satisfies TranslationLanguages & { supports(source: LanguageCode, target: LanguageCode): boolean };

const ROUTES: readonly TranslationRoute[] = TRANSLATE_LANGUAGES.flatMap((source) =>
  TRANSLATE_LANGUAGES.filter((target) => target !== source).map((target) => ({ source, target })),
);
