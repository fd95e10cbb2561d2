/**
 * Language codes the product accepts. Targets are Amazon Translate's codes; spoken languages are those
 * Amazon Transcribe can identify, with the locale Transcribe wants for each. The local stack supports a
 * subset (whatever pocketsphinx models and apertium pairs are installed) and fails clearly outside it.
 */

/** Amazon Translate language codes (ISO 639-1, plus regional variants Translate distinguishes). */
export const TRANSLATE_LANGUAGES = [
  'af', 'am', 'ar', 'az', 'bg', 'bn', 'bs', 'ca', 'cs', 'cy', 'da', 'de', 'el', 'en', 'es', 'es-MX', 'et',
  'fa', 'fa-AF', 'fi', 'fr', 'fr-CA', 'ga', 'gu', 'ha', 'he', 'hi', 'hr', 'ht', 'hu', 'hy', 'id', 'is', 'it',
  'ja', 'ka', 'kk', 'kn', 'ko', 'lt', 'lv', 'mk', 'ml', 'mn', 'mr', 'ms', 'mt', 'nl', 'no', 'pa', 'pl', 'ps',
  'pt', 'pt-PT', 'ro', 'ru', 'si', 'sk', 'sl', 'so', 'sq', 'sr', 'sv', 'sw', 'ta', 'te', 'th', 'tl', 'tr', 'uk',
  'ur', 'uz', 'vi', 'zh', 'zh-TW',
] as const;
export type LanguageCode = (typeof TRANSLATE_LANGUAGES)[number];

/** Spoken languages Amazon Transcribe can identify, mapped to the locale its API takes. */
export const SPOKEN_LANGUAGE_LOCALES: Readonly<Partial<Record<LanguageCode, string>>> = {
  af: 'af-ZA', ar: 'ar-SA', da: 'da-DK', de: 'de-DE', en: 'en-US', es: 'es-US', fa: 'fa-IR', fr: 'fr-FR',
  he: 'he-IL', hi: 'hi-IN', id: 'id-ID', it: 'it-IT', ja: 'ja-JP', ko: 'ko-KR', ms: 'ms-MY', nl: 'nl-NL',
  pt: 'pt-BR', ru: 'ru-RU', ta: 'ta-IN', te: 'te-IN', th: 'th-TH', tr: 'tr-TR', zh: 'zh-CN', sv: 'sv-SE',
  pl: 'pl-PL', uk: 'uk-UA', vi: 'vi-VN',
};

/**
 * Languages offered to Transcribe's automatic identification when the caller gives no hint. Transcribe
 * identifies best among a short list of candidates, so keep it short and configurable here.
 */
export const DEFAULT_IDENTIFICATION_CANDIDATES: readonly LanguageCode[] = ['en', 'es', 'fr', 'de', 'pt'];

export const DEFAULT_TARGET_LANGUAGE: LanguageCode = 'en';

export function isLanguageCode(value: unknown): value is LanguageCode {
  return typeof value === 'string' && (TRANSLATE_LANGUAGES as readonly string[]).includes(value);
}

export function isSpokenLanguage(value: LanguageCode): boolean {
  return SPOKEN_LANGUAGE_LOCALES[value] !== undefined;
}
