import { DEFAULT_TARGET_LANGUAGE } from '../../lib/config/languages';

export { DEFAULT_TARGET_LANGUAGE };

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

/** The targets the deployment offers (GET /languages), sorted by their display name. */
export function targetLanguageOptions(codes: readonly string[], locale?: string): { code: string; label: string }[] {
  return codes.map((code) => ({ code, label: languageName(code, locale) })).sort((a, b) => a.label.localeCompare(b.label));
}
