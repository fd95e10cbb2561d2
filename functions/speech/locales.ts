import { type LanguageCode, SPOKEN_LANGUAGE_LOCALES } from '../../lib/config/languages';
import { PipelineFailureError } from '../shared/errors';

/** The Transcribe locale for a spoken language, or UNSUPPORTED_LANGUAGE when Transcribe cannot hear it. */
export function requireSpokenLocale(language: LanguageCode): string {
  const locale = SPOKEN_LANGUAGE_LOCALES[language];
  if (locale === undefined) {
    throw new PipelineFailureError('UNSUPPORTED_LANGUAGE', `Speech in language "${language}" cannot be transcribed.`, {
      language,
    });
  }
  return locale;
}

/** Locales for identification candidates; candidates that cannot be spoken are dropped, duplicates removed. */
export function candidateLocales(candidates: readonly LanguageCode[]): string[] {
  return [...new Set(candidates.map((code) => SPOKEN_LANGUAGE_LOCALES[code]).filter((l): l is string => l !== undefined))];
}

/**
 * Maps a locale Transcribe reports back to our language code: the exact locale first, then its language part
 * (Transcribe may answer en-GB when offered en-US-like candidates).
 */
export function languageFromLocale(locale: string): LanguageCode | undefined {
  const entries = Object.entries(SPOKEN_LANGUAGE_LOCALES) as Array<[LanguageCode, string]>;
  const exact = entries.find(([, l]) => l.toLowerCase() === locale.toLowerCase());
  if (exact) return exact[0];
  const base = locale.split('-')[0]?.toLowerCase();
  return entries.find(([code]) => code === base)?.[0];
}
