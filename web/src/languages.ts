import { DEFAULT_TARGET_LANGUAGE, TRANSLATE_LANGUAGES, type LanguageCode } from '../../lib/config/languages';

export { DEFAULT_TARGET_LANGUAGE };
export type { LanguageCode };

let names: Intl.DisplayNames | undefined;

/** "Spanish (es)": names come from the browser's Intl data, so no language table ships in the bundle. */
export function languageName(code: string, locale?: string): string {
  try {
    names ??= new Intl.DisplayNames(locale ? [locale, 'en'] : undefined, { type: 'language' });
    const name = names.of(code);
    return name && name !== code ? `${name} (${code})` : code;
  } catch {
    return code;
  }
}

/** Target languages sorted by their display name. */
export function targetLanguageOptions(locale?: string): { code: LanguageCode; label: string }[] {
  return TRANSLATE_LANGUAGES.map((code) => ({ code, label: languageName(code, locale) })).sort((a, b) =>
    a.label.localeCompare(b.label),
  );
}

export function isTargetLanguage(value: unknown): value is LanguageCode {
  return typeof value === 'string' && (TRANSLATE_LANGUAGES as readonly string[]).includes(value);
}
