/**
 * The language codes the product knows, and what Amazon Transcribe and Amazon Translate do with them (the
 * AWS deployment's capabilities, as data). What one deployment really offers is GET /languages: on AWS these
 * sets, locally whatever the installed engines can do (a subset: the local stack offers no language the
 * deployed product lacks, so an app built against it never meets a target AWS refuses).
 */

/**
 * Amazon Translate's language codes (ISO 639-1, plus the regional variants it distinguishes); it translates
 * between any two of them. Source: Amazon Translate Developer Guide, "Supported languages and language codes"
 * (docs.aws.amazon.com/translate/latest/dg/what-is-languages.html), 75 codes, checked 2026-12-01. Also the
 * product's vocabulary: a code outside it is refused as UNSUPPORTED_LANGUAGE everywhere.
 */
export const TRANSLATE_LANGUAGES = [
  'af', 'am', 'ar', 'az', 'bg', 'bn', 'bs', 'ca', 'cs', 'cy', 'da', 'de', 'el', 'en', 'es', 'es-MX', 'et',
  'fa', 'fa-AF', 'fi', 'fr', 'fr-CA', 'ga', 'gu', 'ha', 'he', 'hi', 'hr', 'ht', 'hu', 'hy', 'id', 'is', 'it',
  'ja', 'ka', 'kk', 'kn', 'ko', 'lt', 'lv', 'mk', 'ml', 'mn', 'mr', 'ms', 'mt', 'nl', 'no', 'pa', 'pl', 'ps',
  'pt', 'pt-PT', 'ro', 'ru', 'si', 'sk', 'sl', 'so', 'sq', 'sr', 'sv', 'sw', 'ta', 'te', 'th', 'tl', 'tr', 'uk',
  'ur', 'uz', 'vi', 'zh', 'zh-TW',
] as const;
export type LanguageCode = (typeof TRANSLATE_LANGUAGES)[number];

/**
 * Spoken languages the AWS deployment recognises (Amazon Transcribe), mapped to the locale its API takes.
 * Source: Amazon Transcribe Developer Guide, "Supported languages" and "Identifying the dominant languages"
 * (docs.aws.amazon.com/transcribe/latest/dg/lang-id.html), checked 2026-12-01; sv and vi are recognised with a
 * hint only (Transcribe's identification does not offer them).
 */
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
