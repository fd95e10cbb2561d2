import { TRANSLATE_LANGUAGES, type LanguageCode } from '../../lib/config/languages';

/**
 * ISO 639-1 (our codes, Amazon Translate's) to ISO 639-3 (what apertium names its language pairs with).
 * Regional variants (es-MX, pt-PT, fr-CA, zh-TW, fa-AF) translate as their base language locally.
 */
const ISO_639_3: Readonly<Record<string, string>> = {
  af: 'afr', am: 'amh', ar: 'ara', az: 'aze', bg: 'bul', bn: 'ben', bs: 'bos', ca: 'cat', cs: 'ces', cy: 'cym',
  da: 'dan', de: 'deu', el: 'ell', en: 'eng', es: 'spa', et: 'est', fa: 'fas', fi: 'fin', fr: 'fra', ga: 'gle',
  gu: 'guj', ha: 'hau', he: 'heb', hi: 'hin', hr: 'hrv', ht: 'hat', hu: 'hun', hy: 'hye', id: 'ind', is: 'isl',
  it: 'ita', ja: 'jpn', ka: 'kat', kk: 'kaz', kn: 'kan', ko: 'kor', lt: 'lit', lv: 'lav', mk: 'mkd', ml: 'mal',
  mn: 'mon', mr: 'mar', ms: 'msa', mt: 'mlt', nl: 'nld', no: 'nob', pa: 'pan', pl: 'pol', ps: 'pus', pt: 'por',
  ro: 'ron', ru: 'rus', si: 'sin', sk: 'slk', sl: 'slv', so: 'som', sq: 'sqi', sr: 'srp', sv: 'swe', sw: 'swa',
  ta: 'tam', te: 'tel', th: 'tha', tl: 'tgl', tr: 'tur', uk: 'ukr', ur: 'urd', uz: 'uzb', vi: 'vie', zh: 'zho',
};

export function baseLanguage(code: LanguageCode): string {
  return code.split('-')[0] ?? code;
}

/**
 * Our base language for a code found in an apertium pair name, which may be 639-3 (eng) or, in older
 * pairs, 639-1 (en).
 */
export function fromApertiumCode(code: string): LanguageCode | undefined {
  if ((TRANSLATE_LANGUAGES as readonly string[]).includes(code)) return code as LanguageCode;
  const match = Object.entries(ISO_639_3).find(([, iso3]) => iso3 === code);
  return match?.[0] as LanguageCode | undefined;
}
